"""Password reset by e-mail (Django's views, gisplan's Thai/English templates): the e-mail goes to the
account's address, its link sets a new password once, and the sign-in page links to it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, PATONG, make_engineer

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nam-Tuam-2568!"


@pytest.fixture
def somchai():
    user = make_engineer(PATONG, "somchai")
    user.email = "somchai@patong.go.th"
    user.save(update_fields=["email"])
    return user


def test_the_sign_in_page_links_to_the_password_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page and "ลืมรหัสผ่าน?" in page


def test_password_reset_sends_a_working_link_to_the_accounts_address(client, somchai):
    form = client.get(reverse("password_reset"))
    assert form.status_code == 200 and "ตั้งรหัสผ่านใหม่" in form.content.decode()
    response = client.post(reverse("password_reset"), {"email": "SOMCHAI@patong.go.th"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert "กรุณาตรวจสอบอีเมล" in client.get(response["Location"]).content.decode()

    [email] = mail.outbox
    assert email.to == ["somchai@patong.go.th"]
    assert email.subject == "gisplan: ตั้งรหัสผ่านใหม่ / gisplan: reset your password"
    assert "“somchai”" in email.body and "ซึ่งน่าจะเป็นท่านเอง" in email.body and "Someone (we hope you)" in email.body
    links = set(re.findall(r"https?://testserver(/accounts/reset/\S+/)", email.body))
    assert len(links) == 1
    [link] = links

    redirect = client.get(link)  # Django moves the token into the session and drops it from the URL
    assert redirect.status_code == 302 and redirect["Location"].endswith("/set-password/")
    page = client.get(redirect["Location"])
    assert page.status_code == 200 and page.context["validlink"]
    done = client.post(redirect["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert "เปลี่ยนรหัสผ่านแล้ว" in client.get(done["Location"]).content.decode()

    somchai.refresh_from_db()
    assert somchai.check_password(NEW_PASSWORD) and not somchai.check_password(PASSWORD)
    signed = client.post(reverse("login"), {"username": "somchai", "password": NEW_PASSWORD})
    assert signed.status_code == 302

    # the link works once
    client.post(reverse("logout"))
    again = client.get(link, follow=True)
    assert not again.context["validlink"] and "ลิงก์นี้ใช้ไม่ได้แล้ว" in again.content.decode()


def test_an_unknown_or_inactive_address_gets_the_same_answer_and_no_email(client, somchai):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.go.th"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    get_user_model().objects.filter(pk=somchai.pk).update(is_active=False)
    client.post(reverse("password_reset"), {"email": "somchai@patong.go.th"})
    assert mail.outbox == []


def test_the_email_in_english_too(client, somchai):
    client.post(reverse("password_reset"), {"email": "somchai@patong.go.th"}, HTTP_ACCEPT_LANGUAGE="en")
    [email] = mail.outbox
    assert "If you did not ask for this, ignore this e-mail" in email.body
    assert "หากท่านไม่ได้ขอ" in email.body


EMAIL_SETTINGS = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
)


def settings_with(**environment):
    """gisplan.settings read in a fresh interpreter with this environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k != "DEFAULT_FROM_EMAIL"}
    env.update(SECRET_KEY="x", **environment)
    keys = (*EMAIL_SETTINGS, "DEFAULT_FROM_EMAIL")
    code = f"import json, gisplan.settings as s; print(json.dumps({{k: getattr(s, k) for k in {keys!r}}}))"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_email_settings_come_from_the_environment():
    production = settings_with(
        DEBUG="false",
        EMAIL_HOST="smtp.example.go.th",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="gisplan",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="gisplan <noreply@example.go.th>",
    )
    assert production == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.go.th",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "gisplan",
        "EMAIL_HOST_PASSWORD": "secret",
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "gisplan <noreply@example.go.th>",
    }
    assert settings_with(DEBUG="true")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
