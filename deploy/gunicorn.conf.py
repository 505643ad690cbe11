"""gunicorn settings for gisplan (``make serve``, deploy/gisplan.service).

Thread workers (gthread): a request that waits on PostgreSQL or streams a large export holds a
thread, not a whole process, and the worker's heartbeat keeps running meanwhile — so ``timeout``
only kills a worker that is stuck, not a long download (with sync workers it would cut a national
Shapefile after 30 s). Each worker has its own connection pool of ``DB_POOL_MAX_SIZE``
connections (≥ threads, so no thread waits on the pool when PostgreSQL has room) plus
``GISPLAN_EXTRA_CONNECTIONS`` for exports and large validations: a server holds at most
``workers × (DB_POOL_MAX_SIZE + GISPLAN_EXTRA_CONNECTIONS)`` connections (docs/operations.md).
Every value can be overridden by the GUNICORN_* variables below.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
wsgi_app = "gisplan.wsgi:application"
# CPU-bound parts (JSON, GEOS) hold the GIL: one process per core, threads for the waits.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then (a slow leak in a library cannot grow for ever).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Requests larger than this are refused before Django sees them (imports are ≤ 50 MB, see settings).
limit_request_line = 8190
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s", '
    '"status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
)
proc_name = "gisplan"
