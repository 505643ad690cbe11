"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database reachable, every
migration applied, a connection could be had from the pool; the cache is reported, but sessions
fall back to the database without it, so it does not make the server unready; so are the read
replicas, with their lag: reads fall back to the primary without them). Plain JSON, no session or sign-in,
for load balancers and systemd/Kubernetes probes; ``/readyz`` answers 503 when not ready."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponseForbidden, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error
from django_prometheus.exports import ExportToDjangoView

from .dbmetrics import pool_stats
from .middleware import busy_response, is_database_busy
from .replicas import replica_aliases, replica_status


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_check() -> dict:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"database": "ok", "migrations_pending": len(pending)}


@never_cache
@require_GET
def readyz(request):
    checks: dict = {}
    ready = True
    try:
        checks.update(_database_check())
        ready = checks["migrations_pending"] == 0
    except Exception as exc:  # noqa: BLE001 — any failure to reach the database means "not ready"
        checks["database"] = f"error: {type(exc).__name__}"
        ready = False
    try:
        cache.set("ops:readyz", 1, 5)
        checks["cache"] = "ok" if cache.get("ops:readyz") == 1 else "error: not stored"
    except Exception as exc:  # noqa: BLE001 — sessions fall back to the database; say so, stay ready
        checks["cache"] = f"error: {type(exc).__name__}"
    replicas = replica_aliases()
    if replicas:  # a replica down or behind is not used (the primary answers): reported, still ready
        checks["replicas"] = {alias: replica_status(alias) for alias in replicas}
    stats = pool_stats()
    if stats is not None:
        checks["pool"] = {
            "size": stats.get("pool_size", 0),
            "available": stats.get("pool_available", 0),
            "max": stats.get("pool_max", 0),
            "waiting": stats.get("requests_waiting", 0),
        }
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def server_error(request, *args, **kwargs):
    """``handler500``: a busy database is a 503 with Retry-After wherever it happened; anything else
    is Django's own 500 page."""
    if is_database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return django_server_error(request, *args, **kwargs)


@never_cache
@require_GET
def metrics(request):
    """Prometheus metrics of this process, for scrapers on ``METRICS_ALLOWED_IPS`` only (the
    address the request came from, as the server sees it, not a forwarded header)."""
    if request.META.get("REMOTE_ADDR") not in settings.METRICS_ALLOWED_IPS:
        return HttpResponseForbidden("metrics are served to the monitoring hosts only\n", content_type="text/plain")
    return ExportToDjangoView(request)


@require_GET
def favicon(request):
    """``/favicon.ico``, which browsers ask for on their own: the site's icon (a static file)."""
    return HttpResponsePermanentRedirect(static("gisplan/favicon.svg"))
