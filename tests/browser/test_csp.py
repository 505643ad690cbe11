"""Every kind of page under the Content-Security-Policy in headless Chromium: nothing is blocked.

The pages of tests/test_csp_headers.py (sign-in, the LAO page, project entry with its map, the
analysis map, each report with the choropleth map frame, the import upload, the API docs, the
admin) are opened as a user who may see all of them; each must work (its map drawn, Swagger UI's
operations listed, …) with no CSP violation — neither a ``securitypolicyviolation`` event (collected
in every frame by an init script) nor a console message about the Content Security Policy — and no
JavaScript error. A screenshot of each page goes to test-output/csp_<page>.png.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from projects_geo.models import Project
from tests.test_csp_headers import ANONYMOUS_PAGES, make_site_admin, page_urls

from .conftest import is_csp_violation, sign_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
    ' at ' + e.sourceFile + ':' + e.lineNumber + ' ' + (e.sample || ''));
});
"""

REPORT_FRAME = "iframe.report-map"


def _wait_map(page, selector="[data-gisplan-ready]"):
    page.wait_for_selector(selector, state="attached")


def _wait_frame_map(page):
    frame = page.frame_locator(REPORT_FRAME)
    frame.locator(".gisplan-legend").wait_for()
    frame.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane svg").first.wait_for(state="attached")


def _wait_analysis(page):
    wait_until(page, "document.querySelectorAll('#result-list li').length > 0")  # the page's script has run
    page.wait_for_selector("#analysis-map.leaflet-container")


def _wait_swagger(page):
    page.wait_for_selector(".swagger-ui .opblock")
    page.locator(".swagger-ui .opblock-summary").first.click()  # an operation opens (rendered by Swagger UI)
    page.wait_for_selector(".swagger-ui .opblock-body")


# What shows that a page works, beyond loading without an error.
READY = {
    "home": _wait_map,
    "lao_home": _wait_map,
    "project_new": lambda p: _wait_map(p, "#id_geom-map[data-entry-ready]"),
    "project_edit": lambda p: _wait_map(p, "#id_geom-map[data-entry-ready][data-gisplan-ready]"),
    "analysis": _wait_analysis,
    "report_map": _wait_frame_map,
    "report_map_frame": lambda p: p.wait_for_selector(".gisplan-legend .swatch-0"),
    "api_docs": _wait_swagger,
    "admin_project": lambda p: p.wait_for_selector(".leaflet-container .leaflet-marker-icon, .leaflet-container path"),
}


@pytest.fixture
def watched_page(chromium, sample_site):
    """A tab that records CSP violations (every frame) and JavaScript errors."""
    context = chromium.new_context(locale="th-TH", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15000)
    context.add_init_script(COLLECT_VIOLATIONS)
    tab = context.new_page()
    tab.problems = []
    tab.on("pageerror", lambda exc: tab.problems.append(f"JavaScript error: {exc}"))
    tab.on("console", lambda msg: tab.problems.append(f"console: {msg.text}") if is_csp_violation(msg) else None)
    yield tab
    context.close()


def problems_of(page):
    """The page's CSP violations and JS errors so far, from every frame (then forgotten)."""
    found = list(page.problems)
    page.problems.clear()
    for frame in page.frames:
        found += frame.evaluate("window.__cspViolations ? window.__cspViolations.splice(0) : []")
    return found


def visit(page, base_url, name, url, shots):
    """Open a page, wait until it works, screenshot it: its problems (a page that never works is one)."""
    page.goto(base_url + url)
    page.wait_for_load_state("networkidle")
    not_ready = []
    try:
        READY.get(name, lambda p: None)(page)
        page.wait_for_load_state("networkidle")
    except PlaywrightTimeoutError as exc:
        not_ready.append(f"page did not work: {str(exc).splitlines()[0]}")
    page.screenshot(path=str(shots / f"csp_{name}.png"), full_page=name not in ("analysis", "report_map"))
    return not_ready + problems_of(page)


def test_every_page_works_under_the_policy(watched_page, sample_site, test_output_dir):
    page, base = watched_page, sample_site.url
    failures = {}
    for name, url_name in ANONYMOUS_PAGES.items():
        failures[name] = visit(page, base, name, reverse(url_name), test_output_dir)
    sign_in(page, base, make_site_admin())
    failures["sign_in"] = problems_of(page)
    for name, url in page_urls().items():
        failures[name] = visit(page, base, name, url, test_output_dir)
        if name == "report_map":  # the map frame's tooltip (folium's script) on the map's middle
            box = page.locator(REPORT_FRAME).bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_timeout(300)
            failures[name] += problems_of(page)
        if name in ("lao_home", "project_edit"):  # a project's popup (maplayers.js) on the map
            failures[name] += open_a_popup(page)
    assert {name: found for name, found in failures.items() if found} == {}


def open_a_popup(page):
    map_id = "home-map" if page.locator("#home-map").count() else "id_geom-map"
    page.evaluate(
        "id => { const m = window.GisplanMap.maps[id]; if (!m.gisplanProjects) return;"
        " m.gisplanProjects.eachLayer(l => { if (!m._popup || !m._popup.isOpen()) l.openPopup(); }); }",
        map_id,
    )
    page.wait_for_timeout(200)
    return problems_of(page)


def test_deleting_a_project_still_asks_first(watched_page, sample_site):
    """The delete button's confirmation moved from an inline onclick into entry.js."""
    page, base = watched_page, sample_site.url
    project = Project.objects.get(source_ref="sample:3")
    sign_in(page, base, make_site_admin())
    page.goto(f"{base}/projects/{project.pk}/")
    _wait_map(page, "#id_geom-map[data-entry-ready]")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer)
    page.click("#delete-project")
    page.wait_for_timeout(300)
    assert asked and "Delete" not in asked[0] and len(asked[0]) > 10  # the Thai question of data-confirm
    assert page.url.endswith(f"/projects/{project.pk}/")
    project.refresh_from_db()
    assert project.deleted_at is None
    assert problems_of(page) == []
