#!/usr/bin/env python
"""Benchmark: what the ``photo_urls`` export attribute (field photos, one correlated subquery per
project on ``field_photo(project_id)``) costs a GeoJSON export and the bare export query, with the
attribute and without it (the same FIELDS minus ``photo_urls``), on every project of the database.

With ``--photos N``, N photo rows (no files) are added to random projects inside a transaction
that is rolled back at the end; nothing stays. Needs a migrated database with projects
(``generate_projects``); DATABASE_URL, the dev database by default.

    DATABASE_URL=postgis://… .venv/bin/python benchmarks/field_export_photos.py [--repeat 3] [--photos 20000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from exchange.exports import export_to_file, fields, query  # noqa: E402
from projects_geo.models import Project  # noqa: E402

ALL_FIELDS = list(fields.FIELDS)
WITHOUT = [f for f in ALL_FIELDS if f.key != "photo_urls"]


def use(field_list):
    fields.FIELDS[:] = field_list
    query.FIELDS[:] = field_list


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def bare_query(qs):
    sql, params = query.attributes_sql(qs)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*), sum(length(t::text)) FROM ({sql}) t", params)
        cur.fetchone()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--photos", type=int, default=20000)
    args = parser.parse_args()
    qs = Project.objects.all()
    print(f"projects: {qs.count():,}; load average {os.getloadavg()[0]:.2f}")
    with transaction.atomic():
        if args.photos:
            with connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO field_photo (project_id, image, thumbnail, width, height, original_name, note,"
                    " findings, uploaded_at) SELECT id, 'x.jpg', 'x.jpg', 1, 1, '', '', '[]', now()"
                    " FROM projects_geo_project ORDER BY random() LIMIT %s",
                    [args.photos],
                )
                cur.execute("ANALYZE field_photo")
        print(f"photos: {args.photos:,}")
        variants = (("without photo_urls", WITHOUT), ("with photo_urls", ALL_FIELDS))
        times = {(label, what): [] for label, _ in variants for what in ("query", "geojson")}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "p.geojson"
            for _ in range(args.repeat):  # interleaved, so that the machine's load hits both alike
                for label, field_list in variants:
                    use(field_list)
                    times[label, "query"].append(timed(lambda: bare_query(qs), 1)[0])
                    times[label, "geojson"].append(timed(lambda: export_to_file(qs, "geojson", path), 1)[0])
        for label, _ in variants:
            q, g = times[label, "query"], times[label, "geojson"]
            print(
                f"{label}: export query {min(q):.2f} s best, {statistics.median(q):.2f} s median; "
                f"GeoJSON file {min(g):.2f} s best, {statistics.median(g):.2f} s median"
            )
        use(ALL_FIELDS)
        transaction.set_rollback(True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
