"""Drawing, typing and correcting a project's geometry in a real browser, with live validation
from POST /api/validate/. Each test leaves a screenshot in test-output/."""

import re

import pytest
from django.contrib.gis.geos import Point
from pyproj import Transformer

from projects_geo.models import Project
from tests.factories import PATONG, TAMBON_PATONG, make_engineer

from .conftest import click_map_at, sign_in, wait_for_map, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
]

MAP = "id_geom-map"
THAI = re.compile(r"[\u0E00-\u0E7F]")
PATONG_WELL = (98.2960, 7.8960)  # lon, lat in tambon Patong
PATONG_ROAD = [(98.2990, 7.8930), (98.3010, 7.8936)]


@pytest.fixture
def engineer_page(page, sample_site):
    sign_in(page, sample_site.url, make_engineer(PATONG))
    page.goto(f"{sample_site.url}/projects/new/")
    page.wait_for_selector(f"#{MAP}[data-entry-ready]", state="attached")
    wait_for_map(page)
    return page


def fill_attributes(page, name, kind, subtype, budget="850000"):
    page.fill("#id_name", name)
    page.select_option("#id_kind", kind)
    page.select_option("#id_subtype", subtype)
    page.fill("#id_budget", budget)


def wait_validated(page):
    wait_until(
        page,
        "() => { const s = document.getElementById('validation-status').textContent; return s && !s.endsWith('…'); }",
    )


def type_coordinates(page, text, system="latlon", datum="wgs84"):
    page.fill("#coords-text", text)
    page.select_option("#coords-system", system)
    page.select_option("#coords-datum", datum)
    page.click("#coords-preview")


def save(page):
    with page.expect_navigation():
        page.click("#save-project")
    match = re.search(r"/projects/(\d+)/$", page.url)
    errors = [e.inner_text() for e in page.locator(".field:has(.errorlist), .errorlist").all()]
    assert match, f"not saved: {errors}"
    return Project.objects.get(pk=int(match.group(1)))


def metres(a: Point, b: Point) -> float:
    return a.transform(32647, clone=True).distance(b.transform(32647, clone=True))


def test_create_a_water_project_by_clicking_on_the_map(engineer_page, test_output_dir):
    page = engineer_page
    fill_attributes(page, "ขุดเจาะบ่อบาดาล หมู่ที่ 7", "water", "well")
    page.click(f"#{MAP} .leaflet-draw-draw-marker")
    click_map_at(page, MAP, *PATONG_WELL)
    wait_until(page, "document.getElementById('unit-tambon').textContent.includes('ป่าตอง')")
    assert "กะทู้" in page.inner_text("#unit-amphoe") and "ภูเก็ต" in page.inner_text("#unit-province")
    page.screenshot(path=str(test_output_dir / "entry_water_click.png"), full_page=True)
    project = save(page)
    assert project.tambon.code == TAMBON_PATONG and project.organization.dla_code == PATONG
    assert metres(project.geom, Point(*PATONG_WELL, srid=4326)) < 30  # a click is a few pixels at zoom 16
    assert "ป่าตอง" in page.inner_text("#unit-tambon")
    assert page.errors == []


@pytest.mark.parametrize("datum,epsg", [("wgs84", 32647), ("indian1975", 24047)])
def test_create_a_road_by_typing_utm_coordinates(engineer_page, test_output_dir, datum, epsg):
    page = engineer_page
    fill_attributes(page, f"ก่อสร้างถนน คสล. ซอยทดสอบ ({datum})", "road", "concrete_road", "2,400,000")
    to_utm = Transformer.from_crs(4326, epsg, always_xy=True)
    text = "\n".join("{:.1f} {:.1f}".format(*to_utm.transform(lon, lat)) for lon, lat in PATONG_ROAD)
    type_coordinates(page, text, system="47", datum=datum)
    page.wait_for_selector("#coords-accept:enabled")
    assert page.locator(f"#{MAP} path[stroke-dasharray='8 6']").count() == 1  # the dashed preview
    page.screenshot(path=str(test_output_dir / f"entry_road_utm_{datum}_preview.png"), full_page=True)
    page.click("#coords-accept")
    wait_until(page, "document.getElementById('unit-tambon').textContent.includes('ป่าตอง')")
    wait_validated(page)
    project = save(page)
    assert project.kind == "road" and project.geom.geom_type == "LineString" and project.tambon.code == TAMBON_PATONG
    for (lon, lat), vertex in zip(PATONG_ROAD, project.geom.coords):
        # the datum shift of Indian 1975 is ~400 m here: landing within a few metres means it was applied
        assert metres(Point(*vertex, srid=4326), Point(lon, lat, srid=4326)) < 10
    assert 200 < project.length_m < 260


def test_swapped_lat_lon_typed_is_shown_read_back_accepted_and_saved(engineer_page, test_output_dir):
    page = engineer_page
    fill_attributes(page, "ก่อสร้างสระน้ำ หมู่ที่ 1", "water", "pond")
    lon, lat = PATONG_WELL
    type_coordinates(page, f"{lon}, {lat}")  # longitude first: the engineer swapped them
    page.wait_for_selector("#coords-accept:enabled")
    message = page.locator("#coords-message")
    assert message.get_attribute("data-swapped") == "1" and "สลับ" in message.inner_text()
    assert f"{lat:.6f}, {lon:.6f}" in message.inner_text()  # read back latitude first
    page.click("#coords-accept")
    wait_until(page, "document.getElementById('unit-tambon').textContent.includes('ป่าตอง')")
    wait_validated(page)
    project = save(page)
    assert metres(project.geom, Point(lon, lat, srid=4326)) < 1


def test_apply_the_suggested_fix_for_a_project_stored_with_lat_lon_swapped(page, sample_site, test_output_dir):
    """An imported project whose X/Y columns were swapped: the page suggests swapping them back."""
    from tests.factories import make_water_point

    engineer = make_engineer(PATONG)
    lon, lat = PATONG_WELL
    project = make_water_point(PATONG, lon, lat, name="บ่อบาดาลนำเข้า")
    Project.objects.filter(pk=project.pk).update(geom=Point(lat, lon, srid=4326))  # as a bad import left it
    sign_in(page, sample_site.url, engineer)
    page.goto(f"{sample_site.url}/projects/{project.pk}/")
    page.wait_for_selector(f"#{MAP}[data-entry-ready]", state="attached")
    fix = page.locator("#findings .finding.error .apply-fix, #findings .apply-fix").first
    fix.wait_for()
    assert page.is_disabled("#save-project")
    assert THAI.search(page.inner_text("#findings"))
    page.screenshot(path=str(test_output_dir / "entry_swapped_suggestion.png"), full_page=True)
    fix.click()
    wait_until(page, "document.getElementById('unit-tambon').textContent.includes('ป่าตอง')")
    wait_validated(page)
    assert page.locator("#findings .finding.error").count() == 0 and page.is_enabled("#save-project")
    saved = save(page)
    assert metres(saved.geom, Point(lon, lat, srid=4326)) < 1 and saved.tambon.code == TAMBON_PATONG


def test_apply_the_suggested_fix_for_the_other_utm_zone(engineer_page, test_output_dir):
    page = engineer_page
    fill_attributes(page, "ก่อสร้างถนน คสล. โซนผิด", "road", "concrete_road")
    to_utm = Transformer.from_crs(4326, 32647, always_xy=True)
    text = "\n".join("{:.1f} {:.1f}".format(*to_utm.transform(lon, lat)) for lon, lat in PATONG_ROAD)
    type_coordinates(page, text, system="48")  # zone 47 numbers typed as zone 48
    page.wait_for_selector("#coords-accept:enabled")
    page.click("#coords-accept")
    fix = page.locator("#findings .apply-fix").first
    fix.wait_for()
    assert page.locator("#findings .finding[data-code=utm_zone_mixup]").count() == 1
    page.screenshot(path=str(test_output_dir / "entry_utm_zone_suggestion.png"), full_page=True)
    page.locator("#findings .finding[data-code=utm_zone_mixup] .apply-fix").click()
    wait_until(page, "document.getElementById('unit-tambon').textContent.includes('ป่าตอง')")
    wait_validated(page)
    project = save(page)
    for (lon, lat), vertex in zip(PATONG_ROAD, project.geom.coords):
        assert metres(Point(*vertex, srid=4326), Point(lon, lat, srid=4326)) < 1


def test_a_point_outside_the_lao_province_is_refused_in_thai(engineer_page, test_output_dir):
    page = engineer_page
    fill_attributes(page, "ขุดเจาะบ่อบาดาล นอกพื้นที่", "water", "well")
    type_coordinates(page, "8.864, 98.342")  # Takua Pa, Phang Nga — not Phuket
    page.wait_for_selector("#coords-accept:enabled")
    page.click("#coords-accept")
    error = page.locator("#findings .finding.error").first
    error.wait_for()
    wait_validated(page)
    assert THAI.search(error.inner_text()) and "ข้อผิดพลาด" in error.inner_text()
    assert page.is_disabled("#save-project") and page.is_visible("#save-blocked")
    page.screenshot(path=str(test_output_dir / "entry_outside_province.png"), full_page=True)
    # the server refuses it too (the form submitted around the disabled button)
    count = Project.objects.count()
    page.evaluate("document.getElementById('project-form').submit()")
    page.wait_for_load_state("networkidle")
    assert Project.objects.count() == count
    assert THAI.search(page.inner_text("#geom-errors"))
