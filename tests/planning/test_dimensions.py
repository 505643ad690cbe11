"""Reports and filters along the strategic dimensions and the funding source, on a hand-made
fixture: three Patong projects and one of Kathu, linked to strategies serving SDGs / NESDP
milestones / National Strategy strategies."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from analysis.filters import filter_projects
from layers.models import Organization
from planning.frameworks import load_frameworks
from planning.models import DevelopmentPlan, FrameworkItem, PlanStrategy
from planning.services import link_project
from projects_geo.models import Project
from projects_geo.stages import record_stage
from reports import dimensions
from reports.base import parse_params
from tests.factories import KATHU, PASSWORD, PATONG, make_dla_admin, make_water_point

pytestmark = pytest.mark.django_db


def _items(kind, *codes):
    return list(FrameworkItem.objects.filter(framework__kind=kind, code__in=codes))


@pytest.fixture
def linked():
    """P1 (Patong, 100,000, general subsidy, approved 90,000): strategy A → SDG 6, SDG 11, NESDP 8, NS 2.
    P2 (Patong, 200,000, specific subsidy): strategy A. P3 (Patong, 50,000, own revenue): strategy B →
    SDG 6 only. P4 (Kathu, 400,000, no funding source): not linked."""
    load_frameworks()
    plan = DevelopmentPlan.objects.create(
        organization=Organization.objects.get(dla_code=PATONG), start_year=2566, end_year=2570
    )
    a = PlanStrategy.objects.create(plan=plan, code="1", name_th="ก")
    a.framework_items.set(_items("sdg", "6", "11") + _items("nesdp", "8") + _items("national_strategy", "2"))
    b = PlanStrategy.objects.create(plan=plan, code="2", name_th="ข")
    b.framework_items.set(_items("sdg", "6"))
    projects = []
    for n, (lao, budget, fund, strategy) in enumerate(
        [
            (PATONG, "100000", "general_subsidy", a),
            (PATONG, "200000", "specific_subsidy", a),
            (PATONG, "50000", "own_revenue", b),
            (KATHU, "400000", "", None),
        ]
    ):
        p = make_water_point(
            lao,
            98.2964 + n * 0.002 if lao == PATONG else 98.3404,
            7.8961 if lao == PATONG else 7.9103,
            name=f"โครงการมิติ {n}",
        )
        Project.objects.filter(pk=p.pk).update(budget=Decimal(budget), funding_source=fund)
        if strategy:
            link_project(p, plan, strategy, [2568])
        projects.append(p)
    for s, amount in ((1, None), (2, None), (3, "90000")):
        record_stage(projects[0], s, dt.date(2024, 11, s), Decimal(amount) if amount else None)
    return projects


def test_filters_by_framework_item_and_funding_source(linked):
    p1, p2, p3, p4 = linked

    def ids(params):
        mine = Project.objects.filter(pk__in=[p.pk for p in linked])
        return set(filter_projects(params, mine).values_list("pk", flat=True))

    assert ids({"sdg": "6"}) == {p1.pk, p2.pk, p3.pk}
    assert ids({"sdg": "11"}) == {p1.pk, p2.pk}
    assert ids({"nesdp": "8"}) == {p1.pk, p2.pk}
    assert ids({"national_strategy": "2"}) == {p1.pk, p2.pk} and ids({"national_strategy": "1"}) == set()
    assert ids({"funding_source": "specific_subsidy,own_revenue"}) == {p2.pk, p3.pk}
    assert ids({"funding_source": "none"}) == {p4.pk}
    with pytest.raises(ValidationError) as exc:
        ids({"sdg": "18"})
    assert "sdg" in exc.value.message_dict
    with pytest.raises(ValidationError):
        ids({"funding_source": "gift"})


def test_report_by_sdg_counts_each_item_and_the_total_once(linked):
    dla = make_dla_admin()
    only = {"q": "โครงการมิติ"}  # the fixture's projects (the sample has others in these LAOs)
    t = dimensions.dimension_report(dla, parse_params(only), "sdg", "country")
    rows = {r["item"]: r for r in t.rows}
    assert set(rows) == {"6", "11", ""}
    assert rows["6"]["projects"] == 3 and rows["6"]["planned_budget"] == Decimal("350000.00")
    assert rows["11"]["projects"] == 2 and rows["11"]["planned_budget"] == Decimal("300000.00")
    assert rows["11"]["approved_budget"] == Decimal("90000.00")
    assert rows[""]["projects"] == 1 and rows[""]["planned_budget"] == Decimal("400000.00")
    assert rows["6"]["item_name"] == "น้ำสะอาดและการสุขาภิบาล"
    assert t.total["projects"] == 4 and t.total["planned_budget"] == Decimal("750000.00")

    t = dimensions.dimension_report(dla, parse_params(only), "funding_source", "lao")
    rows = {(r["item"], r["unit_code"]): r for r in t.rows}
    assert rows[("general_subsidy", PATONG)]["planned_budget"] == Decimal("100000.00")
    assert rows[("", KATHU)]["projects"] == 1 and len(rows) == 4


def test_dimension_page_downloads_and_map_links(client, linked):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    page = client.get("/reports/dimensions/", {"dimension": "nesdp", "q": "โครงการมิติ"})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-item="8"' in html and "nesdp=8" in html
    csv_text = client.get("/reports/dimensions/", {"dimension": "sdg", "format": "csv"}).content.decode("utf-8-sig")
    assert "น้ำสะอาดและการสุขาภิบาล" in csv_text
    bad = client.get("/reports/dimensions/", {"dimension": "colour"})
    assert bad.status_code == 400 and "dimension" in bad.content.decode()
    # the API carries the funding source and filters by it
    api = client.get("/api/projects/", {"funding_source": "general_subsidy", "q": "โครงการมิติ"}).json()
    assert [f["properties"]["funding_source"] for f in api["features"]] == ["general_subsidy"]
