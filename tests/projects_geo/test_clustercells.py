"""The cluster-cell table behind low-zoom tiles: kept right by the triggers through every kind of
change, compacted and rebuilt without changing a figure, and giving the same tiles as the
projects themselves."""

import datetime as dt
import math
from decimal import Decimal

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Count, F, Sum
from django.test import Client

from accounts.access import visible_projects
from analysis.filters import filter_projects
from analysis.tiles import CLUSTER_BELOW_ZOOM, MercatorCell, cell_size_m, project_tile
from analysis.views import tiles as views_tiles
from layers.models import Organization, Province
from projects_geo import clustercells
from projects_geo.models import ClusterCell, Project
from projects_geo.services import save_project
from tests.factories import (
    PHANG_NGA,
    PHUKET,
    PHUKET_PAO,
    make_analyst,
    make_dla_admin,
    make_engineer,
    make_water_point,
)

pytestmark = pytest.mark.django_db


def cells():
    """{(zoom, cx, cy, province, fiscal year, kind, stage): (count, budget)} summed over the rows."""
    with connection.cursor() as cur:
        cur.execute(
            """SELECT zoom, cx, cy, province_id, fiscal_year, kind, current_stage, sum(count), sum(budget)
               FROM projects_geo_clustercell GROUP BY 1, 2, 3, 4, 5, 6, 7
               HAVING sum(count) <> 0 OR sum(budget) <> 0"""
        )
        return {r[:7]: (r[7], r[8]) for r in cur.fetchall()}


def from_projects():
    """The same, grouped from the projects with the live tiles' own cell expression per zoom."""
    out = {}
    for z in range(CLUSTER_BELOW_ZOOM):
        cell = cell_size_m(z)
        rows = (
            Project.objects.annotate(cx=MercatorCell(F("geom"), "X", cell), cy=MercatorCell(F("geom"), "Y", cell))
            .values_list("cx", "cy", "organization__province_id", "fiscal_year", "kind", "current_stage")
            .annotate(n=Count("id"), b=Sum("budget"))
        )
        for cx, cy, pid, fy, kind, stage, n, b in rows:
            out[(z, cx, cy, pid, fy, kind, stage)] = (n, b)
    return out


def test_cells_follow_every_change():
    assert ClusterCell.objects.count() > 0 and cells() == from_projects()  # the sample, filled by the migration
    p = make_water_point(PHUKET_PAO, 98.35, 7.95, name="บ่อใหม่")  # insert
    assert cells() == from_projects()
    Project.objects.filter(pk=p.pk).update(budget=Decimal("123456.78"), current_stage=3)  # update in place
    assert cells() == from_projects()
    p.refresh_from_db()
    p.geom = Point(98.31, 8.10, srid=4326)  # moved 17 km north: another cell at every zoom from 5 up
    save_project(p)
    assert cells() == from_projects()
    Project.objects.filter(pk=p.pk).update(name="renamed")  # nothing a cell holds: no delta rows
    before = ClusterCell.objects.count()
    Project.objects.filter(pk=p.pk).update(name="renamed again")
    assert ClusterCell.objects.count() == before
    Project.objects.filter(pk=p.pk).update(deleted_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))  # soft delete
    assert cells() == from_projects()
    Project.all_objects.filter(pk=p.pk).update(deleted_at=None)  # restored
    assert cells() == from_projects()
    Project.all_objects.filter(pk=p.pk).delete()  # hard delete
    assert cells() == from_projects()
    org = Organization.objects.get(dla_code=PHUKET_PAO)  # an LAO moved to another province
    Organization.objects.filter(pk=org.pk).update(province=Province.objects.get(code=PHANG_NGA))
    assert cells() == from_projects()


def test_compact_and_rebuild_keep_every_figure():
    for i in range(3):
        p = make_water_point(PHUKET_PAO, 98.35 + i * 0.01, 7.95, name=f"บ่อ {i}")
        Project.objects.filter(pk=p.pk).update(current_stage=2)
    expected = from_projects()
    rows_before = ClusterCell.objects.count()
    before, after = clustercells.compact()
    assert before == rows_before and after == ClusterCell.objects.count() == len(expected) < rows_before
    assert cells() == expected
    assert clustercells.rebuild() == len(expected)
    assert cells() == expected


def tile_of(lon, lat, z):
    n = 2**z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def decoded(data):
    feats = mapbox_vector_tile.decode(data).get("clusters", {}).get("features", []) if data else []
    return sorted(
        (tuple(f["geometry"]["coordinates"]), f["properties"]["count"], f["properties"]["budget_thb"]) for f in feats
    )


FILTERS = [
    {},
    {"fiscal_year": "2568"},
    {"fiscal_year": "2567,2569", "kind": "water"},
    {"stage": "0,1,2"},
    {"reached_stage": "2"},
    {"kind": "road", "stage": "3"},
]


@pytest.mark.parametrize("role", ["national", "province"])
def test_tiles_from_cells_are_the_tiles_from_projects(role, monkeypatch):
    user = make_dla_admin() if role == "national" else make_analyst(PHUKET)
    client = Client()
    client.force_login(user)

    def no_projects(*a, **k):
        raise AssertionError("the cells should have answered")

    seen = 0
    for z in range(3, CLUSTER_BELOW_ZOOM):
        for lon, lat in ((98.35, 7.95), (98.52, 8.45)):
            z, x, y = tile_of(lon, lat, z)
            for params in FILTERS:
                live = project_tile(filter_projects(params, visible_projects(user, Project.objects.all())), z, x, y)
                with monkeypatch.context() as m:
                    m.setattr(views_tiles, "project_tile", no_projects)
                    response = client.get(f"/tiles/projects/{z}/{x}/{y}.pbf", params)
                assert response.status_code in (200, 204)
                assert decoded(response.content) == decoded(live), (z, x, y, params)
                seen += len(decoded(live))
    assert seen > 50  # the comparisons were not all of empty tiles


def test_other_filters_and_lao_staff_read_the_projects(monkeypatch):
    def no_cells(*a, **k):
        raise AssertionError("these filters are not in the cells")

    monkeypatch.setattr(views_tiles, "cluster_tile_from_cells", no_cells)
    national = Client()
    national.force_login(make_dla_admin())
    z, x, y = tile_of(98.35, 7.95, 6)
    for params in ({"q": "บ่อ"}, {"province": PHUKET}, {"budget_min": "1000"}, {"bbox": "98,7.5,99,8.5"}):
        assert national.get(f"/tiles/projects/{z}/{x}/{y}.pbf", params).status_code in (200, 204)
    staff = Client()
    staff.force_login(make_engineer(PHUKET_PAO))
    assert staff.get(f"/tiles/projects/{z}/{x}/{y}.pbf").status_code in (200, 204)
    assert clustercells.ZOOMS == CLUSTER_BELOW_ZOOM  # the migration's triggers fill exactly these zooms


def test_bad_cell_filters_are_a_400_in_thai_and_english():
    national = Client()
    national.force_login(make_dla_admin())
    z, x, y = tile_of(98.35, 7.95, 6)
    response = national.get(f"/tiles/projects/{z}/{x}/{y}.pbf", {"fiscal_year": "2468", "kind": "bridge"})
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert set(errors) == {"fiscal_year", "kind"} and all(e["message_th"] and e["message_en"] for e in errors.values())
    response = national.get(f"/tiles/projects/{z}/{x}/{y}.pbf", {"reached_stage": "9"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reached_stage"


def test_concurrent_saves_of_one_cell_do_not_wait_for_each_other():
    """Two LAOs' staff save projects that share cluster cells (same province, fiscal year, kind and
    stage, so the same low-zoom cells) at the same moment: the second save must not wait for the
    first to commit, as it would if both updated one counter row."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    dsn = (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )
    with psycopg.connect(dsn) as probe:  # the committed sample, as other sessions see it
        pair = probe.execute(
            """SELECT a.id, a.fiscal_year, a.current_stage, b.id, b.fiscal_year, b.current_stage
               FROM projects_geo_project a
               JOIN projects_geo_project b ON b.id > a.id AND b.organization_id <> a.organization_id AND b.kind = a.kind
               JOIN layers_organization oa ON oa.id = a.organization_id
               JOIN layers_organization ob ON ob.id = b.organization_id AND ob.province_id = oa.province_id
               WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL ORDER BY a.id, b.id LIMIT 1"""
        ).fetchone()
    assert pair, "the sample has two LAOs' projects of one kind in one province"
    a_id, a_year, a_stage, b_id, b_year, b_stage = pair
    first, second = psycopg.connect(dsn), psycopg.connect(dsn)
    committed = []
    try:
        # the first takes b's year and stage: from here on both write the same cells' keys
        first.execute(
            "UPDATE projects_geo_project SET fiscal_year = %s, current_stage = %s, budget = budget + 1 WHERE id = %s",
            [b_year, b_stage, a_id],
        )  # not committed yet
        second.execute("SET statement_timeout = '3s'")
        second.execute("UPDATE projects_geo_project SET budget = budget + 1 WHERE id = %s", [b_id])
        second.commit()  # did not wait for the first
        committed.append(b_id)
        first.commit()
        committed.append(a_id)
    finally:
        for conn in (first, second):
            conn.rollback()
            conn.close()
        with psycopg.connect(dsn) as undo:  # put the committed sample back as it was
            if b_id in committed:
                undo.execute("UPDATE projects_geo_project SET budget = budget - 1 WHERE id = %s", [b_id])
            if a_id in committed:
                undo.execute(
                    "UPDATE projects_geo_project SET fiscal_year = %s, current_stage = %s, budget = budget - 1 "
                    "WHERE id = %s",
                    [a_year, a_stage, a_id],
                )
    assert committed == [b_id, a_id]
    assert cells() == from_projects()
