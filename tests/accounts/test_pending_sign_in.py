"""A pending account signing in is told it awaits approval, and by whom (issue 21, item 9)."""

import pytest
from django.contrib.auth import get_user_model

from accounts import registration
from accounts.models import Role
from layers.models import Organization
from tests.factories import PASSWORD, PATONG, make_user

pytestmark = pytest.mark.django_db


def pending_engineer(username="newbie"):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    registration.register(user, role=Role.LAO_ENGINEER, organization=Organization.objects.get(dla_code=PATONG))
    return user


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="th")


def test_the_right_password_of_a_pending_account_is_told_who_approves_it(client):
    admin = make_user("somchai", Role.LAO_ADMIN, lao=PATONG)
    admin.first_name, admin.last_name = "สมชาย", "ใจดี"
    admin.save()
    pending_engineer()
    page = sign_in(client, "newbie", PASSWORD).content.decode()
    assert "รอการอนุมัติ" in page and "ทม.ป่าตอง" in page and "สมชาย ใจดี" in page
    assert "ไม่ถูกต้อง" not in page  # not told the password is wrong
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_of_a_pending_account_learns_nothing(client):
    make_user("somchai", Role.LAO_ADMIN, lao=PATONG)
    pending_engineer()
    page = sign_in(client, "newbie", "wrong-password-1").content.decode()
    assert "รอการอนุมัติ" not in page and "somchai" not in page and "ไม่ถูกต้อง" in page


def test_without_an_lao_administrator_the_provincial_office_is_named(client):
    pending_engineer()
    prov = make_user("provadmin", Role.PROVINCIAL_ADMIN, province="83")
    page = sign_in(client, "newbie", PASSWORD).content.decode()
    assert "รอการอนุมัติ" in page and prov.username in page
