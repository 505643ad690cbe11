"""Choropleth layers: provinces, amphoe or tambons shaded by a report measure, with legend data.

``choropleth(user, params, level, measure)`` returns a GeoJSON FeatureCollection (plain dict)
whose features carry ``code``, ``name_th``, ``name_en``, ``value``, ``class`` (-1 = nothing,
0–4 = quantile class) and ``color``, plus a ``legend`` member. Values, quantile breaks, classes and
the simplified geometry all come from one SQL statement: the measure's report SQL (``budget``,
``completeness`` or ``score``) joined to the boundary table of the level.

Units shown: the whole country for national users, the user's province for everyone else
(narrowed further by ``province=``). The tambon level needs a province.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.access import is_national, province_of, visible_organizations
from projects_geo.models import Project, Stage

from . import budget, completeness, score
from .base import ParamError, ReportParams, fetch_dicts, last_years, queryset_sql

LEVELS = ("province", "amphoe", "tambon")
PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]  # ColorBrewer YlGnBu, 5 classes
NO_DATA_COLOR = "#e0e0e0"
# Simplification tolerance (degrees) per level, applied in PostGIS for display only.
TOLERANCE = {"province": 0.005, "amphoe": 0.002, "tambon": 0.0005}
_TABLES = {"province": "layers_province", "amphoe": "layers_amphoe", "tambon": "layers_tambon"}


@dataclass(frozen=True)
class Measure:
    key: str
    source: str  # budget | completeness | score
    column: str
    unit: str
    levels: tuple = LEVELS


MEASURES = {
    m.key: m
    for m in [
        Measure("projects", "budget", "projects", "projects"),
        Measure("planned_budget", "budget", "planned_budget", "THB"),
        Measure("approved_budget", "budget", "approved_budget", "THB"),
        Measure("contract_value", "budget", "contract_value", "THB"),
        Measure("disbursed", "budget", "disbursed", "THB"),
        Measure("pct_completed", "budget", "pct_stage_6", "%"),
        Measure("completeness", "completeness", "", "%", ("province", "amphoe")),
        Measure("score", "score", "score", "points", ("province",)),
    ]
}


def measure_label(key: str, stage: int | None = None, year: int | None = None) -> str:
    labels = {
        "projects": _("Number of projects"),
        "planned_budget": _("Planned budget (THB)"),
        "approved_budget": _("Approved budget (THB)"),
        "contract_value": _("Contract value (THB)"),
        "disbursed": _("Amount disbursed (THB)"),
        "pct_completed": _("Projects completed 100% (%)"),
        "score": _("Province score (of 50)"),
    }
    if key == "completeness":
        return _("LAOs that recorded “%(stage)s” in %(year)s (%%)") % {"stage": Stage(stage).label, "year": year}
    return str(labels[key])


def _bad(field, en, th):
    return ParamError(field, en, th)


def _scope_provinces(user, params: ReportParams) -> list[str] | None:
    """Province codes whose units are shown (None = all)."""
    codes = list(params.province_codes) or None
    if not is_national(user):
        own = province_of(user)
        own_code = own.code if own else "--"
        codes = [c for c in (codes or [own_code]) if c == own_code] or [own_code]
    return codes


def _values_sql(user, params: ReportParams, level: str, measure: Measure, stage: int, year: int):
    """SQL selecting ``unit_id, value`` for the level, and its parameters."""
    if measure.source == "budget":
        qs = budget.base_queryset(user, params)
        base, p = queryset_sql(
            qs, "id", "province_id", "amphoe_id", "organization_id", "kind", "budget", "current_stage"
        )
        inner = budget.budget_sql(base, level)
        return (
            f"SELECT unit_id, {measure.column}::numeric AS value FROM ({inner}) b WHERE g_unit = 0 AND "
            "unit_id IS NOT NULL",
            p,
        )
    if measure.source == "completeness":
        narrowed = ReportParams([year], params.province_codes, params.kind, params.raw)
        project_sql, pp, org_sql, op = completeness._sources(user, narrowed)
        unit = "l.province_id" if level == "province" else "l.amphoe_id"
        sql = (
            f"WITH {completeness._per_lao_sql(project_sql, org_sql, [year])} "
            f"SELECT {unit} AS unit_id, round(100.0 * count(*) FILTER (WHERE l.m0 >= {int(stage)}) / "
            "count(*), 1) AS value "
            f"FROM l WHERE {unit} IS NOT NULL GROUP BY {unit}"
        )
        return sql, pp + op
    items = score.calendar()
    projects = Project.objects.visible_to(user).filter(fiscal_year=year)
    orgs = visible_organizations(user)
    project_sql, pp = queryset_sql(projects, "id", "organization_id", "current_stage")
    org_sql, op = queryset_sql(orgs, "id", "province_id")
    inner = score.score_sql(project_sql, org_sql, items)
    return (
        f"SELECT province_id AS unit_id, score AS value FROM ({inner}) s WHERE g = 0",
        [score._deadline_param(d, year) for d in items] + pp + op,
    )


def choropleth_sql(values_sql: str, level: str, provinces: list[str] | None) -> tuple[str, list]:
    table = _TABLES[level]
    join = {
        "province": "",
        "amphoe": "JOIN layers_province pr ON pr.id = u.province_id",
        "tambon": "JOIN layers_amphoe am ON am.id = u.amphoe_id JOIN layers_province pr ON pr.id = am.province_id",
    }[level]
    prov_col = "u.code" if level == "province" else "pr.code"
    where, params = ("", []) if provinces is None else (f"WHERE {prov_col} = ANY(%s)", [provinces])
    sql = f"""
WITH v AS ({values_sql}),
j AS (
    SELECT u.id, u.code, u.name_th, u.name_en, COALESCE(v.value, 0) AS value, u.geom
    FROM {table} u {join} LEFT JOIN v ON v.unit_id = u.id
    {where}
),
q AS (
    SELECT percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY j.value) AS q,
        min(j.value) AS lo, max(j.value) AS hi
    FROM j WHERE j.value > 0
),
b AS (SELECT ARRAY(SELECT DISTINCT x FROM unnest(q.q) AS x WHERE x > q.lo ORDER BY x) AS breaks, q.lo, q.hi FROM q)
SELECT j.code, j.name_th, j.name_en, j.value,
    CASE WHEN j.value > 0 THEN COALESCE(width_bucket(j.value, b.breaks), 0) ELSE -1 END AS class,
    b.breaks, b.lo, b.hi,
    ST_AsGeoJSON(ST_SimplifyPreserveTopology(j.geom, {TOLERANCE[level]}), 5) AS geometry
FROM j CROSS JOIN b
ORDER BY j.code
"""
    return sql, params


def choropleth(
    user,
    params: ReportParams,
    level: str = "province",
    measure: str = "projects",
    stage: int | None = None,
    year: int | None = None,
) -> dict:
    """The layer as a GeoJSON FeatureCollection dict with a ``legend`` member."""
    if level not in LEVELS:
        raise _bad("level", f"Level must be one of {', '.join(LEVELS)}.", f"ระดับต้องเป็น {', '.join(LEVELS)}")
    m = MEASURES.get(measure)
    if m is None:
        raise _bad("measure", f"Measure must be one of {', '.join(MEASURES)}.", f"ค่าที่แสดงต้องเป็น {', '.join(MEASURES)}")
    if level not in m.levels:
        raise _bad(
            "level",
            f"The measure {measure} is available at the levels {', '.join(m.levels)}.",
            f"ค่า {measure} ใช้ได้ในระดับ {', '.join(m.levels)}",
        )
    provinces = _scope_provinces(user, params)
    if level == "tambon" and not provinces:
        raise _bad("province", "Choose a province to map tambons.", "เลือกจังหวัดก่อนแสดงระดับตำบล")
    stage = int(stage or Stage.IN_PLAN)
    if stage not in Stage.values:
        raise _bad("stage", "Stage must be 1–6.", "ขั้นตอนต้องเป็น 1–6")
    year = int(year or params.latest_year)
    values_sql, vparams = _values_sql(user, params, level, m, stage, year)
    sql, sparams = choropleth_sql(values_sql, level, provinces)
    rows = fetch_dicts(sql, vparams + sparams)
    features = []
    breaks, lo, hi = [], None, None
    for r in rows:
        breaks, lo, hi = r["breaks"] or [], r["lo"], r["hi"]
        cls = r["class"]
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(r["geometry"]) if r["geometry"] else None,
                "properties": {
                    "code": r["code"],
                    "name_th": r["name_th"],
                    "name_en": r["name_en"],
                    "value": float(r["value"]),
                    "class": cls,
                    "color": NO_DATA_COLOR if cls < 0 else PALETTE[min(cls, len(PALETTE) - 1)],
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "level": level,
        "measure": measure,
        "legend": legend(measure, breaks, lo, hi, stage, year),
    }


def legend(measure: str, breaks, lo, hi, stage: int, year: int) -> dict:
    """Legend classes from the SQL breaks: [lo, b1), [b1, b2) … [bn, hi]; plus 'none'."""
    m = MEASURES[measure]
    edges = [float(b) for b in (breaks or [])]
    classes = []
    if lo is not None:
        bounds = [float(lo), *edges, float(hi)]
        for i in range(len(bounds) - 1):
            classes.append(
                {"class": i, "min": bounds[i], "max": bounds[i + 1], "color": PALETTE[min(i, len(PALETTE) - 1)]}
            )
    return {
        "title": measure_label(measure, stage, year),
        "unit": m.unit,
        "classes": classes,
        "none": {"label": _("None"), "color": NO_DATA_COLOR},
        "stage": stage if m.source == "completeness" else None,
        "fiscal_year": year if m.source in ("completeness", "score") else None,
    }


__all__ = ["choropleth", "MEASURES", "LEVELS", "legend", "last_years"]
