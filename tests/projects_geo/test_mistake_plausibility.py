"""Input-mistake detectors suggest a fix only where the input makes the mistake plausible (issue 21, item 1).

A datum or zone mix-up is a mistake of typed UTM numbers (or a file's easting/northing columns);
a drawn point, typed degrees or a file's own geometry cannot have it. And a suggestion that moves a
point farther than it misses the LAO's area says that its landing there proves nothing."""

import numpy as np
import pytest
from django.contrib.gis.geos import LineString, Point

from projects_geo import coords
from projects_geo.validation import validate, validate_batch
from tests.factories import PATONG, PHUKET_PAO

# UTM 47N E 439000 N 874000 read on WGS 84 lies ~570 m out at sea off Phuket's east coast; on
# Indian 1975 the same numbers are on the coast.
UTM_TEXT = "47N 439000 874000"
MIXUPS = {"datum_mixup", "utm_zone_mixup"}


def codes(result):
    return [f.code for f in result.findings]


@pytest.fixture
def sea_point():
    return coords.parse_point(UTM_TEXT).point  # WGS 84 reading: in the sea


@pytest.mark.django_db
def test_a_drawn_point_in_the_sea_gets_no_datum_or_zone_fix(lao, sea_point):
    result = validate(sea_point, lao(PHUKET_PAO), "water")
    assert not result.ok and "outside_province" in codes(result)
    assert not MIXUPS & set(codes(result))
    assert all(f.suggestion is None for f in result.findings if f.code != "near_province_edge")


@pytest.mark.django_db
def test_the_issue_point_typed_in_degrees_then_used_gets_no_fix(lao):
    """7.8960, 98.2600 typed as degrees on WGS 84, then "use this location" (a geometry without hint)."""
    typed = validate("7.8960, 98.2600", lao(PATONG), "water", datum="wgs84")
    assert not MIXUPS & set(codes(typed))
    for org in (lao(PATONG), lao(PHUKET_PAO)):
        used = validate(Point(98.2600, 7.8960, srid=4326), org, "water")
        assert not MIXUPS & set(codes(used)), used.findings
        assert all(f.suggestion is None for f in used.findings if f.code.endswith("mixup"))


@pytest.mark.django_db
def test_typed_utm_in_the_sea_gets_the_datum_fix_with_how_unlikely_it_is(lao):
    result = validate(UTM_TEXT, lao(PHUKET_PAO), "water")
    f = next(f for f in result.findings if f.code == "datum_mixup")
    assert f.suggestion is not None
    assert f.data["likelihood"] == "low" and f.data["miss_m"] <= f.data["distance_m"]
    assert "Unlikely" in f.message_en and "no evidence" in f.message_en
    assert "ไม่น่าจะ" in f.message_th and "เมตร" in f.message_th and " m " not in f.message_th


@pytest.mark.django_db
def test_a_zone_mixup_of_typed_utm_is_not_marked_unlikely(lao):
    """A zone mix-up moves the point ~660 km: landing in the LAO from that far is telling."""
    e, n = coords.lonlat_to_utm(98.3785, 7.8745, 47)
    result = validate(f"48N {e:.0f} {n:.0f}", lao(PHUKET_PAO), "water")
    f = next(f for f in result.findings if f.code == "utm_zone_mixup")
    assert "likelihood" not in f.data and "Unlikely" not in f.message_en
    assert "กม." in f.message_th


@pytest.mark.django_db
def test_a_drawn_line_read_in_the_wrong_zone_gets_no_zone_fix(lao):
    road = [(98.2990, 7.8930), (98.3010, 7.8936)]
    e, n = coords.lonlat_to_utm(np.array([p[0] for p in road]), np.array([p[1] for p in road]), 47)
    lon, lat = coords.utm_to_lonlat(e, n, 48)
    result = validate(LineString(list(zip(lon, lat)), srid=4326), lao(PATONG), "road")
    assert not MIXUPS & set(codes(result))


@pytest.mark.django_db
def test_batch_only_utm_items_get_mixup_fixes(lao, sea_point):
    org = lao(PHUKET_PAO)
    hint = {"form": "utm", "zone": 47, "datum": "wgs84"}
    drawn, utm, degrees = validate_batch(
        [
            {"geometry": sea_point, "organization": org, "kind": "water"},
            {"geometry": sea_point, "organization": org, "kind": "water", "hint": hint},
            {"geometry": sea_point, "organization": org, "kind": "water", "hint": {"form": "decimal"}},
        ]
    )
    assert not MIXUPS & set(codes(drawn)) and not MIXUPS & set(codes(degrees))
    assert "datum_mixup" in codes(utm)


@pytest.mark.django_db
def test_import_rows_from_utm_columns_get_the_datum_fix_and_lat_lon_columns_do_not(lao):
    from exchange.imports import checks
    from exchange.imports.rows import ImportRow, _table_geometry

    org = lao(PHUKET_PAO)
    utm_row, ll_row = ImportRow(1, values={"kind": "water"}), ImportRow(2, values={"kind": "water"})
    utm_row.geometry = _table_geometry(
        utm_row, {"E": "439000", "N": "874000", "z": "47"}, {"easting": "E", "northing": "N", "zone": "z"}, {}
    )
    p = coords.parse_point(UTM_TEXT).point
    ll_row.geometry = _table_geometry(ll_row, {"la": str(p.y), "lo": str(p.x)}, {"lat": "la", "lon": "lo"}, {})
    checks.validate_rows([utm_row, ll_row], org)
    assert "datum_mixup" in [f["code"] for f in utm_row.findings]
    assert not MIXUPS & {f["code"] for f in ll_row.findings}
