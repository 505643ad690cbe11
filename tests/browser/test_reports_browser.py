"""Browser test of the reports: Debian Chromium (headless, Playwright) opens the completeness report
and a choropleth report, checks the Thai text and that the folium map renders with our Leaflet and
its shaded polygons, and saves screenshots to test-output/.

``live_server`` needs ``transactional_db``, whose teardown empties every table; the module fixture
below reloads the sample data afterwards so the tests that run later still find it.
"""
import datetime as dt
import os
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command

from accounts.models import Role
from layers.models import Organization
from projects_geo.models import Kind, Project, Subtype
from projects_geo.services import save_project
from projects_geo.stages import record_stage
from tests.factories import PASSWORD, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def restore_sample_data(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        call_command("load_sample_data", verbosity=0)


@pytest.fixture
def browser_page(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="th-TH")
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.requests = requests
        yield page
        browser.close()


def _login(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "dla")
    page.fill("input[name=password]", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_completeness_and_choropleth_reports_render(restore_sample_data, transactional_db, live_server, browser_page,
                                                    test_output_dir):
    if Organization.objects.filter(dla_code="4830202").count() == 0:
        call_command("load_sample_data", verbosity=0)
    make_user("dla", Role.DLA_ADMIN)
    p = save_project(Project(organization=Organization.objects.get(dla_code="4830202"), kind=Kind.WATER,
                             subtype=Subtype.WELL, name="บ่อบาดาลกะทู้", fiscal_year=2568, budget=Decimal("100000"),
                             geom=Point(98.3404, 7.9103, srid=4326)))
    record_stage(p, 1, dt.date(2024, 5, 1))
    page = browser_page
    _login(page, live_server)

    page.goto(f"{live_server.url}/reports/completeness/?fiscal_year=2568")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("จำนวน อปท. ที่บันทึกข้อมูลโครงการ")
    total = page.locator("table.completeness tfoot tr.total")
    assert "รวมทั้งประเทศ" in total.inner_text() and "7,849" in total.inner_text()
    assert page.locator("table.completeness tbody tr").count() == 76
    page.screenshot(path=str(test_output_dir / "reports_completeness.png"), full_page=False)

    page.goto(f"{live_server.url}/reports/completeness/?fiscal_year=2568&digits=thai")
    assert "๗,๘๔๙" in page.locator("table.completeness tfoot").inner_text()

    page.goto(f"{live_server.url}/reports/map/?level=province&measure=planned_budget&fiscal_year=2568")
    page.wait_for_load_state("networkidle")
    frame = page.frame_locator("iframe.report-map")
    frame.locator(".leaflet-container").wait_for(timeout=15000)
    # Leaflet drew the provinces (canvas renderer) and our Thai legend and title are shown.
    assert frame.locator("canvas.leaflet-zoom-animated, .leaflet-overlay-pane canvas, .leaflet-overlay-pane svg").count() >= 1
    legend = frame.locator(".gisplan-legend").inner_text()
    assert "งบประมาณตามแผน (บาท)" in legend and "ไม่มี" in legend
    assert frame.locator(".gisplan-map-title").inner_text() == "งบประมาณตามแผน (บาท)"
    loaded = page.evaluate("() => { const w = document.querySelector('iframe.report-map').contentWindow;"
                           " let n = 0; w.eval('for (const k in window) { if (window[k] instanceof L.GeoJSON) { window.__n = window[k].getLayers().length; } }');"
                           " return w.__n; }")
    assert loaded == 77
    page.screenshot(path=str(test_output_dir / "reports_choropleth.png"), full_page=False)
    external = [u for u in page.requests if not u.startswith(live_server.url) and not u.startswith(("data:", "about:"))]
    assert external == []
