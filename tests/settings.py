"""Test settings: the real settings plus django-oauth-toolkit, whose OpenID Connect provider the
SSO test starts on the live server (its URLs are mounted only by tests/oidc_provider.py), and a
fast password hasher (PBKDF2's million iterations cost seconds per test that signs in or registers;
no test depends on the hasher)."""

from gisplan.settings import *  # noqa: F401,F403
from gisplan.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# pytest-django creates and switches the test database after settings are read; Django's pool,
# created per alias for the first database it is asked about, does not follow that switch, so the
# tests run on plain connections. The pool itself is tested against a real gunicorn
# (tests/ops/test_serve.py), which reads the production settings.
DATABASES["default"]["OPTIONS"].pop("pool", None)  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Test runs keep their cache keys apart from the development server's (same Redis).
CACHES["default"]["KEY_PREFIX"] = "gisplan-test:" + CACHES["default"]["KEY_PREFIX"]  # noqa: F405
