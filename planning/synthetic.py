"""Synthetic development plans for the synthetic national dataset (``generate_plans``), so that
the completeness table's vision / strategy columns and the reports along the strategic dimensions
are benchmarked on realistic data.

Every LAO gets, with the shares below, a plan 2561–2565 and a plan 2566–2570 (vision written in
most), three to six strategies per plan, each linked to one National Strategy strategy, one SDG
(water and infrastructure goals more often) and, for plans meeting the 13th NESDP, one milestone;
projects of ``generate_projects`` (``source_ref`` ``synthetic:…``) are linked to a strategy of the
plan covering their fiscal year. Deterministic for a seed; set-based SQL in one transaction.
Needs the frameworks (``load_frameworks``)."""

from __future__ import annotations

from django.db import connection, transaction

from common import dbconn

from .models import DevelopmentPlan, ProjectPlanLink

NOTE = "synthetic"
PERIODS = ((2561, 2565), (2566, 2570))
PLAN_SHARE = 0.93  # LAOs that entered a plan for the period
VISION_SHARE = 0.9  # plans with their vision written
STRATEGY_SHARE = 0.85  # plans with their strategies entered
LINK_SHARE = 0.8  # synthetic projects linked to a strategy of their plan
SDG_CODES = ["6", "6", "6", "9", "9", "11", "11", "1", "3", "13", "15", "17"]
NESDP_CODES = ["8", "8", "10", "11", "11", "1", "2", "9"]

RND = "(('x' || substr(md5(%(seed)s::text || ':' || ({key})::text || ':' || {salt}::text), 1, 8))::bit(32)::bigint)::float8 / 4294967296.0"  # noqa: E501


def _rnd(key: str, salt: int) -> str:
    return RND.format(key=key, salt=salt)


SQL = f"""
INSERT INTO planning_developmentplan (organization_id, start_year, end_year, vision, note, created_at, updated_at)
SELECT o.id, p.s, p.e,
       CASE WHEN {_rnd("o.id * 10000 + p.s", 2)} < %(vision)s THEN 'วิสัยทัศน์ของ ' || o.name_th ELSE '' END,
       %(note)s, now(), now()
FROM layers_organization o CROSS JOIN unnest(%(starts)s::int[], %(ends)s::int[]) AS p(s, e)
WHERE {_rnd("o.id * 10000 + p.s", 1)} < %(plan)s
  AND NOT EXISTS (SELECT 1 FROM planning_developmentplan d WHERE d.organization_id = o.id
                  AND d.start_year <= p.e AND d.end_year >= p.s);

INSERT INTO planning_planstrategy (plan_id, code, name_th, name_en)
SELECT d.id, g::text, 'ยุทธศาสตร์ที่ ' || g, 'Strategy ' || g
FROM planning_developmentplan d
CROSS JOIN LATERAL generate_series(1, 3 + floor({_rnd("d.id", 3)} * 4)::int) g
WHERE d.note = %(note)s AND {_rnd("d.id", 4)} < %(strategy)s
  AND NOT EXISTS (SELECT 1 FROM planning_planstrategy s WHERE s.plan_id = d.id);

INSERT INTO planning_planstrategy_framework_items (planstrategy_id, frameworkitem_id)
SELECT s.id, fi.id
FROM planning_planstrategy s
JOIN planning_developmentplan d ON d.id = s.plan_id AND d.note = %(note)s
JOIN planning_framework f ON f.start_year <= d.end_year AND f.end_year >= d.start_year
JOIN planning_frameworkitem fi ON fi.framework_id = f.id
WHERE NOT EXISTS (SELECT 1 FROM planning_planstrategy_framework_items x WHERE x.planstrategy_id = s.id)
  AND ((f.kind = 'national_strategy' AND fi.code = (1 + s.id %% 6)::text)
    OR (f.kind = 'sdg' AND fi.code = (%(sdg)s::text[])[1 + (s.id * 7) %% %(sdg_n)s])
    OR (f.kind = 'nesdp' AND fi.code = (%(nesdp)s::text[])[1 + (s.id * 3) %% %(nesdp_n)s]));

INSERT INTO planning_projectplanlink (project_id, plan_id, strategy_id, years)
SELECT p.id, d.id,
       (SELECT s.id FROM planning_planstrategy s WHERE s.plan_id = d.id AND s.code = (1 + p.id %% d.n)::text),
       ARRAY[p.fiscal_year]::smallint[]
FROM projects_geo_project p
JOIN (SELECT d.*, (SELECT count(*) FROM planning_planstrategy s WHERE s.plan_id = d.id) AS n
      FROM planning_developmentplan d WHERE d.note = %(note)s) d
  ON d.organization_id = p.organization_id AND p.fiscal_year BETWEEN d.start_year AND d.end_year
WHERE p.source_ref LIKE 'synthetic:%%' AND d.n > 0 AND {_rnd("p.id", 5)} < %(link)s
  AND NOT EXISTS (SELECT 1 FROM planning_projectplanlink l WHERE l.project_id = p.id);
"""


def generate(seed: int = 1) -> dict[str, int]:
    """Add the synthetic plans and links (what exists is kept); returns the counts afterwards."""
    params = {
        "seed": seed,
        "note": NOTE,
        "starts": [s for s, _e in PERIODS],
        "ends": [e for _s, e in PERIODS],
        "plan": PLAN_SHARE,
        "vision": VISION_SHARE,
        "strategy": STRATEGY_SHARE,
        "link": LINK_SHARE,
        "sdg": SDG_CODES,
        "sdg_n": len(SDG_CODES),
        "nesdp": NESDP_CODES,
        "nesdp_n": len(NESDP_CODES),
    }
    with transaction.atomic(), connection.cursor() as cur:
        dbconn.jit_off_here(cur)
        cur.execute(SQL, params)
        cur.execute("ANALYZE planning_developmentplan; ANALYZE planning_planstrategy; ANALYZE planning_projectplanlink")
    return {
        "plans": DevelopmentPlan.objects.filter(note=NOTE).count(),
        "links": ProjectPlanLink.objects.filter(plan__note=NOTE).count(),
    }
