"""Choropleth layers (JSON for the analysts' map) and the folium map documents without any CDN."""

import re

from reports import layers
from reports.base import parse_params
from tests.factories import (
    AMPHOE_KATHU,
    AMPHOE_MUEANG_PHUKET,
    AMPHOE_THALANG,
    PASSWORD,
    PATONG,
    PHANG_NGA,
    PHUKET,
    TAMBON_PATONG,
    make_analyst,
    make_dla_admin,
    make_engineer,
)


def props(fc):
    return {f["properties"]["code"]: f["properties"] for f in fc["features"]}


def test_province_layer_values_classes_and_legend(report_data):
    dla = make_dla_admin()
    fc = layers.choropleth(dla, parse_params({"fiscal_year": "2568"}), "province", "planned_budget")
    p = props(fc)
    assert len(p) == 77 and fc["type"] == "FeatureCollection"
    assert p[PHUKET]["value"] == 800000.0 and p[PHANG_NGA]["value"] == 50000.0 and p["10"]["value"] == 0.0
    assert p["10"]["class"] == -1 and p["10"]["color"] == layers.NO_DATA_COLOR
    assert p[PHANG_NGA]["class"] < p[PHUKET]["class"]
    assert p[PHUKET]["color"] == layers.PALETTE[p[PHUKET]["class"]]
    legend = fc["legend"]
    assert legend["title"] == "งบประมาณตามแผน (บาท)" and legend["unit"] == "THB"
    assert legend["classes"][0]["min"] == 50000.0 and legend["classes"][-1]["max"] == 800000.0
    assert fc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_amphoe_completeness_and_tambon_layers(report_data):
    analyst = make_analyst(PHUKET)
    fc = layers.choropleth(analyst, parse_params({}), "amphoe", "completeness", stage=1, year=2568)
    p = props(fc)
    assert set(p) == {AMPHOE_MUEANG_PHUKET, AMPHOE_KATHU, AMPHOE_THALANG}  # the analyst's province only
    # Amphoe Kathu (8302) has 3 LAOs of which Kathu municipality recorded stage 1 in 2568.
    assert p[AMPHOE_KATHU]["value"] == 33.3 and p[AMPHOE_MUEANG_PHUKET]["value"] == 0.0
    fc = layers.choropleth(analyst, parse_params({"fiscal_year": "2568"}), "tambon", "projects")
    p = props(fc)
    assert all(code.startswith(PHUKET) for code in p) and p[TAMBON_PATONG]["value"] == 2.0


def test_layer_json_endpoint_and_errors(client, report_data):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    resp = client.get("/reports/layers.json?level=province&measure=score&fiscal_year=2568")
    assert resp.status_code == 200
    data = resp.json()
    assert props(data)[PHUKET]["value"] == 2.62 and data["legend"]["title"] == "คะแนนจังหวัด (เต็ม ๕๐)"
    for query, field in (
        ("level=village", "level"),
        ("measure=height", "measure"),
        ("level=tambon", "province"),
        ("level=tambon&measure=score&province=83", "level"),
        ("stage=9", "stage"),
    ):
        resp = client.get(f"/reports/layers.json?{query}")
        assert resp.status_code == 400, query
        err = resp.json()["errors"][0]
        assert err["field"] == field and err["message_th"] and err["message_en"]


def test_lao_user_layer_shows_only_their_numbers(client, report_data):
    make_engineer(PATONG, "patong")
    client.login(username="patong", password=PASSWORD)
    data = client.get("/reports/layers.json?level=province&measure=projects").json()
    assert list(props(data)) == [PHUKET] and props(data)[PHUKET]["value"] == 2.0  # Patong's two projects, not Kathu's


def test_folium_map_uses_only_local_assets(client, report_data):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    resp = client.get("/reports/map/frame/?level=province&measure=projects&fiscal_year=2568")
    assert resp.status_code == 200
    html = resp.content.decode()
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith("/static/") for s in srcs), srcs
    assert "cdn" not in html.lower() and "/static/leaflet/leaflet.js" in html
    assert '<div class="gisplan-map-title">จำนวนโครงการ</div>' in html and "gisplan-legend" in html
    assert "ภูเก็ต".encode("unicode_escape").decode() in html  # feature names, inside folium's JSON
    offline = client.get("/reports/map/frame/?level=province&measure=projects&download=1")
    assert offline["Content-Disposition"].startswith("attachment")
    body = offline.content.decode()
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="', body)
    assert "L.map(" in body and "Leaflet" in body
