"""Boundary outlines for the maps: simplified in PostGIS by zoom, selected by bbox or code."""

import json

import pytest

from layers.maplayers import LayerRequestError, boundary_geojson, parse_request, tolerance_for_zoom
from tests.factories import AMPHOE_KATHU, PATONG, PHUKET, TAMBON_PATONG, make_engineer

pytestmark = pytest.mark.django_db

PHUKET_BBOX = "98.25,7.75,98.45,8.2"


def vertices(geometry):
    def count(c):
        return 1 if isinstance(c[0], (int, float)) else sum(count(x) for x in c)

    return count(geometry["coordinates"])


def test_tambons_in_a_bbox_are_simplified_less_when_zoomed_in():
    coarse = json.loads(boundary_geojson(parse_request("tambon", {"zoom": "10", "bbox": PHUKET_BBOX})))
    fine = json.loads(boundary_geojson(parse_request("tambon", {"zoom": "16", "bbox": PHUKET_BBOX})))
    codes = {f["properties"]["code"] for f in coarse["features"]}
    assert TAMBON_PATONG in codes  # Patong
    assert codes == {f["properties"]["code"] for f in fine["features"]}
    assert sum(vertices(f["geometry"]) for f in coarse["features"]) < sum(
        vertices(f["geometry"]) for f in fine["features"]
    )
    assert tolerance_for_zoom(10) > tolerance_for_zoom(16)


def test_layers_below_their_zoom_are_empty_and_codes_select_units():
    hidden = json.loads(boundary_geojson(parse_request("tambon", {"zoom": "7", "bbox": PHUKET_BBOX})))
    assert hidden["features"] == [] and hidden["properties"]["hidden_below_zoom"] == 10
    one = json.loads(boundary_geojson(parse_request("amphoe", {"zoom": "6", "code": AMPHOE_KATHU})))
    assert [f["properties"]["name_th"] for f in one["features"]] == ["กะทู้"]
    provinces = json.loads(boundary_geojson(parse_request("province", {"zoom": "5"})))
    assert len(provinces["features"]) == 77


@pytest.mark.parametrize(
    "level,params,field",
    [
        ("district", {}, "level"),
        ("tambon", {"zoom": "x", "bbox": PHUKET_BBOX}, "zoom"),
        ("tambon", {"zoom": "12", "bbox": "1,2,3"}, "bbox"),
        ("tambon", {"zoom": "12"}, "bbox"),
        ("amphoe", {"code": PHUKET}, "code"),
    ],
)
def test_bad_requests_say_what_is_wrong(level, params, field):
    with pytest.raises(LayerRequestError) as err:
        parse_request(level, params)
    assert err.value.field == field and err.value.message_th and err.value.message_en


def test_endpoint_needs_sign_in_and_answers_400_in_both_languages(client):
    url = "/layers/boundaries/tambon.geojson"
    assert client.get(url, {"zoom": 12, "bbox": PHUKET_BBOX}).status_code == 302
    client.force_login(make_engineer(PATONG))
    ok = client.get(url, {"zoom": 12, "bbox": PHUKET_BBOX})
    assert ok.status_code == 200 and ok["Content-Type"] == "application/geo+json"
    assert json.loads(ok.content)["features"]
    bad = client.get(url, {"zoom": 12, "bbox": "a,b"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["message_th"]
