"""OGC API – Features beyond Part 1 Core: the API definition (service-desc, service-doc), typed
collections, extents, numberMatched, refusals (unknown parameters, datetime, formats, unknown
collections), HTML pages, Part 3 (queryables, CQL2-text and CQL2-JSON evaluated in the database
under the access rules) and Part 2 (crs, bbox-crs, Content-Crs)."""

import json

import pytest
import yaml
from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Polygon
from django.db.models import Q
from django.test import Client

from analysis.queryables import PROJECT_QUERYABLES, like_regex
from common.features import PROJECT_PROPERTIES
from projects_geo.coords import INDIAN_1975, WGS84, lonlat_to_utm
from projects_geo.models import Project
from tests.factories import PATONG, PHANG_NGA, make_analyst

pytestmark = pytest.mark.django_db
ITEMS = "/ogc/collections/projects/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture
def phang_nga():
    client = Client()
    client.force_login(make_analyst(PHANG_NGA))
    return client


def ids(body):
    return sorted(f["id"] for f in body["features"])


def visible_ids(**filters):
    return sorted(Project.objects.filter(**filters).values_list("id", flat=True))


def assert_bilingual_400(response, field):
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    error = next(e for e in body["errors"] if e["field"] == field)
    assert error["message_th"] and error["message_en"] and error["message_th"] != error["message_en"]
    return error


# --- Part 1: documents -----------------------------------------------------------------------


def test_landing_links_service_desc_and_doc_with_page_size(national):
    links = {(link["rel"], link["type"]): link["href"] for link in national.get("/ogc/").json()["links"]}
    desc = links[("service-desc", "application/vnd.oai.openapi+json;version=3.0")]
    assert ("service-desc", "application/vnd.oai.openapi;version=3.0") in links
    assert ("service-doc", "text/html") in links
    doc = national.get(desc)
    assert doc["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    doc = doc.json()
    assert doc["openapi"].startswith("3.0")
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (100, 10000)
    for cid in ("projects", "projects-points", "projects-lines", "province"):
        assert f"/collections/{cid}/items" in doc["paths"]
    as_yaml = national.get("/ogc/api", {"f": "yaml"})
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi;version=3.0")
    assert yaml.safe_load(as_yaml.content) == doc
    page = national.get(links[("service-doc", "text/html")])
    assert page["Content-Type"].startswith("text/html") and b"/collections/{collectionId}/items" in page.content
    conf = national.get("/ogc/conformance").json()["conformsTo"]
    for cls in (
        "ogcapi-features-1/1.0/conf/oas30",
        "ogcapi-features-1/1.0/conf/html",
        "ogcapi-features-2/1.0/conf/crs",
        "ogcapi-features-3/1.0/conf/filter",
        "cql2/1.0/conf/cql2-text",
        "cql2/1.0/conf/cql2-json",
    ):
        assert f"http://www.opengis.net/spec/{cls}" in conf


def test_typed_collections_extents_and_number_matched(national, phang_nga):
    points = national.get("/ogc/collections/projects-points/items", {"limit": 1000}).json()
    lines = national.get("/ogc/collections/projects-lines/items", {"limit": 1000}).json()
    both = national.get(ITEMS, {"limit": 3}).json()
    assert {f["geometry"]["type"] for f in points["features"]} == {"Point"}
    assert {f["geometry"]["type"] for f in lines["features"]} == {"LineString"}
    assert sorted(ids(points) + ids(lines)) == visible_ids()
    assert both["numberMatched"] == Project.objects.count() and both["numberReturned"] == 3
    assert points["numberMatched"] == len(points["features"])
    # extents: the data the user may see, not a fixed box
    col = phang_nga.get("/ogc/collections/projects").json()
    box = Project.objects.filter(organization__province__code=PHANG_NGA).aggregate(e=Extent("geom"))["e"]
    assert col["extent"]["spatial"]["bbox"][0] == pytest.approx(box, abs=1e-6)
    national_box = national.get("/ogc/collections/projects").json()["extent"]["spatial"]["bbox"][0]
    assert national_box != col["extent"]["spatial"]["bbox"][0]
    interval = col["extent"]["temporal"]["interval"][0]
    assert interval[0] <= interval[1] and interval[0].endswith("Z")
    assert col["storageCrs"] == CRS84 and f"{EPSG}32647" in col["crs"]
    assert any(link["rel"].endswith("/queryables") for link in col["links"])
    # numberMatched follows the filters and the access rules
    assert phang_nga.get(ITEMS, {"limit": 1}).json()["numberMatched"] == len(
        visible_ids(organization__province__code=PHANG_NGA)
    )
    # counted on the first page only: a later page that does not reach the end carries no count,
    # the last one its own (free) total; a page beyond the end none
    middle = national.get(ITEMS, {"offset": 2, "limit": 3}).json()
    assert "numberMatched" not in middle and middle["numberReturned"] == 3
    last = national.get(ITEMS, {"offset": 8, "limit": 3}).json()
    assert last["numberMatched"] == Project.objects.count() == 10
    beyond = national.get(ITEMS, {"offset": 500}).json()
    assert beyond["numberReturned"] == 0 and "numberMatched" not in beyond


def test_refusals_are_json_and_bilingual(national):
    assert_bilingual_400(national.get(ITEMS, {"colour": "red"}), "colour")
    assert_bilingual_400(national.get("/ogc/", {"limit": "5"}), "limit")
    assert_bilingual_400(national.get(ITEMS, {"datetime": "garbage"}), "datetime")
    assert_bilingual_400(national.get(ITEMS, {"datetime": "2025-02-30"}), "datetime")
    assert_bilingual_400(national.get(ITEMS, {"datetime": "../.."}), "datetime")
    assert_bilingual_400(national.get(ITEMS, {"f": "xml"}), "f")
    assert national.get(ITEMS, {"datetime": "2000-01-01T00:00:00Z/.."}).json()["numberMatched"] == 10
    assert national.get(ITEMS, {"datetime": "../2000-01-01"}).json()["numberMatched"] == 0
    assert national.get("/ogc/collections/tambon/items", {"datetime": "2024-01-01", "limit": 1}).status_code == 200
    for url in ("/ogc/collections/village", "/ogc/collections/village/items", "/ogc//api/", "/ogc/nothing"):
        response = national.get(url)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json"), url
        assert response.json()["errors"][0]["message_th"]
    missing = national.get(f"{ITEMS}/999999999").json()
    assert missing["code"] == "NotFound"


def test_html_pages_with_a_map(national):
    page = national.get(ITEMS, {"f": "html", "limit": 5})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert 'id="ogc-map"' in html and "analysis/ogc-map.js" in html and "<script>" not in html
    browser = national.get("/ogc/collections", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert browser["Content-Type"].startswith("text/html") and b"projects-points" in browser.content
    assert national.get("/ogc/collections", HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"
    one = Project.objects.order_by("id").first()
    assert one.name in national.get(f"{ITEMS}/{one.id}", {"f": "html"}).content.decode()


# --- Part 3: queryables and CQL2 ---------------------------------------------------------------


def test_queryables_come_from_the_declaration(national):
    response = national.get("/ogc/collections/projects/queryables")
    assert response["Content-Type"] == "application/schema+json"
    schema = response.json()
    assert list(schema["properties"]) == [q.name for q in PROJECT_QUERYABLES]
    name = schema["properties"]["name"]
    assert name["type"] == "string" and name["x-title-th"] == "ชื่อโครงการ" and name["x-title-en"] == "Project name"
    assert schema["properties"]["geometry"]["format"] == "geometry-any"
    assert schema["properties"]["kind"]["enum"] == ["water", "road"]
    # every queryable but the geometry is a property of the features, under the same name
    assert {q.name for q in PROJECT_QUERYABLES} - {"geometry"} <= set(PROJECT_PROPERTIES)


CQL_CASES = [
    ("kind = 'water'", {"kind": "water"}),
    ("kind = 'road' AND fiscal_year = 2568", {"kind": "road", "fiscal_year": 2568}),
    ("fiscal_year BETWEEN 2567 AND 2568", {"fiscal_year__range": (2567, 2568)}),
    ("lao_code IN ('" + PATONG + "', '0000000')", {"organization__dla_code": PATONG}),
    ("budget > 1000000", {"budget__gt": 1000000}),
    ("NOT (kind = 'water')", {"kind": "road"}),
    ("kind = 'water' OR fiscal_year < 2568", None),
    (
        "S_INTERSECTS(geometry, BBOX(98.2, 8.3, 98.4, 8.9))",
        {"geom__intersects": Polygon.from_bbox((98.2, 8.3, 98.4, 8.9))},
    ),
    (
        "S_INTERSECTS(geometry, POLYGON((98.2 8.3, 98.4 8.3, 98.4 8.9, 98.2 8.9, 98.2 8.3)))",
        {"geom__intersects": Polygon.from_bbox((98.2, 8.3, 98.4, 8.9))},
    ),
]


@pytest.mark.parametrize("text,expected", CQL_CASES)
def test_cql2_text_runs_in_the_database(national, text, expected):
    body = national.get(ITEMS, {"filter": text, "limit": 1000}).json()
    if expected is None:
        want = sorted(Project.objects.filter(Q(kind="water") | Q(fiscal_year__lt=2568)).values_list("id", flat=True))
    else:
        want = visible_ids(**expected)
    assert want, "the case must select something"
    assert ids(body) == want and body["numberMatched"] == len(want)


def test_cql2_like_and_json_and_access_rules(national, phang_nga):
    some = Project.objects.order_by("id").first()
    word = some.name[1:4]
    body = national.get(ITEMS, {"filter": f"name LIKE '%{word}%'"}).json()
    assert some.id in ids(body) and ids(body) == visible_ids(name__contains=word)
    assert like_regex("a_b%c\\%") == "^a.b.*c%$"
    cql_json = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "kind"}, "water"]},
            {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [98.2, 8.3, 98.4, 8.9]}]},
        ],
    }
    body = national.get(ITEMS, {"filter": json.dumps(cql_json), "filter-lang": "cql2-json"}).json()
    assert ids(body) == visible_ids(kind="water", geom__intersects=Polygon.from_bbox((98.2, 8.3, 98.4, 8.9)))
    # a filter never widens what the user may see
    body = phang_nga.get(ITEMS, {"filter": "fiscal_year > 2500"}).json()
    assert ids(body) == visible_ids(organization__province__code=PHANG_NGA)
    # with the shared filter set
    body = national.get(ITEMS, {"filter": "fiscal_year > 2500", "kind": "road"}).json()
    assert ids(body) == visible_ids(kind="road")


@pytest.mark.parametrize(
    "params,fragment",
    [
        ({"filter": "kind = "}, "cql2-text"),
        ({"filter": "colour = 'red'"}, "colour"),
        ({"filter": "fiscal_year = 'abc'"}, "fiscal_year"),
        ({"filter": "name > 5"}, "name"),
        ({"filter": "S_INTERSECTS(kind, POINT(1 2))"}, "geometry"),
        ({"filter": "{not json", "filter-lang": "cql2-json"}, "JSON"),
        ({"filter": json.dumps({"op": "nope", "args": []}), "filter-lang": "cql2-json"}, "cql2-json"),
        ({"filter": "kind = 'water'", "filter-lang": "ecql"}, "cql2-text"),
        ({"filter": "S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 0 1, 1 0, 0 0)))"}, "geometry"),
    ],
)
def test_bad_cql2_is_a_bilingual_400(national, params, fragment):
    response = national.get(ITEMS, params)
    field = "filter-lang" if params.get("filter-lang") == "ecql" else "filter"
    error = assert_bilingual_400(response, field)
    assert fragment.lower() in (error["message_en"] + error["message_th"]).lower()


# --- Part 2: CRS -------------------------------------------------------------------------------


@pytest.mark.parametrize("code,zone,datum", [(32647, 47, WGS84), (32648, 48, WGS84), (24047, 47, INDIAN_1975)])
def test_crs_output_matches_pyproj(national, code, zone, datum):
    point = Project.objects.filter(geom__geometry_type_in=("POINT",)).order_by("id").first()
    response = national.get(f"/ogc/collections/projects-points/items/{point.id}", {"crs": f"{EPSG}{code}"})
    assert response["Content-Crs"] == f"<{EPSG}{code}>"
    x, y = response.json()["geometry"]["coordinates"]
    ex, ey = lonlat_to_utm(point.geom.x, point.geom.y, zone, datum)
    assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01
    assert "crs" not in response.json()["geometry"]
    page = national.get("/ogc/collections/projects-points/items", {"crs": f"{EPSG}{code}", "limit": 1000})
    assert page["Content-Crs"] == f"<{EPSG}{code}>"


def test_crs_4326_is_lat_lon_and_bbox_crs(national):
    point = Project.objects.filter(geom__geometry_type_in=("POINT",)).order_by("id").first()
    body = national.get(f"{ITEMS}/{point.id}", {"crs": f"{EPSG}4326"}).json()
    assert body["geometry"]["coordinates"] == pytest.approx([point.geom.y, point.geom.x], abs=1e-7)
    plain = national.get(ITEMS, {"bbox": "98.2,8.3,98.4,8.9"}).json()
    assert national.get(ITEMS).json()["features"][0]["geometry"] is not None
    latlon = national.get(ITEMS, {"bbox": "8.3,98.2,8.9,98.4", "bbox-crs": f"{EPSG}4326"}).json()
    assert ids(latlon) == ids(plain) and ids(plain)
    # the same box in UTM 47N (a little larger: the UTM box around the lon/lat box)
    (x0, x1), (y0, y1) = lonlat_to_utm([98.2, 98.4], [8.3, 8.9], 47)
    utm = national.get(ITEMS, {"bbox": f"{x0},{y0},{x1},{y1}", "bbox-crs": f"{EPSG}32647"}).json()
    assert set(ids(plain)) <= set(ids(utm))
    assert_bilingual_400(national.get(ITEMS, {"crs": f"{EPSG}3857"}), "crs")
    assert_bilingual_400(national.get(ITEMS, {"bbox-crs": "EPSG:9999", "bbox": "1,2,3,4"}), "bbox-crs")
    assert_bilingual_400(national.get(ITEMS, {"bbox-crs": f"{EPSG}32647", "bbox": "5,4,3,2"}), "bbox")
    assert national.get(ITEMS, {"crs": CRS84})["Content-Crs"] == f"<{CRS84}>"


def test_cql2_filters_the_funding_source(national):
    """The funding source (issue 23) is a queryable: one declaration entry, evaluated in the database."""
    chosen = list(Project.objects.order_by("id").values_list("id", flat=True)[:3])
    Project.objects.filter(id__in=chosen).update(funding_source="specific_subsidy")
    schema = national.get("/ogc/collections/projects/queryables").json()
    assert "specific_subsidy" in schema["properties"]["funding_source"]["enum"]
    body = national.get(ITEMS, {"filter": "funding_source = 'specific_subsidy'", "limit": 1000}).json()
    assert ids(body) == visible_ids(funding_source="specific_subsidy") and set(ids(body)) <= set(chosen)
    assert ids(body), "the filter must select the projects just marked"
    assert_bilingual_400(national.get(ITEMS, {"filter": "funding_source = 7"}), "filter")
