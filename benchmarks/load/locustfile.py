"""Deadline-day load on gisplan: LAO staff entering and validating projects, provincial analysts on
the analysis map and reports, QGIS clients on the OGC API — in steps of more and more users.

    .venv/bin/python benchmarks/load/run.py          # starts gunicorn, runs this, reports per step
    # or by hand, against a server already running:
    LOAD_STEPS=10,20,40 .venv/bin/locust -f benchmarks/load/locustfile.py --headless \\
        --host http://127.0.0.1:8300

Users (weights: the deadline-day mix, mostly LAO staff): LAO engineers 12 (sign in, LAO page, a
new project drawn with live validation and saved, now and then a CSV import), LAO planners 4 (the
LAO page, the next plan stage of a project the engineers entered), provincial analysts 3 (analysis
map with filters: tiles z8–z12, summary and list; a report; now and then the province's GeoJSON
export) and QGIS users 1 (OGC API items with bbox, HTTP Basic). The scripts are ``flows.py``.

Steps (``StepShape``): each step adds users (LOAD_SPAWN_RATE a second) and waits until all of
them have signed in, settles LOAD_SETTLE_SECONDS, then measures LOAD_STEP_SECONDS. After a step
whose p95 exceeded LOAD_P95_LIMIT_MS, with any 5xx, or with more than 1 % failed requests, the test
stops. Every request is written to LOAD_RECORDS (CSV: start, name, status, ms, bytes, failed) and
every step's window to LOAD_STEPS_LOG (JSON lines); run.py computes the tables from both.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import gevent
from locust import FastHttpUser, LoadTestShape, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flows  # noqa: E402
import loadcfg  # noqa: E402

FIXTURES = json.loads(Path(os.environ.get("LOAD_FIXTURES", str(loadcfg.FIXTURES))).read_text())
STEPS = [int(s) for s in os.environ.get("LOAD_STEPS", "10,20,40,80,120,160,200,240").split(",")]
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "60"))
SETTLE_SECONDS = float(os.environ.get("LOAD_SETTLE_SECONDS", "5"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "10"))
SPAWN_TIMEOUT = float(os.environ.get("LOAD_SPAWN_TIMEOUT", "180"))  # sign-ins of a step not done: saturated
P95_LIMIT_MS = float(os.environ.get("LOAD_P95_LIMIT_MS", "1000"))
MAX_FAILED_SHARE = float(os.environ.get("LOAD_MAX_FAILED_SHARE", "0.01"))
THINK = float(os.environ.get("LOAD_THINK", "1.0"))  # multiplies every think time
RECORDS_PATH = Path(os.environ.get("LOAD_RECORDS", str(loadcfg.OUT / "records.csv")))
STEPS_LOG_PATH = Path(os.environ.get("LOAD_STEPS_LOG", str(loadcfg.OUT / "steps.jsonl")))

RECORDS_PATH.parent.mkdir(parents=True, exist_ok=True)
RECORDS = RECORDS_PATH.open("w", buffering=1 << 16)
RECORDS.write("start,name,status,ms,bytes,failed\n")
RECENT: list[tuple[float, float, bool, int]] = []  # (start, ms, failed, status) for the step decisions
SIGNED_IN = itertools.count()
signed_in = [0]
# Projects the engineers entered, per LAO, for its planner: [[project id, next stage], …]
STAGE_QUEUE: dict[str, list] = defaultdict(list)


@events.request.add_listener
def _record(name, response_time, response_length, response=None, exception=None, start_time=None, **_kw):
    status = (getattr(response, "status_code", 0) or 0) if response is not None else 0
    start = start_time or time.time()
    failed = exception is not None
    RECORDS.write(f"{start:.3f},{name},{status},{response_time:.2f},{response_length or 0},{int(failed)}\n")
    RECENT.append((start, response_time, failed, status))


@events.quitting.add_listener
def _close(**_kw):
    RECORDS.flush()


class LocustClient:
    """``flows.Client`` over locust's FastHttpSession: statuses checked, names grouped, think times."""

    def __init__(self, user: FastHttpUser, authorization: str | None = None):
        self.user = user
        self.rng = random.Random()
        self.authorization = authorization

    def request(self, method, url, name, *, expect=(200,), body=None, content_type=None, headers=None):
        headers = dict(headers or {})
        if content_type:
            headers["Content-Type"] = content_type
        if self.authorization:
            headers["Authorization"] = self.authorization
        with self.user.client.request(
            method, url, name=name, data=body, headers=headers, catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code not in expect:
                r.failure(f"HTTP {r.status_code}, expected {expect}")
                raise flows.FlowAbort(f"{name}: HTTP {r.status_code}")
            r.success()
            return flows.Reply(r.status_code, r.content or b"", r.headers.get("Location") or "")

    def csrf(self) -> str:
        return next((c.value for c in self.user.client.cookiejar if c.name == "csrftoken"), "")

    def pause(self, low, high):
        gevent.sleep(self.rng.uniform(low, high) * THINK)


class StaffUser(FastHttpUser):
    """Signs in at start (one account per user, round-robin over the fixtures)."""

    abstract = True
    accounts: list = []
    counter = itertools.count()

    def account(self) -> dict:
        return self.accounts[next(self.counter) % len(self.accounts)]

    def on_start(self):
        self.c = LocustClient(self)
        self.me = self.account()
        for attempt in range(3):
            try:
                flows.login(self.c, self.username(), FIXTURES["password"])
                break
            except flows.FlowAbort:
                gevent.sleep(2 + attempt * 3)
        signed_in[0] = next(SIGNED_IN) + 1

    def username(self) -> str:
        return self.me["username"]

    def run_flow(self, flow, *args):
        try:
            flow(self.c, *args)
        except flows.FlowAbort:
            pass


class LaoEngineer(StaffUser):
    weight = 12
    wait_time = between(2 * THINK, 6 * THINK)
    accounts = FIXTURES["laos"]
    counter = itertools.count()

    def username(self):
        return self.me["engineer"]

    @task
    def enter(self):
        try:
            project_id = flows.engineer_iteration(self.c, self.me, FIXTURES)
        except flows.FlowAbort:
            return
        STAGE_QUEUE[self.me["code"]].append([project_id, 1])


class LaoPlanner(StaffUser):
    weight = 4
    wait_time = between(3 * THINK, 8 * THINK)
    accounts = FIXTURES["laos"]
    counter = itertools.count()

    def username(self):
        return self.me["planner"]

    @task
    def stages(self):
        self.run_flow(flows.planner_iteration, self.me, STAGE_QUEUE[self.me["code"]])


class ProvincialAnalyst(StaffUser):
    weight = 3
    wait_time = between(4 * THINK, 10 * THINK)
    accounts = FIXTURES["analysts"]
    counter = itertools.count()

    @task
    def analyse(self):
        self.run_flow(flows.analyst_iteration, self.me, FIXTURES)


class QgisUser(FastHttpUser):
    """No session: every request carries HTTP Basic credentials, as QGIS sends them."""

    weight = 1
    wait_time = between(5 * THINK, 15 * THINK)
    counter = itertools.count(10)  # other accounts than the first analysts'

    def on_start(self):
        analysts = FIXTURES["analysts"]
        self.me = analysts[next(self.counter) % len(analysts)]
        self.c = LocustClient(self, flows.basic_auth(self.me["username"], FIXTURES["password"]))
        signed_in[0] = next(SIGNED_IN) + 1

    @task
    def browse(self):
        try:
            flows.ogc_iteration(self.c, self.me)
        except flows.FlowAbort:
            pass


def window_summary(start: float, end: float) -> dict:
    """p95, failures and 5xx of the requests started in [start, end) (for the stop decision)."""
    rows = [r for r in RECENT if start <= r[0] < end]
    times = sorted(r[1] for r in rows)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))] if times else 0.0
    return {
        "requests": len(rows),
        "p95_ms": round(p95, 1),
        "failed": sum(r[2] for r in rows),
        "5xx": sum(500 <= r[3] < 600 for r in rows),
    }


class StepShape(LoadTestShape):
    """Steps of STEPS users: sign-ins, settle, a measured window; stops after a saturated step."""

    def __init__(self):
        super().__init__()
        self.step, self.phase, self.since = 0, "spawn", time.time()
        self.window = (0.0, 0.0)
        STEPS_LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
        self.log = STEPS_LOG_PATH.open("w")

    def _write(self, **entry):
        self.log.write(json.dumps(entry) + "\n")
        self.log.flush()

    def tick(self):
        if self.step >= len(STEPS):
            return None
        users, now = STEPS[self.step], time.time()
        if self.phase == "spawn":
            ready = self.runner.user_count >= users and signed_in[0] >= users
            if ready or now - self.since > SPAWN_TIMEOUT:
                start = now + SETTLE_SECONDS
                self.window = (start, start + STEP_SECONDS)
                self.phase = "measure"
                self._write(
                    event="window",
                    step=self.step,
                    users=users,
                    spawn_start=self.since,
                    signed_in=signed_in[0],
                    start=start,
                    end=start + STEP_SECONDS,
                    spawn_timed_out=not ready,
                )
            return users, SPAWN_RATE
        if now < self.window[1]:
            return users, SPAWN_RATE
        summary = window_summary(*self.window)
        self._write(event="done", step=self.step, users=users, **summary)
        RECENT.clear()
        saturated = summary["p95_ms"] > P95_LIMIT_MS or summary["5xx"] > 0
        failing = summary["failed"] > MAX_FAILED_SHARE * max(1, summary["requests"])
        if saturated or failing:
            self._write(event="stop", step=self.step, reason="p95" if summary["p95_ms"] > P95_LIMIT_MS else "errors")
            return None
        self.step, self.phase, self.since = self.step + 1, "spawn", now
        return self.tick()
