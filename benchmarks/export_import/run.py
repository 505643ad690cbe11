#!/usr/bin/env python
"""Export/import benchmark: our code against the floor (raw COPY, ogr2ogr) in one run.

    DATABASE_URL=postgis://.../gisplan_bench6 benchmarks/export_import/run.py [--import-rows 100000]

Needs a database with projects (e.g. ``manage.py generate_projects --count N``); measures on
whatever it holds. Each task runs in its own process under ``/usr/bin/time`` for wall time and
peak resident memory. The target comparisons (our GeoJSON against the bare-table COPY, our
shapefile against ogr2ogr) run ``--rounds`` times alternately, floor then ours, and print medians:
on a shared machine one pair can fall on a busy moment. Prints a table; writes files under
``benchmarks/out/`` (git-ignored).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "benchmarks" / "out"
PY = sys.executable
TASK = [PY, str(HERE / "task.py")]


def db():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")
    import django

    django.setup()
    from django.conf import settings

    return settings.DATABASES["default"]


class Run(NamedTuple):
    secs: float  # wall time of the whole process
    mb: float  # its peak resident memory
    work: float | None  # our tasks: the work alone, without starting Python and Django (task.py)


def measured(cmd, env=None) -> Run:
    """Wall time and peak RSS of a command run under /usr/bin/time (and, for a task.py task, the
    time of its work alone, which it prints as ``work_seconds=``)."""
    t0 = time.perf_counter()
    res = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{res.stderr[-2000:]}")
    rss_kb = int(res.stderr.strip().splitlines()[-1])
    work = [float(line.split("=", 1)[1]) for line in res.stdout.splitlines() if line.startswith("work_seconds=")]
    return Run(secs, rss_kb / 1024, work[-1] if work else None)


def median_work(runs) -> float:
    return statistics.median([r.work for r in runs])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--import-rows", type=int, default=100_000)
    ap.add_argument("--import-lao", default="2830101", help="DLA code of the LAO to import into (Phuket PAO)")
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="alternate floor/ours runs of the target comparisons")
    args = ap.parse_args()
    d = db()
    pg = (
        f"PG:host={d['HOST'] or '127.0.0.1'} port={d['PORT'] or 5432} dbname={d['NAME']} "
        f"user={d['USER']} password={d['PASSWORD']}"
    )
    from projects_geo.models import Project

    n = Project.objects.count()
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []

    def add(label, secs, mb, floor=None):
        rows.append((label, secs, mb, floor))
        ratio = f"{secs / floor:.2f}×" if floor else ""
        print(f"{label:<58} {secs:7.2f} s  {mb:8.0f} MB  {ratio}", flush=True)

    print(f"{n:,} projects in {d['NAME']}")
    sql_file = OUT / "attributes.sql"
    subprocess.run([*TASK, "attributes_sql", str(sql_file)], check=True)
    attr_sql = sql_file.read_text()

    # GeoJSON
    copies, ours_runs = [], []
    for _ in range(args.rounds):
        copies.append(measured([*TASK, "copy_floor_table", str(OUT / "floor_table.geojsonl")]))
        ours_runs.append(measured([*TASK, "ours_geojson", str(OUT / "ours.geojson")]))
    copy_t, copy_m = statistics.median([r.secs for r in copies]), max(r.mb for r in copies)
    add(f"floor: COPY ST_AsGeoJSON(t.*) FROM project t (psycopg), median of {args.rounds}", copy_t, copy_m)
    same_t, same_m, _ = measured([*TASK, "copy_floor_same", str(OUT / "floor_same.geojsonl")])
    add("floor: COPY of our export statement (joins + stages)", same_t, same_m, copy_t)
    (OUT / "ogr.geojson").unlink(missing_ok=True)
    ogr_t, ogr_m, _ = measured(["ogr2ogr", "-f", "GeoJSON", str(OUT / "ogr.geojson"), pg, "-sql", attr_sql])
    add("ogr2ogr -f GeoJSON (same attributes)", ogr_t, ogr_m)
    ours_t, ours_m = statistics.median([r.secs for r in ours_runs]), max(r.mb for r in ours_runs)
    add(f"ours: GeoJSON stream, median of {args.rounds} (ratio to COPY floor of table)", ours_t, ours_m, copy_t)
    print(
        f"{'':<58} ratio to COPY of same statement {ours_t / same_t:.2f}×, to ogr2ogr {ours_t / ogr_t:.2f}×; "
        "pairs: " + ", ".join(f"{o.secs / c.secs:.2f}×" for c, o in zip(copies, ours_runs))
    )
    print(
        f"{'':<58} without starting Python + Django (both sides): ours {median_work(ours_runs):.2f} s, "
        f"COPY {median_work(copies):.2f} s, {median_work(ours_runs) / median_work(copies):.2f}×"
    )

    # Shapefile
    shp_dir = OUT / "ogr_shp"
    ogrs, ours_runs = [], []
    for _ in range(args.rounds):
        subprocess.run(["rm", "-rf", str(shp_dir)], check=True)
        shp_dir.mkdir()
        t_pts, m_pts, _ = measured(
            [
                "ogr2ogr",
                "-f",
                "ESRI Shapefile",
                str(shp_dir / "points.shp"),
                pg,
                "-sql",
                f"SELECT * FROM ({attr_sql}) q WHERE GeometryType(geom) = 'POINT'",
                "-lco",
                "ENCODING=UTF-8",
            ]
        )
        t_lin, m_lin, _ = measured(
            [
                "ogr2ogr",
                "-f",
                "ESRI Shapefile",
                str(shp_dir / "lines.shp"),
                pg,
                "-sql",
                f"SELECT * FROM ({attr_sql}) q WHERE GeometryType(geom) <> 'POINT'",
                "-lco",
                "ENCODING=UTF-8",
            ]
        )
        ogrs.append((t_pts + t_lin, max(m_pts, m_lin)))
        ours_runs.append(measured([*TASK, "ours_shp", str(OUT / "ours_shp.zip")]))
    ogr_shp = statistics.median([t for t, _ in ogrs])
    add(
        f'ogr2ogr -f "ESRI Shapefile" (points + lines, no ZIP), median of {args.rounds}',
        ogr_shp,
        max(m for _, m in ogrs),
    )
    ours_t, ours_m = statistics.median([r.secs for r in ours_runs]), max(r.mb for r in ours_runs)
    add(f"ours: Shapefile ZIP (dictionary + ZIP), median of {args.rounds}", ours_t, ours_m, ogr_shp)
    print(f"{'':<58} pairs: " + ", ".join(f"{o.secs / g[0]:.2f}×" for g, o in zip(ogrs, ours_runs)))
    print(
        f"{'':<58} without starting Python + Django (as a running server exports): "
        f"{median_work(ours_runs):.2f} s, {median_work(ours_runs) / ogr_shp:.2f}× ogr2ogr"
    )
    for fmt in ("gpkg", "csv", "kml"):
        t, m, _ = measured([*TASK, f"ours_{fmt}", str(OUT / f"ours.{fmt}")])
        add(f"ours: {fmt}", t, m)

    if not args.skip_import:
        f = OUT / f"import_{args.import_rows}.zip"
        if not f.exists():
            subprocess.run([*TASK, "make_import_file", str(f), str(args.import_rows), args.import_lao], check=True)
        ogr_t, ogr_m, _ = measured(
            [
                "ogr2ogr",
                "-f",
                "PostgreSQL",
                pg,
                f"/vsizip/{f}",
                "-nln",
                "bench_import_raw",
                "-overwrite",
                "-lco",
                "SPATIAL_INDEX=NONE",
            ]
        )
        add(f"ogr2ogr -f PostgreSQL ({args.import_rows:,} points, no checks)", ogr_t, ogr_m)
        ours_t, ours_m, ours_work = measured([*TASK, "import", "-", str(f), args.import_lao])
        add("ours: import_projects (read, map, check, commit)", ours_t, ours_m, ogr_t)
        print(f"{'':<58} without starting Python + Django: {ours_work:.2f} s, {ours_work / ogr_t:.2f}× ogr2ogr")
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_import_raw")
            cur.execute(
                "DELETE FROM projects_geo_projecttambon WHERE project_id IN (SELECT id FROM "
                "projects_geo_project WHERE source_ref LIKE 'B%%' AND organization_id = "
                "(SELECT id FROM layers_organization WHERE dla_code = %s))",
                [args.import_lao],
            )
            cur.execute(
                "DELETE FROM projects_geo_project WHERE source_ref LIKE 'B%%' AND organization_id = "
                "(SELECT id FROM layers_organization WHERE dla_code = %s)",
                [args.import_lao],
            )
            # The deleted rows stay in the table and its indexes until vacuumed: the next run's
            # duplicate check would probe them (measured: 0.4 → 2.1 s per 50,000-row chunk).
            cur.execute("VACUUM ANALYZE projects_geo_project, projects_geo_projecttambon")


if __name__ == "__main__":
    main()
