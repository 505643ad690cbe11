#!/usr/bin/env python
"""Connection pooling: Django's psycopg pool against PgBouncer in transaction mode, in one run.

    .venv/bin/python benchmarks/pool/run.py [--rounds 3] [--seconds 20] [--concurrency 8,16,32]
                                            [--configs a,b,c,d] [--no-checks]

Configurations, each its own gunicorn with production settings (deploy/gunicorn.conf.py,
DEBUG=false, 2 workers × 4 threads, ``PGAPPNAME=poolbench-<key>``), all started at the beginning
and left running, so that their steps alternate within minutes (the machine is shared and its
load swings): in each round every concurrency level runs on every configuration in turn, and the
order of the configurations rotates from round to round.

  a  DB_POOL=true (Django's pool, 8 per worker), straight to PostgreSQL — what gisplan ships;
  b  DB_POOL=false CONN_MAX_AGE=0 through PgBouncer (transaction mode, default_pool_size 16 =
     2 workers × 8): a new client connection to PgBouncer per request;
  c  DB_POOL=false CONN_MAX_AGE=60 straight to PostgreSQL: the old default, for reference;
  d  DB_POOL=true through the same PgBouncer: the layout for many servers on one database.

For every configuration and concurrency, wrk (Debian's) runs ``mix.lua`` for ``--seconds``: the
API page ``/api/projects/?page_size=50`` (HTTP Basic, patong-engineer), ``/readyz`` and a boundary
layer (a session cookie: the layer takes no Basic credentials) in turn. A sampler counts the
configuration's server connections (pg_stat_activity, by application name) every 0.2 s, and
PgBouncer's waiting clients. At the start of each round, each server answers 30 requests of each
kind one at a time (the fixed cost).
Then the same rounds again with ``--bound-threads`` (16) threads per worker at
``--bound-concurrency`` (32): more threads than pooled connections, where the configurations'
bounds on PostgreSQL's connections differ.
Afterwards (unless --no-checks) the compatibility checks of checks.py run through PgBouncer and
straight to PostgreSQL, and the GeoJSON export over HTTP is compared between a and b.

The database is a copy of the dev database (``--source``, default gisplan) made once with pg_dump
into ``--database`` (default gisplan_pool) and migrated; the dev database itself is refused.
PgBouncer (``apt-get install pgbouncer``) runs from a temporary directory as user postgres on
127.0.0.1:``--bouncer-port``, one database (pool) per configuration that uses it; the servers on
127.0.0.1:``--port`` and the next ports.
Everything started is stopped at the end; every wait is bounded. Results: ``--out``/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV = ROOT / ".venv" / "bin"
USER, PASSWORD = "gisplan", "gisplan"
API_USER, API_PASSWORD = "patong-engineer", "gisplan-demo"
# A map view of Bangkok: four provinces from the simplified country layer. The whole country at
# zoom 6 costs PostgreSQL ~0.2 s of simplifying the full-resolution Phuket sample per request.
BOUNDARY = "/layers/boundaries/province.geojson?zoom=6&bbox=100.4,13.6,100.7,13.9"
PROBE_PATHS = ("/api/projects/?page_size=50", "/readyz", BOUNDARY)


@dataclass(frozen=True)
class Config:
    key: str
    label: str
    bouncer: bool
    env: dict = field(default_factory=dict)

    def db_name(self, database: str) -> str:
        """The database the server names: PgBouncer gives each configuration a pool of its own."""
        return f"{database}_{self.key}" if self.bouncer else database

    @property
    def app_name(self) -> str:  # PGAPPNAME: its server connections in pg_stat_activity
        return f"poolbench-{self.key}"


CONFIGS = {
    "a": Config("a", "Django pool (DB_POOL=true), direct", False, {"DB_POOL": "true"}),
    "b": Config(
        "b", "PgBouncer transaction, DB_POOL=false CONN_MAX_AGE=0", True, {"DB_POOL": "false", "CONN_MAX_AGE": "0"}
    ),
    "c": Config(
        "c", "persistent, DB_POOL=false CONN_MAX_AGE=60, direct", False, {"DB_POOL": "false", "CONN_MAX_AGE": "60"}
    ),
    "d": Config("d", "Django pool (DB_POOL=true) through PgBouncer", True, {"DB_POOL": "true"}),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=20, help="per concurrency level")
    p.add_argument("--concurrency", default="8,16,32")
    p.add_argument("--configs", default="a,b,c,d")
    p.add_argument("--database", default="gisplan_pool")
    p.add_argument("--source", default="gisplan", help="copied into --database when that does not exist")
    p.add_argument("--port", type=int, default=18471)
    p.add_argument("--bouncer-port", type=int, default=6433)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--pool-max", type=int, default=8, help="DB_POOL_MAX_SIZE; PgBouncer gets workers × this")
    p.add_argument(
        "--bound-threads",
        type=int,
        default=16,
        help="then the same rounds with this many threads per worker at --bound-concurrency (0: skip)",
    )
    p.add_argument("--bound-concurrency", type=int, default=32)
    p.add_argument("--max-minutes", type=float, default=45, help="no new step starts after this, per phase")
    p.add_argument("--no-checks", action="store_true")
    p.add_argument("--out", default="/tmp/gisplan-pool")
    return p.parse_args()


def dsn(db: str, port: int = 5432) -> str:
    return f"host=127.0.0.1 port={port} user={USER} password={PASSWORD} dbname={db}"


def db_url(db: str, port: int) -> str:
    return f"postgis://{USER}:{PASSWORD}@127.0.0.1:{port}/{db}"


# --- the database ---------------------------------------------------------------------------------


def ensure_database(args) -> None:
    if args.database == "gisplan":
        sys.exit("benchmarks/pool: give it a database of its own (--database), not the dev database gisplan")
    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone()
        if not exists:
            print(f"copying {args.source} into {args.database} …", flush=True)
            conn.execute(f'CREATE DATABASE "{args.database}"')
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    if not exists:
        dump = subprocess.Popen(
            ["pg_dump", "-h", "127.0.0.1", "-U", USER, "--no-owner", args.source], stdout=subprocess.PIPE, env=env
        )
        subprocess.run(
            ["psql", "-q", "-h", "127.0.0.1", "-U", USER, "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", args.database],
            stdin=dump.stdout,
            env=env,
            check=True,
            timeout=600,
        )
        dump.stdout.close()
        if dump.wait(60) != 0:
            sys.exit("pg_dump failed")
    subprocess.run(
        [str(VENV / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": db_url(args.database, 5432)},
        check=True,
        timeout=600,
    )


# --- processes ------------------------------------------------------------------------------------


def wait_port(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def stop(proc: subprocess.Popen | None, seconds: float = 35) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


class Bouncer:
    """PgBouncer with its own ini in a temporary directory, run as user postgres (it refuses
    root) in the foreground: this process owns it. ``names``: its databases, each a pool of
    ``default_pool_size`` server connections to ``--database`` with JIT off (gisplan's
    ``-c jit=off`` startup option is dropped by ``ignore_startup_parameters``); ``extra``: more
    [databases] lines."""

    def __init__(self, args, workdir: Path, names: tuple[str, ...], extra: tuple[str, ...] = ()):
        self.args, self.dir, self.names, self.extra, self.proc = args, workdir, names, extra, None

    def target(self) -> str:
        return f"host=127.0.0.1 port=5432 dbname={self.args.database}"

    def ini(self) -> str:
        size = self.args.workers * self.args.pool_max
        databases = [f"{name} = {self.target()} connect_query='SET jit = off'" for name in self.names]
        return "\n".join(
            [
                "[databases]",
                *databases,
                *self.extra,
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {self.args.bouncer_port}",
                "unix_socket_dir =",
                "auth_type = md5",
                f"auth_file = {self.dir / 'userlist.txt'}",
                "pool_mode = transaction",
                f"default_pool_size = {size}",
                "reserve_pool_size = 0",
                "max_client_conn = 1000",
                "query_wait_timeout = 10",
                f"admin_users = {USER}",
                "ignore_startup_parameters = options,extra_float_digits",
                f"logfile = {self.dir / 'pgbouncer.log'}",
                "",
            ]
        )

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "pgbouncer.ini").write_text(self.ini())
        (self.dir / "userlist.txt").write_text(f'"{USER}" "{PASSWORD}"\n')
        shutil.chown(self.dir, "postgres")
        for name in ("pgbouncer.ini", "userlist.txt"):
            shutil.chown(self.dir / name, "postgres")
        out = open(self.dir / "stdout.log", "ab")  # closed with the process
        self.proc = subprocess.Popen(
            ["pgbouncer", "-u", "postgres", str(self.dir / "pgbouncer.ini")], stdout=out, stderr=out
        )
        if not wait_port(self.args.bouncer_port, 15):
            self.stop()
            raise RuntimeError(f"PgBouncer did not start: see {self.dir}")

    def stop(self) -> None:
        stop(self.proc, 15)
        self.proc = None


class Server:
    """gunicorn with production settings and the configuration's environment."""

    def __init__(self, args, config: Config, port: int, log: Path):
        db_port = args.bouncer_port if config.bouncer else 5432
        self.base = f"http://127.0.0.1:{port}"
        self.env = dict(os.environ)
        self.env.update(
            DJANGO_SETTINGS_MODULE="gisplan.settings",
            DATABASE_URL=db_url(config.db_name(args.database), db_port),
            PGAPPNAME=config.app_name,
            DEBUG="false",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=str(args.workers),
            GUNICORN_THREADS=str(args.threads),
            GUNICORN_ACCESS_LOG="",
            LOG_LEVEL="ERROR",
            DB_POOL_MAX_SIZE=str(args.pool_max),
            **config.env,
        )
        self.log, self.proc = log, None

    def start(self) -> None:
        out = open(self.log, "ab")  # closed with the process
        self.proc = subprocess.Popen(
            [str(VENV / "gunicorn"), "--config", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=out,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/readyz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not become ready: see {self.log}")

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None


def session_cookie(base: str, tries: int = 3) -> str:
    """Sign in through the login form; the session cookie (the boundary layer wants a session)."""
    for attempt in range(tries):
        with requests.Session() as s:
            s.get(base + "/accounts/login/", timeout=10)
            r = s.post(
                base + "/accounts/login/",
                data={"csrfmiddlewaretoken": s.cookies["csrftoken"], "username": API_USER, "password": API_PASSWORD},
                headers={"Referer": base + "/accounts/login/"},
                allow_redirects=False,
                timeout=10,
            )
            if r.status_code == 302 and "sessionid" in s.cookies:
                return f"sessionid={s.cookies['sessionid']}"
        print(f"sign-in attempt {attempt + 1} failed: {r.status_code}", flush=True)
        time.sleep(2)
    raise RuntimeError("sign-in failed")


def basic_header() -> str:
    import base64

    return "Basic " + base64.b64encode(f"{API_USER}:{API_PASSWORD}".encode()).decode()


# --- measuring ------------------------------------------------------------------------------------

ACTIVITY = """SELECT count(*) FILTER (WHERE application_name = %(app)s),
       count(*) FILTER (WHERE application_name = %(app)s AND state = 'active'),
       count(*)
FROM pg_stat_activity WHERE datname = %(db)s AND pid <> pg_backend_pid()"""


class Sampler:
    """Every 0.2 s: the server connections of the configuration under load (all, active; by
    application name), of the whole database (the idle servers' too) and, with PgBouncer, its
    waiting clients and longest wait. Peaks and means over the sampled period."""

    def __init__(self, args, config: Config):
        self.args, self.config, self.bouncer = args, config, config.bouncer
        self.samples: list[tuple[int, int, int, float, int]] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        with psycopg.connect(dsn(self.args.database), autocommit=True) as db:
            admin = None
            if self.bouncer:
                admin = psycopg.connect(dsn("pgbouncer", self.args.bouncer_port), autocommit=True)
            try:
                while not self.stop_event.wait(0.2):
                    params = {"app": self.config.app_name, "db": self.args.database}
                    mine, active, everyone = db.execute(ACTIVITY, params).fetchone()
                    waiting, maxwait = self._bouncer_waits(admin) if admin else (0, 0.0)
                    self.samples.append((mine, active, waiting, maxwait, everyone))
            finally:
                if admin is not None:
                    admin.close()

    def _bouncer_waits(self, admin) -> tuple[int, float]:
        cur = psycopg.ClientCursor(admin)  # the admin console speaks the simple protocol only
        cur.execute("SHOW POOLS")
        cols = [d.name for d in cur.description]
        for row in cur.fetchall():
            r = dict(zip(cols, row))
            if r["database"] == self.config.db_name(self.args.database):
                return r["cl_waiting"], r["maxwait"] + r["maxwait_us"] / 1e6
        return 0, 0.0

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(10)

    def summary(self) -> dict:
        s = self.samples or [(0, 0, 0, 0.0, 0)]
        return {
            "db_conn_peak": max(x[4] for x in s),
            "conn_peak": max(x[0] for x in s),
            "conn_mean": round(statistics.fmean(x[0] for x in s), 1),
            "active_peak": max(x[1] for x in s),
            "bouncer_waiting_peak": max(x[2] for x in s),
            "bouncer_maxwait_s": round(max(x[3] for x in s), 3),
            "samples": len(s),
        }


def run_wrk(base: str, concurrency: int, seconds: int, cookie: str) -> dict:
    env = {**os.environ, "POOL_BASIC": basic_header(), "POOL_COOKIE": cookie, "POOL_BOUNDARY": BOUNDARY}
    cmd = ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "15s", "-s", str(HERE / "mix.lua"), base]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("POOLBENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out[-500:]}")
    r = json.loads(line.removeprefix("POOLBENCH "))
    errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"] + r["non_2xx_3xx"]
    return {
        "rps": round(r["requests"] / (r["duration_us"] / 1e6), 1),
        "p50": r["p50"] / 1000,
        "p95": r["p95"] / 1000,
        "p99": r["p99"] / 1000,
        "max": r["max"] / 1000,
        "requests": r["requests"],
        "errors": errors,
        "s5xx": r["s5xx"],
        "s4xx": r["s4xx"],
    }


def probe(base: str, cookie: str, n: int = 30) -> dict:
    """Median ms of ``n`` requests of each kind, one at a time on one kept-alive connection."""
    out = {}
    with requests.Session() as s:
        for path in PROBE_PATHS:
            headers = {"Cookie": cookie} if path == BOUNDARY else {"Authorization": basic_header()}
            times = []
            for _ in range(n):
                t = time.perf_counter()
                r = s.get(base + path, headers=headers, timeout=15)
                times.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    raise RuntimeError(f"{path}: {r.status_code}")
            out[path] = round(statistics.median(times), 2)
    return out


class Fleet:
    """PgBouncer (when a configuration needs it) and one gunicorn per configuration, all running
    at once on ports ``--port``, ``--port`` + 1, …: the steps of every configuration can then
    alternate within minutes, so the machine's varying load falls on all of them alike."""

    def __init__(self, args, configs: list[str], out: Path):
        self.args = args
        names = tuple(CONFIGS[k].db_name(args.database) for k in configs if CONFIGS[k].bouncer)
        self.bouncer = Bouncer(args, out / "bouncer", names) if names else None
        self.servers = {
            k: Server(args, CONFIGS[k], args.port + i, out / f"gunicorn-{k}.log") for i, k in enumerate(configs)
        }
        self.cookies: dict[str, str] = {}

    def __enter__(self):
        try:
            if self.bouncer:
                self.bouncer.start()
            for key, server in self.servers.items():
                server.start()
                self.cookies[key] = session_cookie(server.base)
                run_wrk(server.base, 8, 3, self.cookies[key])  # warm-up: every worker and thread
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for server in self.servers.values():
            server.stop()
        if self.bouncer:
            self.bouncer.stop()

    def step(self, key: str, concurrency: int, rnd: int, fixed: dict, phase: str) -> dict:
        server = self.servers[key]
        with Sampler(self.args, CONFIGS[key]) as sampler:
            r = run_wrk(server.base, concurrency, self.args.seconds, self.cookies[key])
        r.update(sampler.summary(), config=key, round=rnd, concurrency=concurrency, fixed_ms=fixed, phase=phase)
        print(json.dumps(r), flush=True)
        return r


def run_load(args, configs: list[str], levels: list[int], out: Path, phase: str) -> list[dict]:
    """``--rounds`` rounds; in each, every configuration answers one request at a time (the
    fixed cost), then each concurrency level runs on every configuration in turn. The order of
    the configurations rotates from round to round."""
    deadline = time.monotonic() + args.max_minutes * 60
    results: list[dict] = []
    with Fleet(args, configs, out) as fleet:
        for rnd in range(1, args.rounds + 1):
            k = (rnd - 1) % len(configs)
            order = configs[k:] + configs[:k]
            fixed = {key: probe(fleet.servers[key].base, fleet.cookies[key]) for key in order}
            print(f"round {rnd}: order {order}, fixed cost {json.dumps(fixed)}", flush=True)
            for c in levels:
                for key in order:
                    if time.monotonic() > deadline:
                        print(f"--max-minutes reached: {key} at {c} in round {rnd} not run", flush=True)
                        continue
                    results.append(fleet.step(key, c, rnd, fixed[key], phase))
    return results


# --- reporting ------------------------------------------------------------------------------------


def _span(values, fmt="{:.0f}") -> str:
    med = statistics.median(values)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def table(results: list[dict], configs: list[str], levels: list[int]) -> str:
    lines = [
        "| config | conc. | req/s, median (min–max) | p50 ms | p95 ms | p99 ms | errors / 5xx | "
        "peak server conns (mean) | PgBouncer waiting peak | whole database's conns, peak |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key in configs:
        for c in levels:
            rs = [r for r in results if r["config"] == key and r["concurrency"] == c]
            if not rs:
                continue
            med = {k: statistics.median(r[k] for r in rs) for k in ("p50", "p95", "p99", "conn_mean")}
            lines.append(
                f"| {key} | {c} | {_span([r['rps'] for r in rs])} | {med['p50']:.1f} | {med['p95']:.1f} | "
                f"{med['p99']:.1f} | {sum(r['errors'] for r in rs)} / {sum(r['s5xx'] for r in rs)} | "
                f"{max(r['conn_peak'] for r in rs)} ({med['conn_mean']:.1f}) | "
                f"{max(r['bouncer_waiting_peak'] for r in rs) if CONFIGS[key].bouncer else '–'} | "
                f"{max(r['db_conn_peak'] for r in rs)} |"
            )
    return "\n".join(lines)


def fixed_table(results: list[dict], configs: list[str]) -> str:
    lines = ["| config | " + " | ".join(f"`{p.split('?')[0]}` ms" for p in PROBE_PATHS) + " |"]
    lines.append("|---" * (len(PROBE_PATHS) + 1) + "|")
    for key in configs:
        per_round = {r["round"]: r["fixed_ms"] for r in results if r["config"] == key}  # one probe per round
        if per_round:
            cells = [_span([f[p] for f in per_round.values()], "{:.1f}") for p in PROBE_PATHS]
            lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- compatibility --------------------------------------------------------------------------------


def export_over_http(args, config: Config, out: Path) -> tuple[int, str, int]:
    """(status, sha256 prefix, size) of the GeoJSON export downloaded from a server in ``config``."""
    import hashlib

    server = Server(args, config, args.port, out / f"gunicorn-export-{config.key}.log")
    server.start()
    try:
        r = requests.get(
            server.base + "/api/projects/export/?format=geojson", auth=(API_USER, API_PASSWORD), timeout=120
        )
        return r.status_code, hashlib.sha256(r.content).hexdigest()[:16], len(r.content)
    finally:
        server.stop()


def run_checks(args, out: Path) -> list[dict]:
    db, via_bouncer = args.database, CONFIGS["b"].db_name(args.database)
    target = f"host=127.0.0.1 port=5432 dbname={db}"
    bouncer = Bouncer(
        args,
        out / "bouncer-checks",
        (via_bouncer,),
        (f"{db}_plain = {target}", f"{db}_tiny = {target} pool_size=2 connect_query='SET jit = off'"),
    )
    found = []
    bouncer.start()
    try:
        for key in ("a", "b"):
            status, digest, size = export_over_http(args, CONFIGS[key], out)
            found.append({"via": f"HTTP, config {key}", "check": "geojson_export", "ok": status == 200,
                          "detail": f"{status}, {size} bytes, sha256 {digest}"})  # fmt: skip
        for via, url, extra in (
            (
                "PgBouncer",
                db_url(via_bouncer, args.bouncer_port),
                ["--plain-db", f"{db}_plain", "--tiny-db", f"{db}_tiny"],
            ),
            ("direct", db_url(db, 5432), []),
        ):
            env = {**os.environ, "DATABASE_URL": url, "DB_POOL": "false", "CONN_MAX_AGE": "0"}
            env["LOG_LEVEL"] = "CRITICAL"
            proc = subprocess.run(
                [str(VENV / "python"), str(HERE / "checks.py"), *extra],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            for line in proc.stdout.splitlines():
                if line.startswith("{"):
                    found.append({"via": via, **json.loads(line)})
            if proc.returncode:
                found.append({"via": via, "check": "checks.py", "ok": False, "detail": proc.stderr[-500:]})
    finally:
        bouncer.stop()
    return found


def checks_table(found: list[dict]) -> str:
    lines = ["| via | check | ok | detail |", "|---|---|---|---|"]
    for f in found:
        detail = f["detail"].replace("|", "\\|")
        lines.append(f"| {f['via']} | {f['check']} | {'yes' if f['ok'] else '**no**'} | {detail} |")
    return "\n".join(lines)


def main():
    args = parse_args()
    configs = [k.strip() for k in args.configs.split(",") if k.strip()]
    levels = [int(c) for c in args.concurrency.split(",")]
    for tool in ("wrk", "pgbouncer", "pg_dump"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found (apt-get install -y wrk pgbouncer postgresql-client)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=out))
    for sub in ("main", "bound"):
        (work / sub).mkdir(mode=0o755)
    work.chmod(0o755)  # PgBouncer runs as postgres and keeps its files in here
    ensure_database(args)
    results = run_load(args, configs, levels, work / "main", "main")
    if args.bound_threads:
        # More threads than pooled connections: where each configuration bounds its connections.
        bound = argparse.Namespace(**{**vars(args), "threads": args.bound_threads})
        results += run_load(bound, configs, [args.bound_concurrency], work / "bound", "bound")
    found = [] if args.no_checks else run_checks(args, work)
    (work / "results.json").write_text(json.dumps({"load": results, "checks": found}, indent=1))
    print()
    for key in configs:
        print(f"{key}: {CONFIGS[key].label}")
    main_results = [r for r in results if r["phase"] == "main"]
    print(f"\n{args.workers} workers × {args.threads} threads:\n")
    print(table(main_results, configs, levels) + "\n\nOne request at a time (median of 30):\n")
    print(fixed_table(main_results, configs))
    if args.bound_threads:
        print(f"\n{args.workers} workers × {args.bound_threads} threads:\n")
        print(table([r for r in results if r["phase"] == "bound"], configs, [args.bound_concurrency]))
    if found:
        print("\n" + checks_table(found))
    print(f"\nraw results: {work / 'results.json'}")


if __name__ == "__main__":
    main()
