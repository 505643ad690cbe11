"""The DLA completeness table, in DLA's full format: LAOs that recorded each step in each of four
fiscal years.

One row per province: its number of LAOs and, for each of DLA's eight columns — vision, strategy,
development plan, plan approved, budget approved, contract signed, disbursed, completed 100% — and
each of the last four fiscal years, how many of its LAOs (แห่ง) have it; a national total row
(``GROUPING SETS``). Vision: a development plan covering the year with its vision written;
strategy: a plan covering the year with at least one strategy (``planning``); the six others: at
least one project of that year that has reached the budget stage (``current_stage >= stage``).
LAOs come from ``visible_organizations`` and projects from ``visible_projects``, so a provincial
analyst gets their province, an LAO its own row. ``lao_status`` is the drill-down: each LAO of a
province with the highest stage it reached per year, and which stage/year cells it is missing.

The per-LAO maximum stage per year is read from the index ``project_fy_org_stage_idx``
(fiscal_year, organization, current_stage) without touching the table.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.access import visible_organizations
from layers.models import lao_display_sql
from planning.models import DevelopmentPlan, PlanStrategy
from projects_geo.models import Project, Stage

from .base import Column, ReportParams, Table, fetch_dicts, last_years, queryset_sql

STAGES = [s.value for s in Stage]
# DLA's columns in its order: (code in the drill-down's ``missing``, key suffix, label)
PLAN_MEASURES = [("v", "vision", gettext_lazy("Vision")), ("t", "strategy", gettext_lazy("Strategy"))]
MEASURES = [*PLAN_MEASURES, *[(str(s.value), f"s{s.value}", s.label) for s in Stage]]
MEASURE_CODES = [code for code, _key, _label in MEASURES]


def _plan_flags_sql(years: list[int]) -> str:
    """Per LAO and year: a plan covering the year with a vision (``v{i}``), with a strategy (``t{i}``)."""
    flags = []
    for i, y in enumerate(years):
        within = f"{int(y)} BETWEEN d.start_year AND d.end_year"
        flags.append(f"bool_or(d.vision <> '' AND {within}) AS v{i}")
        flags.append(f"bool_or(d.has_strategy AND {within}) AS t{i}")
    coalesced = ", ".join(
        f"COALESCE(pf.v{i}, false) AS v{i}, COALESCE(pf.t{i}, false) AS t{i}" for i in range(len(years))
    )
    return f"""
    dpl AS MATERIALIZED (
        SELECT dp.organization_id, dp.start_year, dp.end_year, dp.vision,
            EXISTS (SELECT 1 FROM {PlanStrategy._meta.db_table} ps WHERE ps.plan_id = dp.id) AS has_strategy
        FROM {DevelopmentPlan._meta.db_table} dp
        WHERE dp.start_year <= {int(max(years))} AND dp.end_year >= {int(min(years))}
    ),
    pf AS (
        SELECT d.organization_id, {", ".join(flags)}
        FROM dpl d
        GROUP BY d.organization_id
    ),
    lf AS (
        SELECT l.*, {coalesced}
        FROM l LEFT JOIN pf ON pf.organization_id = l.id
    )"""


def _per_lao_sql(project_sql: str, org_sql: str, years: list[int]) -> str:
    maxes = ",\n".join(
        f"max(p.current_stage) FILTER (WHERE p.fiscal_year = {int(y)}) AS m{i}" for i, y in enumerate(years)
    )
    cols = ", ".join(f"COALESCE(m.m{i}, 0) AS m{i}" for i in range(len(years)))
    year_list = ", ".join(str(int(y)) for y in years)
    return f"""
    m AS (
        SELECT p.organization_id, {maxes}
        FROM ({project_sql}) p
        WHERE p.fiscal_year IN ({year_list})
        GROUP BY p.organization_id
    ),
    l AS (
        SELECT o.id, o.province_id, o.amphoe_id, {cols}
        FROM ({org_sql}) o LEFT JOIN m ON m.organization_id = o.id
    )"""


def completeness_sql(project_sql: str, org_sql: str, years: list[int]) -> str:
    """Province rows and the national total (``g = 1``) for ``years`` (oldest first)."""
    plan_cells = [
        f"count(*) FILTER (WHERE l.{flag}{i}) AS y{i}_{key}"
        for i in range(len(years))
        for flag, key in (("v", "vision"), ("t", "strategy"))
    ]
    stage_cells = [f"count(*) FILTER (WHERE l.m{i} >= {s}) AS y{i}_s{s}" for i in range(len(years)) for s in STAGES]
    cells = ",\n".join(plan_cells + stage_cells)
    return f"""
WITH {_per_lao_sql(project_sql, org_sql, years)},{_plan_flags_sql(years)},
    agg AS (
        SELECT l.province_id, GROUPING(l.province_id) AS g, count(*) AS laos,
            {cells}
        FROM lf l GROUP BY GROUPING SETS ((l.province_id), ())
    )
SELECT agg.*, pr.code, pr.name_th, pr.name_en
FROM agg LEFT JOIN layers_province pr ON pr.id = agg.province_id
ORDER BY agg.g, pr.code
"""


def lao_status_sql(project_sql: str, org_sql: str, years: list[int]) -> str:
    """One row per LAO with the highest stage reached in each year (0 = nothing recorded) and
    whether a plan covering the year has a vision (``v{i}``) and a strategy (``t{i}``)."""
    return f"""
WITH {_per_lao_sql(project_sql, org_sql, years)},{_plan_flags_sql(years)}
SELECT l.*, o.dla_code, {lao_display_sql("o")} AS name_th, o.type, a.name_th AS amphoe_name_th
FROM lf l JOIN layers_organization o ON o.id = l.id LEFT JOIN layers_amphoe a ON a.id = l.amphoe_id
ORDER BY a.code NULLS LAST, o.dla_code
"""


def _sources(user, params: ReportParams):
    projects = Project.objects.visible_to(user)
    orgs = visible_organizations(user)
    if params.province_codes:
        orgs = orgs.filter(province__code__in=params.province_codes)
        projects = projects.filter(organization__province__code__in=params.province_codes)
    if params.kind:
        projects = projects.filter(kind=params.kind)
    project_sql, p_params = queryset_sql(projects, "organization_id", "fiscal_year", "current_stage")
    org_sql, o_params = queryset_sql(orgs, "id", "province_id", "amphoe_id")
    return project_sql, p_params, org_sql, o_params


def report_years(params: ReportParams) -> list[int]:
    """The four fiscal years ending with the latest one asked for (or the current year)."""
    return last_years(params.latest_year, 4)


def completeness_rows(user, params: ReportParams) -> tuple[list[int], list[dict]]:
    years = report_years(params)
    project_sql, p_params, org_sql, o_params = _sources(user, params)
    return years, fetch_dicts(completeness_sql(project_sql, org_sql, years), p_params + o_params)


def lao_status(user, params: ReportParams, province_code: str) -> tuple[list[int], list[dict]]:
    """Drill-down rows for one province (empty if the user may not see it)."""
    years = report_years(params)
    narrowed = ReportParams(params.fiscal_years, [province_code], params.kind, params.raw)
    project_sql, p_params, org_sql, o_params = _sources(user, narrowed)
    rows = fetch_dicts(lao_status_sql(project_sql, org_sql, years), p_params + o_params)
    for row in rows:
        row["reached"] = [row[f"m{i}"] for i in range(len(years))]
        row["missing"] = set()
        row["has"] = {}
        for i, y in enumerate(years):
            for code in MEASURE_CODES:
                done = row[f"{code}{i}"] if code in ("v", "t") else row[f"m{i}"] >= int(code)
                row["has"][(y, code)] = done
                if not done:
                    row["missing"].add((y, int(code) if code.isdigit() else code))
            # the drill-down's download: ✓ per measure and year
            for code, key, _label in MEASURES:
                row[f"y{i}_{key}"] = "✓" if row["has"][(y, code)] else ""
    return years, rows


def columns(years: list[int]) -> list[Column]:
    cols = [
        Column("code", _("Code"), "text"),
        Column("name_th", _("Province"), "text"),
        Column("laos", _("Number of LAOs")),
    ]
    for _code, key, label in MEASURES:
        for i, y in enumerate(years):
            cols.append(Column(f"y{i}_{key}", f"{label} {y}"))
    return cols


def set_dla_header(table: Table, years: list[int], leading: list[Column]) -> None:
    """DLA's two header rows: the leading columns' labels, then each measure over its four
    years; the second row holds the years under each measure."""
    table.header_groups = [(str(c.label), 1) for c in leading] + [(str(lb), len(years)) for _c, _k, lb in MEASURES]
    table.sub_header = [""] * len(leading) + [str(y) for _m in MEASURES for y in years]


def completeness_report(user, params: ReportParams) -> Table:
    years, rows = completeness_rows(user, params)
    total = None
    body = []
    english = not (get_language() or "th").startswith("th")
    for row in rows:
        if row["g"]:
            row["code"], row["name_th"] = "", _("Whole country")
            total = row
        else:
            if english and row.get("name_en"):  # the English name where there is one
                row["name_th"] = row["name_en"]
            body.append(row)
    title = _("Development plans and budget stages of LAOs, fiscal years %(first)s–%(last)s") % {
        "first": years[0],
        "last": years[-1],
    }
    table = Table(title, columns(years), body, total, notes=[_("Unit: number of LAOs (แห่ง); - = none.")])
    table.years = years
    table.measures = MEASURES
    set_dla_header(table, years, table.columns[:3])
    table.dash_zero = True
    return table
