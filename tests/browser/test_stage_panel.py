"""Recording, correcting and withdrawing a budget stage in the browser without reloading the page
(issue 21, items 2 and 12): the panel is replaced in place, the map and unsaved typing stay, and the
project form still saves afterwards (it got the project's new version)."""

import pytest

from accounts.models import Role
from projects_geo.models import ProjectStage
from tests.factories import PATONG, make_user, make_water_point

from .conftest import sign_in, wait_for_map, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_stages_are_recorded_corrected_and_withdrawn_in_place(page, sample_site, test_output_dir):
    admin = make_user("ladmin21", Role.LAO_ADMIN, lao=PATONG)
    project = make_water_point(PATONG, 98.2967, 7.8960, fiscal_year=2568)
    sign_in(page, sample_site.url, admin)
    page.goto(f"{sample_site.url}/projects/{project.pk}/")
    wait_for_map(page)
    page.evaluate("window.__notReloaded = true")
    page.fill("#id_name", "ชื่อที่ยังไม่ได้บันทึก")  # typed, not saved: must survive the stage posts

    page.fill("#stage-form input[name=date]", "1/6/2567")
    page.click("#record-stage")
    page.locator("#stage-history tr[data-stage='1']").wait_for()
    page.fill("#stage-form input[name=date]", "15/8/2567")
    page.click("#record-stage")
    page.locator("#stage-history tr[data-stage='2']").wait_for()
    assert page.evaluate("window.__notReloaded === true")
    assert page.input_value("#id_name") == "ชื่อที่ยังไม่ได้บันทึก"

    # a refused stage shows its Thai message in place
    page.fill("#stage-form input[name=date]", "1/1/2575")
    page.fill("#stage-form input[name=amount]", "1,000,000")
    page.click("#record-stage")
    page.locator("#stage-errors").wait_for()
    assert "อนาคต" in page.inner_text("#stage-errors")

    # the LAO administrator withdraws the last stage, with a reason
    page.click("#stage-correction summary")
    page.fill("#id_correct_reason", "บันทึกผิด")
    page.click("#withdraw-stage")
    wait_until(page, "!document.querySelector(\"#stage-history tr[data-stage='2']\")")
    page.screenshot(path=str(test_output_dir / "stage_panel_in_place.png"), full_page=True)
    assert list(ProjectStage.objects.filter(project=project).values_list("stage", flat=True)) == [1]
    assert page.evaluate("window.__notReloaded === true")

    # the project form saves with the version the stage posts moved on to
    with page.expect_navigation():
        page.click("#save-project")
    assert "ชื่อที่ยังไม่ได้บันทึก" in page.content()
    project.refresh_from_db()
    assert project.name == "ชื่อที่ยังไม่ได้บันทึก"
