"""Rules of the planning models: plan periods (3–5 years, never overlapping for one LAO, in clean and
in the database), a project's strategy belongs to its LAO's plan, the frameworks' loader."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from layers.models import Organization
from planning.frameworks import load_frameworks
from planning.models import DevelopmentPlan, Framework, FrameworkItem, PlanStrategy, ProjectPlanLink
from planning.services import link_project, save_plan
from tests.factories import KATHU, PATONG, make_water_point

pytestmark = pytest.mark.django_db


def plan(code, start, end, **kw):
    return save_plan(
        DevelopmentPlan(organization=Organization.objects.get(dla_code=code), start_year=start, end_year=end, **kw)
    )


def test_frameworks_load_once_and_keep_dla_edits():
    first = load_frameworks()
    assert first["frameworks_created"] == 3 and first["items_created"] == 6 + 13 + 17
    ns = Framework.objects.get(code="NS-2561-2580")
    assert (ns.start_year, ns.end_year, ns.items.count()) == (2561, 2580, 6)
    nesdp = Framework.objects.get(kind="nesdp")
    assert (nesdp.start_year, nesdp.end_year, nesdp.items.count()) == (2566, 2570, 13)
    sdg6 = FrameworkItem.objects.get(framework__kind="sdg", code="6")
    assert sdg6.name_th == "น้ำสะอาดและการสุขาภิบาล" and sdg6.name_en == "Clean water and sanitation"
    # DLA renames an item in the app: a second run keeps it, --reset puts the file's name back
    FrameworkItem.objects.filter(pk=sdg6.pk).update(name_th="แก้ไขโดย สถ.")
    again = load_frameworks()
    assert again == {"frameworks_created": 0, "frameworks_updated": 0, "items_created": 0, "items_updated": 0}
    assert FrameworkItem.objects.get(pk=sdg6.pk).name_th == "แก้ไขโดย สถ."
    call_command("load_frameworks", "--reset", verbosity=0)
    assert FrameworkItem.objects.get(pk=sdg6.pk).name_th == "น้ำสะอาดและการสุขาภิบาล"


@pytest.mark.parametrize(
    "start, end, ok",
    [(2566, 2570, True), (2561, 2564, True), (2558, 2560, True), (2566, 2567, False), (2561, 2566, False)],
)
def test_a_plan_covers_3_4_or_5_years(start, end, ok):
    if ok:
        assert plan(PATONG, start, end).years == list(range(start, end + 1))
    else:
        with pytest.raises(ValidationError) as exc:
            plan(PATONG, start, end)
        assert "end_year" in exc.value.message_dict


def test_periods_of_one_lao_do_not_overlap():
    plan(PATONG, 2561, 2565)
    with pytest.raises(ValidationError) as exc:
        plan(PATONG, 2565, 2569)
    assert "start_year" in exc.value.message_dict
    plan(PATONG, 2566, 2570)  # the next period
    plan(KATHU, 2563, 2567)  # another LAO: any period
    # the database refuses it too, whatever skips the check
    org = Organization.objects.get(dla_code=PATONG)
    with pytest.raises(IntegrityError), transaction.atomic():
        DevelopmentPlan.objects.create(organization=org, start_year=2568, end_year=2572)
    with pytest.raises(IntegrityError), transaction.atomic():
        DevelopmentPlan.objects.create(organization=org, start_year=2570, end_year=2566 + 6)


def test_a_project_links_to_a_strategy_of_its_own_lao_plan():
    mine = plan(PATONG, 2566, 2570, vision="ป่าตองเมืองท่องเที่ยวระดับโลก")
    s1 = PlanStrategy.objects.create(plan=mine, code="1", name_th="การพัฒนาโครงสร้างพื้นฐาน")
    older = plan(PATONG, 2561, 2565)
    s_old = PlanStrategy.objects.create(plan=older, code="1", name_th="ยุทธศาสตร์เดิม")
    theirs = plan(KATHU, 2566, 2570)
    s_kathu = PlanStrategy.objects.create(plan=theirs, code="1", name_th="กะทู้")
    project = make_water_point(PATONG, 98.2964, 7.8961, fiscal_year=2568)

    link = link_project(project, mine, s1, [2568, 2567])
    assert (link.plan, link.strategy, link.years) == (mine, s1, [2567, 2568])

    with pytest.raises(ValidationError) as exc:
        link_project(project, theirs, s_kathu, [2568])  # another LAO's plan
    assert "plan" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        link_project(project, mine, s_old, [2568])  # a strategy of another plan
    assert "strategy" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        link_project(project, mine, s1, [2571])  # outside the period
    assert "years" in exc.value.message_dict
    assert ProjectPlanLink.objects.get(project=project).strategy == s1  # nothing changed

    # the database's composite key refuses a strategy of another plan too
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectPlanLink.objects.filter(project=project).update(strategy=s_old)

    assert link_project(project, None) is None
    assert not ProjectPlanLink.objects.filter(project=project).exists()


def test_amendments_keep_their_dates():
    p = plan(PATONG, 2566, 2570, council_approved_on=dt.date(2022, 6, 30))
    p.amendments.create(kind="addition", number=1, date=dt.date(2023, 3, 1), council_approved_on=dt.date(2023, 3, 20))
    p.amendments.create(kind="amendment", number=1, date=dt.date(2023, 8, 1))
    assert [a.kind for a in p.amendments.all()] == ["addition", "amendment"]
    assert Decimal(p.years[0]) == 2566
