"""JSON bodies the API reads (``POST /api/validate/``, through ``common.params.BoundedJSONParser``):
deep nesting, numbers that are not finite and bytes that are not UTF-8 are a 400 with Thai and
English text, never a 500; an ordinary body still validates."""

import json

import pytest
from django.test import Client

from tests.factories import PATONG, make_engineer

pytestmark = pytest.mark.django_db

LOCATION = {"lao": PATONG, "kind": "water"}


@pytest.fixture
def engineer():
    client = Client()
    client.force_login(make_engineer(PATONG))
    return client


def post(client, body: bytes):
    return client.post("/api/validate/", body, content_type="application/json")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000, id="100k_open_brackets"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100k_nested_lists"),
        pytest.param(b'{"a":' * 50_000 + b"1" + b"}" * 50_000, id="50k_nested_objects"),
        pytest.param(
            b'{"lao": "4830201", "kind": "water", "geometry": {"type": "Point", "coordinates": [1e400, 7]}}',
            id="coordinate_1e400",
        ),
        pytest.param(
            b'{"lao": "4830201", "kind": "water", "geometry": {"type": "Point", "coordinates": [NaN, 7]}}',
            id="coordinate_nan",
        ),
        pytest.param(b'{"lao": "4830201", "kind": "water", "fiscal_year": -Infinity}', id="infinity"),
        pytest.param(b'{"fiscal_year": ' + b"9" * 5000 + b"}", id="integer_of_5000_digits"),
        pytest.param(b'{"text": "\xff\xfe"}', id="not_utf8"),
        pytest.param(b"{not json", id="not_json"),
    ],
)
def test_a_body_that_cannot_be_read_is_a_bilingual_400(engineer, body):
    response = post(engineer, body)
    assert response.status_code == 400, response.content[:300]
    (error,) = response.json()["errors"]
    assert error["message_th"] and error["message_en"] and error["field"] is None


def test_an_ordinary_body_still_validates(engineer):
    body = json.dumps({**LOCATION, "geometry": {"type": "Point", "coordinates": [98.296, 7.896]}}).encode()
    response = post(engineer, body)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["geometry"]["type"] == "Point"
