"""RFC 7946 §3.1.6: every GeoJSON output writes polygon exterior rings counter-clockwise and holes
clockwise (the stored boundaries, read from shapefiles, run clockwise)."""

import json

import pytest
from django.test import Client

from tests.factories import PHUKET, make_dla_admin

pytestmark = pytest.mark.django_db


def signed_area(ring):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon"
    return geometry["coordinates"]


def assert_rfc7946_rings(features):
    assert features
    for feature in features:
        for polygon in polygons(feature["geometry"]):
            exterior, *holes = polygon
            assert signed_area(exterior) > 0, feature.get("id")
            assert all(signed_area(hole) < 0 for hole in holes)


def test_boundary_outputs_are_counter_clockwise():
    client = Client()
    client.force_login(make_dla_admin())
    assert_rfc7946_rings([client.get(f"/ogc/collections/province/items/{PHUKET}").json()])
    assert_rfc7946_rings(client.get("/ogc/collections/amphoe/items", {"parent": PHUKET}).json()["features"])
    assert_rfc7946_rings(client.get("/api/boundaries/tambon/", {"page_size": 50}).json()["features"])
    layer = client.get("/layers/boundaries/amphoe.geojson", {"zoom": 16, "code": "8301"})
    assert_rfc7946_rings(json.loads(layer.content)["features"])
