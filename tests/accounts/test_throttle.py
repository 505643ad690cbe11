"""Sign-in throttling (accounts/throttle.py, django-axes): per account and per address, on the sign-in
page and on every HTTP Basic endpoint, refused even with the right password, audited, cleared by a
successful sign-in, over after the cooling-off period."""

import base64
import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from accounts.throttle import client_address
from tests.factories import PASSWORD, PATONG, make_dla_admin, make_engineer, make_user

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
ADDRESS_LIMIT = settings.GISPLAN_LOGIN_ADDRESS_FAILURE_LIMIT
COOL_OFF = int(settings.AXES_COOLOFF_TIME.total_seconds())
TILE = "/tiles/projects/6/49/30.pbf"
BASIC_URLS = [TILE, "/ogc/collections", "/api/projects/", "/api/projects/export/?format=csv"]


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def signed_in(client):
    return "_auth_user_id" in client.session


def assert_locked_json(response):
    assert response.status_code == 429, response.content[:300]
    assert response["Retry-After"] == str(COOL_OFF)
    [error] = response.json()["errors"]
    assert (
        error["message_en"].startswith("Too many failed sign-ins")
        and f"{COOL_OFF // 60} minutes" in error["message_en"]
    )
    assert error["message_th"].startswith("มีการเข้าสู่ระบบไม่สำเร็จ")


def test_settings_lock_an_account_at_five_and_an_address_at_twenty():
    assert (LIMIT, ADDRESS_LIMIT) == (5, 20) and COOL_OFF == 15 * 60
    assert settings.AUTHENTICATION_BACKENDS[0] == "accounts.throttle.SignInThrottleBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(client, caplog):
    make_engineer(PATONG, "somchai")
    for _ in range(LIMIT - 1):
        response = sign_in(client, "somchai", "wrong")
        assert response.status_code == 200 and "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()
    with caplog.at_level(logging.WARNING, logger="gisplan.accounts"):
        locked = sign_in(client, "somchai", "wrong")
    assert locked.status_code == 429 and locked["Retry-After"] == str(COOL_OFF)
    page = locked.content.decode()
    assert "Too many failed sign-ins for this account or from this address" in page
    assert "มีการเข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป" in page and 'name="password"' in page
    assert any("locked" in r.getMessage() and "somchai" in r.getMessage() for r in caplog.records)

    right = sign_in(client, "somchai", PASSWORD)
    assert right.status_code == 429 and not signed_in(client)
    # from another address too: the account is locked, wherever the attempts come from
    elsewhere = Client()
    assert sign_in(elsewhere, "somchai", PASSWORD, address="10.9.9.9").status_code == 429 and not signed_in(elsewhere)
    # another account is not locked by them
    make_engineer(PATONG, "somsri")
    assert sign_in(Client(), "somsri", PASSWORD).status_code == 302

    # the audit: the attempts (admin "Access attempts") and every counted failure, the last one locking
    assert sum(a.failures_since_start for a in AccessAttempt.objects.filter(username="somchai")) == LIMIT
    logged = AccessFailureLog.objects.filter(username="somchai")
    assert logged.count() == LIMIT and logged.filter(locked_out=True).count() == 1


def test_a_flood_on_a_locked_account_neither_extends_the_lock_nor_grows_its_record():
    make_engineer(PATONG, "flooded")
    client = Client()
    for _ in range(LIMIT):
        sign_in(client, "flooded", "wrong")
    attempt = AccessAttempt.objects.get(username="flooded")
    for _ in range(30):
        assert sign_in(client, "flooded", "wrong").status_code == 429
    again = AccessAttempt.objects.get(username="flooded")
    assert (again.failures_since_start, again.attempt_time, len(again.post_data)) == (
        LIMIT,
        attempt.attempt_time,
        len(attempt.post_data),
    )


def test_an_address_is_locked_after_twenty_failures_on_any_accounts(client):
    make_engineer(PATONG, "valid")
    for i in range(ADDRESS_LIMIT - 1):
        assert sign_in(client, f"guess{i % 10}", "wrong", address="10.1.1.1").status_code == 200
    assert sign_in(client, "guess9", "wrong", address="10.1.1.1").status_code == 429
    assert sign_in(client, "valid", PASSWORD, address="10.1.1.1").status_code == 429 and not signed_in(client)
    assert sign_in(client, "valid", PASSWORD, address="10.1.1.2").status_code == 302


def test_a_successful_sign_in_clears_the_accounts_failures_and_the_lock_ends_after_the_cooling_off():
    make_engineer(PATONG, "forgetful")
    client = Client()
    for _ in range(LIMIT - 1):
        assert sign_in(client, "forgetful", "wrong").status_code == 200
    assert sign_in(client, "forgetful", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="forgetful").exists()
    client = Client()
    for _ in range(LIMIT - 1):
        assert sign_in(client, "forgetful", "wrong").status_code == 200
    assert sign_in(client, "forgetful", "wrong").status_code == 429
    assert sign_in(client, "forgetful", PASSWORD).status_code == 429
    # the cooling-off period passes (since the last failure)
    AccessAttempt.objects.filter(username="forgetful").update(
        attempt_time=AccessAttempt.objects.get(username="forgetful").attempt_time - timedelta(seconds=COOL_OFF + 1)
    )
    assert sign_in(client, "forgetful", PASSWORD).status_code == 302 and signed_in(client)


def test_one_good_account_does_not_clear_the_failures_of_its_address():
    make_engineer(PATONG, "mine")
    client = Client()
    for i in range(ADDRESS_LIMIT - 1):
        assert sign_in(client, f"victim{i % 10}", "wrong", address="10.2.2.2").status_code == 200
    assert sign_in(Client(), "mine", PASSWORD, address="10.2.2.2").status_code == 302
    assert sign_in(client, "victim9", "wrong", address="10.2.2.2").status_code == 429


@pytest.mark.parametrize("url", BASIC_URLS)
def test_http_basic_is_locked_with_a_bilingual_429_on_every_endpoint(url):
    make_dla_admin("gis")
    assert Client().get(url, HTTP_AUTHORIZATION=basic("gis", PASSWORD)).status_code in (200, 204)
    for _ in range(LIMIT - 1):
        assert Client().get(url, HTTP_AUTHORIZATION=basic("gis", "wrong")).status_code in (401, 403)
    assert_locked_json(Client().get(url, HTTP_AUTHORIZATION=basic("gis", "wrong")))
    # the right password — already checked and remembered before the lock — is refused as well
    assert_locked_json(Client().get(url, HTTP_AUTHORIZATION=basic("gis", PASSWORD)))
    # the lock holds across the endpoints: it is the account's
    for other in BASIC_URLS:
        assert_locked_json(Client().get(other, HTTP_AUTHORIZATION=basic("gis", PASSWORD)))


def test_sixty_wrong_basic_credentials_then_the_right_one_is_refused():
    """The probe's reproduction: 60 wrong passwords on /api/ and /tiles/, then the right one."""
    make_dla_admin("probe")
    for i in range(60):
        Client().get(("/api/projects/", TILE)[i % 2], HTTP_AUTHORIZATION=basic("probe", f"wrong{i}"))
    for url in ("/api/projects/", TILE):
        assert_locked_json(Client().get(url, HTTP_AUTHORIZATION=basic("probe", PASSWORD)))


def test_a_successful_basic_check_clears_the_accounts_failures():
    make_dla_admin("qgis")
    for _ in range(LIMIT - 1):
        assert Client().get(TILE, HTTP_AUTHORIZATION=basic("qgis", "wrong")).status_code == 401
    assert AccessAttempt.objects.get(username="qgis").failures_since_start == LIMIT - 1
    assert Client().get(TILE, HTTP_AUTHORIZATION=basic("qgis", PASSWORD)).status_code in (200, 204)
    assert not AccessAttempt.objects.filter(username="qgis").exists()


@pytest.mark.parametrize("username", ["gis\x00", "\x00", "g" * 151, "g" * 300, ""])
def test_basic_credentials_no_account_can_have_are_no_match(username):
    """A NUL byte (PostgreSQL refuses it in text) or an over-long username: 401/403, never 500."""
    make_dla_admin("gis")
    header = basic(username, PASSWORD)
    assert Client().get(TILE, HTTP_AUTHORIZATION=header).status_code == 401
    assert Client().get("/ogc/collections", HTTP_AUTHORIZATION=header).status_code == 401
    assert Client().get("/api/projects/export/?format=csv", HTTP_AUTHORIZATION=header).status_code == 401
    assert Client().get("/api/projects/", HTTP_AUTHORIZATION=header).status_code == 403
    assert not AccessAttempt.objects.exists()


def test_a_password_with_a_nul_byte_is_no_match():
    make_dla_admin("gis")
    assert Client().get(TILE, HTTP_AUTHORIZATION=basic("gis", PASSWORD + "\x00")).status_code == 401


def test_the_audit_is_in_the_admin(admin_client):
    sign_in(Client(), "someone", "wrong")
    for model in ("accessattempt", "accessfailurelog", "accesslog"):
        response = admin_client.get(f"/admin/axes/{model}/")
        assert response.status_code == 200
    assert "someone" in admin_client.get("/admin/axes/accessattempt/").content.decode()


def test_admin_sign_in_is_throttled_too():
    make_user("boss", superuser=True)
    client = Client()
    for _ in range(LIMIT - 1):
        assert client.post("/admin/login/", {"username": "boss", "password": "wrong"}).status_code == 200
    assert client.post("/admin/login/", {"username": "boss", "password": "wrong"}).status_code == 429
    assert client.post("/admin/login/", {"username": "boss", "password": PASSWORD}).status_code == 429


@pytest.mark.parametrize(
    "proxies, forwarded, remote, expected",
    [
        (0, "203.0.113.9", "127.0.0.1", "127.0.0.1"),  # no proxy: the header is the client's to write
        (1, "203.0.113.9", "127.0.0.1", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "127.0.0.1", "203.0.113.9"),  # the left entry is forged
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.5", "127.0.0.1", "203.0.113.9"),
        (1, "not-an-address", "127.0.0.1", "127.0.0.1"),
        (1, "", "127.0.0.1", "127.0.0.1"),
        (1, "2001:db8:0:0::1", "127.0.0.1", "2001:db8::1"),
        (0, "", "nonsense", None),
    ],
)
def test_client_address(proxies, forwarded, remote, expected):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    with override_settings(GISPLAN_PROXY_COUNT=proxies):
        assert client_address(request) == expected


def test_behind_a_proxy_each_client_address_is_counted_apart():
    make_engineer(PATONG, "office")
    with override_settings(GISPLAN_PROXY_COUNT=1):
        client = Client()
        for i in range(ADDRESS_LIMIT):
            client.post(
                reverse("login"), {"username": f"x{i % 10}", "password": "no"}, HTTP_X_FORWARDED_FOR="198.51.100.7"
            )
        same = Client().post(
            reverse("login"), {"username": "office", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
        assert same.status_code == 429
        other = Client().post(
            reverse("login"), {"username": "office", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.8"
        )
        assert other.status_code == 302
