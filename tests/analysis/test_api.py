"""The analysts' REST API on the sample projects: FeatureCollection pages, filters, ordering,
access rules, detail with stages, summaries, boundary layers and the OpenAPI schema."""

import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import GEOSGeometry
from rest_framework.test import APIClient

from layers.models import Tambon
from projects_geo.models import Project
from tests.factories import (
    AMPHOE_MUEANG_PHUKET,
    PHANG_NGA,
    PHUKET,
    PHUKET_CITY,
    TAMBON_BANG_NAI_SI,
    TAMBON_TAKUA_PA,
    TAMBON_TALAT_YAI,
    make_analyst,
    make_dla_admin,
    make_engineer,
    make_user,
)

pytestmark = pytest.mark.django_db

SAMPLE_BUDGET_TOTAL = Decimal("26260000.00")


@pytest.fixture
def national():
    client = APIClient()
    client.force_authenticate(make_dla_admin())
    return client


def get_json(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content[:500]
    return json.loads(response.content)


def sample_refs(fc):
    ids = [f["id"] for f in fc["features"]]
    return sorted(int(r.split(":")[1]) for r in Project.objects.filter(id__in=ids).values_list("source_ref", flat=True))


def test_anonymous_is_refused():
    assert APIClient().get("/api/projects/").status_code in (401, 403)
    assert APIClient().get("/api/projects/summary/").status_code in (401, 403)
    assert APIClient().get("/api/boundaries/province/").status_code in (401, 403)


def test_list_is_a_feature_collection_with_properties(national):
    fc = get_json(national, "/api/projects/")
    assert fc["type"] == "FeatureCollection"
    assert fc["numberReturned"] == len(fc["features"]) == 10
    assert fc["next"] is None and fc["previous"] is None
    p1 = Project.objects.get(source_ref="sample:1")
    (feature,) = [f for f in fc["features"] if f["id"] == p1.id]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "LineString"
    assert GEOSGeometry(json.dumps(feature["geometry"])).equals_exact(p1.geom, 1e-7)
    props = feature["properties"]
    assert props["lao_code"] == PHUKET_CITY
    assert (props["province"], props["amphoe"], props["tambon"]) == (PHUKET, AMPHOE_MUEANG_PHUKET, TAMBON_TALAT_YAI)
    assert props["kind"] == "road" and props["subtype"] == "concrete_road"
    assert props["fiscal_year"] == 2568 and props["current_stage"] == 4
    assert Decimal(str(props["budget"])) == Decimal("2450000")
    assert props["name"] == p1.name


def test_geojson_media_type(national):
    response = national.get("/api/projects/", HTTP_ACCEPT="application/geo+json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert json.loads(response.content)["type"] == "FeatureCollection"


def test_filters_through_the_api(national):
    assert sample_refs(get_json(national, "/api/projects/", province=PHANG_NGA)) == [7, 8, 9]
    assert sample_refs(get_json(national, "/api/projects/", kind="water", fiscal_year="2568,2569")) == [2, 4, 5, 8]
    assert sample_refs(get_json(national, "/api/projects/", tambon=TAMBON_BANG_NAI_SI)) == [7]
    assert sample_refs(get_json(national, "/api/projects/", bbox="98.37,7.86,98.40,7.90", reached_stage="4")) == [1]


def test_bad_filter_is_a_400_in_thai_and_english(national):
    body = get_json(national, "/api/projects/", status=400, bbox="1,2,3", province="99")
    fields = sorted(e["field"] for e in body["errors"])
    assert fields == ["bbox", "province"]
    for error in body["errors"]:
        assert error["message_th"] and error["message_en"] and error["message_th"] != error["message_en"]


def test_pagination_keeps_the_feature_collection_shape(national):
    seen = []
    url, pages = "/api/projects/?page_size=3&count=true", 0
    while url:
        fc = get_json(national, url)
        assert fc["type"] == "FeatureCollection" and fc["count"] == 10
        assert fc["page"] == pages + 1
        assert (fc["previous"] is None) == (pages == 0)
        seen += [f["id"] for f in fc["features"]]
        url, pages = fc["next"], pages + 1
    assert pages == 4
    assert len(seen) == len(set(seen)) == 10
    assert seen == sorted(seen)  # default ordering: id
    assert get_json(national, "/api/projects/", page=5, page_size=3)["features"] == []
    get_json(national, "/api/projects/", status=400, page=0)
    get_json(national, "/api/projects/", status=400, page_size="x")
    assert "count" not in get_json(national, "/api/projects/")


def test_ordering(national):
    fc = get_json(national, "/api/projects/", ordering="-budget")
    budgets = [Decimal(str(f["properties"]["budget"])) for f in fc["features"]]
    assert budgets == sorted(budgets, reverse=True)
    assert budgets[0] == Decimal("12500000")
    fc = get_json(national, "/api/projects/", ordering="fiscal_year,-budget")
    keys = [(f["properties"]["fiscal_year"], -Decimal(str(f["properties"]["budget"]))) for f in fc["features"]]
    assert keys == sorted(keys)
    body = get_json(national, "/api/projects/", status=400, ordering="geom")
    assert body["errors"][0]["field"] == "ordering"


def test_access_rules_apply_to_list_detail_and_summary():
    analyst = APIClient()
    analyst.force_authenticate(make_analyst(PHANG_NGA))
    assert sample_refs(get_json(analyst, "/api/projects/")) == [7, 8, 9]
    assert get_json(analyst, "/api/projects/summary/")["count"] == 3
    lao_user = APIClient()
    lao_user.force_authenticate(make_engineer(PHUKET_CITY))
    assert sample_refs(get_json(lao_user, "/api/projects/")) == [1, 2]
    hidden = Project.objects.get(source_ref="sample:7")
    assert lao_user.get(f"/api/projects/{hidden.id}/").status_code == 404
    nobody = APIClient()
    nobody.force_authenticate(make_user("noprofile"))
    assert get_json(nobody, "/api/projects/")["features"] == []


def test_detail_has_stages_in_order_and_tambons(national):
    p7 = Project.objects.get(source_ref="sample:7")
    feature = get_json(national, f"/api/projects/{p7.id}/")
    assert feature["type"] == "Feature" and feature["id"] == p7.id
    props = feature["properties"]
    assert [s["stage"] for s in props["stages"]] == [1, 2, 3]
    dates = [s["date"] for s in props["stages"]]
    assert dates == sorted(dates)
    assert props["stages"][2]["amount"] is not None  # budget approved carries its amount
    assert [t["code"] for t in props["tambons"]] == [TAMBON_TAKUA_PA, TAMBON_BANG_NAI_SI]
    assert sum(t["share"] for t in props["tambons"]) == pytest.approx(1.0, abs=1e-4)
    assert props["current_stage_label"]


def test_detail_query_count_is_constant(national, django_assert_max_num_queries):
    p6 = Project.objects.get(source_ref="sample:6")
    with django_assert_max_num_queries(4):
        get_json(national, f"/api/projects/{p6.id}/")


def test_list_query_count_does_not_grow_with_page(national, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        fc = get_json(national, "/api/projects/", page_size=10)
    assert len(fc["features"]) == 10


def test_summary_totals(national):
    body = get_json(national, "/api/projects/summary/")
    assert body["count"] == 10
    assert Decimal(body["budget_total"]) == SAMPLE_BUDGET_TOTAL
    by_kind = {k["kind"]: k for k in body["by_kind"]}
    assert by_kind["water"]["count"] == 5 and by_kind["road"]["count"] == 5
    assert Decimal(by_kind["water"]["budget_total"]) == Decimal("4050000.00")
    by_stage = {s["stage"]: s["count"] for s in body["by_stage"]}
    assert by_stage == {None: 1, 1: 1, 2: 2, 3: 2, 4: 1, 5: 1, 6: 2}
    body = get_json(national, "/api/projects/summary/", province=PHANG_NGA)
    assert body["count"] == 3 and Decimal(body["budget_total"]) == Decimal("3360000.00")
    assert get_json(national, "/api/projects/summary/", status=400, kind="boat")["errors"][0]["field"] == "kind"


def test_summary_reads_the_rows_once_and_matches_the_rows(django_assert_num_queries):
    """One statement (GROUPING SETS) gives both groupings; each equals a count over the rows."""
    from analysis.summary import summarise

    qs = Project.objects.filter(budget__gte=1_000_000)
    with django_assert_num_queries(1):
        body = summarise(qs)
    rows = list(qs.values_list("kind", "current_stage", "budget"))
    assert body["count"] == len(rows) and body["budget_total"] == sum(b for _, _, b in rows)
    for k in body["by_kind"]:
        assert (k["count"], k["budget_total"]) == (
            sum(1 for kind, _, _ in rows if kind == k["kind"]),
            sum((b for kind, _, b in rows if kind == k["kind"]), Decimal("0")),
        )
    for s in body["by_stage"]:
        assert s["count"] == sum(1 for _, stage, _ in rows if stage == s["stage"])
    assert sum(s["count"] for s in body["by_stage"]) == len(rows)


def test_the_map_page_carries_the_first_totals_of_what_the_user_may_read(client):
    """The analysts' map renders its unfiltered totals with the page, within the user's access."""
    client.force_login(make_analyst(PHANG_NGA))
    response = client.get("/analysis/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="result-count">3</dd>' in html
    assert response.context["config"]["initial_summary"]["count"] == 3
    client.force_login(make_dla_admin("dla-map-totals"))
    html = client.get("/analysis/").content.decode()
    assert '<dd id="result-count">10</dd>' in html and '<dd id="result-budget">26,260,000</dd>' in html


def test_boundaries_simplified_for_zoom(national):
    coarse = get_json(national, "/api/boundaries/province/", code=PHUKET, zoom=6)
    fine = get_json(national, "/api/boundaries/province/", code=PHUKET)
    (c,), (f,) = coarse["features"], fine["features"]
    assert c["id"] == f["id"] == PHUKET and c["properties"]["name_en"] == "Phuket"
    n_coarse = GEOSGeometry(json.dumps(c["geometry"])).num_coords
    n_fine = GEOSGeometry(json.dumps(f["geometry"])).num_coords
    assert n_coarse < n_fine / 5
    assert GEOSGeometry(json.dumps(c["geometry"])).valid


def test_boundaries_filters(national):
    fc = get_json(national, "/api/boundaries/tambon/", parent=AMPHOE_MUEANG_PHUKET, zoom=12)
    assert sorted(f["id"] for f in fc["features"]) == sorted(
        Tambon.objects.filter(amphoe__code=AMPHOE_MUEANG_PHUKET).values_list("code", flat=True)
    )
    assert all(f["properties"]["parent_code"] == AMPHOE_MUEANG_PHUKET for f in fc["features"])
    fc = get_json(national, "/api/boundaries/province/", bbox="98.2,7.7,98.5,8.0", zoom=8)
    assert PHUKET in [f["id"] for f in fc["features"]] and len(fc["features"]) <= 3
    get_json(national, "/api/boundaries/province/", status=400, zoom=40)
    bad = get_json(national, "/api/boundaries/province/", status=400, bbox="x")
    assert bad["errors"][0]["field"] == "bbox" and bad["errors"][0]["message_th"] and bad["errors"][0]["message_en"]
    assert get_json(national, "/api/boundaries/province/", status=400, parent=PHUKET)["errors"][0]["field"] == "parent"
    assert national.get("/api/boundaries/village/").status_code == 404


def test_openapi_schema_and_docs_page(national):
    response = national.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    params = {p["name"] for p in schema["paths"]["/api/projects/"]["get"]["parameters"]}
    assert {
        "bbox",
        "polygon",
        "province",
        "amphoe",
        "tambon",
        "lao",
        "fiscal_year",
        "kind",
        "subtype",
        "stage",
        "reached_stage",
        "budget_min",
        "budget_max",
        "q",
        "ordering",
        "page",
        "page_size",
    } <= params
    assert "/api/projects/{id}/" in schema["paths"]
    assert "/api/boundaries/{level}/" in schema["paths"]
    docs = national.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger" in html.lower() and "cdn" not in html.lower() and "//unpkg" not in html


def test_browsable_api_page(national):
    response = national.get("/api/projects/?page_size=2", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "FeatureCollection" in html and "&quot;features&quot;" in html
