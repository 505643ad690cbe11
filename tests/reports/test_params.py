"""Hostile report parameters (issue 22, item 7): Unicode digits, NUL, integers beyond bigint and
polygons that are no area answer 400 with the message in Thai and English — the page's error page,
or JSON for the layer — never a 500. Thai digits are digits."""

import pytest

from tests.factories import KATHU, PASSWORD, PHUKET, make_dla_admin

pytestmark = pytest.mark.django_db

PAGES = ["/reports/budget/", "/reports/completeness/", "/reports/score/", "/reports/map/", "/reports/map/frame/"]


@pytest.fixture
def dla(client, report_data):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    return client


def error_page_fields(response) -> set:
    assert response.status_code == 400, response.content[:300]
    html = response.content.decode()
    assert 'class="error"' in html
    return set(filter(None, (part.split('"')[0] for part in html.split('data-field="')[1:])))


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("value", ["²", "①", "2568\x00", "9" * 25, "x" * 10_240, "2568,²"])
def test_a_fiscal_year_that_is_no_number_is_a_400_page(dla, url, value):
    assert error_page_fields(dla.get(url, {"fiscal_year": value})) == {"fiscal_year"}


@pytest.mark.parametrize("value", ["²²", "8\x003", "x" * 10_240])
def test_a_province_that_is_no_code_is_a_400_page(dla, value):
    assert error_page_fields(dla.get("/reports/budget/", {"province": value})) == {"province"}


def test_thai_digits_are_digits(dla):
    thai = dla.get("/reports/budget/", {"fiscal_year": "๒๕๖๘", "province": "๘๓", "level": "lao"})
    arabic = dla.get("/reports/budget/", {"fiscal_year": "2568", "province": "83", "level": "lao"})
    assert thai.status_code == arabic.status_code == 200
    assert KATHU in thai.content.decode() and KATHU in arabic.content.decode()


@pytest.mark.parametrize("name, value", [("stage", "²"), ("stage", "9" * 25), ("year", "²"), ("year", "9" * 25)])
def test_layer_stage_and_year_are_whole_numbers_in_range(dla, name, value):
    response = dla.get("/reports/layers.json", {"measure": "completeness", name: value})
    assert response.status_code == 400, response.content[:300]
    (error,) = response.json()["errors"]
    assert error["field"] == name and error["message_th"] and error["message_en"]
    assert error_page_fields(dla.get("/reports/map/frame/", {"measure": "completeness", name: value})) == {name}


@pytest.mark.parametrize(
    "polygon", ["POLYGON EMPTY", "{}", '{"type":"Polygon"}', '{"type":"Feature"}', "[" * 100_000, "{" + "[" * 100_000]
)
def test_the_budget_report_refuses_a_polygon_that_is_no_area(dla, polygon):
    assert error_page_fields(dla.get("/reports/budget/", {"polygon": polygon})) == {"polygon"}


@pytest.mark.parametrize("missing", ["²-3", "2568-²", "9" * 25 + "-3", "2568\x00-3"])
def test_missing_is_year_dash_stage(dla, missing):
    response = dla.get(f"/reports/completeness/{PHUKET}/", {"missing": missing})
    assert error_page_fields(response) == {"missing"}


@pytest.mark.parametrize("code", ["%00", "%C2%B2%C2%B2", "8" * 100])
def test_a_province_page_of_no_province_is_a_404(dla, code):
    assert dla.get(f"/reports/completeness/{code}/").status_code == 404
