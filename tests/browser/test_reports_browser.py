"""Browser test of the reports: Debian Chromium (headless, Playwright) opens the completeness report
and a choropleth report, checks the Thai text and that the folium map renders with our Leaflet and
its shaded polygons, and saves screenshots to test-output/.

The live server shares the test's connection (the ``shared_live_server`` fixture), so it sees the
session's sample data and the test's rows, and everything rolls back afterwards.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from layers.models import Organization
from projects_geo.models import Kind, Project, Subtype
from projects_geo.services import save_project
from projects_geo.stages import record_stage
from tests.factories import KATHU, PASSWORD, make_dla_admin


@pytest.fixture
def browser_page(chromium, sample_site):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="th-TH")
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.requests = requests
    yield page
    context.close()


def _login(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "dla")
    page.fill("input[name=password]", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db
def test_completeness_and_choropleth_reports_render(sample_site, browser_page, test_output_dir):
    live_server = sample_site
    make_dla_admin()
    p = save_project(
        Project(
            organization=Organization.objects.get(dla_code=KATHU),
            kind=Kind.WATER,
            subtype=Subtype.WELL,
            name="บ่อบาดาลกะทู้",
            fiscal_year=2568,
            budget=Decimal("100000"),
            geom=Point(98.3404, 7.9103, srid=4326),
        )
    )
    record_stage(p, 1, dt.date(2024, 5, 1))
    page = browser_page
    _login(page, live_server)

    page.goto(f"{live_server.url}/reports/completeness/?fiscal_year=2568")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("ข้อมูลแผนพัฒนาท้องถิ่นและขั้นตอนงบประมาณของ อปท.")  # DLA format
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
    assert (
        frame.locator("canvas.leaflet-zoom-animated, .leaflet-overlay-pane canvas, .leaflet-overlay-pane svg").count()
        >= 1
    )
    legend = frame.locator(".gisplan-legend").inner_text()
    assert "งบประมาณตามแผน (บาท)" in legend and "ไม่มี" in legend
    assert frame.locator(".gisplan-map-title").inner_text() == "งบประมาณตามแผน (บาท)"
    # counted in the frame itself: the map frame's CSP (no 'unsafe-eval') refuses the page's w.eval()
    map_frame = next(f for f in page.frames if "/reports/map/frame/" in f.url)
    loaded = map_frame.evaluate(
        "() => { let n; for (const k in window) {"
        " if (window[k] instanceof L.GeoJSON) { n = window[k].getLayers().length; } } return n; }"
    )
    assert loaded == 77
    page.screenshot(path=str(test_output_dir / "reports_choropleth.png"), full_page=False)
    external = [u for u in page.requests if not u.startswith(live_server.url) and not u.startswith(("data:", "about:"))]
    assert external == []
