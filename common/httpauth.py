"""Who is asking, for endpoints that desktop GIS clients read (vector tiles, OGC API Features).

A browser session works as everywhere; QGIS, GDAL and OWSLib send HTTP Basic credentials of a
gisplan account instead (``Authorization: Basic …``; only sensible over HTTPS in production).
Anonymous requests get 401 with ``WWW-Authenticate: Basic`` so those clients ask for a password.
The user found is then handed to ``accounts.access`` like any other.
"""

from __future__ import annotations

import base64
import binascii

from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.crypto import salted_hmac

REALM = "gisplan"
# A map view is dozens of tile requests, each with the same Basic header; checking the password
# hashes it (PBKDF2, about a million iterations) every time. A good check is remembered this long,
# tied to the stored password hash, so a changed password or a deactivated account ends it.
CHECK_CACHE_SECONDS = 300


def request_user(request):
    """The session user, else the user of valid Basic credentials, else None."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return request.user
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        username, sep, password = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not sep:
        return None
    key = "gisplan-basic:" + salted_hmac("gisplan.httpauth", header).hexdigest()
    remembered = cache.get(key)
    if remembered is not None:
        user_id, password_hash = remembered
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is not None and user.password == password_hash:
            return user
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    cache.set(key, (user.pk, user.password), CHECK_CACHE_SECONDS)
    return user


def unauthorized() -> HttpResponse:
    response = HttpResponse(
        '{"errors":[{"field":null,"message_en":"Sign in or send HTTP Basic credentials.",'
        '"message_th":"กรุณาเข้าสู่ระบบหรือส่งชื่อผู้ใช้และรหัสผ่านแบบ HTTP Basic"}]}',
        status=401,
        content_type="application/json",
    )
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response
