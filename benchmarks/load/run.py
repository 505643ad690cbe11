#!/usr/bin/env python
"""Deadline-day load test: gunicorn (production settings, DB_POOL=true) on the load database, the
fixed cost per request, then locust in steps of more users until p95 passes 1 s or errors appear;
prints a table per step and where the time goes at the last step.

    DEBUG=false .venv/bin/python manage.py collectstatic --noinput -v0   # once
    .venv/bin/python benchmarks/load/run.py [--steps 10,20,40,80,120,160,200,240] [--step-seconds 60]

Needs the load database (LOAD_DATABASE_URL, default gisplan_load: whole country, 1,000,000
synthetic projects) and locust in .venv (``pip install locust``). Runs setup_users.py when the
fixtures are missing, cleanup.py before and after (``--keep`` leaves the test's projects). Sends
traffic to 127.0.0.1 only. Writes into LOAD_OUT (default /tmp/gisplan-load): gunicorn.log,
locust.log, records.csv, steps.jsonl, samples.jsonl and results.json.

While locust runs, a sampler reads every second: pg_stat_activity (connections, states, waits),
CPU of the gunicorn workers, of the load database's backends, of the other PostgreSQL processes,
of locust and of the whole machine (/proc through psutil), and /readyz's pool figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import psutil
import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cleanup  # noqa: E402
import fixedcost  # noqa: E402
import loadcfg  # noqa: E402
import report  # noqa: E402

VENV = loadcfg.ROOT / ".venv" / "bin"
ACTIVITY_SQL = """
SELECT count(*) FILTER (WHERE backend_type = 'client backend') AS clients,
       count(*) FILTER (WHERE datname = %(db)s) AS db_clients,
       count(*) FILTER (WHERE datname = %(db)s AND state = 'active') AS active,
       count(*) FILTER (WHERE datname = %(db)s AND state LIKE 'idle in transaction%%') AS idle_in_tx,
       count(*) FILTER (WHERE datname = %(db)s AND state = 'idle') AS idle,
       count(*) FILTER (WHERE datname = %(db)s AND state = 'active' AND wait_event_type = 'Lock') AS wait_lock,
       count(*) FILTER (WHERE datname = %(db)s AND state = 'active' AND wait_event_type = 'LWLock') AS wait_lwlock,
       count(*) FILTER (WHERE datname = %(db)s AND state = 'active' AND wait_event_type = 'IO') AS wait_io,
       count(*) FILTER (WHERE datname = %(db)s AND state = 'active' AND wait_event_type = 'Client') AS wait_client,
       count(*) FILTER (WHERE datname = %(db)s AND state = 'active' AND wait_event_type IS NULL) AS on_cpu,
       array_agg(pid) FILTER (WHERE datname = %(db)s) AS pids
FROM pg_stat_activity WHERE pid <> pg_backend_pid()
"""


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", default="10,20,40,80,120,160,200,240", help="users per step")
    p.add_argument("--step-seconds", type=float, default=60)
    p.add_argument("--settle", type=float, default=5, help="seconds after the sign-ins before measuring")
    p.add_argument("--spawn-rate", type=float, default=10)
    p.add_argument("--p95-limit", type=float, default=1000, help="ms; the step after which the test stops")
    p.add_argument("--think", type=float, default=1.0, help="multiplies every think time")
    p.add_argument("--port", type=int, default=8300)
    p.add_argument("--max-minutes", type=float, default=20, help="locust is stopped after this long")
    p.add_argument("--fixed-n", type=int, default=300, help="requests per fixed-cost measurement (0: skip)")
    p.add_argument("--keep", action="store_true", help="leave the LOADTEST projects in the database")
    p.add_argument("--setup", action="store_true", help="run setup_users.py even when fixtures exist")
    return p.parse_args()


# --- gunicorn ----------------------------------------------------------------------------------


def server_env(port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=loadcfg.DATABASE_URL,
        DEBUG="false",
        DB_POOL="true",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GISPLAN_IMPORT_DIR=str(loadcfg.OUT / "imports"),
    )
    return env


def start_gunicorn(port: int) -> subprocess.Popen:
    log = (loadcfg.OUT / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [str(VENV / "gunicorn"), "--config", "deploy/gunicorn.conf.py"],
        cwd=loadcfg.ROOT,
        env=server_env(port),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline, answer = time.time() + 90, "no answer"
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5):
                return proc
        except urllib.error.HTTPError as exc:  # 503: e.g. migrations pending on the load database
            answer = exc.read().decode(errors="replace")
        except OSError:
            pass
        time.sleep(0.5)
    stop_process(proc)
    raise SystemExit(f"gunicorn did not become ready in 90 s; /readyz: {answer} (manage.py migrate?)")


def stop_process(proc: subprocess.Popen, timeout: float = 40) -> None:
    """SIGTERM to the process (gunicorn: graceful stop of its workers), SIGKILL to its group after ``timeout``."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


# --- the sampler -------------------------------------------------------------------------------


class CpuMeter:
    """CPU % (100 = one core) of a changing set of processes, from their CPU times between calls."""

    def __init__(self):
        self.last: dict[int, float] = {}
        self.at = time.monotonic()

    def percent(self, pids) -> float:
        now, used, seen = time.monotonic(), 0.0, {}
        for pid in pids:
            try:
                t = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            seen[pid] = t.user + t.system
            used += seen[pid] - self.last.get(pid, seen[pid])
        elapsed, self.last, self.at = max(1e-3, now - self.at), seen, now
        return round(100 * used / elapsed, 1)


def postgres_pids() -> list[int]:
    return [p.pid for p in psutil.process_iter(["name"]) if p.info["name"] in ("postgres", "postmaster")]


class Sampler(threading.Thread):
    """Every ``interval`` s: pg_stat_activity, CPU of gunicorn / load backends / other PostgreSQL /
    locust / machine, and every other tick /readyz's pool figures."""

    def __init__(self, gunicorn: psutil.Process, port: int, interval: float = 1.0):
        super().__init__(daemon=True)
        self.gunicorn, self.port, self.interval = gunicorn, port, interval
        self.locust_pid: int | None = None
        self.samples: list[dict] = []
        self.stopping = threading.Event()
        self.meters = {k: CpuMeter() for k in ("gunicorn", "db", "other_pg", "locust")}

    def run(self):
        psutil.cpu_percent()
        with psycopg.connect(loadcfg.PSYCOPG_DSN, autocommit=True) as conn:
            tick = 0
            while not self.stopping.wait(self.interval):
                self.samples.append(self.sample(conn, tick))
                tick += 1

    def sample(self, conn, tick: int) -> dict:
        cur = conn.execute(ACTIVITY_SQL, {"db": loadcfg.DB_NAME})
        s = dict(zip([d.name for d in cur.description], cur.fetchone()))
        db_pids = set(s.pop("pids") or ())
        workers = [p.pid for p in self.gunicorn.children()] + [self.gunicorn.pid]
        s["t"] = time.time()
        s["cpu_gunicorn"] = self.meters["gunicorn"].percent(workers)
        s["cpu_db"] = self.meters["db"].percent(db_pids)
        s["cpu_other_pg"] = self.meters["other_pg"].percent([p for p in postgres_pids() if p not in db_pids])
        s["cpu_locust"] = self.meters["locust"].percent([self.locust_pid] if self.locust_pid else [])
        s["cpu_machine"] = round(psutil.cpu_percent() * psutil.cpu_count(), 1)
        if tick % 2 == 0:
            s["pool"] = readyz_pool(self.port)
        return s


def readyz_pool(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as r:
            return json.load(r).get("checks", {}).get("pool")
    except (OSError, ValueError):
        return {"error": "readyz failed"}


# --- locust ------------------------------------------------------------------------------------


def run_locust(args, sampler: Sampler) -> int:
    env = dict(os.environ)
    env.update(
        LOAD_STEPS=args.steps,
        LOAD_STEP_SECONDS=str(args.step_seconds),
        LOAD_SETTLE_SECONDS=str(args.settle),
        LOAD_SPAWN_RATE=str(args.spawn_rate),
        LOAD_P95_LIMIT_MS=str(args.p95_limit),
        LOAD_THINK=str(args.think),
        LOAD_RECORDS=str(loadcfg.OUT / "records.csv"),
        LOAD_STEPS_LOG=str(loadcfg.OUT / "steps.jsonl"),
    )
    cmd = [
        str(VENV / "locust"),
        "-f",
        str(loadcfg.HERE / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{args.port}",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with (loadcfg.OUT / "locust.log").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=loadcfg.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler.locust_pid = proc.pid
        try:
            return proc.wait(args.max_minutes * 60)
        except subprocess.TimeoutExpired:
            print(f"locust still running after {args.max_minutes} min: stopped")
            proc.send_signal(signal.SIGINT)
            try:
                return proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                return proc.wait()


# --- main --------------------------------------------------------------------------------------


def prepare(args) -> None:
    loadcfg.OUT.mkdir(parents=True, exist_ok=True)
    if not (loadcfg.ROOT / "staticfiles" / "staticfiles.json").exists():
        raise SystemExit("run `DEBUG=false .venv/bin/python manage.py collectstatic --noinput -v0` first")
    with psycopg.connect(loadcfg.PSYCOPG_DSN) as conn:
        n = conn.execute("SELECT count(*) FROM projects_geo_project").fetchone()[0]
    print(f"load database {loadcfg.DB_NAME}: {n:,} projects")
    if args.setup or not loadcfg.FIXTURES.exists():
        subprocess.run([str(VENV / "python"), str(loadcfg.HERE / "setup_users.py")], check=True, cwd=loadcfg.ROOT)
    cleanup.cleanup()


def main():
    args = parse_args()
    prepare(args)
    started = time.time()
    server = start_gunicorn(args.port)
    try:
        fixed = fixedcost.measure(f"127.0.0.1:{args.port}", args.fixed_n) if args.fixed_n else None
        sampler = Sampler(psutil.Process(server.pid), args.port)
        sampler.start()
        code = run_locust(args, sampler)
        sampler.stopping.set()
        sampler.join(10)
    finally:
        stop_process(server)
    results = report.build(loadcfg.OUT, sampler.samples, fixed, started=started, locust_exit=code)
    (loadcfg.OUT / "samples.jsonl").write_text("\n".join(json.dumps(s, default=str) for s in sampler.samples))
    text = json.dumps(results, indent=1, default=str)
    (loadcfg.OUT / "results.json").write_text(text)  # floor.py --mix-from reads this one
    (loadcfg.OUT / time.strftime("results-%Y%m%d-%H%M%S.json", time.localtime(started))).write_text(text)
    print(report.render(results))
    if not args.keep:
        cleanup.cleanup()


if __name__ == "__main__":
    main()
