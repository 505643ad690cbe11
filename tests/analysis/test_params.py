"""The probe's parameter reproductions (issue 22, item 7) on the API, OGC API, tiles and export:
each a clear 400 (or 404) with ``{"errors": [{field, message_th, message_en}]}``, never a 500; and
the refusals of DRF, the URL resolver and the method checks in the same JSON shape."""

import json

import pytest
from django.test import Client

from tests.factories import PHUKET

pytestmark = pytest.mark.django_db

POLYGONS = {
    "polygon_empty": "POLYGON EMPTY",
    "multipolygon_empty": "MULTIPOLYGON EMPTY",
    "json_object_empty": "{}",
    "polygon_without_coordinates": '{"type":"Polygon"}',
    "feature_without_geometry": '{"type":"Feature"}',
    "feature_geometry_list": '{"type":"Feature","geometry":[]}',
    "coordinates_not_a_list": '{"type":"Polygon","coordinates":"x"}',
    "coordinates_1e400": '{"type":"Polygon","coordinates":[[[1e400,7],[99,7],[99,8],[1e400,7]]]}',
    "coordinates_nan": '{"type":"Polygon","coordinates":[[[NaN,7],[99,7],[99,8],[NaN,7]]]}',
    "nested_100k": '{"type":"Polygon","coordinates":' + "[" * 100_000,
    "wkt_other_srid": "SRID=999999;POLYGON((98 7,99 7,99 8,98 7))",
    "wkt_nul": "POLYGON((98 7,99 7,99 8,98 7))\x00",
}
ENDPOINTS = {
    "api": "/api/projects/",
    "summary": "/api/projects/summary/",
    "ogc": "/ogc/collections/projects/items",
    "tiles": "/tiles/projects/5/24/15.pbf",
    "export": "/api/projects/export/",
}
BASE = {"export": {"format": "geojson"}}


def errors_of(response, status=400) -> list[dict]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    errors = json.loads(response.content)["errors"]
    assert errors and all(e["message_th"] and e["message_en"] and "field" in e for e in errors), errors
    return errors


def fields(response, status=400) -> set:
    return {e["field"] for e in errors_of(response, status)}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("polygon", POLYGONS)
def test_a_polygon_that_is_no_area_is_a_400(national, endpoint, polygon):
    url = ENDPOINTS[endpoint]
    response = national.get(url, {**BASE.get(endpoint, {}), "polygon": POLYGONS[polygon]})
    assert fields(response) == {"polygon"}


def test_a_valid_polygon_still_selects(national):
    square = '{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[98,7],[99,7],[99,9],[98,9],[98,7]]]}}'
    fc = json.loads(national.get("/api/projects/", {"polygon": square}).content)
    assert fc["numberReturned"] > 0


@pytest.mark.parametrize("name", ["q", "province", "lao", "amphoe", "tambon", "kind", "fiscal_year", "stage"])
def test_a_nul_byte_in_a_filter_is_a_400(national, name):
    assert fields(national.get("/api/projects/", {name: "83\x00"})) == {name}


@pytest.mark.parametrize("url", ["/api/boundaries/amphoe/", "/ogc/collections/amphoe/items"])
@pytest.mark.parametrize("name", ["code", "parent"])
def test_a_nul_byte_in_a_boundary_code_is_a_400(national, url, name):
    assert fields(national.get(url, {name: "8301\x00" if name == "code" else "83\x00"})) == {name}


def test_an_ogc_boundary_item_id_must_be_a_code(national):
    assert fields(national.get("/ogc/collections/province/items/8%003")) == {"featureId"}
    assert json.loads(national.get(f"/ogc/collections/province/items/{PHUKET}").content)["id"] == PHUKET


@pytest.mark.parametrize("value", ["²", "①", "٣", "１", "1_0"])
def test_unicode_digits_are_not_numbers(national, value):
    assert fields(national.get("/api/projects/", {"fiscal_year": value})) == {"fiscal_year"}
    assert fields(national.get("/api/projects/", {"stage": value})) == {"stage"}
    assert fields(national.get("/api/projects/", {"reached_stage": value})) == {"reached_stage"}
    assert fields(national.get(f"/ogc/collections/projects/items/{value}")) == {"featureId"}


def test_thai_digits_are_digits(national):
    """๐–๙ are read as 0–9 (Thai documents write them); every other script's digits are refused."""
    thai = json.loads(national.get("/api/projects/", {"fiscal_year": "๒๕๖๗", "stage": "๖"}).content)
    arabic = json.loads(national.get("/api/projects/", {"fiscal_year": "2567", "stage": "6"}).content)
    assert thai["features"] == arabic["features"] and arabic["numberReturned"] > 0
    assert json.loads(national.get("/api/projects/", {"province": "๘๓"}).content)["numberReturned"] > 0


@pytest.mark.parametrize(
    "query, field",
    [
        ({"page": "9" * 25}, "page"),
        ({"page": "9223372036854775807"}, "page"),  # a page whose row offset is beyond bigint
        ({"page": "0"}, "page"),
        ({"page_size": "9" * 25}, "page_size"),
        ({"page_size": "5001"}, "page_size"),  # above the maximum: refused, not silently cut
        ({"page_size": "²"}, "page_size"),
    ],
)
def test_api_paging_is_bounded(national, query, field):
    assert fields(national.get("/api/projects/", query)) == {field}


def test_page_size_at_the_maximum_is_fine(national):
    assert json.loads(national.get("/api/projects/", {"page_size": "5000"}).content)["page_size"] == 5000


@pytest.mark.parametrize(
    "query, field",
    [
        ({"offset": "9" * 25}, "offset"),
        ({"offset": "9223372036854775807"}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "9" * 25}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "²"}, "limit"),
    ],
)
def test_ogc_paging_is_bounded(national, query, field):
    assert fields(national.get("/ogc/collections/projects/items", query)) == {field}


def test_ogc_limit_above_the_maximum_is_read_as_the_maximum(national):
    """OGC API – Features: a limit above the server's maximum is not an error."""
    assert national.get("/ogc/collections/projects/items", {"limit": "20000"}).status_code == 200


def test_ogc_item_id_beyond_bigint_is_a_400_and_a_missing_one_a_404(national):
    assert fields(national.get("/ogc/collections/projects/items/" + "9" * 25)) == {"featureId"}
    assert fields(national.get("/ogc/collections/projects/items/999999999"), 404) == {"featureId"}


@pytest.mark.parametrize("z, x, y", [(30, 0, 0), (5, 32, 0), (5, 0, 10**25), (3, 9223372036854775808, 0)])
def test_a_tile_outside_the_grid_is_a_json_404(national, z, x, y):
    errors_of(national.get(f"/tiles/projects/{z}/{x}/{y}.pbf"), 404)
    errors_of(national.get(f"/tiles/boundaries/province/{z}/{x}/{y}.pbf"), 404)


def test_a_cluster_tile_with_huge_numbers_is_a_json_404(national):
    """A national user's low zoom is answered from the cluster cells: x is checked before they are read."""
    errors_of(national.get(f"/tiles/projects/2/{10**20}/0.pbf"), 404)


@pytest.mark.parametrize(
    "method, url, status",
    [
        ("get", "/api/projects/?format=%00", 404),  # DRF's format override: no such renderer
        ("get", "/api/schema/?format=%C2%B2", 404),  # the schema renders YAML; its errors are JSON
        ("post", "/api/projects/", 405),
        ("post", "/api/schema/", 405),
        ("post", "/api/docs/", 405),
        ("post", "/api/projects/export/", 405),
        ("post", "/ogc/collections/projects/items", 405),
        ("post", "/tiles/projects/0/0/0.pbf", 405),
        ("get", "/api/projects/²/", 404),  # outside the URL patterns: the site's 404, in JSON here
        ("get", "/api/no-such-endpoint/", 404),
        ("get", "/ogc/collections/%00", 404),
        ("get", "/tiles/boundaries/%00/0/0/0.pbf", 404),
        ("get", "/api/projects/" + "9" * 25 + "/", 404),
    ],
)
def test_every_refusal_of_the_machine_endpoints_is_bilingual_json(national, method, url, status):
    errors_of(getattr(national, method)(url), status)


def test_anonymous_refusals_are_bilingual_json():
    client = Client()
    for url in ("/api/projects/", "/api/projects/summary/", "/api/projects/1/", "/ogc/", "/tiles/projects/0/0/0.pbf"):
        response = client.get(url)
        assert response.status_code in (401, 403)
        errors_of(response, response.status_code)
