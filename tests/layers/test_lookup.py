"""Boundary lookup on the subdivided tambon table: kept by the loader, set-based answers."""

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.management import call_command
from django.db import connection

from layers.lookup import edge_distances, lands_in_area, refresh_tambon_parts, units_for_geometries
from layers.models import Province, Tambon, TambonPart
from tests.conftest import SAMPLE_BOUNDARIES
from tests.factories import PHUKET, TAMBON_TALAT_YAI


@pytest.mark.django_db
def test_parts_cover_every_tambon_and_are_small():
    assert TambonPart.objects.values("tambon").distinct().count() == Tambon.objects.count()
    with connection.cursor() as cur:
        cur.execute("SELECT max(ST_NPoints(geom)) FROM layers_tambonpart")
        assert cur.fetchone()[0] <= 256 + 5
        # the parts add up to the tambon (area check on Phuket)
        cur.execute(
            """SELECT abs(sum(ST_Area(p.geom)) - (SELECT sum(ST_Area(geom)) FROM layers_tambon WHERE code LIKE '83%%'))
               FROM layers_tambonpart p JOIN layers_tambon t ON t.id = p.tambon_id WHERE t.code LIKE '83%%'"""
        )
        assert cur.fetchone()[0] < 1e-9


@pytest.mark.django_db
def test_loader_refreshes_the_parts():
    TambonPart.objects.filter(tambon__code__startswith=PHUKET).delete()
    call_command("load_boundaries", str(SAMPLE_BOUNDARIES), verbosity=0)
    assert TambonPart.objects.filter(tambon__code=TAMBON_TALAT_YAI).exists()
    n = TambonPart.objects.count()
    assert refresh_tambon_parts() == n


@pytest.mark.django_db
def test_units_for_geometries_is_one_query(django_assert_num_queries):
    geoms = [
        Point(98.3923, 7.8840, srid=4326),
        LineString((98.2960, 8.1950), (98.3000, 8.2100), srid=4326),
        Point(97.7, 7.6, srid=4326),
    ]
    with django_assert_num_queries(1):  # the connection has JIT off already (DB_JIT unset): no SET LOCAL
        units = units_for_geometries(geoms)
    assert Tambon.objects.get(pk=units[0].main.tambon_id).code == TAMBON_TALAT_YAI
    assert len(units[1].province_ids) == 2
    assert units[2].tambons == []


@pytest.mark.django_db
def test_lookups_turn_jit_off_when_the_connection_has_it_on(monkeypatch):
    """With ``DB_JIT=true`` the connections keep PostgreSQL's JIT; lookups and report statements
    still run without it (``SET LOCAL``: until their transaction ends)."""
    from common.dbconn import jit_off_by_connection
    from layers.lookup import lookup_cursor
    from reports.base import fetch_dicts

    assert jit_off_by_connection()  # the test settings: DB_JIT unset
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "options", "")
    assert not jit_off_by_connection()
    with connection.cursor() as cur:
        cur.execute("SET jit = on")  # what such a connection starts with
    try:
        with lookup_cursor() as cur:
            cur.execute("SHOW jit")
            assert cur.fetchone()[0] == "off"
        with connection.cursor() as cur:
            cur.execute("SET jit = on")
        assert fetch_dicts("SELECT current_setting('jit') AS jit", []) == [{"jit": "off"}]
    finally:
        with connection.cursor() as cur:
            cur.execute("SET jit = off")


@pytest.mark.django_db
def test_distance_outside_a_unit():
    phuket = Province.objects.get(code=PHUKET)
    far = Point(97.7, 7.6, srid=4326)
    info = edge_distances([(1, bytes(far.ewkb), phuket.id, None)])[1]
    assert 50_000 < info.province_dist < 120_000
    assert info.nearest is not None and info.nearest_dist > 10_000
    assert lands_in_area(
        [(bytes(Point(98.3923, 7.8840, srid=4326).ewkb), phuket.id, None), (bytes(far.ewkb), phuket.id, None)]
    ) == [True, False]
