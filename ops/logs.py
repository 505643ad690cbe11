"""Logs as one JSON object a line (``LOG_FORMAT=json``, the production default), each with the id
of the request it belongs to (``RequestIdMiddleware``), so a slow query or an error can be traced
to its request in the proxy's access log."""

from __future__ import annotations

import contextvars
import logging

from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("gisplan_request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class GisplanJsonFormatter(JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", True)
        super().__init__("%(levelname)s %(name)s %(message)s %(request_id)s", *args, **kwargs)
