"""Hostile filters of the pages and their map data (issue 22, item 7): the LAO chooser's search and
province, an LAO page's code, the map's project layer and the boundary outlines. A NUL, a Unicode
digit or an integer beyond bigint is a 400 (the page with its error, or JSON), or a 404 for a path
that names nothing — never a 500."""

import json

import pytest
from django.test import Client

from tests.factories import PATONG, PHUKET, make_analyst, make_engineer

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    client = Client()
    client.force_login(make_analyst(PHUKET))
    return client


@pytest.fixture
def engineer():
    client = Client()
    client.force_login(make_engineer(PATONG))
    return client


@pytest.mark.parametrize(
    "query, field",
    [
        ({"q": "ป่าตอง\x00"}, "q"),
        ({"q": "\x1b[31m"}, "q"),
        ({"q": "x" * 10_240}, "q"),
        ({"province": "83\x00"}, "province"),
        ({"province": "²²"}, "province"),
        ({"province": "9" * 25}, "province"),
    ],
)
def test_the_chooser_shows_a_bad_filter_as_an_error(analyst, query, field):
    response = analyst.get("/", query)
    assert response.status_code == 400
    assert f'class="error" data-field="{field}"' in response.content.decode()


def test_the_chooser_still_searches(analyst):
    response = analyst.get("/", {"q": "ป่าตอง", "province": "๘๓", "all": "1"})
    assert response.status_code == 200 and PATONG in response.content.decode()


@pytest.mark.parametrize("code", ["%00", "%C2%B2", "9" * 25, "483020"])
def test_an_lao_page_of_no_dla_code_is_a_404(analyst, code):
    assert analyst.get(f"/lao/{code}/").status_code == 404


@pytest.mark.parametrize(
    "query, field",
    [
        ({"lao": "4830201\x00"}, "lao"),
        ({"lao": "²"}, "lao"),
        ({"exclude": "²"}, "exclude"),
        ({"exclude": "9" * 25}, "exclude"),
        ({"exclude": "7\x00"}, "exclude"),
    ],
)
def test_the_map_layer_refuses_bad_codes_and_ids(engineer, query, field):
    response = engineer.get("/projects/map.geojson", query)
    assert response.status_code == 400, response.content[:300]
    (error,) = json.loads(response.content)["errors"]
    assert error["field"] == field and error["message_th"] and error["message_en"]


def test_the_map_layer_still_answers(engineer):
    response = engineer.get("/projects/map.geojson", {"lao": PATONG, "exclude": "๑"})
    assert response.status_code == 200 and json.loads(response.content)["type"] == "FeatureCollection"


def test_the_lao_page_passes_only_valid_filters_on(engineer):
    """An invalid home filter is ignored by the table; it is not handed on to the map or the download."""
    page = engineer.get("/", {"fiscal_year": "²", "kind": "water", "stage": "9" * 25}).content.decode()
    assert "map.geojson?kind=water\\u0026lao=" + PATONG in page  # the map's project layer: kind only


@pytest.mark.parametrize(
    "query, field",
    [
        ({"code": "8301\x00"}, "code"),
        ({"code": "²²²²"}, "code"),
        ({"zoom": "²"}, "zoom"),
        ({"zoom": "9" * 25, "code": "8301"}, "zoom"),
        ({"zoom": "30", "code": "8301"}, None),  # a whole number: held to 0–22
        ({"bbox": "nan,nan,nan,nan"}, "bbox"),
        ({"bbox": "1e400,7,99,8"}, "bbox"),
    ],
)
def test_boundary_outlines_refuse_bad_parameters(engineer, query, field):
    response = engineer.get("/layers/boundaries/amphoe.geojson", query)
    if field is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.content[:300]
    (error,) = json.loads(response.content)["errors"]
    assert error["field"] == field and error["message_th"] and error["message_en"]


def test_a_zoomed_out_map_extent_is_cut_to_the_world(engineer):
    response = engineer.get("/layers/boundaries/province.geojson", {"zoom": "3", "bbox": "-250,-95,250,95"})
    assert response.status_code == 200 and json.loads(response.content)["features"]
