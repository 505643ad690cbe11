#!/usr/bin/env python
"""One measured task of the export/import benchmark, run in its own process so that its peak
memory (``/usr/bin/time`` %M) is its own. Usage: task.py TASK OUT [ARGS]; see run.py.

A measured task also prints ``work_seconds=`` (the time of its work alone): a running server has
started Python and Django and imported the GDAL/Arrow modules before a download, so those are
imported first here and not counted in it (``/usr/bin/time`` counts everything)."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402


def dsn():
    db = settings.DATABASES["default"]
    return (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )


def main(task, out, *args):
    from projects_geo.models import Project

    if task in ("ours_shp", "ours_gpkg", "import"):  # GDAL through pyogrio, and Arrow
        import pyarrow  # noqa: F401
        import pyogrio.raw  # noqa: F401
    if task == "import":
        import pyproj  # noqa: F401

        from projects_geo.management.commands import import_projects  # noqa: F401
    t0 = time.perf_counter()
    work(task, out, Project, *args)
    if task.startswith(("ours_", "copy_floor_")) or task == "import":
        print(f"work_seconds={time.perf_counter() - t0:.3f}")


def work(task, out, Project, *args):
    if task in ("ours_geojson", "ours_shp", "ours_gpkg", "ours_csv", "ours_kml"):
        from exchange.exports import export_to_file

        export_to_file(Project.objects.all(), task.split("_")[1], out)
    elif task in ("copy_floor_table", "copy_floor_same"):
        import psycopg

        from exchange.exports.geojson import geojson_sql

        if task == "copy_floor_table":
            # every column of the table but the tiles' stored Web Mercator copy of the geometry
            sql = (
                "SELECT ST_AsGeoJSON(t.*) FROM (SELECT "
                + ", ".join(f.column for f in Project._meta.concrete_fields)
                + " FROM projects_geo_project) t"
            )
        else:  # the very statement our export runs, with its joins and stage pivot
            sql, params = geojson_sql(Project.objects.all())
            with connection.cursor() as cur:
                sql = cur.mogrify(sql, params) if params else sql
        with psycopg.connect(dsn()) as conn, conn.cursor() as cur, open(out, "wb") as fh:
            with cur.copy(f"COPY ({sql}) TO STDOUT") as copy:
                for block in copy:
                    fh.write(block)
    elif task == "attributes_sql":
        from exchange.exports.query import attributes_sql

        sql, params = attributes_sql(Project.objects.all(), geometry="geom")
        Path(out).write_text(sql.replace("%%", "%"), encoding="utf-8")
    elif task == "import":
        from django.core.management import call_command

        call_command("import_projects", args[0], "--lao", args[1], verbosity=0, stdout=open(os.devnull, "w"))
    elif task == "make_import_file":
        make_import_file(out, int(args[0]), args[1])
    else:
        raise SystemExit(f"unknown task {task}")


def make_import_file(out, n, lao):
    """A zipped shapefile of n points spread inside the LAO's province, with Thai attributes."""
    import tempfile
    import zipfile

    import numpy as np
    import pyogrio.raw

    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_AsBinary((ST_Dump(ST_GeneratePoints(p.geom, %s, 42))).geom) FROM layers_province p "
            "JOIN layers_organization o ON o.province_id = p.id WHERE o.dla_code = %s",
            [n, lao],
        )
        wkb = np.array([bytes(r[0]) for r in cur.fetchall()], dtype=object)
    i = np.arange(len(wkb))
    fields = {
        "ref": np.array([f"B{k}" for k in i], dtype=object),
        "name": np.array([f"ขุดเจาะบ่อบาดาล หมู่ที่ {k % 12 + 1} จุดที่ {k}" for k in i], dtype=object),
        "kind": np.array(["water"] * len(i), dtype=object),
        "subtype": np.array(["well"] * len(i), dtype=object),
        "fy": np.full(len(i), 2568, dtype=np.int64),
        "budget": (100000 + (i % 40) * 5000).astype(np.float64),
    }
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "wells.shp"
        pyogrio.raw.write(
            str(shp),
            wkb,
            list(fields.values()),
            list(fields),
            driver="ESRI Shapefile",
            geometry_type="Point",
            crs="EPSG:4326",
            encoding="UTF-8",
        )
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in Path(tmp).iterdir():
                zf.write(p, p.name)


if __name__ == "__main__":
    main(*sys.argv[1:])
