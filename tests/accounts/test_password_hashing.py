"""Passwords are hashed with Argon2; an existing PBKDF2 hash still signs in and is rehashed with
Argon2 at that sign-in (the page, and HTTP Basic). tests/settings.py uses MD5 for speed, so these
tests put the production hashers back for themselves."""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.module_loading import import_string

from gisplan import settings as production
from tests.factories import PASSWORD, make_dla_admin

pytestmark = pytest.mark.django_db

PRODUCTION_HASHERS = override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)


def test_argon2_first_and_pbkdf2_kept_to_verify_old_hashes():
    assert issubclass(import_string(production.PASSWORD_HASHERS[0]), Argon2PasswordHasher)
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS


def pbkdf2_user(username):
    user = make_dla_admin(username)
    get_user_model().objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    return get_user_model().objects.get(pk=user.pk)


@PRODUCTION_HASHERS
def test_a_pbkdf2_user_signs_in_and_is_stored_as_argon2_after():
    user = pbkdf2_user("old")
    assert user.password.startswith("pbkdf2_sha256$")
    response = Client().post(reverse("login"), {"username": "old", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert Client().post(reverse("login"), {"username": "old", "password": PASSWORD}).status_code == 302


@PRODUCTION_HASHERS
def test_a_pbkdf2_user_of_http_basic_is_upgraded_too():
    user = pbkdf2_user("gisold")
    header = "Basic " + base64.b64encode(f"gisold:{PASSWORD}".encode()).decode()
    assert Client().get("/tiles/projects/6/49/30.pbf", HTTP_AUTHORIZATION=header).status_code in (200, 204)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


@PRODUCTION_HASHERS
def test_new_passwords_are_argon2id_at_owasps_parameters():
    user = get_user_model().objects.create_user("fresh", password=PASSWORD)
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@PRODUCTION_HASHERS
def test_an_argon2_hash_of_djangos_parameters_signs_in_and_is_rehashed():
    user = make_dla_admin("heavy")
    heavy = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    get_user_model().objects.filter(pk=user.pk).update(password=heavy)
    assert Client().post(reverse("login"), {"username": "heavy", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
