"""Vector tiles decoded with mapbox-vector-tile: the right projects, properties and places; the
same filters and access rules as the API; clusters at low zoom; boundary tiles."""

import base64
import math

import mapbox_vector_tile
import pytest
from django.test import Client
from django.utils import translation

from analysis.tiles import CLUSTER_BELOW_ZOOM
from projects_geo.models import Project, Stage
from tests.factories import (
    AMPHOE_MUEANG_PHUKET,
    PASSWORD,
    PHANG_NGA,
    PHUKET,
    TAMBON_TALAT_NUEA,
    make_analyst,
    make_dla_admin,
)

pytestmark = pytest.mark.django_db


def tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def pixel_to_lonlat(z, x, y, px, py, extent=4096):
    n = 2**z
    lon = (x + px / extent) / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + py / extent) / n))))
    return lon, lat


def get_tile(client, z, x, y, path="projects", status=200, **params):
    response = client.get(f"/tiles/{path}/{z}/{x}/{y}.pbf", params)
    assert response.status_code == status, response.content[:300]
    if status == 204:
        return {}
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True})


def test_z14_tile_has_the_project_at_its_place(national):
    p2 = Project.objects.get(source_ref="sample:2")  # a pond, a point in Phuket town
    z, x, y = tile_of(p2.geom.x, p2.geom.y, 14)
    tile = get_tile(national, z, x, y)
    features = {f["id"]: f for f in tile["projects"]["features"]}
    assert p2.id in features
    f = features[p2.id]
    assert f["properties"]["kind"] == "water" and f["properties"]["subtype"] == "pond"
    assert f["properties"]["fiscal_year"] == 2568 and f["properties"]["current_stage"] == 2
    assert f["properties"]["budget_thb"] == 850000.0
    assert f["geometry"]["type"] == "Point"
    lon, lat = pixel_to_lonlat(z, x, y, *f["geometry"]["coordinates"])
    assert lon == pytest.approx(p2.geom.x, abs=1e-4) and lat == pytest.approx(p2.geom.y, abs=1e-4)
    # only projects whose geometry touches this tile (plus its buffer)
    assert all(Project.objects.filter(id=i).exists() for i in features)


def test_line_project_decodes_as_a_line(national):
    p1 = Project.objects.get(source_ref="sample:1")
    c = p1.geom.centroid
    tile = get_tile(national, *tile_of(c.x, c.y, 15))
    (f,) = [f for f in tile["projects"]["features"] if f["id"] == p1.id]
    assert f["geometry"]["type"] == "LineString"
    assert f["properties"]["kind"] == "road"


def tile_ids(client, z, x, y, **params):
    response = client.get(f"/tiles/projects/{z}/{x}/{y}.pbf", params)
    assert response.status_code in (200, 204)
    if response.status_code == 204:
        return set()
    return {f["id"] for f in mapbox_vector_tile.decode(response.content).get("projects", {}).get("features", [])}


def test_tiles_honour_filters_and_access(national):
    p2 = Project.objects.get(source_ref="sample:2")
    z, x, y = tile_of(p2.geom.x, p2.geom.y, 14)
    assert p2.id in tile_ids(national, z, x, y, kind="water", fiscal_year="2568")
    assert p2.id not in tile_ids(national, z, x, y, kind="road")
    assert p2.id not in tile_ids(national, z, x, y, fiscal_year="2567")
    analyst = Client()
    analyst.force_login(make_analyst(PHANG_NGA))
    assert p2.id not in tile_ids(analyst, z, x, y)
    analyst83 = Client()
    analyst83.force_login(make_analyst(PHUKET))
    assert p2.id in tile_ids(analyst83, z, x, y)


def test_low_zoom_clusters_count_every_matching_project(national):
    z, x, y = tile_of(98.4, 8.2, 6)  # Phuket and Phang Nga lie in one z6 tile
    assert z < CLUSTER_BELOW_ZOOM
    tile = get_tile(national, z, x, y)
    clusters = tile["clusters"]["features"]
    assert sum(f["properties"]["count"] for f in clusters) == 10
    assert sum(f["properties"]["budget_thb"] for f in clusters) == pytest.approx(26_260_000)
    tile = get_tile(national, z, x, y, fiscal_year="2569")
    assert sum(f["properties"]["count"] for f in tile["clusters"]["features"]) == 3
    assert all(f["geometry"]["type"] == "Point" for f in clusters)


def test_empty_tile_is_204(national):
    assert national.get("/tiles/projects/14/0/0.pbf").status_code == 204


def test_auth_bad_filters_and_bad_tiles(national):
    anonymous = Client().get("/tiles/projects/6/49/30.pbf")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Basic")
    make_dla_admin("gis")
    token = base64.b64encode(f"gis:{PASSWORD}".encode()).decode()
    assert Client().get("/tiles/projects/6/49/30.pbf", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 200
    wrong = base64.b64encode(b"gis:wrong").decode()
    assert Client().get("/tiles/projects/6/49/30.pbf", HTTP_AUTHORIZATION=f"Basic {wrong}").status_code == 401
    body = national.get("/tiles/projects/6/49/30.pbf", {"bbox": "x"})
    assert body.status_code == 400 and body.json()["errors"][0]["field"] == "bbox"
    assert national.get("/tiles/projects/3/9/0.pbf").status_code == 404
    assert national.get("/tiles/boundaries/village/6/49/30.pbf").status_code == 404


def test_basic_credentials_are_hashed_once_per_client_not_per_tile(national):
    from unittest import mock

    from django.contrib.auth import get_user_model

    from common import httpauth

    make_dla_admin("gis2")
    header = "Basic " + base64.b64encode(f"gis2:{PASSWORD}".encode()).decode()
    with mock.patch.object(httpauth, "authenticate", wraps=httpauth.authenticate) as checked:
        for x in (49, 50, 51):
            assert Client().get(f"/tiles/projects/6/{x}/30.pbf", HTTP_AUTHORIZATION=header).status_code in (200, 204)
        assert checked.call_count == 1
        user = get_user_model().objects.get(username="gis2")
        user.set_password("a-new-password-9472")
        user.save()
        # the remembered check is tied to the old password hash: the old password no longer works
        assert Client().get("/tiles/projects/6/49/30.pbf", HTTP_AUTHORIZATION=header).status_code == 401


def test_boundary_tiles(national):
    z, x, y = tile_of(98.35, 7.95, 10)
    tile = get_tile(national, z, x, y, path="boundaries/province")
    codes = {f["properties"]["code"] for f in tile["province"]["features"]}
    assert PHUKET in codes
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in tile["province"]["features"])
    z, x, y = tile_of(98.3785, 7.8745, 13)
    tile = get_tile(national, z, x, y, path="boundaries/tambon")
    by_code = {f["properties"]["code"]: f["properties"] for f in tile["tambon"]["features"]}
    assert TAMBON_TALAT_NUEA in by_code and by_code[TAMBON_TALAT_NUEA]["parent_code"] == AMPHOE_MUEANG_PHUKET


def test_tilejson_and_project_names_in_tiles(national):
    tj = national.get("/tiles/projects.json", {"kind": "water"})
    assert tj.status_code == 200 and tj["Content-Type"] == "application/json"
    body = tj.json()
    assert body["tilejson"] == "3.0.0" and (body["minzoom"], body["maxzoom"]) == (0, 22)
    assert body["tiles"][0].endswith("/tiles/projects/{z}/{x}/{y}.pbf?kind=water")
    layers = {layer["id"]: layer for layer in body["vector_layers"]}
    assert (
        layers["projects"]["minzoom"] == CLUSTER_BELOW_ZOOM and layers["clusters"]["maxzoom"] == CLUSTER_BELOW_ZOOM - 1
    )
    assert {"name", "lao_code", "lao_name", "stage_th", "stage_en"} <= set(layers["projects"]["fields"])
    water = Project.objects.filter(kind="water")
    minx, miny, maxx, maxy = body["bounds"]
    assert all(minx <= p.geom.x <= maxx and miny <= p.geom.y <= maxy for p in water if p.geom.geom_type == "Point")
    # the features carry the name, the LAO and the stage label
    p = Project.objects.select_related("organization").filter(geom__geometry_type_in=("POINT",)).first()
    features = get_tile(national, *tile_of(p.geom.x, p.geom.y, 14))["projects"]["features"]
    props = next(f["properties"] for f in features if f["id"] == p.id)
    assert props["name"] == p.name and props["lao_code"] == p.organization.dla_code
    assert props["lao_name"] == p.organization.name_th
    with translation.override("en"):
        assert props["stage_en"] == (str(Stage(p.current_stage).label) if p.current_stage else "No stage recorded")
    assert props["stage_th"] and props["stage_th"] != props["stage_en"]
    # at z10-11 without the (unique, long) names: the LAO and the stage only
    z10 = get_tile(national, *tile_of(p.geom.x, p.geom.y, 10))["projects"]["features"]
    props10 = next(f["properties"] for f in z10 if f["id"] == p.id)
    assert "name" not in props10 and props10["lao_name"] == p.organization.name_th
    bad = national.get("/tiles/projects.json", {"bbox": "x"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "bbox"
    boundary = national.get("/tiles/boundaries/tambon.json").json()
    assert boundary["vector_layers"][0]["id"] == "tambon" and "parent_code" in boundary["vector_layers"][0]["fields"]
    missing = national.get("/tiles/boundaries/village.json")
    assert missing.status_code == 404 and missing.json()["errors"][0]["message_th"]
    assert Client().get("/tiles/projects.json").status_code == 401
