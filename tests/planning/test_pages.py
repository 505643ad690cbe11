"""The planning pages: an LAO's planning staff enter a plan, its strategies and an amendment; an
engineer links a project; province and DLA read; DLA edits the frameworks, the provincial office
its province's strategies. Refusals are 403 (may read) or 404 (may not read)."""

import pytest
from django.test import Client

from accounts.models import Role
from layers.models import Organization
from planning.frameworks import load_frameworks
from planning.models import DevelopmentPlan, Framework, FrameworkItem, PlanStrategy, ProjectPlanLink, ProvincialStrategy
from tests.factories import KATHU, PATONG, PHANG_NGA, PHUKET, make_dla_admin, make_user, make_water_point

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def planner():
    return client_for(make_user("pl", Role.LAO_PLANNER, lao=PATONG))


def test_planner_enters_a_plan_strategy_and_amendment(planner):
    load_frameworks()
    r = planner.post(
        f"/planning/lao/{PATONG}/",
        {"start_year": "2566", "end_year": "2570", "vision": "ป่าตองน่าอยู่", "council_approved_on": "30/6/2565"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = DevelopmentPlan.objects.get(organization__dla_code=PATONG)
    assert plan.council_approved_on.isoformat() == "2022-06-30"  # typed in B.E.
    ns2 = FrameworkItem.objects.get(framework__kind="national_strategy", code="2")
    m8 = FrameworkItem.objects.get(framework__kind="nesdp", code="8")
    sdg6 = FrameworkItem.objects.get(framework__kind="sdg", code="6")
    r = planner.post(
        f"/planning/plans/{plan.pk}/",
        {"action": "strategy", "code": "1", "name_th": "โครงสร้างพื้นฐาน", "framework_items": [ns2.pk, m8.pk, sdg6.pk]},
    )
    assert r.status_code == 302
    strategy = PlanStrategy.objects.get(plan=plan)
    assert set(strategy.framework_items.all()) == {ns2, m8, sdg6}
    r = planner.post(
        f"/planning/plans/{plan.pk}/", {"action": "amendment", "kind": "addition", "number": "1", "date": "1/3/2567"}
    )
    assert r.status_code == 302 and plan.amendments.get().date.year == 2024
    # an overlapping period is refused with the reason, nothing written
    r = planner.post(f"/planning/lao/{PATONG}/", {"start_year": "2568", "end_year": "2572"})
    assert r.status_code == 400 and DevelopmentPlan.objects.count() == 1
    assert "overlap" in r.content.decode() or "ซ้อน" in r.content.decode()
    page = planner.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert "โครงสร้างพื้นฐาน" in page and "ป่าตองน่าอยู่" in page


def test_engineer_links_a_project_and_may_not_edit_the_plan(planner):
    plan = DevelopmentPlan.objects.create(organization_id=_org(PATONG), start_year=2566, end_year=2570)
    s = PlanStrategy.objects.create(plan=plan, code="2", name_th="น้ำ")
    engineer = make_user("en", Role.LAO_ENGINEER, lao=PATONG)
    project = make_water_point(PATONG, 98.2964, 7.8961, user=engineer)
    c = client_for(engineer)
    assert (
        c.post(f"/planning/plans/{plan.pk}/", {"action": "plan", "start_year": "2566", "end_year": "2568"}).status_code
        == 403
    )
    r = c.post(f"/planning/projects/{project.pk}/", {"plan": plan.pk, "strategy": s.pk, "years": ["2568", "2569"]})
    assert r.status_code == 302
    link = ProjectPlanLink.objects.get(project=project)
    assert (link.plan_id, link.strategy_id, link.years) == (plan.pk, s.pk, [2568, 2569])
    page = c.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="plan-link-summary"' in page and "2568, 2569" in page
    # a strategy of another LAO's plan is refused (not among the choices)
    other = DevelopmentPlan.objects.create(organization_id=_org(KATHU), start_year=2566, end_year=2570)
    s_other = PlanStrategy.objects.create(plan=other, code="1", name_th="อื่น")
    r = c.post(f"/planning/projects/{project.pk}/", {"plan": plan.pk, "strategy": s_other.pk})
    assert r.status_code == 400 and ProjectPlanLink.objects.get(project=project).strategy_id == s.pk


def test_province_and_dla_read_other_provinces_do_not():
    plan = DevelopmentPlan.objects.create(organization_id=_org(PATONG), start_year=2566, end_year=2570, vision="วิสัยทัศน์")
    analyst = client_for(make_user("an83", Role.PROVINCIAL_ANALYST, province=PHUKET))
    r = analyst.get(f"/planning/plans/{plan.pk}/")
    assert r.status_code == 200 and "วิสัยทัศน์" in r.content.decode() and 'id="read-only"' in r.content.decode()
    assert analyst.post(f"/planning/plans/{plan.pk}/", {"action": "plan"}).status_code == 403
    other = client_for(make_user("an82", Role.PROVINCIAL_ANALYST, province=PHANG_NGA))
    assert other.get(f"/planning/plans/{plan.pk}/").status_code == 404
    assert other.get(f"/planning/lao/{PATONG}/").status_code == 404
    assert client_for(make_dla_admin()).get(f"/planning/lao/{PATONG}/").status_code == 200


def test_dla_edits_frameworks_and_provincial_office_its_strategies():
    load_frameworks()
    fw = Framework.objects.get(kind="sdg")
    items = list(fw.items.order_by("order"))
    data = {
        "kind": "sdg",
        "code": fw.code,
        "name_th": fw.name_th,
        "name_en": fw.name_en,
        "start_year": fw.start_year,
        "end_year": fw.end_year,
        "version": fw.version,
        "items-TOTAL_FORMS": len(items),
        "items-INITIAL_FORMS": len(items),
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for i, item in enumerate(items):
        data.update(
            {
                f"items-{i}-id": item.pk,
                f"items-{i}-code": item.code,
                f"items-{i}-name_th": item.name_th,
                f"items-{i}-name_en": item.name_en,
                f"items-{i}-order": item.order,
            }
        )
    data["items-5-name_th"] = "น้ำสะอาด (แก้ไข)"
    planner = client_for(make_user("pl2", Role.LAO_PLANNER, lao=PATONG))
    assert planner.get(f"/planning/frameworks/{fw.pk}/").status_code == 200
    assert planner.post(f"/planning/frameworks/{fw.pk}/", data).status_code == 403
    r = client_for(make_dla_admin()).post(f"/planning/frameworks/{fw.pk}/", data)
    assert r.status_code == 302
    assert FrameworkItem.objects.get(framework=fw, code="6").name_th == "น้ำสะอาด (แก้ไข)"

    office = client_for(make_user("pa83", Role.PROVINCIAL_ADMIN, province=PHUKET))
    strategy = {"code": "1", "name_th": "ท่องเที่ยวคุณภาพ", "start_year": "2566", "end_year": "2570", "order": "1"}
    assert office.post(f"/planning/province/{PHUKET}/", strategy).status_code == 302
    assert ProvincialStrategy.objects.get(province__code=PHUKET).name_th == "ท่องเที่ยวคุณภาพ"
    assert office.post(f"/planning/province/{PHANG_NGA}/", strategy).status_code == 404
    assert planner.post(f"/planning/province/{PHUKET}/", strategy).status_code == 403


def _org(code):
    return Organization.objects.get(dla_code=code).pk
