#!/usr/bin/env python
"""What gisplan does on a database connection beyond one statement at a time, checked through
whatever DATABASE_URL points at (PgBouncer in transaction mode, or PostgreSQL itself as the
control). Run by run.py; prints one JSON line per check (``{"check", "ok", "detail", ...}``).

    DATABASE_URL=postgis://gisplan:gisplan@127.0.0.1:6433/gisplan_pool DB_POOL=false CONN_MAX_AGE=0 \\
        .venv/bin/python benchmarks/pool/checks.py [--plain-db NAME] [--tiny-db NAME]

Checks: ``SHOW jit`` (the ``-c jit=off`` startup option), a GeoJSON export read on two extra
connections in one exported snapshot (``pg_export_snapshot``; on ``--tiny-db`` too, a pool of 2
server connections), a large validation batch whose lines go to a second connection, Django's
``QuerySet.iterator()`` (a server-side cursor ``WITH HOLD`` in autocommit) with and without
``DISABLE_SERVER_SIDE_CURSORS``, gisplan's own chunked cursor, and ``assume_role`` (``SET ROLE``).
Every loop is bounded in time; nothing is written to the database.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")
os.environ.setdefault("DB_POOL", "false")

ROLE = "pg_read_all_data"  # a role every superuser may SET ROLE to; read-only, nothing to create


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plain-db", help="a PgBouncer database without connect_query (the JIT check)")
    p.add_argument("--tiny-db", help="a PgBouncer database with a pool of 2 server connections (export check)")
    p.add_argument("--churn-threads", type=int, default=6)
    return p.parse_args()


def setup_django(args) -> None:
    """gisplan's settings plus the aliases the checks use: ``roled`` (assume_role), ``plain`` and
    ``tiny`` (other PgBouncer databases), all copies of ``default``."""
    import django
    from django.conf import settings

    default = settings.DATABASES["default"]
    roled = copy.deepcopy(default)
    roled["OPTIONS"]["assume_role"] = ROLE
    settings.DATABASES["roled"] = roled
    for alias, name in (("plain", args.plain_db), ("tiny", args.tiny_db)):
        if name:
            settings.DATABASES[alias] = {**copy.deepcopy(default), "NAME": name}
    django.setup()


def emit(check: str, ok: bool, detail: str, **extra) -> None:
    print(json.dumps({"check": check, "ok": ok, "detail": detail, **extra}), flush=True)


class Churn:
    """Threads running short autocommit statements on their own connections of ``alias`` until
    stopped (at most ``seconds``), so that PgBouncer hands server connections around as under
    load. ``seen`` collects what ``statement`` returned."""

    def __init__(self, n: int, alias: str = "default", statement: str = "SELECT pg_sleep(0.002)", seconds=60):
        self.alias, self.statement, self.deadline = alias, statement, time.monotonic() + seconds
        self.stop = threading.Event()
        self.seen: dict = {}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(n)]

    def _run(self):
        from django.db import connections

        conn = connections[self.alias]
        try:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                with conn.cursor() as cur:
                    cur.execute(self.statement)
                    row = cur.fetchone()
                with self.lock:
                    key = str(row[0]) if row else ""
                    self.seen[key] = self.seen.get(key, 0) + 1
        finally:
            conn.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(10)


# --- JIT -----------------------------------------------------------------------------------------


def check_jit(args) -> None:
    from django.db import connections

    for alias in ("default", "plain") if args.plain_db else ("default",):
        with connections[alias].cursor() as cur:
            cur.execute("SHOW jit")
            jit = cur.fetchone()[0]
        options = connections[alias].settings_dict["OPTIONS"].get("options")
        name = connections[alias].settings_dict["NAME"]
        emit(f"jit[{alias}]", jit == "off", f"database {name}: options {options!r}, SHOW jit = {jit}")


# --- export in an exported snapshot ----------------------------------------------------------------


def _export_rows(alias: str, parallel: bool):
    """(rows digest, row count, parallel path taken) of the GeoJSON-style export statement (WKT
    geometry, so rows compare as text) of every project, one id range per project."""
    from exchange.exports import query
    from projects_geo.models import Project

    qs = Project.objects.using(alias).all()
    used = {}
    real_connect = query._ParallelRead.connect

    def connect(self):
        used["parallel"] = real_connect(self)
        return used["parallel"]

    query._ParallelRead.connect = connect
    try:
        if parallel:
            chunks = query.iter_export_chunks(lambda q, ranged: query.attributes_sql(q, "wkt", ranged), qs, chunk=1)
        else:
            sql, params = query.attributes_sql(qs, "wkt")
            chunks = query.iter_chunks(sql, params, using=alias, chunk=1)
        rows = [tuple(r) for chunk in chunks for r in chunk]
    finally:
        query._ParallelRead.connect = real_connect
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16], len(rows), used.get("parallel", False)


def check_export(alias: str = "default") -> None:
    from django.db import connections

    started = time.monotonic()
    try:
        single = _export_rows(alias, parallel=False)
        parallel = _export_rows(alias, parallel=True)
    except Exception as e:  # noqa: BLE001 — the finding is the error
        secs = time.monotonic() - started
        emit(f"export_snapshot[{alias}]", False, f"{type(e).__name__} after {secs:.1f} s: {str(e).strip()[:200]}")
        connections[alias].close()
        return
    secs = time.monotonic() - started
    ok = single[:2] == parallel[:2] and parallel[2]
    emit(
        f"export_snapshot[{alias}]",
        ok,
        f"single cursor {single[1]} rows {single[0]}; two connections in the exported snapshot "
        f"{parallel[1]} rows {parallel[0]} (parallel path taken: {parallel[2]}); {secs:.1f} s",
    )


def check_export_bounded(alias: str, seconds: float = 90) -> None:
    """``check_export`` in a thread given at most ``seconds`` (PgBouncer's query_wait_timeout ends it first)."""
    t = threading.Thread(target=check_export, args=(alias,), daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        emit(f"export_snapshot[{alias}]", False, f"still waiting after {seconds:.0f} s (abandoned)")


# --- validation's second connection ----------------------------------------------------------------


def _validation_items(n_points: int = 1500, n_lines: int = 700):
    """Points and short lines around Patong (Phuket), as the Patong LAO would send them."""
    import random

    from django.contrib.gis.geos import GEOSGeometry

    from layers.models import Organization

    org = Organization.objects.get(dla_code="4830201")
    rng = random.Random(7)
    items = []
    for k in range(n_points + n_lines):
        x, y = 98.28 + rng.random() * 0.06, 7.86 + rng.random() * 0.08
        if k < n_points:
            geom, kind = GEOSGeometry(f"SRID=4326;POINT({x} {y})"), "water"
        else:
            pts = ", ".join(f"{x + i * 0.002} {y + rng.uniform(-0.001, 0.001)}" for i in range(4))
            geom, kind = GEOSGeometry(f"SRID=4326;LINESTRING({pts})"), "road"
        items.append({"geometry": geom, "organization": org, "kind": kind, "fiscal_year": 2568})
    return items


def _digest(results) -> str:
    key = [(json.dumps(r.units.as_dict(), sort_keys=True, default=str), [f.code for f in r.findings]) for r in results]
    return hashlib.sha256(repr(key).encode()).hexdigest()[:16]


def check_validation() -> None:
    from django.test import override_settings

    from layers import lookup
    from projects_geo.validation import validate_batch

    items = _validation_items()
    answered = []
    real_rows = lookup._LinesElsewhere.rows

    def rows(self):
        out = real_rows(self)
        answered.append(out is not None)
        return out

    lookup._LinesElsewhere.rows = rows
    try:
        started = time.monotonic()
        with_second = _digest(validate_batch(items))
        secs = time.monotonic() - started
        with override_settings(GISPLAN_VALIDATION_SECOND_CONNECTION=False):
            alone = _digest(validate_batch(items))
    except Exception as e:  # noqa: BLE001 — the finding is the error
        emit("validation_second_connection", False, f"{type(e).__name__}: {str(e).strip()[:200]}")
        return
    finally:
        lookup._LinesElsewhere.rows = real_rows
    ok = with_second == alone and answered == [True]
    emit(
        "validation_second_connection",
        ok,
        f"{len(items)} items: second connection answered {answered}; results {with_second} "
        f"(one connection: {alone}); {secs:.1f} s",
    )


# --- server-side cursors --------------------------------------------------------------------------


def _iterate(atomic: bool, rounds: int = 5):
    """Failures of ``rounds`` runs of ``QuerySet.iterator(chunk_size=2)`` over 300 tambon ids,
    in autocommit (Django declares the cursor WITH HOLD) or in a transaction."""
    from django.db import connection, transaction

    from layers.models import Tambon

    failures, messages = 0, set()
    for _ in range(rounds):
        try:
            if atomic:
                with transaction.atomic():
                    ids = list(Tambon.objects.order_by("id").values_list("id", flat=True)[:300].iterator(chunk_size=2))
            else:
                ids = list(Tambon.objects.order_by("id").values_list("id", flat=True)[:300].iterator(chunk_size=2))
            if len(ids) != 300:
                raise RuntimeError(f"{len(ids)} ids")
        except Exception as e:  # noqa: BLE001 — counted
            failures += 1
            messages.add(f"{type(e).__name__}: {str(e).strip().splitlines()[0][:120]}")
            connection.close()
    return failures, rounds, sorted(messages)


def check_cursors(churn_threads: int) -> None:
    from django.db import connection

    with Churn(churn_threads):
        time.sleep(0.2)
        auto = _iterate(atomic=False)
        in_tx = _iterate(atomic=True)
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
        try:
            disabled = _iterate(atomic=False)
            # gisplan's exports call chunked_cursor() themselves, inside a transaction: the
            # setting does not turn their server-side cursor off (their memory stays flat).
            with connection.chunked_cursor() as cur:
                export_cursor = type(cur.cursor).__name__
        finally:
            connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False
    for name, (failed, rounds, messages) in (
        ("iterator_autocommit", auto),
        ("iterator_in_transaction", in_tx),
        ("iterator_autocommit_DISABLE_SERVER_SIDE_CURSORS", disabled),
    ):
        emit(name, failed == 0, f"{failed}/{rounds} runs failed" + (f": {'; '.join(messages)}" if messages else ""))
    emit("chunked_cursor_with_DISABLE_SERVER_SIDE_CURSORS", export_cursor == "ServerSideCursor", export_cursor)


# --- SET ROLE ------------------------------------------------------------------------------------


def _extra_connection_role(samples: int = 100) -> dict:
    """gisplan's extra connections (common.dbconn): SET ROLE in autocommit, then transactions."""
    from django.db import connections

    from common import dbconn

    args = dbconn.ConnectionArgs(connections["roled"].get_connection_params(), ROLE)
    seen: dict = {}
    conn = dbconn.connect(args)
    try:
        dbconn.take_role(conn, args)
        for _ in range(samples):
            with conn.transaction():
                user = conn.execute("SELECT current_user").fetchone()[0]
            seen[user] = seen.get(user, 0) + 1
            time.sleep(0.002)
    finally:
        conn.close()
    return seen


def check_role(churn_threads: int, samples: int = 200) -> None:
    from django.db import connections

    roled: dict = {}
    with Churn(churn_threads, statement="SELECT current_user") as churn:
        conn = connections["roled"]
        for _ in range(samples):
            with conn.cursor() as cur:
                cur.execute("SELECT current_user")
                user = cur.fetchone()[0]
            roled[user] = roled.get(user, 0) + 1
            time.sleep(0.002)
        extra = _extra_connection_role()
    conn.close()
    lost = sum(v for k, v in roled.items() if k != ROLE)
    leaked = churn.seen.get(ROLE, 0)
    emit(
        "assume_role",
        lost == 0 and leaked == 0,
        f"Django connection with assume_role={ROLE}: current_user {roled}; other clients without a role: {churn.seen}",
        lost=lost,
        leaked=leaked,
    )
    emit("extra_connection_role", set(extra) == {ROLE}, f"dbconn.connect + take_role: current_user {extra}")


def main():
    args = parse_args()
    setup_django(args)
    check_jit(args)
    check_export_bounded("default")
    if args.tiny_db:
        check_export_bounded("tiny")
    check_validation()
    check_cursors(args.churn_threads)
    check_role(args.churn_threads)  # last: through PgBouncer it leaves roles behind on server connections


if __name__ == "__main__":
    main()
