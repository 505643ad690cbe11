"""Benchmark: boundary validation (projects_geo.validation) against the raw-SQL floor.

1. Loads the full-resolution tambon GeoPackage (default ../shared/data/bench/
   tambon_fullres_upper_north.gpkg) through ``layers.loaders.load_level`` — which also builds the
   subdivided ``layers_tambonpart`` table. Province and amphoe rows are derived from the tambon
   layer's ADM1/ADM2 fields with convex-hull geometry (validation reads only the tambon parts).
2. Creates one PAO per province and one SAO per amphoe, and generates (seeded) 100,000 points
   and 20,000 lines (2–5 vertices, 0.2–3 km) inside the tambons with ``ST_GeneratePoints``,
   each owned by the SAO of the amphoe it starts in (1 % of the points typed lat/lon-swapped).
   The batch gets shapely geometries, as imports hand them; single entries GEOS ones, as forms.
3. Times, in the same run: (a) ``validate_batch`` over all 120,000; (b) the floor — the same
   answer (geometry → tambon, with a line's length share) in raw SQL on the same subdivided,
   indexed table, the faster of the planner's default join and a tambon-driven LATERAL join with
   the geometries already in a GiST-indexed table — in ``--repeat`` interleaved rounds (default
   3), comparing medians; (c) p50/p95 of 1,000 single-entry ``validate`` calls against the
   single-point SQL lookup. For reference (not the target's floor) it also times the LATERAL
   floor split as the batch runs it: the points' query here while a second connection runs the
   lines' on a table of just the lines.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")
DEFAULT_GPKG = ROOT.parent / "shared" / "data" / "bench" / "tambon_fullres_upper_north.gpkg"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gpkg", default=str(DEFAULT_GPKG))
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--lines", type=int, default=20_000)
    ap.add_argument("--singles", type=int, default=1000)
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the batch and of each floor variant, interleaved; medians compared",
    )
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings

    dbname = settings.DATABASES["default"]["NAME"]
    if dbname == "gisplan":
        sys.exit(
            "Refusing to load benchmark data into the dev database 'gisplan'; set DATABASE_URL to a bench database."
        )
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"database {dbname}; gpkg {args.gpkg}")
    load(Path(args.gpkg))
    orgs = make_orgs()
    items, wkbs = generate(args.points, args.lines, orgs)
    bench_batch(items, wkbs, args.repeat)
    bench_single(items, args.singles)


def timed(label, fn):
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    print(f"  {label}: {dt:.2f} s")
    return out, dt


def load(gpkg: Path):
    import pyogrio
    import shapely

    from layers.loaders import load_level
    from layers.models import TambonPart

    gdf = pyogrio.read_dataframe(str(gpkg), layer="tambon")
    print(f"tambons: {len(gdf)}, vertices: {int(shapely.get_num_coordinates(gdf.geometry.values).sum()):,}")
    with tempfile.TemporaryDirectory() as tmp:
        hulls = gdf.assign(geometry=shapely.convex_hull(gdf.geometry.values))
        for level, code, th, en, parent in (
            ("province", "ADM1_PCODE", "ADM1_TH", "ADM1_EN", None),
            ("amphoe", "ADM2_PCODE", "ADM2_TH", "ADM2_EN", "ADM1_PCODE"),
        ):
            cols = [code, th, en] + ([parent] if parent else [])
            grouped = hulls.dissolve(by=code, aggfunc="first").reset_index()[cols + ["geometry"]]
            grouped["geometry"] = shapely.convex_hull(grouped.geometry.values)
            path = Path(tmp) / f"{level}.gpkg"
            pyogrio.write_dataframe(grouped, str(path), layer=level)
            print(" ", load_level(level, path, level))
        report, dt = timed("tambon level loaded (incl. ST_Subdivide)", lambda: load_level("tambon", gpkg, "tambon"))
        print(" ", report)
    print(f"  tambon parts: {TambonPart.objects.count():,}")


def make_orgs():
    from layers.models import Amphoe, Organization, Province

    orgs = {}
    for p in Province.objects.all():
        orgs[("p", p.id)] = Organization.objects.update_or_create(
            dla_code=f"2{p.code}0199",
            defaults={"name_th": f"อบจ.{p.name_th}", "type": "provincial_admin_org", "province": p},
        )[0]
    for a in Amphoe.objects.all():
        orgs[("a", a.id)] = Organization.objects.update_or_create(
            dla_code=f"6{a.code}99",
            defaults={
                "name_th": f"อบต.ทดสอบ {a.name_th}",
                "type": "subdistrict_admin_org",
                "province_id": a.province_id,
                "amphoe": a,
            },
        )[0]
    return orgs


def generate(n_points, n_lines, orgs):
    import numpy as np
    from django.contrib.gis.geos import GEOSGeometry
    from django.db import connection

    from projects_geo.coords import lonlat_to_utm, utm_to_lonlat

    rng = np.random.default_rng(42)
    total = n_points + n_lines
    with connection.cursor() as cur:
        # Points spread over the tambons in proportion to their area, seeded.
        cur.execute(
            """
            WITH t AS (SELECT t.id, t.amphoe_id, t.geom, ST_Area(t.geom) / sum(ST_Area(t.geom)) OVER () AS w
                       FROM layers_tambon t)
            SELECT t.amphoe_id, ST_X(g.geom), ST_Y(g.geom)
            FROM t, LATERAL ST_Dump(ST_GeneratePoints(t.geom, GREATEST(1, ceil(t.w * %s)::int), t.id::int)) g
            """,
            [total * 1.02],
        )
        rows = cur.fetchall()
    rng.shuffle(rows)
    rows = rows[:total]
    items, wkbs = [], []
    for k, (amphoe_id, x, y) in enumerate(rows):
        org = orgs[("a", amphoe_id)]
        if k < n_points:
            if k % 100 == 0:
                x, y = y, x  # a typed lat/lon swap
            geom = GEOSGeometry(f"SRID=4326;POINT({x} {y})")
            kind = "water"
        else:
            zone = 47
            e, n = lonlat_to_utm(x, y, zone)
            nv = int(rng.integers(2, 6))
            length = rng.uniform(200, 3000)
            heading = rng.uniform(0, 2 * np.pi)
            steps = np.arange(nv) * length / (nv - 1)
            wiggle = rng.normal(0, 0.2, nv)
            es = e + steps * np.cos(heading + wiggle)
            ns = n + steps * np.sin(heading + wiggle)
            lon, lat = utm_to_lonlat(es, ns, zone)
            geom = GEOSGeometry("SRID=4326;LINESTRING(" + ",".join(f"{a} {b}" for a, b in zip(lon, lat)) + ")")
            kind = "road"
        items.append({"geometry": geom, "organization": org, "kind": kind, "fiscal_year": 2568})
        wkbs.append(bytes(geom.ewkb))
    print(f"generated {n_points:,} points and {len(items) - n_points:,} lines")
    return items, wkbs


def bench_batch(items, wkbs, repeat=3):
    """``repeat`` rounds; each round runs the batch, then every floor variant once. Compared:
    the median of the batch against the smallest median of the floor variants (the same
    statistic on both sides, and the machine's drift during the run hits both)."""
    import shapely
    from django.db import connection, transaction

    from layers.lookup import GeomBatch, _shares_sql
    from projects_geo.validation import validate_batch

    print(f"batch ({repeat} interleaved rounds; median of each):")
    # Handed over as shapely geometries, as imports do (a GEOSGeometry costs ~10 µs to convert).
    batch_items = [{**it, "geometry": g} for it, g in zip(items, shapely.from_wkb(wkbs))]
    ours = []
    variants = {
        (label, lateral, jit): []
        for label, lateral in (("planner's default join", False), ("tambon-driven LATERAL join", True))
        for jit in ("on", "off")
    }
    split = []  # reference: the LATERAL floor as two queries on two connections, as our batch runs it
    with GeomBatch(wkbs, table=True) as batch, _lines_table_elsewhere(wkbs) as (conn2, lines_name):
        for _round in range(repeat):
            t0 = time.perf_counter()
            results = validate_batch(batch_items)
            ours.append(time.perf_counter() - t0)
            for (_label, lateral, jit), times in variants.items():
                sql = _shares_sql(batch.name, lateral=lateral)
                t0 = time.perf_counter()
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(f"SET LOCAL jit = {jit}")
                    cur.execute(sql)
                    cur.fetchall()
                times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with conn2.cursor() as cur2:
                thread = threading.Thread(
                    target=lambda: cur2.execute(_shares_sql(lines_name, True, "lines")) or cur2.fetchall()
                )
                thread.start()
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute("SET LOCAL jit = off")
                    cur.execute(_shares_sql(batch.name, True, "points"))
                    cur.fetchall()
                thread.join()
            split.append(time.perf_counter() - t0)

    def runs(times):
        return f"median {statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})"

    print(f"  (a) validate_batch, {len(items):,} items: {runs(ours)}")
    errors = sum(1 for r in results if not r.ok)
    warnings = sum(1 for r in results if r.warnings)
    codes = {}
    for r in results:
        for f in r.findings:
            codes[f.code] = codes.get(f.code, 0) + 1
    print(f"      {errors:,} with errors, {warnings:,} with warnings; findings: {dict(sorted(codes.items()))}")
    for (label, _lateral, jit), times in variants.items():
        print(f"  (b) floor, {label}, JIT {jit}: {runs(times)}")
    floor = min(statistics.median(t) for t in variants.values())
    batch_median = statistics.median(ours)
    print(
        f"  floor (smallest median of the four): {floor:.2f} s; batch / floor = "
        f"{batch_median / floor:.2f}x (target ≤ 1.5x)"
    )
    print(
        f"  for reference, not the target's floor: the LATERAL floor split like our batch, points on this connection "
        f"while a second one does the lines: {runs(split)}; batch / that = "
        f"{batch_median / statistics.median(split):.2f}x"
    )


@contextmanager
def _lines_table_elsewhere(wkbs):
    """A second connection (JIT off) holding the batch's lines in a GiST-indexed temporary table
    (ord as in the main table) — what our batch builds on its second connection; not timed."""
    import shapely

    from common import dbconn
    from layers.lookup import _copy_chunks

    geoms = shapely.from_wkb(wkbs)
    keep = [i for i, g in enumerate(geoms) if shapely.get_type_id(g) != 0]
    conn = dbconn.connect(dbconn.connection_args())
    try:
        name = "_bench_lines"
        with conn.cursor() as cur:
            cur.execute("SET jit = off")
            cur.execute(
                f"CREATE TEMP TABLE {name} (ord int, geom geometry(Geometry, 4326), pt boolean, "
                "total float8 GENERATED ALWAYS AS (ST_Length(geom::geography)) STORED)"
            )
            with cur.copy(f"COPY {name} (ord, geom, pt) FROM STDIN") as copy:
                for chunk in _copy_chunks(wkbs, [("boolean", [False] * len(wkbs))], keep):
                    copy.write(chunk)
            cur.execute(f"CREATE INDEX ON {name} USING gist (geom)")
        yield conn, name
    finally:
        conn.close()


def bench_single(items, n):
    from django.db import connection

    from projects_geo.validation import validate

    pts = [it for it in items if it["kind"] == "water"][:n]
    lines = [it for it in items if it["kind"] == "road"][: max(1, n // 10)]
    times = []
    for it in pts:
        t0 = time.perf_counter()
        validate(it["geometry"], it["organization"], it["kind"], fiscal_year=2568)
        times.append((time.perf_counter() - t0) * 1000)
    sql_times = []
    with connection.cursor() as cur:
        for it in pts:
            t0 = time.perf_counter()
            cur.execute(
                "SELECT tambon_id FROM layers_tambonpart WHERE ST_Intersects(geom, ST_GeomFromEWKB(%s))",
                [bytes(it["geometry"].ewkb)],
            )
            cur.fetchall()
            sql_times.append((time.perf_counter() - t0) * 1000)
    line_times = []
    for it in lines:
        t0 = time.perf_counter()
        validate(it["geometry"], it["organization"], it["kind"], fiscal_year=2568)
        line_times.append((time.perf_counter() - t0) * 1000)

    def pct(v, q):
        return statistics.quantiles(v, n=100)[q - 1]

    print("single entry:")
    print(
        f"  (c) validate() on {len(times)} points: p50 {pct(times, 50):.2f} ms, p95 {pct(times, 95):.2f} "
        "ms (target p95 ≤ 10 ms)"
    )
    print(f"      single-point SQL lookup: p50 {pct(sql_times, 50):.2f} ms, p95 {pct(sql_times, 95):.2f} ms")
    print(
        f"      validate() on {len(line_times)} lines: p50 {pct(line_times, 50):.2f} ms, p95 "
        f"{pct(line_times, 95):.2f} ms"
    )


if __name__ == "__main__":
    main()
