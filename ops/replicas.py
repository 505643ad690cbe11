"""Read replicas: the database router, the request middleware that decides which requests may
read from a replica, and the replicas' lag (docs/operations.md "Read replicas").

- ``ReplicaMiddleware`` flags a GET or HEAD request under ``GISPLAN_REPLICA_PATHS`` (tiles, OGC API,
  REST reads, reports, exports, map pages) for the replicas — unless the same browser (a cookie)
  or the same user (the cache, for HTTP Basic clients too) wrote in the last
  ``GISPLAN_REPLICA_STICKY_SECONDS``: read-your-writes. A request that writes (any method, or a
  GET whose view or session saved something) sets that mark.
- ``ReplicaRouter`` sends a flagged request's ORM reads to a healthy replica and everything else —
  writes, reads inside a transaction or after this request wrote, unflagged requests, Celery
  workers, management commands — to ``default`` (the primary).
- ``replica_status(alias)`` measures a replica (``pg_is_in_recovery()``, seconds behind the
  primary from ``pg_last_xact_replay_timestamp()``, 0 when it has replayed all it received); a
  replica that cannot be reached or lags more than ``GISPLAN_REPLICA_MAX_LAG_SECONDS`` is not used
  until it is measured again (every ``GISPLAN_REPLICA_CHECK_SECONDS`` per process). ``/readyz``
  shows each replica and ``/metrics`` has ``gisplan_replica_lag_seconds``.
"""

from __future__ import annotations

import random
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from prometheus_client import Gauge

from common.httpauth import basic_credentials

PIN_COOKIE = "gisplan_primary"
SAFE = ("GET", "HEAD", "OPTIONS")
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""
REPLICA_LAG = Gauge(
    "gisplan_replica_lag_seconds", "Seconds the read replica is behind the primary (-1: unreachable)", ["alias"]
)

# The current request's routing: {"replica": may read from a replica, "wrote": has written}.
_request: ContextVar[dict | None] = ContextVar("gisplan_replica_request", default=None)
_health: dict[str, tuple[float, dict]] = {}  # alias → (measured at, status), per process
_health_lock = threading.Lock()


ROUTER = "ops.replicas.ReplicaRouter"


def replica_aliases() -> list[str]:
    """The replicas in use: the ``replica_N`` databases, when this router is configured."""
    if ROUTER not in settings.DATABASE_ROUTERS:
        return []
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def replica_status(alias: str) -> dict:
    """Measure a replica now: ``{"ok", "in_recovery", "lag_seconds"}`` or ``{"ok": False, "error"}``."""
    try:
        with connections[alias].cursor() as cur:
            cur.execute(LAG_SQL)
            in_recovery, lag = cur.fetchone()
    except Exception as exc:  # noqa: BLE001 — a replica down is a replica not used, never an error page
        connections[alias].close()
        REPLICA_LAG.labels(alias).set(-1)
        return {"ok": False, "error": type(exc).__name__}
    lag = float(lag or 0)
    REPLICA_LAG.labels(alias).set(lag)
    return {"ok": lag <= settings.GISPLAN_REPLICA_MAX_LAG_SECONDS, "in_recovery": in_recovery, "lag_seconds": lag}


def _healthy(alias: str) -> bool:
    now = time.monotonic()
    seen = _health.get(alias)
    if seen is None or now - seen[0] > settings.GISPLAN_REPLICA_CHECK_SECONDS:
        with _health_lock:
            seen = _health.get(alias)
            if seen is None or now - seen[0] > settings.GISPLAN_REPLICA_CHECK_SECONDS:
                seen = (now, replica_status(alias))
                _health[alias] = seen
    return seen[1]["ok"]


def forget_health() -> None:
    """Measure every replica again at its next use (tests; after a fail-over)."""
    _health.clear()


def choose_replica() -> str | None:
    candidates = replica_aliases()
    random.shuffle(candidates)
    for alias in candidates:
        if _healthy(alias):
            return alias
    return None


class ReplicaRouter:
    """ORM reads of a flagged request to a replica; everything else to the primary."""

    def db_for_read(self, model, **hints):
        state = _request.get()
        if state is None or not state["replica"] or state["wrote"]:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if "alias" not in state:
            state["alias"] = choose_replica()  # one replica for the whole request
        return state["alias"] or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        state = _request.get()
        if state is not None:
            state["wrote"] = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _pin_keys(request) -> list[str]:
    keys = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append(f"replica:pin:{user.get_username()}")
    credentials = basic_credentials(request)
    if credentials is not None:
        keys.append(f"replica:pin:{credentials[0]}")
    return keys


def _pinned(request) -> bool:
    try:
        if float(request.COOKIES.get(PIN_COOKIE, 0)) > time.time():
            return True
    except ValueError:
        pass
    keys = _pin_keys(request)
    return bool(keys) and bool(cache.get_many(keys))


def _flagged(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and bool(replica_aliases())
        and any(request.path.startswith(prefix) for prefix in settings.GISPLAN_REPLICA_PATHS)
        and not _pinned(request)
    )


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = {"replica": _flagged(request), "wrote": False}
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if state["wrote"] or request.method not in SAFE:
            seconds = settings.GISPLAN_REPLICA_STICKY_SECONDS
            response.set_cookie(PIN_COOKIE, str(time.time() + seconds), max_age=int(seconds) + 1, httponly=True)
            keys = _pin_keys(request)
            if keys:
                cache.set_many(dict.fromkeys(keys, 1), seconds)
        response["X-Gisplan-Read"] = (state.get("alias") if state["replica"] else None) or DEFAULT_DB_ALIAS
        return response
