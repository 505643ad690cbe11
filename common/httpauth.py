"""Who is asking, for endpoints that desktop GIS clients read (vector tiles, OGC API Features,
exports, the REST API).

A browser session works as everywhere; QGIS, GDAL and OWSLib send HTTP Basic credentials of a
gisplan account instead (``Authorization: Basic …``; only sensible over HTTPS in production).
Anonymous requests get 401 with ``WWW-Authenticate: Basic`` so those clients ask for a password.
The user found is then handed to ``accounts.access`` like any other.

This module is the one place Basic credentials are checked: ``request_user`` for the plain views
and ``BasicAuthentication`` for the REST API (DRF). Every check goes through ``authenticate`` with
the request, so the sign-in throttle (django-axes, ``accounts/throttle.py``) counts the failures
and refuses a locked account or address; a locked request is marked (``request.axes_locked_out``)
and answered 429 with Retry-After (``locked_out``) by axes' middleware or by DRF.
"""

from __future__ import annotations

import base64
import binascii
import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .apierrors import error_response
from .bilingual import both

REALM = "gisplan"
# A map view is dozens of tile requests, each with the same Basic header; checking the password
# hashes it (Argon2, about 0.1 s and 100 MB) every time. A good check is remembered this long,
# tied to the stored password hash, so a changed password or a deactivated account ends it.
CHECK_CACHE_SECONDS = 300
SIGN_IN = _("Sign in or send HTTP Basic credentials.")
LOCKED_OUT = _(
    "Too many failed sign-ins for this account or from this address: sign-in is refused for "
    "%(minutes)s minutes after the last failed attempt, even with the right password. Try again later."
)


def request_user(request):
    """The session user, else the user of valid Basic credentials, else None."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return request.user
    credentials = basic_credentials(request)
    if credentials is None:
        return None
    return basic_user(request, *credentials)


def basic_credentials(request) -> tuple[str, str] | None:
    """(username, password) of the request's ``Authorization: Basic`` header, or None.

    None too for credentials no account can have — a NUL character, a username longer than the
    user model allows — so they never reach the database (PostgreSQL refuses NUL in text).
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        username, sep, password = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user_model = get_user_model()
    longest = user_model._meta.get_field(user_model.USERNAME_FIELD).max_length or 150
    if not sep or not username or len(username) > longest or "\x00" in username or "\x00" in password:
        return None
    return username, password


def basic_user(request, username: str, password: str):
    """The active user these credentials name, or None (wrong, inactive, or sign-in locked)."""
    credentials = {"username": username}
    key = "gisplan-basic:" + salted_hmac("gisplan.httpauth", f"{username}:{password}").hexdigest()
    remembered = _remembered(key)
    if remembered is not None:
        # Checked before: no new attempt, but a locked account or address is refused all the same.
        if AxesProxyHandler.is_allowed(request, credentials):
            return remembered
        request.axes_locked_out = True
        request.axes_credentials = credentials
        return None
    user = authenticate(request, username=username, password=password)  # throttled, failures counted
    if user is None or not user.is_active:
        return None
    AxesProxyHandler.reset_attempts(username=username)  # a good sign-in clears the account's failures
    cache.set(key, (user.pk, user.password), CHECK_CACHE_SECONDS)
    return user


def _remembered(key):
    remembered = cache.get(key)
    if remembered is None:
        return None
    user_id, password_hash = remembered
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return user if user is not None and user.password == password_hash else None


def is_locked_out(request) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def retry_after(request) -> int:
    """Seconds until a locked sign-in may be tried again: the cooling-off period (it restarts at
    each refused attempt)."""
    cool_off = get_cool_off(request)
    return max(1, int(cool_off.total_seconds())) if cool_off else 3600


def locked_out_errors(seconds: int) -> list[dict]:
    return [{"field": None, **both(LOCKED_OUT, minutes=math.ceil(seconds / 60))}]


def locked_out(request) -> HttpResponse:
    """429 with Retry-After and the bilingual reason, for a client whose sign-in is locked."""
    seconds = retry_after(request)
    response = error_response(429, None, LOCKED_OUT, minutes=math.ceil(seconds / 60))
    response["Retry-After"] = str(seconds)
    return response


def unauthorized() -> HttpResponse:
    response = error_response(401, None, SIGN_IN)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"

    def __init__(self, seconds: int):
        super().__init__()
        self.wait = seconds  # DRF's exception handler sends it as Retry-After
        self.detail = {"errors": locked_out_errors(seconds)}


class BasicAuthentication(authentication.BasicAuthentication):
    """The REST API's HTTP Basic, checked as ``request_user`` checks it (throttle, remembered checks)."""

    www_authenticate_realm = REALM

    def authenticate(self, request):
        http_request = request._request
        scheme = http_request.META.get("HTTP_AUTHORIZATION", "").partition(" ")[0]
        if scheme.lower() != "basic":
            return None  # another scheme's, or none
        credentials = basic_credentials(http_request)
        user = basic_user(http_request, *credentials) if credentials else None
        if is_locked_out(http_request):
            raise LockedOut(retry_after(http_request))
        if user is None:
            raise exceptions.AuthenticationFailed()  # worded by the API's exception handler
        return user, None
