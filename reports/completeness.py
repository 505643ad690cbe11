"""The DLA completeness table: LAOs that recorded each budget stage in each of four fiscal years.

One row per province: its number of LAOs and, for each stage (1 in plan … 6 completed 100%) and
each of the last four fiscal years, how many of its LAOs have at least one project of that year
that has reached the stage (``current_stage >= stage``); a national total row (``GROUPING SETS``).
LAOs come from ``visible_organizations`` and projects from ``visible_projects``, so a provincial
analyst gets their province, an LAO its own row. ``lao_status`` is the drill-down: each LAO of a
province with the highest stage it reached per year, and which stage/year cells it is missing.

The per-LAO maximum stage per year is read from the index ``project_fy_org_stage_idx``
(fiscal_year, organization, current_stage) without touching the table.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.access import visible_organizations
from projects_geo.models import Project, Stage

from .base import Column, ReportParams, Table, fetch_dicts, last_years, queryset_sql

STAGES = [s.value for s in Stage]


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
    cells = ",\n".join(f"count(*) FILTER (WHERE l.m{i} >= {s}) AS y{i}_s{s}" for i in range(len(years)) for s in STAGES)
    return f"""
WITH {_per_lao_sql(project_sql, org_sql, years)},
    agg AS (
        SELECT l.province_id, GROUPING(l.province_id) AS g, count(*) AS laos,
            {cells}
        FROM l GROUP BY GROUPING SETS ((l.province_id), ())
    )
SELECT agg.*, pr.code, pr.name_th, pr.name_en
FROM agg LEFT JOIN layers_province pr ON pr.id = agg.province_id
ORDER BY agg.g, pr.code
"""


def lao_status_sql(project_sql: str, org_sql: str, years: list[int]) -> str:
    """One row per LAO with the highest stage reached in each year (0 = nothing recorded)."""
    return f"""
WITH {_per_lao_sql(project_sql, org_sql, years)}
SELECT l.*, o.dla_code, o.name_th, o.type, a.name_th AS amphoe_name_th
FROM l JOIN layers_organization o ON o.id = l.id LEFT JOIN layers_amphoe a ON a.id = l.amphoe_id
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
        row["missing"] = {(years[i], s) for i in range(len(years)) for s in STAGES if row[f"m{i}"] < s}
    return years, rows


def columns(years: list[int]) -> list[Column]:
    cols = [Column("code", _("Code"), "text"), Column("name_th", _("Province"), "text"), Column("laos", _("LAOs"))]
    for s in Stage:
        for i, y in enumerate(years):
            cols.append(Column(f"y{i}_s{s.value}", f"{s.label} {y}"))
    return cols


def completeness_report(user, params: ReportParams) -> Table:
    years, rows = completeness_rows(user, params)
    total = None
    body = []
    for row in rows:
        if row["g"]:
            row["code"], row["name_th"] = "", _("Whole country")
            total = row
        else:
            body.append(row)
    title = _("LAOs that recorded projects by budget stage, fiscal years %(first)s–%(last)s") % {
        "first": years[0],
        "last": years[-1],
    }
    table = Table(title, columns(years), body, total)
    table.years = years
    return table
