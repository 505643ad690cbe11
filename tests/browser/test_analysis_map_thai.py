"""The analysis map in Thai: Leaflet.draw's buttons and tooltips in Thai, and each of the largest
budgets a link to its project (issue 21, items 7 and 11)."""

import pytest

from .conftest import wait_until
from .test_analysis_map import page  # noqa: F401  (the signed-in DLA tab)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_draw_tooltips_are_thai_and_largest_budgets_link_to_projects(page, shared_live_server, test_output_dir):  # noqa: F811
    page.goto(f"{shared_live_server}/analysis/")
    wait_until(page, "document.getElementById('result-count').textContent === '10'")
    links = page.locator("#result-list li a")
    assert links.count() == 5 or links.count() == page.locator("#result-list li").count()
    href = links.first.get_attribute("href")
    assert href.startswith("/projects/") and href.rstrip("/").split("/")[-1].isdigit()
    assert page.get_attribute(".leaflet-draw-draw-polygon", "title") == "วาดรูปหลายเหลี่ยม"
    page.click(".leaflet-draw-draw-polygon")
    box = page.locator("#analysis-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator(".leaflet-draw-tooltip").first
    tooltip.wait_for()
    text = tooltip.inner_text()
    assert "คลิกเพื่อเริ่มวาดรูป" in text and "Click" not in text
    assert "เสร็จสิ้น" in page.locator(".leaflet-draw-actions-top").inner_text()
    assert "Finish" not in page.locator(".leaflet-draw-actions-top").inner_text()
    page.screenshot(path=str(test_output_dir / "analysis_map_draw_thai.png"))
    page.locator(".leaflet-draw-actions-top a", has_text="ยกเลิก").click()
    response = page.goto(f"{shared_live_server}{href}")
    assert response.status == 200
