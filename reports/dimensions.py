"""Budgets and stages along the strategic dimensions: by National Strategy strategy, NESDP
milestone, SDG (the framework items the project's strategy in its LAO's development plan serves)
or funding source, for the whole country or per province / amphoe / LAO, in one SQL statement.

A project counts under every item its strategy serves (a strategy linked to SDG 6 and SDG 11 puts
its projects in both rows); projects not linked to any item of the framework form the "not linked"
row; the total row counts each project once. Per row: number of projects, planned budget, approved
budget, contract value, amount disbursed, projects completed 100% and their share. The map of a
row is the report map (choropleth) or the analysis map filtered by the same item
(``analysis.filters``: ``national_strategy`` / ``nesdp`` / ``sdg`` / ``funding_source``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from planning.models import Framework, FrameworkItem, PlanStrategy, ProjectPlanLink
from projects_geo.models import FundingSource, Project

from .base import Column, ParamError, ReportParams, Table, fetch_dicts, filter_projects, queryset_sql

DIMENSIONS = ("national_strategy", "nesdp", "sdg", "funding_source")
LEVELS = ("country", "province", "amphoe", "lao")
# level -> (unit column of the project row, unit table, code column)
_UNITS = {
    "country": (None, None, None),
    "province": ("p.province_id", "layers_province", "code"),
    "amphoe": ("p.amphoe_id", "layers_amphoe", "code"),
    "lao": ("p.organization_id", "layers_organization", "dla_code"),
}
BASE_FIELDS = ("id", "province_id", "amphoe_id", "organization_id", "budget", "current_stage", "funding_source")


def _item_sql(dimension: str) -> tuple[str, list]:
    """SELECT (project_id, item) pairs of the dimension for the selected projects (``ps``)."""
    if dimension == "funding_source":
        return "SELECT p.id AS project_id, NULLIF(p.funding_source, '') AS item FROM ps p", []
    through = PlanStrategy.framework_items.through._meta.db_table
    return (
        f"""SELECT DISTINCT l.project_id, fi.code AS item
        FROM ps p
        JOIN {ProjectPlanLink._meta.db_table} l ON l.project_id = p.id
        JOIN {through} sfi ON sfi.planstrategy_id = l.strategy_id
        JOIN {FrameworkItem._meta.db_table} fi ON fi.id = sfi.frameworkitem_id
        JOIN {Framework._meta.db_table} f ON f.id = fi.framework_id AND f.kind = %s""",
        [dimension],
    )


MONEY_SUMS = """count(*) AS projects,
    round(sum(p.budget), 2) AS planned_budget,
    round(sum(p.approved), 2) AS approved_budget,
    round(sum(p.contract), 2) AS contract_value,
    round(sum(p.disbursed), 2) AS disbursed,
    count(*) FILTER (WHERE p.current_stage = 6) AS completed"""


def dimension_sql(base_sql: str, dimension: str, level: str) -> tuple[str, list]:
    """Rows per (item, area) with ``g = 0``, and the total row (``g = 1``: every project once).

    ``ps`` holds each selected project once with its stage amounts (one pass over the stages);
    ``d`` every (project, item) pair plus a (project, NULL) row for a project with no item — an anti
    join PostgreSQL hashes."""
    item_sql, item_params = _item_sql(dimension)
    unit = _UNITS[level][0]
    unit_col = f"{unit} AS unit_id" if unit else "NULL::bigint AS unit_id"
    sql = f"""
WITH sel AS MATERIALIZED ({base_sql}),
ps AS MATERIALIZED (
    SELECT p.id, p.funding_source, p.budget, p.current_stage, {unit_col},
        s3.amount AS approved, s4.amount AS contract, s5.amount AS disbursed
    FROM sel p
    LEFT JOIN projects_geo_projectstage s3 ON s3.project_id = p.id AND s3.stage = 3
    LEFT JOIN projects_geo_projectstage s4 ON s4.project_id = p.id AND s4.stage = 4
    LEFT JOIN projects_geo_projectstage s5 ON s5.project_id = p.id AND s5.stage = 5
),
pairs AS MATERIALIZED ({item_sql}),
d AS (
    SELECT project_id, item FROM pairs WHERE item IS NOT NULL
    UNION ALL
    SELECT p.id, NULL FROM ps p
    LEFT JOIN (SELECT DISTINCT project_id FROM pairs WHERE item IS NOT NULL) x ON x.project_id = p.id
    WHERE x.project_id IS NULL
)
SELECT 0 AS g, d.item, p.unit_id, {MONEY_SUMS}
FROM d JOIN ps p ON p.id = d.project_id
GROUP BY d.item, p.unit_id
UNION ALL
SELECT 1, NULL, NULL, {MONEY_SUMS}
FROM ps p
"""
    return sql, item_params


def item_names(dimension: str) -> dict[str, str]:
    """item code → its Thai name (the newest framework's, when several periods share a code)."""
    if dimension == "funding_source":
        return {value: str(label) for value, label in FundingSource.choices}
    names = {}
    for code, name in (
        FrameworkItem.objects.filter(framework__kind=dimension)
        .order_by("framework__start_year")
        .values_list("code", "name_th")
    ):
        names[code] = name
    return names


def check(dimension: str, level: str) -> None:
    if dimension not in DIMENSIONS:
        raise ParamError(
            "dimension",
            f"dimension must be one of {', '.join(DIMENSIONS)}.",
            f"มิติต้องเป็นหนึ่งใน {', '.join(DIMENSIONS)}",
        )
    if level not in LEVELS:
        raise ParamError("level", f"level must be one of {', '.join(LEVELS)}.", f"ระดับต้องเป็น {', '.join(LEVELS)}")


def _sort_key(row):
    item = row["item"]
    return (item is None, int(item) if item and item.isdigit() else 0, item or "", row.get("unit_code") or "")


def dimension_rows(user, params: ReportParams, dimension: str, level: str) -> tuple[list[dict], dict]:
    check(dimension, level)
    queryset = filter_projects(params, Project.objects.visible_to(user))
    base, base_params = queryset_sql(queryset, *BASE_FIELDS)
    sql, item_params = dimension_sql(base, dimension, level)
    result = fetch_dicts(sql, base_params + item_params)
    rows = [r for r in result if not r["g"]]
    total = next(r for r in result if r["g"])
    _unit, table, code = _UNITS[level]
    if table:
        ids = sorted({r["unit_id"] for r in rows if r["unit_id"] is not None})
        found = fetch_dicts(f"SELECT id, {code} AS code, name_th FROM {table} WHERE id = ANY(%s)", [ids])
        units = {u["id"]: (u["code"], u["name_th"]) for u in found}
        for r in rows:
            r["unit_code"], r["unit_name"] = units.get(r["unit_id"], ("", _("Unknown area")))
    return sorted(rows, key=_sort_key), total


def columns(dimension: str, level: str) -> list[Column]:
    item_label = {
        "national_strategy": _("National Strategy"),
        "nesdp": _("NESDP milestone"),
        "sdg": _("SDG"),
        "funding_source": _("Funding source"),
    }[dimension]
    cols = [Column("item", _("Code"), "text"), Column("item_name", item_label, "text")]
    if level != "country":
        area = {"province": _("Province"), "amphoe": _("Amphoe"), "lao": _("LAO")}[level]
        cols += [Column("unit_code", _("Area code"), "text"), Column("unit_name", area, "text")]
    return cols + [
        Column("projects", _("Number of projects")),
        Column("planned_budget", _("Planned budget"), "money"),
        Column("approved_budget", _("Approved budget"), "money"),
        Column("contract_value", _("Contract value"), "money"),
        Column("disbursed", _("Amount disbursed"), "money"),
        Column("completed", _("Completed 100% (projects)")),
        Column("pct_completed", _("Completed 100%") + " %", "pct"),
    ]


def _pct(row):
    return round(100.0 * row["completed"] / row["projects"], 1) if row["projects"] else None


def dimension_report(user, params: ReportParams, dimension: str, level: str = "country") -> Table:
    rows, total = dimension_rows(user, params, dimension, level)
    names = item_names(dimension)
    for row in rows:
        row["item_name"] = names.get(row["item"], "") if row["item"] else _("Not linked / not recorded")
        row["item"] = row["item"] or ""
        row["pct_completed"] = _pct(row)
    total.update(item="", item_name=_("Total (each project once)"), unit_code="", unit_name="")
    total["pct_completed"] = _pct(total)
    years = ", ".join(str(y) for y in params.fiscal_years) or _("all years")
    title = _("Budgets and stages by %(dimension)s, fiscal year %(years)s") % {
        "dimension": columns(dimension, level)[1].label,
        "years": years,
    }
    table = Table(title, columns(dimension, level), rows, total)
    table.dimension = dimension
    return table
