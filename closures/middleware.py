"""During a closure every write (POST, PUT, PATCH, DELETE) is refused before any view runs: an HTML
page, or under ``/api/``, ``/ogc/``, ``/tiles/`` the JSON error shape — both 503 with
``Retry-After`` (seconds until the closure ends). Reads, reports and exports keep working, and so do
signing in and out and the language switch. DLA administrators still write."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from common.apierrors import MACHINE_PREFIXES

from .services import SystemClosed, closure_for

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# Posts that change no data: signing in and out (a DLA administrator must sign in to write), the
# language switch, single sign-on.
OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/admin/login/", "/admin/logout/", "/i18n/", "/oidc/")


def closed_response(request, exc: SystemClosed):
    """The 503 refusing a write during a closure (JSON for the machine endpoints)."""
    if request.path.startswith(MACHINE_PREFIXES):
        response = JsonResponse(
            {"errors": [{"field": None, "message_th": exc.message_th, "message_en": exc.message_en}]},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(request, "closures/closed.html", {"error": exc}, status=503)
    response["Retry-After"] = str(exc.retry_after)
    return response


class ClosureMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS and not request.path.startswith(OPEN_PREFIXES):
            closure = closure_for(getattr(request, "user", None))
            if closure is not None:
                return closed_response(request, SystemClosed(closure))
        return self.get_response(request)
