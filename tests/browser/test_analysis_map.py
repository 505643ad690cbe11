"""The analysts' map page in headless Chromium: totals for the filters, the map extent and a
drawn rectangle; project vector tiles load; the download link carries the selection."""

import re

import pytest
from django.test import Client

from tests.factories import make_dla_admin

from .conftest import wait_until


@pytest.fixture
def page(chromium, shared_live_server):
    user = make_dla_admin("analyst-national")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="th-TH")
    context.add_cookies([{"name": "sessionid", "value": session, "url": shared_live_server}])
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()


@pytest.mark.browser
@pytest.mark.django_db
def test_analysis_map(page, shared_live_server, test_output_dir):
    tiles, errors, summaries = [], [], []
    page.on("response", lambda r: tiles.append(r.status) if ".pbf" in r.url and "/tiles/projects/" in r.url else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: summaries.append(r.url) if "/api/projects/summary/" in r.url else None)
    page.goto(f"{shared_live_server}/analysis/")
    count = page.locator("#result-count")
    # the first totals come with the page (before the map's scripts run): no request for them
    assert count.inner_text() == "10"
    assert page.locator("#result-budget").inner_text().replace(",", "") == "26260000"
    assert page.locator("#result-by-kind tr").count() == 2
    page.wait_for_selector("#result-list li")  # the script has run (largest budgets listed)
    assert summaries == []

    page.select_option("#f-kind", "water")
    page.click("#apply-filters")
    wait_until(page, "document.getElementById('result-count').textContent === '5'")
    assert len(summaries) == 1 and "kind=water" in summaries[0]
    href = page.get_attribute("#export-link", "href")
    assert href.startswith("/api/projects/export/?format=geojson") and "kind=water" in href
    page.select_option("#export-format", "gpkg")
    assert "format=gpkg" in page.get_attribute("#export-link", "href")
    assert page.locator("#result-list li").count() == 5

    # the map extent around Takua Pa: sample projects 7 (road) and 9 (canal) only
    page.click("#reset-filters")
    wait_until(page, "document.getElementById('result-count').textContent === '10'")
    page.evaluate("window['leafletmapanalysis-map'].setView([8.85, 98.32], 13, {animate: false})")
    page.check("#use-extent")
    wait_until(page, "document.getElementById('result-count').textContent === '2'")
    page.wait_for_timeout(1500)
    assert 200 in tiles, tiles
    page.screenshot(path=str(test_output_dir / "analysis_map_extent.png"))

    # draw a rectangle over most of the view instead of using the extent: same two projects
    page.uncheck("#use-extent")
    wait_until(page, "document.getElementById('result-count').textContent === '10'")
    page.click(".leaflet-draw-draw-rectangle")
    box = page.locator("#analysis-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.1)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.95, box["y"] + box["height"] * 0.95, steps=5)
    page.mouse.up()
    wait_until(page, "document.getElementById('result-count').textContent === '2'")
    assert re.search(r"polygon=", page.get_attribute("#export-link", "href"))
    page.screenshot(path=str(test_output_dir / "analysis_map_drawn.png"))

    page.fill("#f-q", "")
    page.fill("input[name=budget_min]", "-5")
    page.click("#apply-filters")
    page.wait_for_selector("#filter-errors li")
    assert "budget_min" in page.locator("#filter-errors").inner_text()
    assert not errors, errors
    assert count.inner_text() == "—"
