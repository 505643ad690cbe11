"""A planner of Patong enters a development plan and a strategy linked to the frameworks; an
engineer links a project to the plan, its strategy and plan years and sets its funding source —
in Chromium against the live server. Screenshots in test-output/."""

import pytest

from accounts.models import Role
from planning.frameworks import load_frameworks
from planning.models import DevelopmentPlan, ProjectPlanLink
from projects_geo.models import Project
from tests.factories import PATONG, make_user, make_water_point

from .conftest import sign_in, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_enter_a_plan_and_link_a_project(page, sample_site, test_output_dir, chromium):
    load_frameworks()
    planner = make_user("planner-b", Role.LAO_PLANNER, lao=PATONG)
    engineer = make_user("engineer-b", Role.LAO_ENGINEER, lao=PATONG)
    project = make_water_point(PATONG, 98.2964, 7.8961, name="บ่อบาดาลหมู่ 3 ป่าตอง", user=engineer)
    base = sample_site.url

    sign_in(page, base, planner)
    page.goto(f"{base}/planning/")  # the planner lands on their LAO's plans
    assert page.locator("h1").inner_text() == "แผนพัฒนาท้องถิ่น"
    page.fill("#id_start_year", "2566")
    page.fill("#id_end_year", "2570")
    page.fill("#id_vision", "ป่าตองเมืองท่องเที่ยวน่าอยู่ ชุมชนเข้มแข็ง")
    page.fill("#id_council_approved_on", "30/6/2565")
    page.click("#save-plan")
    page.wait_for_load_state("networkidle")
    plan = DevelopmentPlan.objects.get(organization__dla_code=PATONG)
    assert plan.council_approved_on.isoformat() == "2022-06-30"
    assert "ป่าตองเมืองท่องเที่ยวน่าอยู่" in page.locator("#plan-vision").inner_text()

    page.fill("#strategy-form #id_code", "2")
    page.fill("#strategy-form #id_name_th", "การพัฒนาแหล่งน้ำและโครงสร้างพื้นฐาน")
    for label in ("ยุทธศาสตร์ชาติ 2:", "แผนพัฒนาเศรษฐกิจและสังคมแห่งชาติ 8:", "เป้าหมายการพัฒนาที่ยั่งยืน 6:"):
        page.locator("#strategy-form label", has_text=label).first.locator("input").check()
    page.screenshot(path=str(test_output_dir / "planning_plan_form.png"), full_page=True)
    page.click("#add-strategy")
    page.wait_for_load_state("networkidle")
    strategy = plan.strategies.get()
    kinds = sorted(strategy.framework_items.values_list("framework__kind", flat=True))
    assert kinds == ["national_strategy", "nesdp", "sdg"]
    assert "การพัฒนาแหล่งน้ำ" in page.locator("#strategy-list").inner_text()
    page.screenshot(path=str(test_output_dir / "planning_plan.png"), full_page=True)
    assert page.errors == []

    # the engineer links the project and records its funding source
    tab = chromium.new_context(locale="th-TH", viewport={"width": 1400, "height": 900}).new_page()
    tab.set_default_timeout(15000)
    sign_in(tab, base, engineer)
    tab.goto(f"{base}/projects/{project.pk}/")
    wait_for_map(tab)
    tab.select_option("#id_funding_source", "general_subsidy")
    tab.click("#save-project")
    tab.wait_for_load_state("networkidle")
    assert Project.objects.get(pk=project.pk).funding_source == "general_subsidy"
    wait_for_map(tab)
    tab.click("#plan-link")
    tab.wait_for_load_state("networkidle")
    tab.select_option("#id_plan", str(plan.pk))
    tab.select_option("#id_strategy", str(strategy.pk))
    tab.locator("#id_years input[value='2568']").check()
    tab.screenshot(path=str(test_output_dir / "planning_project_link.png"), full_page=True)
    tab.click("#save-link")
    tab.wait_for_load_state("networkidle")
    wait_for_map(tab)
    link = ProjectPlanLink.objects.get(project=project)
    assert (link.plan_id, link.strategy_id, link.years) == (plan.pk, strategy.pk, [2568])
    summary = tab.locator("#plan-link-summary").inner_text()
    assert "2566–2570" in summary and "2568" in summary
    tab.screenshot(path=str(test_output_dir / "planning_project_linked.png"), full_page=True)
    tab.context.close()
