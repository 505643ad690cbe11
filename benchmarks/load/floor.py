#!/usr/bin/env python
"""The floor of the deadline-day mix: its SQL alone, replayed on raw connections.

    .venv/bin/python benchmarks/load/floor.py [--concurrency 1,2,4,8,16] [--seconds 15] [--variants 6]
        [--mix-from /tmp/gisplan-load/results.json]

1. Capture. In process (Django test client, DEBUG off, the load database), each script of
   ``flows.py`` runs ``--variants`` times (different LAOs, provinces, zooms) under
   ``CaptureQueriesContext``: for every HTTP request, the SQL Django sent, as executed (client-side
   binding: the text with its values), and the request's time in process. Sign-ins happen before
   the capture and are not part of it. Not captured, so not in the floor: imports (COPY and temp
   tables on the raw psycopg cursor) and exports (read on extra connections of ``common.dbconn``).
2. Replay. N threads, each on its own psycopg connection (autocommit, no prepared statements, JIT
   off, as the app), loop for ``--seconds``: pick a script kind by the mix (engineer : planner :
   analyst : QGIS iterations; by default the web run's counts from ``--mix-from``, else 12:4:3:1),
   pick one of its captured variants, and send its requests' statements in order with no think
   time — Django's own BEGIN / SAVEPOINT / COMMIT included (Django logs them), so a saved project
   is saved again, committed (cleanup.py removes the copies); the captured project's id in the
   statements after the INSERT becomes the new project's (its tambon shares, history row and
   page). The one exception: a stage is recorded once per project (unique), so "record stage"
   ends with ROLLBACK instead of COMMIT and can be replayed on the captured project; its WAL flush
   is not in the floor, and concurrent replays of it lock the same few project rows, which the web
   run's planners do not.

Prints requests/s and iterations/s per concurrency, p50/p95 per request kind at each, and for
each kind the in-process time of one request against the time its SQL took then (no load).
The projects the capture itself saved are LOADTEST projects: cleanup.py removes them at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadcfg  # noqa: E402

sys.path.insert(0, str(loadcfg.ROOT))
os.environ["DATABASE_URL"] = loadcfg.DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")
os.environ["DEBUG"] = "false"
os.environ["DB_POOL"] = "false"

import django  # noqa: E402

django.setup()

import cleanup  # noqa: E402
import flows  # noqa: E402
import psycopg  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as DjangoClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# A stage is recorded once per project (unique): this request's transaction is rolled back, not
# committed, so that it can be replayed again and again on the captured project.
ROLLED_BACK = {"record stage"}
NEW_PROJECT = 'INSERT INTO "projects_geo_project" '
DEFAULT_MIX = {"engineer": 12, "planner": 4, "analyst": 3, "qgis": 1}


class CaptureClient:
    """``flows.Client`` in process: every request's SQL and time recorded, no think time."""

    def __init__(self, seed: int, authorization: str | None = None):
        self.rng = random.Random(seed)
        self.client = DjangoClient(HTTP_HOST="127.0.0.1")
        self.authorization = authorization
        self.requests: list[dict] = []
        self.recording = False

    def request(self, method, url, name, *, expect=(200,), body=None, content_type=None, headers=None):
        extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()}
        if self.authorization:
            extra["HTTP_AUTHORIZATION"] = self.authorization
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.generic(
                method, url, data=body or b"", content_type=content_type or "application/octet-stream", **extra
            )
            content = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - started
        if self.recording:
            statements = [q["sql"] for q in ctx.captured_queries if q["sql"] and not re.match(r"\d+ times: ", q["sql"])]
            db_time = sum(float(q["time"]) for q in ctx.captured_queries)
            self.requests.append({"name": name, "sql": statements, "ms": elapsed * 1000, "db_ms": db_time * 1000})
        if response.status_code not in expect:
            raise flows.FlowAbort(f"{name}: HTTP {response.status_code}")
        return flows.Reply(response.status_code, content, response.get("Location", ""))

    def csrf(self) -> str:
        cookie = self.client.cookies.get("csrftoken")
        return cookie.value if cookie else "floor"

    def pause(self, low, high):
        pass


def _captured(client: CaptureClient, flow, *args) -> tuple[list[dict], object]:
    client.recording = True
    result = flow(client, *args)
    client.recording = False
    return client.requests, result


def capture(fixtures: dict, variants: int) -> dict[str, list[list[dict]]]:
    """For each script kind, ``variants`` captured iterations (lists of {name, sql, ms, db_ms})."""
    rng = random.Random(11)
    laos, analysts = rng.sample(fixtures["laos"], variants), fixtures["analysts"]
    out = defaultdict(list)
    for i, lao in enumerate(laos):
        engineer = CaptureClient(100 + i)
        flows.login(engineer, lao["engineer"], fixtures["password"])
        requests, project_id = _captured(engineer, flows.engineer_iteration, lao, fixtures, 0.0)
        for request in requests:
            request["project_id"] = project_id
        out["engineer"].append(requests)
        planner = CaptureClient(200 + i)
        flows.login(planner, lao["planner"], fixtures["password"])
        out["planner"].append(_captured(planner, flows.planner_iteration, lao, [[project_id, 1]])[0])
        _reset_stages(project_id)
    for i in range(variants):
        analyst = analysts[(i * 3) % len(analysts)]
        client = CaptureClient(300 + i)
        flows.login(client, analyst["username"], fixtures["password"])
        out["analyst"].append(_captured(client, flows.analyst_iteration, analyst, fixtures, 0.0)[0])
        qgis = CaptureClient(400 + i, flows.basic_auth(analyst["username"], fixtures["password"]))
        flows.get(qgis, "/ogc/conformance", "ogc warm-up")  # the password check, remembered afterwards
        out["qgis"].append(_captured(qgis, flows.ogc_iteration, analyst)[0])
    return out


def _reset_stages(project_id: int) -> None:
    """The captured project back to no stage, so that replaying its stage recording can succeed."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM projects_geo_projectstage WHERE project_id = %s", [project_id])
        cur.execute("UPDATE projects_geo_project SET current_stage = NULL WHERE id = %s", [project_id])


# --- replay ------------------------------------------------------------------------------------


def run_request(conn, request: dict, new_ids: dict) -> float:
    """The request's statements in order, transaction control included, as Django sent them.

    The captured project's id in the text becomes the id of the project this replay's save
    created (``new_ids``: captured → new), so that its tambon shares, history and page are its own.
    """
    rollback = request["name"] in ROLLED_BACK
    started = time.perf_counter()
    with conn.cursor() as cur:
        try:
            for sql in request["sql"]:
                for old, new in new_ids.items():
                    sql = re.sub(rf"\b{old}\b", str(new), sql)
                cur.execute("ROLLBACK" if rollback and sql.strip().upper() == "COMMIT" else sql)
                rows = cur.fetchall() if cur.description is not None else None
                if request.get("project_id") and sql.startswith(NEW_PROJECT) and rows:
                    new_ids[request["project_id"]] = rows[0][0]
        except psycopg.Error:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.execute("ROLLBACK")
            raise
    return (time.perf_counter() - started) * 1000


class Replayer(threading.Thread):
    def __init__(self, captured, weights, until, seed):
        super().__init__(daemon=True)
        self.captured, self.weights, self.until = captured, weights, until
        self.rng = random.Random(seed)
        self.times: dict[str, list[float]] = defaultdict(list)
        self.iterations, self.errors, self.error_samples = 0, 0, []

    def run(self):
        kinds = list(self.weights)
        conn = psycopg.connect(loadcfg.PSYCOPG_DSN, autocommit=True, prepare_threshold=None, options="-c jit=off")
        with conn:
            while time.time() < self.until:
                kind = self.rng.choices(kinds, [self.weights[k] for k in kinds])[0]
                new_ids = {}
                for request in self.rng.choice(self.captured[kind]):
                    try:
                        self.times[request["name"]].append(run_request(conn, request, new_ids))
                    except psycopg.Error as exc:
                        self.errors += 1
                        if len(self.error_samples) < 3:
                            self.error_samples.append(f"{request['name']}: {type(exc).__name__}: {str(exc)[:160]}")
                self.iterations += 1


def replay(captured, weights, concurrency: int, seconds: float) -> dict:
    until = time.time() + seconds
    threads = [Replayer(captured, weights, until, seed) for seed in range(concurrency)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    times = defaultdict(list)
    for t in threads:
        for name, values in t.times.items():
            times[name].extend(values)
    everything = sorted(v for values in times.values() for v in values)
    return {
        "concurrency": concurrency,
        "requests_per_s": round(len(everything) / elapsed, 1),
        "iterations_per_s": round(sum(t.iterations for t in threads) / elapsed, 2),
        "errors": sum(t.errors for t in threads),
        "error_samples": [e for t in threads for e in t.error_samples][:5],
        "p50": _pct(everything, 0.5),
        "p95": _pct(everything, 0.95),
        "p99": _pct(everything, 0.99),
        "kinds": {
            k: {"n": len(v), "p50": _pct(sorted(v), 0.5), "p95": _pct(sorted(v), 0.95)} for k, v in times.items()
        },
    }


def _pct(values, q):
    return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else 0.0


def mix_weights(path: str | None) -> dict:
    """Iterations of each script in the web run (from its request counts), else the user weights."""
    if not path or not os.path.exists(path):
        return dict(DEFAULT_MIX)
    mix = json.loads(open(path).read())["mix"]
    engineer = mix.get("entry page", 0)
    return {
        "engineer": engineer,
        "planner": max(0, mix.get("lao page", 0) - engineer),
        "analyst": mix.get("analysis page", 0),
        "qgis": max(1, round(mix.get("ogc items", 0) / 3)),
    }


def mix_mean(captured, weights) -> str:
    """Per request of the mix (scripts weighted as replayed): mean time in process, of which SQL."""
    totals = {"ms": 0.0, "db_ms": 0.0, "n": 0.0}
    for kind, iterations in captured.items():
        for key in totals:
            per_iteration = statistics.fmean(len(it) if key == "n" else sum(r[key] for r in it) for it in iterations)
            totals[key] += weights.get(kind, 0) * per_iteration
    n = totals["n"] or 1
    ms, db = totals["ms"] / n, totals["db_ms"] / n
    return (
        f"mix mean per request, one at a time in process: {ms:.1f} ms, of which SQL {db:.1f} ms, rest {ms - db:.1f} ms"
    )


def in_process_table(captured) -> list[str]:
    """Per request kind: time of one request in process against its SQL's time (capture, no load;
    means over the captured requests, so that they add up)."""
    per = defaultdict(list)
    for iterations in captured.values():
        for iteration in iterations:
            for r in iteration:
                per[r["name"]].append(r)
    lines = [
        "| kind | captured | statements | in process ms (mean) | of which SQL ms | Python + rest ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, rs in sorted(per.items()):
        ms, db = statistics.fmean(r["ms"] for r in rs), statistics.fmean(r["db_ms"] for r in rs)
        n = statistics.median(len(r["sql"]) for r in rs)
        lines.append(f"| {name} | {len(rs)} | {n:g} | {ms:.1f} | {db:.1f} | {ms - db:.1f} |")
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--concurrency", default="1,2,4,8,16")
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--variants", type=int, default=6)
    p.add_argument("--mix-from", default=str(loadcfg.OUT / "results.json"))
    args = p.parse_args()
    fixtures = json.loads(loadcfg.FIXTURES.read_text())
    captured = capture(fixtures, args.variants)
    connection.close()
    weights = mix_weights(args.mix_from)
    per_iteration = {k: statistics.fmean(len(it) for it in v) for k, v in captured.items()}
    print(
        f"mix (iterations): {weights}; requests per iteration: { {k: round(v, 1) for k, v in per_iteration.items()} }"
    )
    results = [replay(captured, weights, int(n), args.seconds) for n in args.concurrency.split(",")]
    print(render(results, captured))
    print(mix_mean(captured, weights))
    (loadcfg.OUT / "floor.json").write_text(json.dumps({"weights": weights, "results": results}, indent=1))
    cleanup.cleanup()


def render(results, captured) -> str:
    lines = ["| raw connections | requests/s | iterations/s | p50 ms | p95 ms | p99 ms | errors |"]
    lines.append("|---|---|---|---|---|---|---|")
    for r in results:
        lines.append(
            f"| {r['concurrency']} | {r['requests_per_s']} | {r['iterations_per_s']} | {r['p50']} | {r['p95']} "
            f"| {r['p99']} | {r['errors']} |"
        )
    kinds = sorted({k for r in results for k in r["kinds"]})
    lines += ["", "| kind | " + " | ".join(f"{r['concurrency']} conn p50 / p95" for r in results) + " |"]
    lines.append("|---" * (len(results) + 1) + "|")
    for kind in kinds:
        cells = [
            f"{r['kinds'][kind]['p50']} / {r['kinds'][kind]['p95']}" if kind in r["kinds"] else "–" for r in results
        ]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    errors = [f"errors at {r['concurrency']} connections: {r['error_samples']}" for r in results if r["errors"]]
    return "\n".join([*lines, "", *in_process_table(captured), "", *errors])


if __name__ == "__main__":
    main()
