"""OGC API – Features (Part 1 Core, GeoJSON) read by real clients: GDAL's OAPIF driver (ogr2ogr
and pyogrio) and OWSLib, against a live server sharing the test's data; plus the documents."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from projects_geo.models import Project
from tests.factories import (
    AMPHOE_KATHU,
    AMPHOE_MUEANG_PHUKET,
    AMPHOE_THALANG,
    PASSWORD,
    PATONG,
    PHANG_NGA,
    PHUKET,
    PHUKET_PAO,
    make_analyst,
    make_dla_admin,
)

pytestmark = pytest.mark.django_db


def refs_of_ids(ids):
    return sorted(int(r.split(":")[1]) for r in Project.objects.filter(id__in=ids).values_list("source_ref", flat=True))


@pytest.fixture
def gdal_env():
    make_dla_admin("gisuser")
    return {
        **os.environ,
        "GDAL_HTTP_USERPWD": f"gisuser:{PASSWORD}",
        "GDAL_HTTP_AUTH": "BASIC",
        "CPL_DEBUG": "OFF",
        "GDAL_HTTP_TIMEOUT": "30",
    }


def ogr2ogr_ids(url, layer, env, *args):
    out = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", f"OAPIF:{url}", layer, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_documents(national):
    landing = national.get("/ogc/").json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "conformance", "data"} <= rels
    conf = national.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
    cols = national.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in cols] == ["projects", "projects-points", "projects-lines", "province", "amphoe", "tambon"]
    assert all(any(link["rel"] == "items" for link in c["links"]) for c in cols)
    assert national.get("/ogc/collections/village").status_code == 404


def test_items_paging_bbox_filters_and_single_item(national):
    page = national.get("/ogc/collections/projects/items", {"limit": 4})
    assert page["Content-Type"] == "application/geo+json"
    body = page.json()
    assert body["type"] == "FeatureCollection" and body["numberReturned"] == 4
    nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
    assert nxt and "offset=4" in nxt[0]
    seen = [f["id"] for f in body["features"]]
    body = national.get(nxt[0]).json()
    seen += [f["id"] for f in body["features"]]
    assert any(link["rel"] == "prev" for link in body["links"])
    body = national.get("/ogc/collections/projects/items", {"limit": 4, "offset": 8}).json()
    seen += [f["id"] for f in body["features"]]
    assert not any(link["rel"] == "next" for link in body["links"])
    assert refs_of_ids(seen) == list(range(1, 11)) and len(seen) == 10
    body = national.get("/ogc/collections/projects/items", {"bbox": "98.2,8.3,98.4,8.9", "kind": "water"}).json()
    assert refs_of_ids([f["id"] for f in body["features"]]) == [8, 9]
    bad = national.get("/ogc/collections/projects/items", {"bbox": "1,2"})
    assert bad.status_code == 400 and bad.json()["code"] == "InvalidParameterValue"
    bad = national.get("/ogc/collections/tambon/items", {"bbox": "98.5,7.7,98.2,8.0"})  # minx > maxx
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "bbox"
    tambons = national.get(
        "/ogc/collections/tambon/items", {"bbox": "98.2,7.7,98.5,8.0", "parent": AMPHOE_MUEANG_PHUKET}
    ).json()
    assert tambons["features"] and all(f["id"].startswith(AMPHOE_MUEANG_PHUKET) for f in tambons["features"])
    bad_limit = national.get("/ogc/collections/projects/items", {"limit": 0})
    assert bad_limit.status_code == 400
    error = bad_limit.json()["errors"][0]
    assert (
        error["field"] == "limit" and "ต้องเป็นจำนวนเต็ม" in error["message_th"] and "whole number" in error["message_en"]
    )
    p3 = Project.objects.get(source_ref="sample:3")
    one = national.get(f"/ogc/collections/projects/items/{p3.id}")
    assert one.status_code == 200 and one.json()["id"] == p3.id
    assert one.json()["properties"]["lao_code"] == PATONG
    assert national.get("/ogc/collections/projects/items/999999999").status_code == 404
    province = national.get("/ogc/collections/province/items/83").json()
    assert province["properties"]["name_en"] == "Phuket" and province["geometry"]["type"] == "MultiPolygon"
    tambons = national.get("/ogc/collections/tambon/items", {"parent": AMPHOE_MUEANG_PHUKET, "limit": 100}).json()
    assert {f["properties"]["parent_code"] for f in tambons["features"]} == {AMPHOE_MUEANG_PHUKET}


def test_access_rules_and_auth():
    assert Client().get("/ogc/collections/projects/items").status_code == 401
    assert Client().get("/ogc/").status_code == 401
    analyst = Client()
    analyst.force_login(make_analyst(PHANG_NGA))
    body = analyst.get("/ogc/collections/projects/items").json()
    assert refs_of_ids([f["id"] for f in body["features"]]) == [7, 8, 9]
    hidden = Project.objects.get(source_ref="sample:1")
    assert analyst.get(f"/ogc/collections/projects/items/{hidden.id}").status_code == 404


def test_gdal_oapif_reads_projects_with_paging_and_bbox(shared_live_server, gdal_env):
    url = f"{shared_live_server}/ogc/"
    fc = ogr2ogr_ids(url, "projects", gdal_env, "-oo", "PAGE_SIZE=3")
    assert len(fc["features"]) == 10  # followed the next links across four pages
    by_name = {f["properties"]["name"]: f for f in fc["features"]}
    p6 = Project.objects.get(source_ref="sample:6")
    assert by_name[p6.name]["properties"]["lao_code"] == PHUKET_PAO
    assert by_name[p6.name]["geometry"]["type"] == "LineString"
    fc = ogr2ogr_ids(url, "projects", gdal_env, "-spat", "98.2", "8.3", "98.4", "8.9")
    assert sorted(f["properties"]["name"] for f in fc["features"]) == sorted(
        Project.objects.filter(source_ref__in=["sample:7", "sample:8", "sample:9"]).values_list("name", flat=True)
    )
    info = subprocess.run(
        ["ogrinfo", "-ro", "-q", f"OAPIF:{url}"], env=gdal_env, capture_output=True, text=True, timeout=60
    )
    assert info.returncode == 0, info.stderr
    for layer in ("projects", "province", "amphoe", "tambon"):
        assert layer in info.stdout


def test_gdal_refused_without_credentials(shared_live_server):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDAL_HTTP")}
    out = subprocess.run(
        ["ogrinfo", "-ro", "-q", f"OAPIF:{shared_live_server}/ogc/"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0


PYOGRIO_SCRIPT = """
import json, sys
import pyogrio
gdf = pyogrio.read_dataframe(sys.argv[1], layer="amphoe", bbox=(98.25, 7.75, 98.45, 8.15))
print(json.dumps({"codes": sorted(gdf["code"]), "valid": bool(gdf.geometry.is_valid.all())}))
"""


def test_pyogrio_reads_a_boundary_collection(shared_live_server, gdal_env):
    # pyogrio holds the GIL while GDAL reads, so it runs in its own process (the server is a thread here)
    out = subprocess.run(
        [sys.executable, "-c", PYOGRIO_SCRIPT, f"OAPIF:{shared_live_server}/ogc/"],
        env=gdal_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert {AMPHOE_MUEANG_PHUKET, AMPHOE_KATHU, AMPHOE_THALANG} <= set(result["codes"])
    assert result["valid"]


def test_owslib_features(shared_live_server):
    from owslib.ogcapi.features import Features
    from owslib.util import Authentication

    make_analyst(PHUKET, "owsuser")
    api = Features(f"{shared_live_server}/ogc/", auth=Authentication("owsuser", PASSWORD))
    assert [c["id"] for c in api.collections()["collections"]] == [
        "projects",
        "projects-points",
        "projects-lines",
        "province",
        "amphoe",
        "tambon",
    ]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    items = api.collection_items("projects", limit=50)
    assert refs_of_ids([f["id"] for f in items["features"]]) == [1, 2, 3, 4, 5, 6, 10]  # Phuket only
    items = api.collection_items("projects", bbox=[98.25, 7.8, 98.45, 8.1], kind="road", fiscal_year="2568")
    assert refs_of_ids([f["id"] for f in items["features"]]) == [1, 6]
    p2 = Project.objects.get(source_ref="sample:2")
    assert api.collection_item("projects", str(p2.id))["properties"]["subtype"] == "pond"
