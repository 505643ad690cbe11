"""Per-request plumbing for production.

- ``RequestIdMiddleware``: every request gets an id (the proxy's ``X-Request-ID`` when it is a
  sane token, else a new one), kept for the logs (``ops.logs``) and sent back in ``X-Request-ID``.
- ``DatabaseBusyMiddleware``: a request that cannot get a database connection in time (the pool's
  wait ran out, or PostgreSQL refused: "too many clients") is answered 503 with ``Retry-After``
  and a message in Thai and English, never a 500. ``busy_response`` is also what ``handler500``
  answers when the same happens outside a view (in a middleware or a context processor).
"""

from __future__ import annotations

import logging
import re
import uuid

from django.db import OperationalError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from psycopg import errors as pg_errors
from psycopg_pool import PoolTimeout

from common.apierrors import error_response
from common.bilingual import both

from .logs import request_id_var

log = logging.getLogger("gisplan.busy")
RETRY_AFTER_SECONDS = 5
BUSY = _("The system is busy with many users at once; please try again in a moment.")
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _TOKEN.match(given) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


def is_database_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) says no connection could be had: the pool's time-out or
    PostgreSQL's "too many clients" (SQLSTATE 53300)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, (PoolTimeout, pg_errors.TooManyConnections)):
            return True
        if isinstance(exc, OperationalError) and "too many clients" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def busy_response(request) -> HttpResponse:
    message = both(BUSY)
    wants_json = request.path.startswith(("/api/", "/ogc/", "/tiles/")) or "json" in request.headers.get("Accept", "")
    if wants_json:
        response = error_response(503, None, BUSY)
    else:
        response = HttpResponse(
            f"<!doctype html><meta charset=utf-8><title>503</title>"
            f"<h1>{message['message_th']}</h1><p lang=en>{message['message_en']}</p>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_busy(exception):
            log.warning("no database connection for %s %s: %s", request.method, request.path, exception)
            return busy_response(request)
        return None
