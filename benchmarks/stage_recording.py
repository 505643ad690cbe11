#!/usr/bin/env python
"""Benchmark: recording the six budget stages of a project in Chromium, the page reloaded after each
(before, issue 21: the form posted, the redirect and the whole page — map, layers, scripts — loaded
again) against the stage panel posted with fetch and replaced in place (after).

Starts ``manage.py runserver`` (DEBUG, port ``--port``), makes an LAO administrator and two projects
(removed again at the end), and in headless Chromium records stages 1–6 on each: "before" through
the form's native submit (what the page did), "after" through the button (projects_geo/stages.js).
Each time is from the click to the new stage's row on screen. Prints median and best (ms).

    DATABASE_URL=postgis://gisplan:gisplan@127.0.0.1:5432/gisplan_i21 \\
        .venv/bin/python benchmarks/stage_recording.py [--port 8211]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from accounts.models import Role  # noqa: E402
from tests.factories import PASSWORD, PATONG, make_user, make_water_point  # noqa: E402

STAGES = [(1, "1/6/2567", ""), (2, "15/8/2567", ""), (3, "1/10/2567", "90000"), (4, "1/11/2567", "80000")]
STAGES += [(5, "1/2/2568", "80000"), (6, "1/3/2568", "")]


def wait_up(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own local server)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not start: {url}")


def record_all(page, base, project, native):
    page.goto(f"{base}/projects/{project.pk}/")
    page.wait_for_load_state("networkidle")
    times = []
    for stage, date, amount in STAGES:
        page.fill("#stage-form input[name=date]", date)
        page.fill("#stage-form input[name=amount]", amount)
        t0 = time.perf_counter()
        if native:  # the page as it was: the form posts and the page reloads
            with page.expect_navigation():
                page.evaluate("document.getElementById('stage-form').submit()")
        else:
            page.click("#record-stage")
        page.locator(f"#stage-history tr[data-stage='{stage}']").wait_for()
        if native:
            page.wait_for_load_state("load")
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8211)
    args = ap.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "DEBUG": "true"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{args.port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    admin = projects = None
    try:
        wait_up(base + "/healthz")
        get_user_model().objects.filter(username="bench-stage-21").delete()
        admin = make_user("bench-stage-21", Role.LAO_ADMIN, lao=PATONG)
        projects = [make_water_point(PATONG, 98.2967 + i * 0.001, 7.8960, fiscal_year=2568) for i in range(2)]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
            page = browser.new_page(locale="th-TH", viewport={"width": 1400, "height": 900})
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", admin.username)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("form[action$='/accounts/login/'] button[type=submit]")
            print(f"load average {os.getloadavg()[0]:.2f}")
            for label, project, native in (("before", projects[0], True), ("after", projects[1], False)):
                t = record_all(page, base, project, native)
                how = "form post + page reload" if native else "fetch, panel replaced"
                print(f"{label:6} ({how}): median {statistics.median(t):,.0f} ms, best {min(t):,.0f} ms over 6 stages")
            print(f"load average {os.getloadavg()[0]:.2f}")
            browser.close()
    finally:
        for p in projects or []:
            p.delete()
        if admin is not None:
            admin.delete()
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
