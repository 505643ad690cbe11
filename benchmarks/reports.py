#!/usr/bin/env python
"""Benchmark: the national completeness table (DLA's full format: vision, strategy and the six
stages), the budget-stage report by province and the report by SDG and province, each beside the
hand-written SQL that computes the same numbers, in one run on the same database.

    DATABASE_URL=postgis://gisplan:gisplan@127.0.0.1:5432/gisplan_bench7 \\
        .venv/bin/python benchmarks/reports.py [--count 1000000 --seed 7] [--repeat 7] [--year 2568]

With ``--count`` and fewer projects in the database, it first runs
``manage.py generate_projects --count N --seed S`` (the query-API issue's national generator).
Our side is the whole report function (access rules, SQL composition, fetching, row handling) for
a DLA user; the floor is the raw SQL alone (executed and fetched), with JIT off as the reports run it
(the raw SQL under the server's JIT setting is printed too). Both results are compared
number by number before timing. Prints median and best of ``--repeat`` runs and the ratio.
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

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from projects_geo.models import Project  # noqa: E402
from reports import budget, completeness, dimensions  # noqa: E402
from reports.base import last_years, parse_params  # noqa: E402

RAW_COMPLETENESS = """
WITH m AS (
    SELECT organization_id, {maxes}
    FROM projects_geo_project
    WHERE fiscal_year IN ({years})
    GROUP BY organization_id
), pf AS (
    SELECT d.organization_id, {flags}
    FROM (SELECT dp.*, EXISTS (SELECT 1 FROM planning_planstrategy s WHERE s.plan_id = dp.id) AS has_strategy
          FROM planning_developmentplan dp) d
    GROUP BY d.organization_id
)
SELECT o.province_id, GROUPING(o.province_id) AS g, count(*) AS laos, {cells}
FROM layers_organization o LEFT JOIN m ON m.organization_id = o.id LEFT JOIN pf ON pf.organization_id = o.id
GROUP BY ROLLUP (o.province_id)
"""

# The report along a strategic dimension (SDG by province): the linked projects' rows, hand-written.
RAW_DIMENSION = """
WITH d AS (
    SELECT DISTINCT l.project_id, fi.code AS item
    FROM planning_projectplanlink l
    JOIN planning_planstrategy_framework_items x ON x.planstrategy_id = l.strategy_id
    JOIN planning_frameworkitem fi ON fi.id = x.frameworkitem_id
    JOIN planning_framework f ON f.id = fi.framework_id AND f.kind = 'sdg'
)
SELECT d.item, p.province_id AS unit_id, count(*) AS projects, sum(p.budget) AS planned_budget,
    sum(s3.amount) AS approved_budget, sum(s4.amount) AS contract_value, sum(s5.amount) AS disbursed,
    count(*) FILTER (WHERE p.current_stage = 6) AS completed
FROM d JOIN projects_geo_project p ON p.id = d.project_id
LEFT JOIN projects_geo_projectstage s3 ON s3.project_id = p.id AND s3.stage = 3
LEFT JOIN projects_geo_projectstage s4 ON s4.project_id = p.id AND s4.stage = 4
LEFT JOIN projects_geo_projectstage s5 ON s5.project_id = p.id AND s5.stage = 5
WHERE p.fiscal_year = %s AND p.deleted_at IS NULL
GROUP BY d.item, p.province_id
"""

RAW_BUDGET = """
SELECT p.province_id, GROUPING(p.province_id) AS g, count(*) AS projects, sum(p.budget) AS planned_budget,
    sum(s3.amount) AS approved_budget, sum(s4.amount) AS contract_value, sum(s5.amount) AS disbursed,
    {stages}
FROM projects_geo_project p
LEFT JOIN projects_geo_projectstage s3 ON s3.project_id = p.id AND s3.stage = 3
LEFT JOIN projects_geo_projectstage s4 ON s4.project_id = p.id AND s4.stage = 4
LEFT JOIN projects_geo_projectstage s5 ON s5.project_id = p.id AND s5.stage = 5
WHERE p.fiscal_year = %s
GROUP BY ROLLUP (p.province_id)
"""


def raw_completeness_sql(years):
    maxes = ", ".join(f"max(current_stage) FILTER (WHERE fiscal_year = {y}) AS m{i}" for i, y in enumerate(years))
    flags = ", ".join(
        f"bool_or(d.vision <> '' AND {y} BETWEEN d.start_year AND d.end_year) AS v{i}, "
        f"bool_or(d.has_strategy AND {y} BETWEEN d.start_year AND d.end_year) AS t{i}"
        for i, y in enumerate(years)
    )
    cells = ", ".join(
        [
            f"count(*) FILTER (WHERE pf.v{i}) AS y{i}_vision, count(*) FILTER (WHERE pf.t{i}) AS y{i}_strategy"
            for i in range(len(years))
        ]
        + [f"count(*) FILTER (WHERE m.m{i} >= {s}) AS y{i}_s{s}" for i in range(len(years)) for s in range(1, 7)]
    )
    return RAW_COMPLETENESS.format(maxes=maxes, flags=flags, years=", ".join(map(str, years)), cells=cells)


def raw_budget_sql():
    stages = ", ".join(
        f"count(*) FILTER (WHERE p.current_stage IS NOT DISTINCT FROM {k or 'NULL'}) AS stage_{k}" for k in range(7)
    )
    return RAW_BUDGET.format(stages=stages)


def run_raw(sql, params=(), jit=False):
    with transaction.atomic(), connection.cursor() as cur:
        if not jit:
            cur.execute("SET LOCAL jit = off")  # as the reports do: the fastest raw SQL is the floor
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def timed(fn, repeat):
    fn()  # warm-up (caches, plans)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)


def check_completeness(table, raw, years):
    ours = {"total" if r["g"] else r["province_id"]: r for r in table.all_rows()}
    theirs = {"total" if r["g"] else r["province_id"]: r for r in raw}
    assert set(ours) == set(theirs), "different provinces"
    cols = ["laos"] + [
        f"y{i}_{key}" for i in range(len(years)) for key in ("vision", "strategy", *(f"s{s}" for s in range(1, 7)))
    ]
    for pid, row in theirs.items():
        for c in cols:
            assert ours[pid][c] == row[c], (pid, c, ours[pid][c], row[c])


def check_budget(table, raw):
    ours = {r["unit_id"] if not r["g_unit"] else "total": r for r in table.all_rows()}
    theirs = {"total" if r["g"] else r["province_id"]: r for r in raw}
    assert set(ours) == set(theirs), ("different provinces", set(ours) ^ set(theirs))
    cols = ["projects", "planned_budget", "approved_budget", "contract_value", "disbursed"] + [
        f"stage_{k}" for k in range(7)
    ]
    for k, row in theirs.items():
        for c in cols:
            a, b = ours[k][c], row[c]
            assert (a or 0) == (b or 0), (k, c, a, b)


def check_dimension(table, raw):
    ours = {(r["item"], r["unit_id"]): r for r in table.rows if r["item"]}
    theirs = {(r["item"], r["unit_id"]): r for r in raw}
    assert set(ours) == set(theirs), ("different rows", len(set(ours) ^ set(theirs)))
    for k, row in theirs.items():
        for c in ("projects", "planned_budget", "approved_budget", "contract_value", "disbursed", "completed"):
            assert (ours[k][c] or 0) == (row[c] or 0), (k, c, ours[k][c], row[c])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=0, help="generate projects first if the database has fewer")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument(
        "--year", type=int, default=None, help="latest fiscal year of the reports (default: the newest in the data)"
    )
    args = ap.parse_args()

    n = Project.objects.count()
    if args.count and n < args.count:
        if "generate_projects" not in get_commands():
            sys.exit(
                "manage.py generate_projects is not available in this tree (query-API issue); "
                "fill the database another way and run without --count."
            )
        call_command("generate_projects", count=args.count - n, seed=args.seed)
        n = Project.objects.count()
    if args.count:  # the plans behind the synthetic projects (vision / strategy columns, SDG report)
        call_command("load_frameworks")
        call_command("generate_plans", seed=args.seed)
    year = args.year or Project.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    years = last_years(year, 4)
    from layers.models import Organization

    print(
        f"database: {connection.settings_dict['NAME']} — {n:,} projects, "
        f"{Organization.objects.count():,} LAOs; fiscal years {years[0]}–{years[-1]}; {args.repeat} runs each",
        flush=True,
    )
    dla = get_user_model()(username="bench", is_superuser=True)  # national user, never saved

    params = parse_params({"fiscal_year": str(year)})
    raw_c = raw_completeness_sql(years)
    check_completeness(completeness.completeness_report(dla, params), run_raw(raw_c), years)
    ours_c = timed(lambda: completeness.completeness_report(dla, params), args.repeat)
    floor_c = timed(lambda: run_raw(raw_c), args.repeat)

    bparams = parse_params({"fiscal_year": str(year)})
    raw_b = raw_budget_sql()
    check_budget(budget.budget_report(dla, bparams, "province"), run_raw(raw_b, [year]))
    ours_b = timed(lambda: budget.budget_report(dla, bparams, "province"), args.repeat)
    floor_b = timed(lambda: run_raw(raw_b, [year]), args.repeat)
    dparams = parse_params({"fiscal_year": str(year)})
    check_dimension(dimensions.dimension_report(dla, dparams, "sdg", "province"), run_raw(RAW_DIMENSION, [year]))
    ours_d = timed(lambda: dimensions.dimension_report(dla, dparams, "sdg", "province"), args.repeat)
    floor_d = timed(lambda: run_raw(RAW_DIMENSION, [year]), args.repeat)
    jit_b = timed(lambda: run_raw(raw_b, [year], jit=True), max(1, args.repeat // 2))
    jit_c = timed(lambda: run_raw(raw_c, jit=True), max(1, args.repeat // 2))

    print(f"{'report':<38}{'ours median':>12}{'ours best':>11}{'raw median':>12}{'raw best':>10}{'ratio':>8}")
    for name, ours, floor in (
        ("completeness table (national, 4 FY)", ours_c, floor_c),
        (f"budget stages by province (FY {year})", ours_b, floor_b),
        (f"by SDG and province (FY {year})", ours_d, floor_d),
    ):
        print(
            f"{name:<38}{ours[0]:>10.1f}ms{ours[1]:>9.1f}ms"
            f"{floor[0]:>10.1f}ms{floor[1]:>8.1f}ms{ours[0] / floor[0]:>7.2f}x"
        )
    print("targets: ratio <= 1.5x raw SQL; completeness under 300 ms")
    print(
        f"for reference, the raw SQL with the server's JIT setting (jit={jit_setting()}): "
        f"completeness {jit_c[0]:.1f} ms, budget {jit_b[0]:.1f} ms (median)"
    )


def jit_setting():
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        return cur.fetchone()[0]


if __name__ == "__main__":
    main()
