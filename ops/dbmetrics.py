"""Database observability: slow statements logged, connection-pool figures exported to Prometheus.

- ``watch_connection`` (on ``connection_created``) adds an execute wrapper that logs every
  statement slower than ``GISPLAN_SLOW_QUERY_MS`` (logger ``gisplan.slow_query``, with its
  duration and the first 2,000 characters of its SQL; parameters are not logged).
- ``PoolCollector`` reads ``psycopg_pool``'s own statistics of the pool Django opened (size,
  connections in use and waiting requests, waits and time-outs since start) and of the bounded
  extra connections of ``common.dbconn``.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connections
from prometheus_client.core import REGISTRY, GaugeMetricFamily

from common import dbconn

log = logging.getLogger("gisplan.slow_query")


def _slow_query_wrapper(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        ms = (time.perf_counter() - started) * 1000
        if ms >= settings.GISPLAN_SLOW_QUERY_MS:
            log.warning(
                "slow query: %.1f ms", ms, extra={"duration_ms": round(ms, 1), "sql": str(sql)[:2000], "many": many}
            )


def watch_connection(sender, connection, **kwargs):
    """Log slow statements of this connection (once per connection wrapper)."""
    if settings.GISPLAN_SLOW_QUERY_MS > 0 and _slow_query_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_slow_query_wrapper)


def pool_stats(alias: str = "default") -> dict | None:
    """``psycopg_pool`` statistics of Django's pool for ``alias`` (None without a pool or before
    it was opened)."""
    pool = connections[alias].pool if hasattr(connections[alias], "pool") else None
    if pool is None or pool.closed:
        return None
    return pool.get_stats()


class PoolCollector:
    """Gauges read at scrape time: Django's pool and the extra connections of ``common.dbconn``."""

    def collect(self):
        stats = pool_stats() or {}
        size = GaugeMetricFamily("gisplan_db_pool_size", "Connections the pool holds (idle or lent)")
        used = GaugeMetricFamily("gisplan_db_pool_in_use", "Connections lent to requests now")
        waiting = GaugeMetricFamily("gisplan_db_pool_waiting", "Requests waiting for a connection now")
        max_size = GaugeMetricFamily("gisplan_db_pool_max_size", "Most connections the pool may open")
        timeouts = GaugeMetricFamily("gisplan_db_pool_timeouts", "Requests that waited too long since start")
        if stats:
            size.add_metric([], stats.get("pool_size", 0))
            used.add_metric([], stats.get("pool_size", 0) - stats.get("pool_available", 0))
            waiting.add_metric([], stats.get("requests_waiting", 0))
            max_size.add_metric([], stats.get("pool_max", 0))
            timeouts.add_metric([], stats.get("requests_errors", 0))
        extra = GaugeMetricFamily("gisplan_db_extra_connections_in_use", "Extra connections (exports, validation)")
        extra.add_metric([], dbconn.extra_connections_in_use())
        yield from (size, used, waiting, max_size, timeouts, extra)


_registered = False


def register_pool_collector():
    global _registered
    if not _registered:
        REGISTRY.register(PoolCollector())
        _registered = True
