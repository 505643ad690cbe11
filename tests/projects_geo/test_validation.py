"""Boundary validation on the real Phuket / Phang Nga sample (full-resolution boundaries)."""

import numpy as np
import pytest
from django.contrib.gis.geos import LineString, Point
from django.test.utils import override_settings

from layers.models import Tambon
from projects_geo import coords
from projects_geo.models import Project
from projects_geo.validation import validate, validate_batch
from tests.factories import (
    AMPHOE_MUEANG_PHUKET,
    MAI_KHAO_SAO,
    PATONG,
    PHANG_NGA,
    PHUKET,
    PHUKET_CITY,
    PHUKET_PAO,
    TAMBON_TALAT_YAI,
)


def codes(result):
    return [f.code for f in result.findings]


def finding(result, code):
    return next(f for f in result.findings if f.code == code)


@pytest.mark.django_db
def test_point_on_phuket_island_lands_in_its_tambon(lao):
    result = validate(Point(98.3923, 7.8840, srid=4326), lao(PHUKET_CITY), "water")
    assert result.ok and result.findings == []
    assert [t.code for t in result.units.tambon_refs] == [TAMBON_TALAT_YAI]  # Talat Yai
    assert result.units.tambon_refs[0].name_en == "Talat Yai"
    assert [p.code for p in result.units.provinces] == [PHUKET]
    assert [a.code for a in result.units.amphoes] == [AMPHOE_MUEANG_PHUKET]
    assert result.preview == "7.884000, 98.392300"
    data = result.as_dict()
    assert data["units"]["tambons"] == [
        {
            "code": TAMBON_TALAT_YAI,
            "name_th": data["units"]["tambons"][0]["name_th"],
            "name_en": "Talat Yai",
            "share": 1.0,
        }
    ]
    assert data["ok"] is True and data["geometry"]["type"] == "Point"


@pytest.mark.django_db
def test_point_at_sea_is_outside_thailand(lao):
    result = validate("7.60, 97.70", lao(PHUKET_PAO), "water")
    assert not result.ok
    f = finding(result, "outside_thailand")
    assert f.severity == "error" and f.data["distance_m"] > 10_000
    assert "outside Thailand" in f.message_en and "นอกประเทศไทย" in f.message_th
    assert "outside_province" in codes(result)


@pytest.mark.django_db
def test_swapped_lat_lon_is_detected_with_the_right_point(lao):
    # GeoJSON written [lat, lon] instead of [lon, lat]
    result = validate({"type": "Point", "coordinates": [7.8745, 98.3785]}, lao(PHUKET_CITY), "water")
    assert not result.ok
    f = result.findings[0]
    assert f.code == "swapped_lat_lon" and f.severity == "error"
    assert f.suggestion.coords == pytest.approx((98.3785, 7.8745))
    assert "Use the suggested location" in f.message_en
    assert f.as_dict()["suggestion"] == {"type": "Point", "coordinates": [98.3785, 7.8745]}


@pytest.mark.django_db
def test_typed_lon_first_pair_is_read_by_the_order_rule(lao):
    result = validate("98.3785, 7.8745", lao(PHUKET_CITY), "water")
    assert result.ok
    assert result.geometry.coords == pytest.approx((98.3785, 7.8745))


# UTM 47N E 439000 N 874000: on Indian 1975 it is on the east coast of Phuket; read as WGS 84 the
# same numbers land ~620 m away, ~570 m out at sea.
UTM_TEXT = "47N 439000 874000"


@pytest.mark.django_db
def test_same_utm_numbers_on_wgs84_and_indian_1975_land_hundreds_of_metres_apart(lao):
    wgs = coords.parse_point(UTM_TEXT)
    ind = coords.parse_point(UTM_TEXT + " Indian 1975")
    apart = wgs.point.transform(32647, clone=True).distance(ind.point.transform(32647, clone=True))
    assert 300 < apart < 1000
    assert "EPSG:1812" in ind.source

    result = validate(UTM_TEXT, lao(PHUKET_PAO), "water")
    assert not result.ok
    f = result.findings[0]
    assert f.code == "datum_mixup" and f.severity == "error"
    assert f.data["datum"] == "indian1975" and 300 < f.data["distance_m"] < 1000
    assert f"{f.data['distance_m']:.0f} m" in f.message_en and "Indian 1975" in f.message_en
    assert f.suggestion.distance(ind.point) < 1e-7
    assert "outside_province" in codes(result)

    ok = validate(UTM_TEXT, lao(PHUKET_PAO), "water", datum="indian1975")
    assert ok.ok and "datum_mixup" not in codes(ok)


@pytest.mark.django_db
def test_utm_zone_mixup_is_detected(lao):
    e, n = coords.lonlat_to_utm(98.3785, 7.8745, 47)
    result = validate(f"48N {e:.0f} {n:.0f}", lao(PHUKET_CITY), "water")
    f = result.findings[0]
    assert f.code == "utm_zone_mixup" and f.data["zone"] == 47
    assert f.suggestion.coords == pytest.approx((98.3785, 7.8745), abs=1e-4)


@pytest.mark.django_db
def test_a_zone_mixup_without_a_hint_is_suggested_once(lao):
    """UTM numbers given without their datum (a file's easting/northing columns): both datums'
    readings of the other zone land in the LAO, and one suggestion (WGS 84) is made."""
    road = [(98.2990, 7.8930), (98.3010, 7.8936)]
    e, n = coords.lonlat_to_utm(np.array([p[0] for p in road]), np.array([p[1] for p in road]), 47)
    lon, lat = coords.utm_to_lonlat(e, n, 48)  # zone 47 numbers read as zone 48
    result = validate(LineString(list(zip(lon, lat)), srid=4326), lao(PATONG), "road", input_crs_hint={"form": "utm"})
    mixups = [f for f in result.findings if f.code == "utm_zone_mixup"]
    assert len(mixups) == 1 and not result.ok
    assert np.ravel(mixups[0].suggestion.coords) == pytest.approx(np.ravel(road), abs=1e-6)
    assert len([f for f in result.findings if f.code == "datum_mixup"]) <= 1


@pytest.mark.django_db
def test_road_across_the_bridge_is_in_both_provinces_and_warned_for_a_non_pao(lao):
    road = LineString((98.2960, 8.1950), (98.2975, 8.2003), (98.2986, 8.2036), (98.3000, 8.2100), srid=4326)
    result = validate(road, lao(MAI_KHAO_SAO), "road")
    assert result.ok, result.findings
    assert sorted(p.code for p in result.units.provinces) == [PHANG_NGA, PHUKET]
    assert sum(t.share for t in result.units.tambons) < 1  # the strait is in no tambon
    warn = codes(result)
    assert "partly_outside_province" in warn and "partly_outside_amphoe" in warn
    assert all(f.severity == "warning" for f in result.findings)


@pytest.mark.django_db
def test_point_20_m_off_the_coast_is_an_edge_warning_and_2_km_is_an_error(lao):
    # Points due east of the Phuket province boundary's easternmost vertex near 7.88 N.
    org = lao(PHUKET_PAO)
    base = validate(Point(98.3785, 7.8745, srid=4326), org, "water")
    assert base.ok
    from django.db import connection

    with connection.cursor() as cur:  # a coastal point and the outward direction, from PostGIS
        cur.execute(
            """
            WITH p AS (SELECT geom FROM layers_province WHERE code = '83'),
                 probe AS (SELECT ST_SetSRID(ST_Point(98.50, 7.95), 4326) AS g)
            SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_ClosestPoint(p.geom, probe.g) c FROM p, probe) x
            """
        )
        x, y = cur.fetchone()
    # ~20 m and ~2 km further east (1e-5 degree of longitude ≈ 1.1 m here)
    near = validate(Point(x + 20 / 110_300, y, srid=4326), org, "water")
    f = finding(near, "near_province_edge")
    assert near.ok and f.severity == "warning" and 10 < f.data["distance_m"] <= 50
    assert near.units.nearest and near.units.tambon_refs  # tambon filled from the nearest
    assert f.suggestion is not None
    far = validate(Point(x + 2000 / 110_300, y, srid=4326), org, "water")
    assert not far.ok
    assert finding(far, "outside_province").data["distance_m"] > 1000
    with override_settings(GISPLAN_EDGE_TOLERANCE_M=5):
        assert not validate(Point(x + 20 / 110_300, y, srid=4326), org, "water").ok


@pytest.mark.django_db
def test_outside_its_amphoe_is_a_warning_for_a_municipality_not_for_the_pao(lao):
    patong = Point(98.2965, 7.8960, srid=4326)  # Patong, amphoe Kathu
    city = validate(patong, lao(PHUKET_CITY), "water")
    assert city.ok and codes(city) == ["outside_amphoe"]
    assert validate(patong, lao(PHUKET_PAO), "water").findings == []


@pytest.mark.django_db
def test_duplicate_of_an_existing_project_is_caught(lao):
    existing = Project.objects.get(source_ref__startswith="sample:", geom__equals=Point(98.3785, 7.8745, srid=4326))
    near = Point(98.37855, 7.87455, srid=4326)  # ~8 m away
    result = validate(near, existing.organization, existing.kind, fiscal_year=existing.fiscal_year)
    f = finding(result, "duplicate")
    assert f.data["duplicate_id"] == existing.pk
    assert f.data["duplicate_url"] == f"/projects/{existing.pk}/"
    assert f.data["distance_m"] < 20
    # another fiscal year, or the project itself being edited: no duplicate
    assert "duplicate" not in codes(
        validate(near, existing.organization, existing.kind, fiscal_year=existing.fiscal_year + 1)
    )
    assert "duplicate" not in codes(
        validate(
            near, existing.organization, existing.kind, fiscal_year=existing.fiscal_year, exclude_project_id=existing.pk
        )
    )
    # a deleted project is no longer a duplicate
    from projects_geo.deletion import soft_delete_project

    soft_delete_project(existing)
    assert "duplicate" not in codes(
        validate(near, existing.organization, existing.kind, fiscal_year=existing.fiscal_year)
    )


@pytest.mark.django_db
def test_near_identical_line_is_a_duplicate(lao):
    existing = Project.objects.filter(
        kind="road", source_ref__startswith="sample:", organization__dla_code=PHUKET_CITY
    ).first()
    shifted = existing.geom.clone()
    shifted.transform(32647)
    from django.contrib.gis.geos import LineString as L

    moved = L([(x + 5, y + 5) for x, y in shifted.coords], srid=32647)
    moved.transform(4326)
    result = validate(moved, existing.organization, "road", fiscal_year=existing.fiscal_year)
    assert finding(result, "duplicate").data["duplicate_id"] == existing.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "geom, kind, code",
    [
        (Point(98.3785, 7.8745, srid=4326), "road", "wrong_geometry_type"),
        (LineString((98.3785, 7.8745), (98.3785, 7.8745), srid=4326), "road", "line_too_short"),
        (LineString((98.3, 7.8), (99.5, 8.5), srid=4326), "road", "line_too_long"),
        (Point(float("nan"), 7.8, srid=4326), "water", "non_finite_coordinates"),
        (Point(srid=4326), "water", "empty_geometry"),
        ("7.8, 98.3; 7.81, 98.31", "water", None),
        (
            {"type": "Polygon", "coordinates": [[[98.3, 7.8], [98.31, 7.8], [98.3, 7.81], [98.3, 7.8]]]},
            "water",
            "wrong_geometry_type",
        ),
        ({"type": "Point", "coordinates": ["a", 1]}, "water", "unparseable"),
        ("north of the temple", "water", "unparseable"),
    ],
)
def test_geometry_checks(lao, geom, kind, code):
    result = validate(geom, lao(PHUKET_PAO), kind)
    if code is None:
        assert result.ok and result.geometry.geom_type == "LineString"
    else:
        assert code in codes(result) and not result.ok
        f = finding(result, code)
        assert f.message_en and f.message_th and f.message_th != f.message_en


@pytest.mark.django_db
def test_line_shares_per_tambon(lao):
    project = Project.objects.get(source_ref__startswith="sample:", organization__dla_code=PHUKET_PAO)
    result = validate(project.geom, project.organization, project.kind, exclude_project_id=project.pk)
    assert result.ok
    shares = [t.share for t in result.units.tambons]
    assert shares == sorted(shares, reverse=True) and sum(shares) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.django_db(transaction=False)
def test_batch_is_set_based(lao, django_assert_max_num_queries):
    org = lao(PHUKET_CITY)
    items = [
        {
            "geometry": Point(98.3785 + i * 5e-5, 7.8745, srid=4326),
            "organization": org,
            "kind": "water",
            "fiscal_year": 2568,
        }
        for i in range(300)
    ]
    items.append(
        {"geometry": Point(7.8745, 98.3785, srid=4326), "organization": org, "kind": "water", "fiscal_year": 2568}
    )
    with django_assert_max_num_queries(5):  # a constant: shares, duplicates, edges, mistakes, names
        results = validate_batch(items)
    assert len(results) == 301
    assert results[-1].findings[0].code == "swapped_lat_lon"
    assert all(r.units.tambons for r in results[:300])


@pytest.mark.django_db
def test_large_batch_uses_the_indexed_table_and_agrees_with_small(lao):
    """A batch above TABLE_MODE_MIN goes through the indexed table (points, then the lines in a
    background query): units, shares and findings as the small-batch query gives them."""
    from layers import lookup

    org, city = lao(PHUKET_PAO), lao(PHUKET_CITY)
    pts = [Point(98.30 + (i % 50) * 0.003, 7.80 + (i // 50) * 0.004, srid=4326) for i in range(2200)]
    # Lines across the island, many crossing tambon (and Mueang Phuket's amphoe) boundaries.
    lines = [
        LineString(
            (98.28 + (i % 20) * 0.006, 7.78 + (i // 20) * 0.012),
            (98.30 + (i % 20) * 0.006, 7.79 + (i // 20) * 0.012),
            srid=4326,
        )
        for i in range(300)
    ]
    items = [{"geometry": p, "organization": org, "kind": "water", "fiscal_year": None} for p in pts] + [
        {"geometry": g, "organization": city, "kind": "road", "fiscal_year": None} for g in lines
    ]
    assert len(items) >= lookup.TABLE_MODE_MIN
    big = validate_batch(items)
    sample = list(range(40)) + list(range(len(pts), len(items)))
    small = validate_batch([items[i] for i in sample])
    assert len(big) == len(items)
    multi = 0
    for i, b in zip(sample, small):
        a = big[i]
        assert [t.tambon_id for t in a.units.tambons] == [t.tambon_id for t in b.units.tambons]
        assert [t.share for t in a.units.tambons] == pytest.approx([t.share for t in b.units.tambons], abs=1e-9)
        assert a.codes() == b.codes()
        assert [f.data for f in a.findings] == [f.data for f in b.findings]
        multi += len(a.units.tambons) > 1
    assert multi >= 20  # the lines really cross tambons
    # validate_batch hands the share query each line's geodesic length (computed in Python with
    # pyproj); PostGIS's own ST_Length(geography) gives the same shares.
    by_postgis = lookup.units_for_geometries(lines)
    compared = 0
    for units, r in zip(by_postgis, big[len(pts) :]):
        if r.units.nearest:  # off the coast: validation took the nearest tambon
            continue
        compared += 1
        assert [t.tambon_id for t in units.tambons] == [t.tambon_id for t in r.units.tambons]
        assert [t.share for t in units.tambons] == pytest.approx([t.share for t in r.units.tambons], abs=1e-9)
    assert compared >= 200
    assert any("partly_outside_amphoe" in big[i].codes() for i in range(len(pts), len(items)))
    assert Tambon.objects.filter(parts__isnull=False).distinct().count() == Tambon.objects.count()


def _island_batch(lao):
    """2,200 points over Phuket island and 300 short lines across it (many crossing tambons)."""
    org, city = lao(PHUKET_PAO), lao(PHUKET_CITY)
    pts = [Point(98.30 + (i % 50) * 0.003, 7.80 + (i // 50) * 0.004, srid=4326) for i in range(2200)]
    lines = [
        LineString(
            (98.28 + (i % 20) * 0.006, 7.78 + (i // 20) * 0.012),
            (98.30 + (i % 20) * 0.006, 7.79 + (i // 20) * 0.012),
            srid=4326,
        )
        for i in range(300)
    ]
    return [{"geometry": p, "organization": org, "kind": "water", "fiscal_year": None} for p in pts] + [
        {"geometry": g, "organization": city, "kind": "road", "fiscal_year": None} for g in lines
    ]


def _answers(results):
    return [
        ([(t.tambon_id, round(t.share, 9)) for t in r.units.tambons], r.codes(), [f.data for f in r.findings])
        for r in results
    ]


@pytest.fixture
def second_connection_runs(monkeypatch):
    """The number of lines of each query run on a second connection that did connect (the real
    thing runs)."""
    from layers import lookup

    runs = []
    real = lookup._LinesElsewhere._run

    def spy(self):
        real(self)
        if self._connect_error is None:
            runs.append(len(self._keep))

    monkeypatch.setattr(lookup._LinesElsewhere, "_run", spy)
    return runs


@pytest.mark.django_db
def test_large_batch_lines_on_a_second_connection_as_on_one(lao, second_connection_runs):
    """A table batch measures its lines on a second connection while this one does the points
    (and the duplicates and the points' edge distances): the same answers as with one connection."""
    items = _island_batch(lao)
    with_two = validate_batch(items)
    assert second_connection_runs == [300]  # the lines, and only they, went to the other connection
    with override_settings(GISPLAN_VALIDATION_SECOND_CONNECTION=False):
        with_one = validate_batch(items)
    assert second_connection_runs == [300]
    assert _answers(with_two) == _answers(with_one)
    assert sum(len(r.units.tambons) > 1 for r in with_two[2200:]) >= 20
    assert any("partly_outside_amphoe" in r.codes() for r in with_two[2200:])


@pytest.mark.django_db
def test_second_connection_not_used_when_this_transaction_changed_the_boundaries(lao, second_connection_runs):
    """The other connection sees only committed boundaries: after this transaction removed a
    tambon's parts, the batch stays on its own connection and answers from what it sees."""
    from layers.models import TambonPart

    items = _island_batch(lao)
    before = validate_batch(items)
    assert second_connection_runs == [300]
    crossed = {t.tambon_id for r in before[2200:] for t in r.units.tambons}
    gone = Tambon.objects.filter(id__in=crossed).order_by("code").first()
    assert TambonPart.objects.filter(tambon=gone).delete()[0] > 0  # uncommitted: the test's transaction
    after = validate_batch(items)
    assert second_connection_runs == [300]  # not used this time
    assert all(gone.id not in [t.tambon_id for t in r.units.tambons] for r in after)
    sample = list(range(0, 2200, 50)) + list(range(2200, 2500))
    assert _answers([after[i] for i in sample]) == _answers(validate_batch([items[i] for i in sample]))


@pytest.mark.django_db
def test_second_connection_that_cannot_connect_falls_back(lao, monkeypatch, caplog):
    """No second connection (refused, too many clients…): the lines run on this one; same answers."""
    from django.db import connection

    from layers import lookup

    items = _island_batch(lao)
    with override_settings(GISPLAN_VALIDATION_SECOND_CONNECTION=False):
        expected = _answers(validate_batch(items))
    params = connection.get_connection_params()
    monkeypatch.setattr(lookup.connection, "get_connection_params", lambda: {**params, "port": 1, "host": "127.0.0.1"})
    with caplog.at_level("WARNING", logger="layers.lookup"):
        got = _answers(validate_batch(items))
    assert got == expected
    assert "Second database connection" in caplog.text


@pytest.mark.django_db
def test_failed_batch_cancels_the_lines_query_on_the_second_connection(lao, monkeypatch):
    """When this connection's part fails, the other connection's query is cancelled rather than
    waited for: the error comes at once and is this connection's."""
    import time

    from django.db import DatabaseError, transaction

    from layers import lookup

    real = lookup._shares_sql

    def sql(rel, lateral, part="all"):
        if part == "lines":
            return "SELECT ord, 0::bigint, 0::bigint, 0::bigint, 1.0::float8 FROM " + rel + ", pg_sleep(60)"
        if part == "points":
            return "SELECT no_such_points_column FROM " + rel
        return real(rel, lateral, part)

    monkeypatch.setattr(lookup, "_shares_sql", sql)
    helpers = []
    real_start = lookup._LinesElsewhere.start_for
    monkeypatch.setattr(
        lookup._LinesElsewhere,
        "start_for",
        classmethod(lambda cls, batch: helpers.append(real_start.__func__(cls, batch)) or helpers[-1]),
    )
    t0 = time.perf_counter()
    with pytest.raises(DatabaseError, match="no_such_points_column"):
        with transaction.atomic():
            validate_batch(_island_batch(lao))
    assert time.perf_counter() - t0 < 30  # not the 60 s of the other query
    assert len(helpers) == 1 and helpers[0] is not None
    # stopped before its long statement began, or cancelled by the server while it ran
    import psycopg

    assert isinstance(helpers[0]._error, (lookup._Cancelled, psycopg.errors.QueryCanceled)), helpers[0]._error


@pytest.mark.django_db
def test_second_connection_takes_the_configured_role(lao, monkeypatch):
    """``DATABASES OPTIONS assume_role``: Django sets that role on its connections; the second one
    sets it too (here a role that does not exist, so the batch fails saying so)."""
    from django.db import DatabaseError, connection, transaction

    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "assume_role", "no_such_role_gisplan")
    with pytest.raises(DatabaseError, match="no_such_role_gisplan"):
        with transaction.atomic():
            validate_batch(_island_batch(lao))


@pytest.mark.django_db
def test_duplicates_found_in_a_large_batch_as_in_a_single_entry(lao):
    """The duplicate query of a table batch (each geometry probing the projects' index): the same
    point and line duplicates a single entry finds, and none for another LAO, kind or year."""
    from layers import lookup

    point = Project.objects.get(source_ref__startswith="sample:", geom__equals=Point(98.3785, 7.8745, srid=4326))
    line = (
        Project.objects.filter(source_ref__startswith="sample:", geom__isnull=False)
        .exclude(geom__equals=point.geom)
        .filter(kind="road")
        .first()
    )
    assert line is not None and line.geom.geom_type == "LineString"
    near_point = Point(98.37855, 7.87455, srid=4326)
    near_line = LineString([(x + 0.00005, y) for x, y in line.geom.coords], srid=4326)  # ~5 m east
    other_lao = lao(MAI_KHAO_SAO)
    filler = [
        {
            "geometry": Point(98.30 + (i % 50) * 0.003, 7.80 + (i // 50) * 0.004, srid=4326),
            "organization": point.organization,
            "kind": "water",
            "fiscal_year": 2500,
        }
        for i in range(lookup.TABLE_MODE_MIN)
    ]
    probes = [
        {
            "geometry": near_point,
            "organization": point.organization,
            "kind": point.kind,
            "fiscal_year": point.fiscal_year,
        },
        {"geometry": near_line, "organization": line.organization, "kind": line.kind, "fiscal_year": line.fiscal_year},
        {"geometry": near_point, "organization": other_lao, "kind": point.kind, "fiscal_year": point.fiscal_year},
        {
            "geometry": near_point,
            "organization": point.organization,
            "kind": point.kind,
            "fiscal_year": point.fiscal_year + 1,
        },
        {
            "geometry": near_line,
            "organization": line.organization,
            "kind": line.kind,
            "fiscal_year": line.fiscal_year,
            "exclude_project_id": line.pk,
        },
    ]
    big = validate_batch(filler + probes)[-len(probes) :]
    dup_ids = [[f.data["duplicate_id"] for f in r.findings if f.code == "duplicate"] for r in big]
    assert dup_ids == [[point.pk], [line.pk], [], [], []]
    for item, r in zip(probes, big):  # as a single entry finds them
        single = validate(
            item["geometry"],
            item["organization"],
            item["kind"],
            fiscal_year=item["fiscal_year"],
            exclude_project_id=item.get("exclude_project_id"),
        )
        assert [f.data for f in single.findings if f.code == "duplicate"] == [
            f.data for f in r.findings if f.code == "duplicate"
        ]


@pytest.mark.django_db
@pytest.mark.parametrize("second_connection", [True, False])
def test_large_batch_background_query_error_is_a_django_error(
    lao, monkeypatch, settings, second_connection, second_connection_runs
):
    """The lines' shares run on a second connection or in a background thread on this one: a
    failure there reaches the caller as Django's database error, after the thread has finished."""
    from django.db import DatabaseError, transaction

    from layers import lookup

    settings.GISPLAN_VALIDATION_SECOND_CONNECTION = second_connection
    real = lookup._shares_sql
    monkeypatch.setattr(
        lookup,
        "_shares_sql",
        lambda rel, lateral, part="all": (
            "SELECT no_such_column FROM layers_tambonpart" if part == "lines" else real(rel, lateral, part)
        ),
    )
    org = lao(PHUKET_PAO)
    items = [
        {
            "geometry": Point(98.30 + (i % 50) * 0.003, 7.80 + (i // 50) * 0.004, srid=4326),
            "organization": org,
            "kind": "water",
            "fiscal_year": None,
        }
        for i in range(lookup.TABLE_MODE_MIN)
    ]
    items.append(
        {
            "geometry": LineString((98.30, 7.80), (98.31, 7.81), srid=4326),
            "organization": org,
            "kind": "road",
            "fiscal_year": None,
        }
    )
    with pytest.raises(DatabaseError, match="no_such_column"):
        with transaction.atomic():
            validate_batch(items)
    assert second_connection_runs == ([1] if second_connection else [])
    # This connection still answers after the rollback.
    assert Project.objects.filter(source_ref__startswith="sample:").exists()


@pytest.mark.django_db
def test_batch_takes_shapely_geometries_like_geos(lao):
    """Imports hand shapely geometries straight in: same findings, units and geometry as GEOS input."""
    import shapely

    org = lao(PHUKET_CITY)
    geos = [
        Point(98.3785, 7.8745, srid=4326),
        Point(7.8745, 98.3785, srid=4326),
        LineString((98.3785, 7.8745, 5.0), (98.3800, 7.8760, 5.0), srid=4326),
    ]
    shapes = [shapely.from_wkb(bytes(g.wkb)) for g in geos]
    as_geos = validate_batch([{"geometry": g, "organization": org, "kind": "water", "fiscal_year": 2568} for g in geos])
    as_shapely = validate_batch(
        [{"geometry": g, "organization": org, "kind": "water", "fiscal_year": 2568} for g in shapes]
    )
    for a, b in zip(as_geos, as_shapely):
        assert a.codes() == b.codes()
        assert [t.tambon_id for t in a.units.tambons] == [t.tambon_id for t in b.units.tambons]
        assert a.geometry.equals_exact(b.geometry, 1e-12) and b.geometry.srid == 4326
    assert not as_shapely[2].geometry.hasz  # Z dropped either way
    assert as_shapely[1].codes()[0] == "swapped_lat_lon"


@pytest.mark.django_db
def test_a_self_crossing_road_is_a_warning_and_a_simple_one_is_not(lao):
    # A bow tie in Phuket town: the third vertex comes back across the first segment.
    crossing = LineString((98.380, 7.880), (98.390, 7.890), (98.390, 7.880), (98.380, 7.890), srid=4326)
    result = validate(crossing, lao(PHUKET_CITY), "road")
    assert "self_crossing" in codes(result)
    assert finding(result, "self_crossing").severity == "warning" and result.ok  # saved, with the warning
    assert "ลำดับ" in finding(result, "self_crossing").message_th
    simple = LineString((98.380, 7.880), (98.390, 7.890), (98.390, 7.880), srid=4326)
    assert "self_crossing" not in codes(validate(simple, lao(PHUKET_CITY), "road"))
    # The same rule in a batch (imports).
    batch = validate_batch(
        [{"geometry": g, "organization": lao(PHUKET_CITY), "kind": "road"} for g in (crossing, simple)]
    )
    assert ["self_crossing" in codes(r) for r in batch] == [True, False]
