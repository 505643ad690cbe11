"""Test settings: the real settings plus django-oauth-toolkit, whose OpenID Connect provider the
SSO test starts on the live server (its URLs are mounted only by tests/oidc_provider.py)."""

from gisplan.settings import *  # noqa: F401,F403
from gisplan.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider"]
