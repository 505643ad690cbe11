#!/usr/bin/env python
"""Benchmark: the budget-stage report by LAO as a page, all rows (before, issue 21) against one page
of ``reports.views.BUDGET_PAGE_ROWS`` rows (after), beside the report's SQL alone (the floor).

1. The floor: ``reports.budget.budget_rows`` (the one SQL statement, fetched) for a DLA user.
2. The page, GET through Django's test client as a DLA user (access rules, SQL, rows, template):
   ``before`` renders every LAO's row (``BUDGET_PAGE_ROWS`` set above the row count, as the page
   was), ``after`` one page. Prints median and best wall time (ms) and the HTML size.

Runs in a transaction that is rolled back; needs a database with the registry and projects
(``manage.py load_sample_data`` and ``manage.py generate_projects --count N``):

    DATABASE_URL=postgis://gisplan:gisplan@127.0.0.1:5432/gisplan_i21 \\
        .venv/bin/python benchmarks/budget_by_lao.py [--repeat 5] [--year 2568]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Profile, Role  # noqa: E402
from projects_geo.models import Project  # noqa: E402
from reports import budget, views  # noqa: E402
from reports.base import parse_params  # noqa: E402


def timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--year", type=int, default=None, help="fiscal year (B.E.); default: all years")
    args = ap.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    query = {"level": "lao"} | ({"fiscal_year": str(args.year)} if args.year else {})
    with transaction.atomic():
        user = get_user_model().objects.create_user("bench-dla-21", password="x-bench-21")
        Profile.objects.create(user=user, role=Role.DLA_ADMIN)
        print(f"projects: {Project.objects.count():,}; load average {os.getloadavg()[0]:.2f}")
        params = parse_params(query)
        med, best, rows = timed(lambda: budget.budget_rows(budget.base_queryset(user, params), "lao"), args.repeat)
        print(f"floor  report SQL alone ({len(rows) - 1:,} LAO rows): median {med:,.0f} ms, best {best:,.0f} ms")
        client = Client(HTTP_ACCEPT_LANGUAGE="th")
        client.force_login(user)
        for label, page_rows in (("before", 10**9), ("after", views.BUDGET_PAGE_ROWS)):
            views.BUDGET_PAGE_ROWS = page_rows
            med, best, resp = timed(lambda: client.get("/reports/budget/", query), args.repeat)
            assert resp.status_code == 200, resp.status_code
            size = len(resp.content)
            print(
                f"{label:6} page ({'all rows' if page_rows > 10**6 else f'{page_rows} rows'}): "
                f"median {med:,.0f} ms, best {best:,.0f} ms, {size / 1024:,.0f} KiB of HTML"
            )
        print(f"load average {os.getloadavg()[0]:.2f}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
