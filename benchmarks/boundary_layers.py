#!/usr/bin/env python
"""Benchmark: the map's boundary layers (layers.maplayers.boundary_geojson) against the floor.

For a few typical map views it times our endpoint function and, in the same run, ogr2ogr
exporting the same rows as GeoJSON with ``-simplify`` at the same tolerance straight from PostGIS
(the floor: no Django, GDAL's own writer), and prints size and time. Read-only; uses DATABASE_URL
(the dev database by default).

    .venv/bin/python benchmarks/boundary_layers.py [--repeat 5]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from layers.maplayers import LAYER_TABLES, boundary_geojson, parse_request, tolerance_for_zoom  # noqa: E402

VIEWS = [
    ("country, provinces", "province", 6, "96,5,106.5,21"),
    ("Phuket, amphoe", "amphoe", 10, "98.2,7.7,98.5,8.2"),
    ("Phuket, tambons", "tambon", 11, "98.2,7.7,98.5,8.2"),
    ("Patong, tambons", "tambon", 15, "98.27,7.87,98.33,7.92"),
]


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def ogr_floor(level, zoom, bbox):
    db = settings.DATABASES["default"]
    conn = (
        f"PG:host={db['HOST']} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )
    table = LAYER_TABLES[level][0]
    minx, miny, maxx, maxy = bbox.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.geojson"
        subprocess.run(
            [
                "ogr2ogr",
                "-f",
                "GeoJSON",
                str(out),
                conn,
                "-sql",
                f"SELECT code, name_th, name_en, geom FROM {table} WHERE geom && "
                f"ST_MakeEnvelope({minx},{miny},{maxx},{maxy},4326)",
                "-simplify",
                str(tolerance_for_zoom(zoom)),
                "-lco",
                "COORDINATE_PRECISION=6",
            ],
            check=True,
            capture_output=True,
        )
        return out.read_bytes()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'view':<22} {'ours ms':>8} {'ours KB':>8} {'ogr2ogr ms':>11} {'ogr KB':>8}")
    for label, level, zoom, bbox in VIEWS:
        req = parse_request(level, {"zoom": str(zoom), "bbox": bbox})
        ours_t, ours = best(lambda req=req: boundary_geojson(req), args.repeat)
        ogr_t, ogr = best(lambda level=level, zoom=zoom, bbox=bbox: ogr_floor(level, zoom, bbox), args.repeat)
        print(
            f"{label:<22} {ours_t * 1000:>8.1f} {len(ours.encode()) / 1024:>8.0f} {ogr_t * 1000:>11.1f} "
            f"{len(ogr) / 1024:>8.0f}"
        )


if __name__ == "__main__":
    main()
