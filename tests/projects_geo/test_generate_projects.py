"""generate_projects on a small N: every project inside its LAO's area, stages in order, units
filled set-based, a believable mix, and the same seed giving the same data."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from projects_geo.models import Project, ProjectStage
from projects_geo.synthetic import generate

pytestmark = pytest.mark.django_db

N = 400


def one(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


@pytest.fixture
def generated():
    call_command("generate_projects", count=N, seed=7, verbosity=0)
    return Project.objects.filter(source_ref__startswith="synthetic:7:")


def test_count_and_every_project_inside_its_lao_area(generated):
    assert N * 0.99 <= generated.count() <= N
    outside = one(
        """
        SELECT count(*) FROM projects_geo_project p
        JOIN layers_organization o ON o.id = p.organization_id
        JOIN layers_province pr ON pr.id = o.province_id
        LEFT JOIN layers_amphoe a ON a.id = o.amphoe_id
        WHERE p.source_ref LIKE 'synthetic:7:%%'
          AND NOT ST_CoveredBy(p.geom, CASE WHEN o.type = 'provincial_admin_org' OR o.amphoe_id IS NULL
                                            THEN pr.geom ELSE a.geom END)
        """
    )[0]
    assert outside == 0
    # spread over the country, not piled into a few LAOs
    assert generated.values("organization").distinct().count() > N * 0.6
    assert generated.values("organization__province").distinct().count() > 50


def test_stages_in_order_with_dates_and_amounts(generated):
    today = dt.date.today()
    stages = list(
        ProjectStage.objects.filter(project__in=generated)
        .order_by("project_id", "stage")
        .values_list("project_id", "stage", "date", "amount")
    )
    by_project = {}
    for pid, stage, date, amount in stages:
        by_project.setdefault(pid, []).append((stage, date, amount))
    current = dict(generated.values_list("id", "current_stage"))
    for pid, cur in current.items():
        rows = by_project.get(pid, [])
        assert [s for s, _, _ in rows] == list(range(1, (cur or 0) + 1))
        dates = [d for _, d, _ in rows]
        assert dates == sorted(dates) and all(d <= today for d in dates)
        for stage, _, amount in rows:
            assert (amount is not None) == (stage in (3, 4, 5))
    assert len(set(current.values())) >= 5, "a believable spread of stages"


def test_units_and_mix(generated):
    assert generated.filter(tambon__isnull=True).count() <= N * 0.02
    bad_units = one(
        """
        SELECT count(*) FROM projects_geo_project p
        JOIN layers_tambon t ON t.id = p.tambon_id JOIN layers_amphoe a ON a.id = t.amphoe_id
        WHERE p.source_ref LIKE 'synthetic:7:%%' AND (p.amphoe_id <> a.id OR p.province_id <> a.province_id)
        """
    )[0]
    assert bad_units == 0
    no_share = one(
        """SELECT count(*) FROM projects_geo_project p WHERE p.source_ref LIKE 'synthetic:7:%%'
           AND p.tambon_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM projects_geo_projecttambon pt
           WHERE pt.project_id = p.id AND pt.tambon_id = p.tambon_id)"""
    )[0]
    assert no_share == 0
    roads, water = generated.filter(kind="road"), generated.filter(kind="water")
    assert 0.4 < roads.count() / N < 0.7
    assert roads.filter(geom__geometry_type_in=["LINESTRING"]).count() >= roads.count() * 0.95
    assert water.filter(geom__geometry_type_in=["POINT"]).count() > water.count() * 0.5
    assert generated.filter(geom__geometry_type_in=["LINESTRING"], length_m__isnull=True).count() == 0
    assert generated.values("fiscal_year").distinct().count() == 6
    assert generated.values("subtype").distinct().count() >= 12
    for p in generated.filter(kind="water")[:50]:
        p.full_clean()  # subtype belongs to its kind, field constraints hold


def test_same_seed_same_data_and_refuses_duplicates(generated):
    def snapshot():
        return list(
            generated.order_by("source_ref").values_list(
                "source_ref", "organization_id", "name", "budget", "fiscal_year", "current_stage", "geom"
            )
        )

    before = [(r[:-1], r[-1].wkt) for r in snapshot()]
    with pytest.raises(CommandError):
        call_command("generate_projects", count=10, seed=7, verbosity=0)
    generate(N, seed=7, replace=True)
    after = [(r[:-1], r[-1].wkt) for r in snapshot()]
    assert before == after


def test_cluster_cells_are_compacted_and_match_the_projects(generated):
    from tests.projects_geo.test_clustercells import cells, from_projects

    assert cells() == from_projects()
    # compacted at the end: one row per cell and key
    assert one("SELECT count(*) FROM projects_geo_clustercell")[0] == len(cells())


def test_funding_sources_in_realistic_shares(generated):
    """Own revenue and the general subsidy most, then the specific subsidy; a few approved budgets
    from accumulated reserves where the project's source differs."""
    shares = Counter(generated.values_list("funding_source", flat=True))
    assert "" not in shares and set(shares) <= {
        "own_revenue",
        "general_subsidy",
        "specific_subsidy",
        "reserves",
        "loan",
        "other",
    }
    assert 0.25 < shares["own_revenue"] / N < 0.4 and 0.28 < shares["general_subsidy"] / N < 0.45
    assert 0.15 < shares["specific_subsidy"] / N < 0.3 and shares["reserves"] / N < 0.12
    approved = ProjectStage.objects.filter(project__in=generated, stage=3)
    differs = approved.exclude(funding_source="").count()
    assert differs < approved.count() * 0.15
    assert not ProjectStage.objects.filter(project__in=generated).exclude(stage=3).exclude(funding_source="").exists()
