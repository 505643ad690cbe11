"""A synthetic national dataset of projects for scale tests and benchmarks (``generate_projects``).

Every LAO of the registry gets projects in proportion to its type (a PAO or city more than an
SAO), placed inside the LAO's own area: its amphoe, or its province for a PAO (or an LAO whose
amphoe the registry could not resolve). Roads are lines (a few hundred metres to a few km,
clipped to the area), most water projects points (dredging and pipelines are lines). Fiscal
years are the last six, more of the recent ones; stages are reached in order, each dated after
the previous one and never after today; amounts follow the budget. Units (province, amphoe,
tambon and ProjectTambon shares) and lengths are filled set-based in SQL, as ``save_project``
would.

Everything is computed in PostgreSQL from a seeded hash of (seed, sequence number, salt), so a
seed reproduces the same dataset; rows are written with ``INSERT … SELECT`` in batches of LAOs,
in one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import connection, transaction

from common import dbconn
from layers.models import Organization, OrganizationType

from . import clustercells, fiscal
from .models import Project

SOURCE_PREFIX = "synthetic"

TYPE_WEIGHTS = {
    OrganizationType.PAO: 6.0,
    OrganizationType.CITY_MUNICIPALITY: 4.0,
    OrganizationType.TOWN_MUNICIPALITY: 2.0,
    OrganizationType.SUBDISTRICT_MUNICIPALITY: 1.2,
    OrganizationType.SAO: 1.0,
    OrganizationType.SPECIAL: 5.0,
}

# Weighted by repetition: (subtype, Thai name prefix, base budget THB, geometry 'line'/'point', length m)
ROAD_SUBTYPES = (
    [("concrete_road", "ก่อสร้างถนนคอนกรีตเสริมเหล็ก", 1_500_000, "line", 800)] * 5
    + [("asphalt_road", "ก่อสร้างถนนลาดยางแอสฟัลท์ติกคอนกรีต", 3_000_000, "line", 1500)] * 3
    + [("laterite_road", "ก่อสร้างถนนลูกรัง", 400_000, "line", 1200)] * 2
    + [("gravel_road", "ก่อสร้างถนนหินคลุก", 300_000, "line", 1000)]
    + [("bridge", "ก่อสร้างสะพานคอนกรีตเสริมเหล็ก", 2_500_000, "line", 40)]
    + [("drainage", "ก่อสร้างรางระบายน้ำ คสล.", 800_000, "line", 400)] * 3
    + [("road_repair", "ซ่อมแซมผิวจราจร", 600_000, "line", 700)] * 2
    + [("footpath", "ก่อสร้างทางเท้า", 350_000, "line", 300)]
)
WATER_SUBTYPES = (
    [("pond", "ขุดสระน้ำสาธารณะ", 700_000, "point", 0)] * 2
    + [("weir", "ก่อสร้างฝายน้ำล้น", 500_000, "point", 0)] * 2
    + [("check_dam", "ก่อสร้างฝายชะลอน้ำ", 150_000, "point", 0)] * 2
    + [("well", "ขุดเจาะบ่อบาดาล", 450_000, "point", 0)] * 3
    + [("reservoir", "ก่อสร้างอ่างเก็บน้ำ", 5_000_000, "point", 0)]
    + [("canal_dredging", "ขุดลอกคลอง", 600_000, "line", 1500)] * 3
    + [("water_pipeline", "วางท่อส่งน้ำ", 900_000, "line", 1200)] * 2
    + [("water_supply", "ก่อสร้างระบบประปาหมู่บ้าน", 1_800_000, "point", 0)] * 3
)
ROAD_SHARE = 0.55
# Funding sources and their shares (cumulative thresholds on a uniform draw): most works are paid
# from the LAO's own revenue and the general subsidy, the larger ones from the specific subsidy.
FUNDING_SHARES = (
    ("own_revenue", 0.32),
    ("general_subsidy", 0.36),
    ("specific_subsidy", 0.22),
    ("reserves", 0.07),
    ("loan", 0.01),
    ("other", 0.02),
)
# Share of approved budgets whose funding source differs from the project's (then accumulated reserves).
STAGE_FUNDING_DIFFERS = 0.05
FISCAL_YEAR_WEIGHTS = (8, 12, 16, 20, 24, 20)  # oldest … current
# Days after the previous stage: (min, max) for stages 2..6; stage 1 is 60–365 days before the FY.
STAGE_GAPS = ((15, 90), (30, 120), (20, 150), (30, 200), (10, 90))


class GeneratorError(Exception):
    pass


@dataclass
class Batch:
    org_ids: list[int]
    counts: list[int]
    first_seq: list[int]

    @property
    def size(self):
        return sum(self.counts)


def allocate(organizations, count: int, seed: int) -> list[tuple[int, int]]:
    """``[(org_id, n)]`` with sum n == count, proportional to the type weights (deterministic)."""
    rng = random.Random(seed)
    weights = [TYPE_WEIGHTS.get(t, 1.0) * rng.uniform(0.5, 1.5) for _, t in organizations]
    total = sum(weights)
    exact = [count * w / total for w in weights]
    counts = [int(x) for x in exact]
    remainder = count - sum(counts)
    order = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[:remainder]:
        counts[i] += 1
    return [(org_id, n) for (org_id, _), n in zip(organizations, counts) if n]


def batches(allocation, batch_size: int):
    current, seq = Batch([], [], []), 1
    for org_id, n in allocation:
        current.org_ids.append(org_id)
        current.counts.append(n)
        current.first_seq.append(seq)
        seq += n
        if current.size >= batch_size:
            yield current
            current = Batch([], [], [])
    if current.org_ids:
        yield current


SETUP_SQL = """
CREATE OR REPLACE FUNCTION pg_temp.rnd(seed bigint, seq bigint, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (('x' || substr(md5(seed::text || ':' || seq::text || ':' || salt::text), 1, 8))::bit(32)::bigint)::float8
           / 4294967296.0
$$;
DROP TABLE IF EXISTS gen_lao;
CREATE TEMP TABLE gen_lao AS
SELECT o.id AS org_id, o.name_th,
       CASE WHEN o.type = 'provincial_admin_org' OR o.amphoe_id IS NULL THEN p.geom ELSE a.geom END AS area,
       o.type = 'provincial_admin_org' AS is_pao
FROM layers_organization o
JOIN layers_province p ON p.id = o.province_id
LEFT JOIN layers_amphoe a ON a.id = o.amphoe_id;
CREATE UNIQUE INDEX ON gen_lao (org_id);
ANALYZE gen_lao;
"""

BATCH_SQL = """
DROP TABLE IF EXISTS gen_batch;
CREATE TEMP TABLE gen_batch AS
WITH l AS (
    SELECT * FROM unnest(%(org_ids)s::bigint[], %(counts)s::int[], %(first_seq)s::bigint[]) AS u(org_id, n, first_seq)
), pts AS (
    SELECT g.org_id, g.name_th, g.is_pao, g.area, l.first_seq + d.path[1] - 1 AS seq, d.geom AS pt
    FROM l
    JOIN gen_lao g ON g.org_id = l.org_id
    CROSS JOIN LATERAL ST_Dump(
        ST_GeneratePoints(g.area, l.n, ((%(seed)s::bigint * 7919 + g.org_id) %% 2000000000 + 1)::int)
    ) d
), attrs AS (
    SELECT pts.*,
           CASE WHEN pg_temp.rnd(%(seed)s, seq, 1) < %(road_share)s THEN 'road' ELSE 'water' END AS kind,
           pg_temp.rnd(%(seed)s, seq, 2) AS r_sub,
           pg_temp.rnd(%(seed)s, seq, 3) AS r_fy,
           -- a standard normal (Box–Muller) for the budget spread
           sqrt(-2 * ln(GREATEST(pg_temp.rnd(%(seed)s, seq, 4), 1e-12)))
               * cos(2 * pi() * pg_temp.rnd(%(seed)s, seq, 5)) AS z,
           pg_temp.rnd(%(seed)s, seq, 6) * 2 * pi() AS bearing,
           pg_temp.rnd(%(seed)s, seq, 7) AS r_len,
           pg_temp.rnd(%(seed)s, seq, 8) AS r_stage,
           1 + floor(pg_temp.rnd(%(seed)s, seq, 9) * 15)::int AS moo
    FROM pts
), picked AS (
    SELECT a.*,
           CASE WHEN a.kind = 'road' THEN 1 + floor(a.r_sub * %(road_n)s)::int
                ELSE 1 + floor(a.r_sub * %(water_n)s)::int END AS i_sub
    FROM attrs a
), typed AS (
    SELECT p.*,
           CASE WHEN p.kind = 'road' THEN (%(road_subtype)s::text[])[i_sub]
                ELSE (%(water_subtype)s::text[])[i_sub] END AS subtype,
           CASE WHEN p.kind = 'road' THEN (%(road_prefix)s::text[])[i_sub]
                ELSE (%(water_prefix)s::text[])[i_sub] END AS prefix,
           CASE WHEN p.kind = 'road' THEN (%(road_budget)s::float8[])[i_sub]
                ELSE (%(water_budget)s::float8[])[i_sub] END AS base_budget,
           CASE WHEN p.kind = 'road' THEN (%(road_geom)s::text[])[i_sub]
                ELSE (%(water_geom)s::text[])[i_sub] END AS geom_kind,
           CASE WHEN p.kind = 'road' THEN (%(road_len)s::float8[])[i_sub]
                ELSE (%(water_len)s::float8[])[i_sub] END AS base_len,
           (%(fy_list)s::int[])[1 + floor(p.r_fy * %(fy_n)s)::int] AS fiscal_year
    FROM picked p
), shaped AS (
    SELECT t.*,
           CASE WHEN t.geom_kind = 'point' THEN t.pt ELSE (
               SELECT ST_MakeLine(ARRAY[
                   t.pt,
                   ST_SetSRID(ST_MakePoint(ST_X(t.pt) + h * sin(t.bearing) / (111320 * cos(radians(ST_Y(t.pt)))),
                                           ST_Y(t.pt) + h * cos(t.bearing) / 110540), 4326),
                   ST_SetSRID(ST_MakePoint(
                       ST_X(t.pt) + h * (sin(t.bearing) + sin(t.bearing + 0.4)) / (111320 * cos(radians(ST_Y(t.pt)))),
                       ST_Y(t.pt) + h * (cos(t.bearing) + cos(t.bearing + 0.4)) / 110540), 4326)
               ])
               FROM (SELECT t.base_len * (0.3 + 1.4 * t.r_len) / 2 AS h) half
           ) END AS raw_geom
    FROM typed t
)
SELECT nextval(pg_get_serial_sequence('projects_geo_project', 'id')) AS id,
       s.seq, s.org_id, s.kind, s.subtype, s.fiscal_year,
       left(s.prefix || ' หมู่ที่ ' || s.moo || ' ' || s.name_th, 300) AS name,
       GREATEST(10000, round((s.base_budget * exp(0.6 * s.z) * CASE WHEN s.is_pao THEN 2.5 ELSE 1 END)::numeric, -3))
           ::numeric(14, 2) AS budget,
       CASE
           WHEN s.geom_kind = 'point' OR ST_CoveredBy(s.raw_geom, s.area) THEN s.raw_geom
           ELSE COALESCE((SELECT d.geom FROM ST_Dump(ST_Intersection(s.raw_geom, s.area)) d
                          WHERE ST_GeometryType(d.geom) = 'ST_LineString' AND ST_Length(d.geom) > 0
                            AND ST_CoveredBy(d.geom, s.area)
                          ORDER BY ST_Length(d.geom) DESC LIMIT 1), s.pt)
       END AS geom,
       -- the stage the project would have reached by now: older fiscal years further on
       LEAST(6, GREATEST(0, floor(s.r_stage * 4 + (%(current_fy)s - s.fiscal_year) * 1.7)::int)) AS target_stage,
       make_date(s.fiscal_year - 543 - 1, 10, 1) - (60 + floor(pg_temp.rnd(%(seed)s, s.seq, 10) * 305))::int AS d1
FROM shaped s;

ALTER TABLE gen_batch ADD COLUMN dates date[];
UPDATE gen_batch b SET dates = ARRAY[
    d1,
    d1 + g2,
    d1 + g2 + g3,
    d1 + g2 + g3 + g4,
    d1 + g2 + g3 + g4 + g5,
    d1 + g2 + g3 + g4 + g5 + g6]
FROM (SELECT id,
             %(g2a)s + floor(pg_temp.rnd(%(seed)s, seq, 12) * %(g2w)s)::int AS g2,
             %(g3a)s + floor(pg_temp.rnd(%(seed)s, seq, 13) * %(g3w)s)::int AS g3,
             %(g4a)s + floor(pg_temp.rnd(%(seed)s, seq, 14) * %(g4w)s)::int AS g4,
             %(g5a)s + floor(pg_temp.rnd(%(seed)s, seq, 15) * %(g5w)s)::int AS g5,
             %(g6a)s + floor(pg_temp.rnd(%(seed)s, seq, 16) * %(g6w)s)::int AS g6
      FROM gen_batch) g
WHERE g.id = b.id;
ALTER TABLE gen_batch ADD COLUMN current_stage int;
-- no stage dated after today
UPDATE gen_batch SET current_stage = NULLIF(LEAST(target_stage,
    (SELECT count(*) FROM unnest(dates) d WHERE d <= %(today)s::date)::int), 0);
ALTER TABLE gen_batch ADD COLUMN length_m float8;
UPDATE gen_batch SET length_m = ST_Length(geom::geography) WHERE ST_Dimension(geom) = 1;
CREATE INDEX ON gen_batch USING gist (geom);
ANALYZE gen_batch;

DROP TABLE IF EXISTS gen_pt;
CREATE TEMP TABLE gen_pt AS
SELECT b.id AS project_id, t.id AS tambon_id, t.amphoe_id, a.province_id,
       CASE WHEN ST_Dimension(b.geom) = 0 OR ST_CoveredBy(b.geom, t.geom) THEN 1.0
            ELSE LEAST(1.0, ST_Length(ST_Intersection(b.geom, t.geom)::geography) / NULLIF(b.length_m, 0))
       END AS share
FROM gen_batch b
JOIN layers_tambon t ON ST_Intersects(t.geom, b.geom)
JOIN layers_amphoe a ON a.id = t.amphoe_id;
DELETE FROM gen_pt WHERE share IS NULL OR share <= 0;
DROP TABLE IF EXISTS gen_main;
CREATE TEMP TABLE gen_main AS
SELECT DISTINCT ON (project_id) project_id, province_id, amphoe_id, tambon_id
FROM gen_pt ORDER BY project_id, share DESC, tambon_id;
CREATE UNIQUE INDEX ON gen_main (project_id);

INSERT INTO projects_geo_project
    (id, organization_id, kind, subtype, name, fiscal_year, plan_reference, source_ref, budget, funding_source, geom,
     length_m, province_id, amphoe_id, tambon_id, validation_findings, current_stage, created_at, updated_at)
SELECT b.id, b.org_id, b.kind, b.subtype, b.name, b.fiscal_year, '',
       %(prefix)s || ':' || %(seed)s || ':' || b.seq, b.budget,
       (%(fund_codes)s::text[])[(SELECT count(*) FROM unnest(%(fund_cum)s::float8[]) c
                                 WHERE c <= pg_temp.rnd(%(seed)s, b.seq, 22)) + 1],
       b.geom, b.length_m,
       m.province_id, m.amphoe_id, m.tambon_id, '[]'::jsonb, b.current_stage, now(), now()
FROM gen_batch b
LEFT JOIN gen_main m ON m.project_id = b.id;

INSERT INTO projects_geo_projecttambon (project_id, tambon_id, share)
SELECT DISTINCT ON (project_id, tambon_id) project_id, tambon_id, round(share::numeric, 6)::float8
FROM gen_pt ORDER BY project_id, tambon_id;

INSERT INTO projects_geo_projectstage (project_id, stage, date, amount, note, funding_source, recorded_at)
SELECT b.id, k, b.dates[k],
       CASE k WHEN 3 THEN b.budget
              WHEN 4 THEN round(b.budget * (0.85 + 0.14 * pg_temp.rnd(%(seed)s, b.seq, 20))::numeric, 2)
              WHEN 5 THEN round(b.budget * (0.85 + 0.14 * pg_temp.rnd(%(seed)s, b.seq, 20))::numeric
                                * (0.3 + 0.7 * pg_temp.rnd(%(seed)s, b.seq, 21))::numeric, 2)
       END,
       '',
       CASE WHEN k = 3 AND pg_temp.rnd(%(seed)s, b.seq, 23) < %(stage_fund_differs)s THEN 'reserves' ELSE '' END,
       now()
FROM gen_batch b
CROSS JOIN LATERAL generate_series(1, COALESCE(b.current_stage, 0)) k;
"""


def _params(seed: int, batch: Batch, today) -> dict:
    current_fy = fiscal.current_fiscal_year(today)
    years = list(range(current_fy - len(FISCAL_YEAR_WEIGHTS) + 1, current_fy + 1))
    fy_list = [y for y, w in zip(years, FISCAL_YEAR_WEIGHTS) for _ in range(w)]
    params = {
        "seed": seed,
        "org_ids": batch.org_ids,
        "counts": batch.counts,
        "first_seq": batch.first_seq,
        "road_share": ROAD_SHARE,
        "fy_list": fy_list,
        "fy_n": len(fy_list),
        "current_fy": current_fy,
        "today": today,
        "prefix": SOURCE_PREFIX,
        "fund_codes": [code for code, _share in FUNDING_SHARES],
        "fund_cum": _cumulative([share for _code, share in FUNDING_SHARES])[:-1],
        "stage_fund_differs": STAGE_FUNDING_DIFFERS,
    }
    for kind, subtypes in (("road", ROAD_SUBTYPES), ("water", WATER_SUBTYPES)):
        params[f"{kind}_n"] = len(subtypes)
        for i, key in enumerate(("subtype", "prefix", "budget", "geom", "len")):
            params[f"{kind}_{key}"] = [row[i] for row in subtypes]
    for k, (lo, hi) in zip(range(2, 7), STAGE_GAPS):
        params[f"g{k}a"], params[f"g{k}w"] = lo, hi - lo + 1
    return params


def _cumulative(shares) -> list[float]:
    out, total = [], 0.0
    for share in shares:
        total += share
        out.append(round(total, 6))
    return out


def existing_count(seed: int) -> int:
    return Project.objects.filter(source_ref__startswith=f"{SOURCE_PREFIX}:{seed}:").count()


def delete_generated(seed: int | None = None) -> int:
    """Remove synthetic projects (of one seed, or all) with their stages and tambon rows."""
    pattern = f"{SOURCE_PREFIX}:{seed}:%" if seed is not None else f"{SOURCE_PREFIX}:%"
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM projects_geo_projectstage WHERE project_id IN "
            "(SELECT id FROM projects_geo_project WHERE source_ref LIKE %s)",
            [pattern],
        )
        cur.execute(
            "DELETE FROM projects_geo_projecttambon WHERE project_id IN "
            "(SELECT id FROM projects_geo_project WHERE source_ref LIKE %s)",
            [pattern],
        )
        cur.execute("DELETE FROM projects_geo_project WHERE source_ref LIKE %s", [pattern])
        return cur.rowcount


def generate(count: int, *, seed: int = 1, batch_size: int = 25000, today=None, progress=None, replace=False) -> dict:
    """Generate ``count`` projects over all LAOs of the registry; returns counts. One transaction.

    ``progress(n)`` is called after each batch with the number of projects written.
    """
    if count < 1:
        raise GeneratorError("count must be at least 1")
    if seed < 1:
        raise GeneratorError("seed must be a positive integer")
    today = today or dt.date.today()
    organizations = list(Organization.objects.order_by("dla_code").values_list("id", "type"))
    if not organizations:
        raise GeneratorError("The LAO registry is empty: run load_sample_data (or load_lao_registry) first.")
    with transaction.atomic():
        removed = delete_generated(seed) if replace else 0
        if not replace and existing_count(seed):
            raise GeneratorError(
                f"Projects of seed {seed} already exist; use --replace to generate them again or another --seed."
            )
        with connection.cursor() as cur:
            dbconn.jit_off_here(cur)  # JIT compiling these wide expressions costs seconds per batch, saves nothing
            cur.execute(SETUP_SQL)
            written = 0
            for batch in batches(allocate(organizations, count, seed), batch_size):
                cur.execute(BATCH_SQL, _params(seed, batch, today))
                written += batch.size
                if progress:
                    progress(batch.size)
            cur.execute("DROP TABLE IF EXISTS gen_batch, gen_pt, gen_main, gen_lao")
        clustercells.compact()  # one delta row per batch and cell so far: fold them (and ANALYZE)
        with connection.cursor() as cur:
            cur.execute(
                "ANALYZE projects_geo_project; ANALYZE projects_geo_projecttambon; ANALYZE projects_geo_projectstage"
            )
        created = existing_count(seed)  # ST_GeneratePoints may return fewer points for a sliver of an area
    return {"created": created, "requested": written, "removed": removed, "organizations": len(organizations)}
