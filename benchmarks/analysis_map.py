#!/usr/bin/env python
"""Benchmark: the analysts' map (/analysis/) until its totals show (issue 21, item 12).

Two parts, each alternating its variants call by call so they meet the same load:

1. The totals' SQL for a DLA user (every project): before (two grouped queries, by kind and by
   stage — what ``analysis.summary`` did), after (one statement grouped by kind and stage together,
   folded in Python), ``GROUPING SETS`` for reference (one statement too, but never parallel), and
   the floor (the grouped statement written by hand on the table, executed and fetched). The
   answers are compared before timing.
2. In headless Chromium, from navigation start to the totals on screen (``#result-count`` holding
   a number), for a DLA user, on ``runserver`` (DEBUG). "after" is this checkout; with
   ``--before REF`` a second server runs the code of REF (a git worktree of it, same database,
   same ``.venv``) and the two pages are opened alternately.

    DATABASE_URL=postgis://gisplan:gisplan@127.0.0.1:5432/gisplan_bench7 \\
        .venv/bin/python benchmarks/analysis_map.py [--repeat 9] [--before 153273b]

Prints median and best (ms) of each. Read-only, except a benchmark user made and removed again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from accounts.access import visible_projects  # noqa: E402
from analysis.summary import summarise  # noqa: E402
from projects_geo.models import Project  # noqa: E402
from tests.factories import PASSWORD, make_dla_admin  # noqa: E402

USERNAME = "bench-analysis-map"
FLOOR = """
SELECT kind, current_stage, COUNT(*), SUM(budget)
FROM projects_geo_project WHERE deleted_at IS NULL
GROUP BY kind, current_stage
"""
GROUPING_SETS = """
SELECT GROUPING(kind), kind, current_stage, COUNT(*), SUM(budget)
FROM projects_geo_project WHERE deleted_at IS NULL
GROUP BY GROUPING SETS ((kind), (current_stage))
"""


def before(qs):
    """What analysis.summary did before: one grouped query by kind, another by stage."""
    qs = qs.order_by()
    by_kind = {
        r["kind"]: (r["count"], r["budget_total"])
        for r in qs.values("kind").annotate(count=Count("id"), budget_total=Sum("budget"))
    }
    by_stage = {
        r["current_stage"]: (r["count"], r["budget_total"])
        for r in qs.values("current_stage").annotate(count=Count("id"), budget_total=Sum("budget"))
    }
    return by_kind, by_stage


def floor():
    with connection.cursor() as cursor:
        cursor.execute(FLOOR)
        return cursor.fetchall()


def grouping_sets():
    with connection.cursor() as cursor:
        cursor.execute(GROUPING_SETS)
        rows = cursor.fetchall()
    return {k: (n, b) for g, k, _, n, b in rows if not g}, {s: (n, b) for g, _, s, n, b in rows if g}


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def report(label, times):
    print(f"  {label:58} median {statistics.median(times):8,.0f} ms   best {min(times):8,.0f} ms")


def sql_part(user, repeat):
    qs = visible_projects(user, Project.objects.all())
    after = summarise(qs)
    b_kind, b_stage = before(qs)
    g_kind, g_stage = grouping_sets()
    assert {k["kind"]: (k["count"], k["budget_total"]) for k in after["by_kind"] if k["count"]} == b_kind == g_kind
    assert {s["stage"]: s["count"] for s in after["by_stage"] if s["count"]} == {k: v[0] for k, v in b_stage.items()}
    assert sum(n for _, _, n, _ in floor()) == after["count"]
    print(f"totals of {after['count']:,} projects (DLA user), {repeat} runs each, alternating")
    times = {"before": [], "after": [], "sets": [], "floor": []}
    for _ in range(repeat):
        times["before"].append(timed(lambda: before(qs)))
        times["after"].append(timed(lambda: summarise(qs)))
        times["sets"].append(timed(grouping_sets))
        times["floor"].append(timed(floor))
    report("before: two grouped queries (by kind, by stage)", times["before"])
    report("after: one statement by kind and stage (analysis.summary)", times["after"])
    report("reference: GROUPING SETS by hand (never parallel)", times["sets"])
    report("floor: GROUP BY kind, stage by hand on the table", times["floor"])


def wait_up(url, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own local server)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not start: {url}")


def start_server(cwd, port):
    env = {**os.environ, "DEBUG": "true", "PYTHONPATH": str(cwd)}
    return subprocess.Popen(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# Run in every page before its own scripts (Playwright's init scripts are not bound by the page's
# CSP): notes the moment #result-count first holds a number, whether the parser wrote it (totals
# rendered with the page) or a script did (totals fetched after the map loaded).
WATCH = """
(() => {
  const seen = () => {
    const e = document.getElementById("result-count");
    if (e !== null && /[0-9]/.test(e.textContent) && window.__totalsAt === undefined) {
      window.__totalsAt = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, {childList: true, subtree: true, characterData: true});
})();
"""


def time_to_totals(page, base):
    page.goto(f"{base}/analysis/")
    page.wait_for_selector("#result-list li", timeout=120000)  # the page has settled (scripts ran)
    deadline = time.monotonic() + 120
    while page.evaluate("window.__totalsAt") is None:
        if time.monotonic() > deadline:
            raise SystemExit("the totals never showed")
        time.sleep(0.05)
    return page.evaluate("window.__totalsAt")


def browser_part(repeat, before_ref, port):
    servers, bases, worktree = [], {}, None
    try:
        servers.append(start_server(ROOT, port))
        bases["after (this checkout)"] = f"http://127.0.0.1:{port}"
        if before_ref:
            worktree = tempfile.mkdtemp(prefix="gisplan-before-")
            subprocess.run(
                ["git", "worktree", "add", "--detach", worktree, before_ref], cwd=ROOT, check=True, capture_output=True
            )  # noqa: S603, S607
            servers.append(start_server(Path(worktree), port + 1))
            bases[f"before ({before_ref})"] = f"http://127.0.0.1:{port + 1}"
        for base in bases.values():
            wait_up(base + "/healthz")
        times = {label: [] for label in bases}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
            pages = {}
            for label, base in bases.items():
                page = browser.new_page(locale="th-TH", viewport={"width": 1400, "height": 900})
                page.add_init_script(WATCH)
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", USERNAME)
                page.fill("input[name=password]", PASSWORD)
                with page.expect_navigation():
                    page.click("form[action$='/accounts/login/'] button[type=submit]")
                time_to_totals(page, base)  # warm: static files, template and connection
                pages[label] = page
            load = os.getloadavg()[0]
            print(f"the analysts' map until its totals show, {repeat} runs each, alternating (load {load:.1f})")
            for _ in range(repeat):
                for label, base in bases.items():
                    times[label].append(time_to_totals(pages[label], base))
            browser.close()
        for label in reversed(list(bases)):
            report(label, times[label])
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
        if worktree:
            subprocess.run(["git", "worktree", "remove", "--force", worktree], cwd=ROOT, check=False)  # noqa: S603, S607


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--before", help="git ref of the code to compare the page with (e.g. 153273b)")
    ap.add_argument("--port", type=int, default=8221)
    args = ap.parse_args()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username=USERNAME).delete()
    user = make_dla_admin(USERNAME)
    try:
        sql_part(user, args.repeat)
        browser_part(args.repeat, args.before, args.port)
    finally:
        user.delete()


if __name__ == "__main__":
    main()
