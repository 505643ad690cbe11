"""What an engineer sees of the mistake detectors and findings on the entry page (issue 21, items 1
and 11): no datum/zone "fix" for typed degrees or a drawn point near the coast; a preview with
errors is not shown as a success; a possible duplicate links to the existing project."""

import pytest
from django.contrib.gis.geos import Point

from tests.factories import PATONG, make_engineer, make_water_point

from .conftest import click_map_at, sign_in, wait_for_map
from .test_map_entry import MAP, fill_attributes, type_coordinates, wait_validated

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def engineer_page(page, sample_site):
    sign_in(page, sample_site.url, make_engineer(PATONG))
    page.goto(f"{sample_site.url}/projects/new/")
    page.wait_for_selector(f"#{MAP}[data-entry-ready]", state="attached")
    wait_for_map(page)
    return page


def test_typed_degrees_in_the_sea_get_no_fix_before_or_after_use(engineer_page, test_output_dir):
    page = engineer_page
    fill_attributes(page, "ขุดเจาะบ่อบาดาล ทดสอบทะเล", "water", "well")
    type_coordinates(page, "7.8960, 98.2600")  # decimal degrees, WGS 84: off Patong beach
    page.wait_for_selector("#coords-accept:enabled")
    page.locator("#findings .finding.error").first.wait_for()
    # the preview lists errors: its message is not the green success
    assert "success" not in page.get_attribute("#coords-message", "class")
    assert page.locator("#findings .apply-fix").count() == 0
    # an attribute changed while the preview is shown re-checks the (empty) location: the preview's
    # findings stay listed (they were cleared when that check came back after the preview)
    page.fill("#id_budget", "900000")
    page.select_option("#id_subtype", "pond")
    page.wait_for_timeout(800)  # the re-check runs 250 ms after a change
    assert page.locator("#findings .finding.error").count() > 0
    page.click("#coords-accept")
    wait_validated(page)
    page.locator("#findings .finding.error").first.wait_for()
    page.screenshot(path=str(test_output_dir / "entry_sea_point_no_fix.png"), full_page=True)
    assert page.locator("#findings .finding[data-code=datum_mixup]").count() == 0
    assert page.locator("#findings .finding[data-code=utm_zone_mixup]").count() == 0
    assert page.locator("#findings .apply-fix").count() == 0


def test_a_point_drawn_off_the_coast_gets_no_fix(engineer_page, test_output_dir):
    page = engineer_page
    fill_attributes(page, "ขุดเจาะบ่อบาดาล วาดในทะเล", "water", "well")
    page.click(f"#{MAP} .leaflet-draw-draw-marker")
    click_map_at(page, MAP, 98.2600, 7.8960)
    wait_validated(page)
    page.locator("#findings .finding.error").first.wait_for()
    page.screenshot(path=str(test_output_dir / "entry_drawn_sea_point_no_fix.png"), full_page=True)
    assert page.locator("#findings .apply-fix").count() == 0


def test_a_possible_duplicate_links_to_the_existing_project(engineer_page, test_output_dir):
    page = engineer_page
    existing = make_water_point(PATONG, 98.2990, 7.8990, name="บ่อเดิม", fiscal_year=2569)
    assert isinstance(existing.geom, Point)
    fill_attributes(page, "ซ้ำกับของเดิม", "water", "well")
    page.fill("#id_fiscal_year", "2569")
    type_coordinates(page, f"{existing.geom.y:.6f}, {existing.geom.x:.6f}")
    page.wait_for_selector("#coords-accept:enabled")
    page.click("#coords-accept")
    link = page.locator("#findings .finding[data-code=duplicate] a.duplicate-link").first
    link.wait_for()
    page.screenshot(path=str(test_output_dir / "entry_duplicate_link.png"), full_page=True)
    assert link.get_attribute("href").endswith(f"/projects/{existing.pk}/")
    assert link.inner_text() == "เปิดโครงการที่มีอยู่"
