"""Error answers of the machine endpoints (``/api/``, ``/ogc/``, ``/tiles/``) in one shape:
``{"errors": [{"field", "message_th", "message_en"}]}`` with the HTTP status — whatever refused the
request (DRF, a view, the URL resolver, a method check).

- ``exception_handler``: DRF's ``EXCEPTION_HANDLER`` (settings); DRF's own refusals (not signed
  in, no permission, not found, method, media type, format, throttled) get Thai and English text,
  and a ``ValidationError`` already in this shape passes through;
- ``page_not_found``: the site's ``handler404``; under the machine prefixes a JSON 404, elsewhere
  Django's page;
- ``require_GET``: the view decorator, answering another method with a JSON 405 (and ``Allow``).
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions

from common.bilingual import both

MACHINE_PREFIXES = ("/api/", "/ogc/", "/tiles/")

NOT_FOUND = _("Not found.")
MESSAGES = {
    exceptions.NotAuthenticated: _("Sign in or send HTTP Basic credentials."),
    exceptions.AuthenticationFailed: _("The user name or password is wrong, or the account is not active."),
    exceptions.PermissionDenied: _("You may not do this."),
    exceptions.NotFound: NOT_FOUND,
    exceptions.NotAcceptable: _("The format asked for (format= or Accept) is not offered here."),
    exceptions.UnsupportedMediaType: _("Send the body as JSON (Content-Type: application/json)."),
    exceptions.ParseError: _("The body is not valid JSON."),
    exceptions.Throttled: _("Too many requests; try again later."),
}
METHOD_NOT_ALLOWED = _("The method %(method)s is not allowed here.")


class ApiError(exceptions.ValidationError):
    """A 400 whose errors are already ``[{field, message_th, message_en}]``; kept as given (DRF would
    turn a ``None`` field into the text "None")."""

    def __init__(self, errors: list[dict]):
        super().__init__({"errors": errors})
        self.errors = errors


def error_body(field, message, **params) -> dict:
    """``{"errors": [{field, message_th, message_en}]}`` of one lazy message."""
    return {"errors": [{"field": field, **both(message, **params)}]}


def error_response(status: int, field, message, **params) -> JsonResponse:
    return JsonResponse(error_body(field, message, **params), status=status, json_dumps_params={"ensure_ascii": False})


def errors_as_list(error: ValidationError) -> list[dict]:
    """``[{field, message_th, message_en, message}]`` of a Django ValidationError (keyed by parameter
    name, or not); ``message`` is in the active language."""
    if hasattr(error, "error_dict"):
        items = [(field, e) for field, errors in error.error_dict.items() for e in errors]
    else:
        items = [(None, e) for e in error.error_list]
    out = []
    for field, err in items:
        message = str(err.message % err.params if err.params else err.message)
        out.append({"field": field, **both(err.message, **(err.params or {})), "message": message})
    return out


def _errors_of(exc: exceptions.APIException, method: str) -> list[dict]:
    if isinstance(exc, ApiError):
        return exc.errors
    detail = exc.detail
    if isinstance(detail, dict) and isinstance(detail.get("errors"), list):
        return detail["errors"]  # already ours: {field, message_th, message_en}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return error_body(None, METHOD_NOT_ALLOWED, method=method)["errors"]
    for kind, message in MESSAGES.items():
        if isinstance(exc, kind):
            return error_body(None, message)["errors"]
    # A ValidationError of DRF's own (a serializer): its text, in the language it was made in.
    if isinstance(detail, dict):
        items = [(field, m) for field, ms in detail.items() for m in (ms if isinstance(ms, list) else [ms])]
    else:
        items = [(None, m) for m in (detail if isinstance(detail, list) else [detail])]
    return [{"field": field, "message_th": str(m), "message_en": str(m)} for field, m in items]


def exception_handler(exc, context):
    """What DRF's own handler does (status, ``WWW-Authenticate``, ``Retry-After``, the rollback of an
    atomic request; the view adds ``Allow``), with our error body — as JSON whatever renderer the
    request chose (the schema's YAML, Swagger's HTML, the browsable API). Anything not an API
    refusal is left to raise (a server error is a bug to fix, not a message to show).

    (``rest_framework.views`` is not imported here: it reads the parser setting, ``common.params``,
    which imports this module.)"""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    for db in connections.all():
        if db.settings_dict.get("ATOMIC_REQUESTS") and db.in_atomic_block:
            db.set_rollback(True)
    errors = _errors_of(exc, getattr(context.get("request"), "method", ""))
    response = JsonResponse({"errors": errors}, status=exc.status_code, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name] = value
    return response


def page_not_found(request, exception=None, template_name="404.html"):
    """The site's 404: JSON under the machine prefixes, Django's page elsewhere."""
    if request.path.startswith(MACHINE_PREFIXES):
        return error_response(404, None, NOT_FOUND)
    return defaults.page_not_found(request, exception, template_name=template_name)


def permission_denied(request, exception=None, template_name="403.html"):
    """The site's 403: JSON under the machine prefixes, the styled bilingual page elsewhere."""
    if request.path.startswith(MACHINE_PREFIXES):
        return error_response(403, None, MESSAGES[exceptions.PermissionDenied])
    return defaults.permission_denied(request, exception, template_name=template_name)


def require_GET(view):
    """Like Django's ``require_GET``, but the 405 carries the JSON error body."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = error_response(405, None, METHOD_NOT_ALLOWED, method=request.method)
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return wrapper
