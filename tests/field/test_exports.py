"""Photos in the exports: the ``photo_urls`` attribute (every format) and the GeoPackage's
``photos`` layer of points where they were taken."""

from __future__ import annotations

import json

import pyogrio
import pytest

from exchange.exports import export_to_file
from field.photos import attach_photo
from projects_geo.models import Project
from tests.factories import PATONG, make_engineer, make_water_point
from tests.field.images import jpeg_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def pond_with_photos():
    engineer = make_engineer(PATONG, "export-eng")
    pond = make_water_point(PATONG, 98.2962, 7.8961, name="สระที่มีรูปถ่าย", user=engineer)
    near, _ = attach_photo(pond, upload(jpeg_bytes(lat=7.8962, lon=98.2963)), user=engineer)
    far, _ = attach_photo(pond, upload(jpeg_bytes(lat=7.9061, lon=98.2962)), user=engineer)
    blind, _ = attach_photo(pond, upload(jpeg_bytes()), user=engineer)  # no GPS: no point in the layer
    return pond, [near, far, blind]


def test_geojson_carries_the_photo_urls(pond_with_photos, tmp_path):
    pond, photos = pond_with_photos
    path = tmp_path / "p.geojson"
    export_to_file(Project.objects.filter(pk=pond.pk), "geojson", path)
    props = json.loads(path.read_text())["features"][0]["properties"]
    assert props["photo_urls"].split(" ") == [f"/field/photos/{p.pk}/" for p in photos]


def test_geopackage_has_a_photos_layer(pond_with_photos, tmp_path):
    pond, (near, far, _blind) = pond_with_photos
    path = tmp_path / "p.gpkg"
    export_to_file(
        Project.objects.filter(pk__in=[pond.pk, *Project.objects.values_list("pk", flat=True)[:3]]), "gpkg", path
    )
    df = pyogrio.read_dataframe(str(path), layer="photos")
    assert list(df["photo_id"]) == [near.pk, far.pk]
    assert list(df["photo_url"]) == [f"/field/photos/{near.pk}/", f"/field/photos/{far.pk}/"]
    assert abs(df.geometry.iloc[1].y - 7.9061) < 1e-5
    assert df["warnings"].iloc[1] == "far_from_project" and df["distance_m"].iloc[1] > 1000
    points = pyogrio.read_dataframe(str(path), layer="projects_points")
    assert points.loc[points["project_id"] == pond.pk, "photo_urls"].iloc[0].count("/field/photos/") == 3
