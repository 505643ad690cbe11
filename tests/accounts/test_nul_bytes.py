"""A NUL byte (``%00``) in what anonymous visitors send to the accounts pages: a clear 400 or a form
error, never a 500 (PostgreSQL refuses NUL in text, so it must not reach a query)."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import PHUKET

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["\x00", "ป่าตอง\x00", "48\x00"])
def test_lao_search_refuses_a_nul_byte_in_both_languages(client, q):
    response = client.get(reverse("accounts:lao_search"), {"q": q})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "q"
    assert error["message_en"] == "The search text may not contain a NUL character."
    assert error["message_th"] == "ข้อความค้นหาต้องไม่มีอักขระ NUL"


def test_lao_search_raw_query_string(client):
    assert client.get("/accounts/register/laos/?q=%00").status_code == 400


def test_lao_search_bounds_the_text_and_still_finds(client):
    long = client.get(reverse("accounts:lao_search"), {"q": "ก" * 101})
    assert long.status_code == 400 and "100" in long.json()["errors"][0]["message_en"]
    found = client.get(reverse("accounts:lao_search"), {"q": "4830201"})
    assert found.status_code == 200 and found.json()["results"][0]["dla_code"] == "4830201"
    assert client.get(reverse("accounts:lao_search"), {"q": ""}).json() == {"results": []}
    assert client.get(reverse("accounts:lao_search")).json() == {"results": []}


@pytest.mark.parametrize(
    "field, value",
    [("username", "som\x00chai"), ("lao", "\x00"), ("province", "\x00"), ("email", "a\x00@example.go.th")],
)
def test_registration_with_a_nul_byte_is_a_form_error(client, field, value):
    data = {
        "username": "somchai",
        "email": "somchai@example.go.th",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "password1": "Ngai-Mak-2568!",
        "password2": "Ngai-Mak-2568!",
        "role": Role.PROVINCIAL_ANALYST if field == "province" else Role.LAO_ENGINEER,
        "lao": "4830201",
        "province": PHUKET,
        field: value,
    }
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()


def test_sign_in_with_a_nul_byte_is_a_form_error(client):
    response = client.post(reverse("login"), {"username": "a\x00", "password": "x"})
    assert response.status_code == 200


def test_password_reset_with_a_nul_byte_is_a_form_error(client):
    response = client.post(reverse("password_reset"), {"email": "a\x00@example.go.th"})
    assert response.status_code == 200
