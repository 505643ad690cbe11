"""Prometheus metrics that apps record (served by ``ops`` at ``/metrics``): how long exports take
to their last byte, and how long each step of an import takes. Request latency by view and the
database pool's figures are recorded by django-prometheus and ``ops.dbmetrics``."""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import Histogram

_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600)

EXPORT_SECONDS = Histogram(
    "gisplan_export_seconds",
    "Time from the start of an export to its last byte (outcome: done, abandoned by the client, error)",
    ["format", "outcome"],
    buckets=_BUCKETS,
)
IMPORT_SECONDS = Histogram(
    "gisplan_import_seconds",
    "Time of an import step (prepare: read, map and check the file; commit: write it)",
    ["step"],
    buckets=_BUCKETS,
)


def timed_stream(blocks: Iterator[bytes], fmt: str) -> Iterator[bytes]:
    """``blocks`` passed through, the whole stream's time recorded in ``EXPORT_SECONDS``."""
    started, outcome = time.perf_counter(), "error"
    try:
        yield from blocks
        outcome = "done"
    except GeneratorExit:
        outcome = "abandoned"
        raise
    finally:
        EXPORT_SECONDS.labels(fmt, outcome).observe(time.perf_counter() - started)
