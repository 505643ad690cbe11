"""Budget-stage report by area (province, amphoe, tambon or LAO) and kind, in one SQL statement.

Per area (and kind, if split): number of projects, planned budget (``Project.budget``), approved
budget, contract value and amount disbursed (the amounts of stages 3, 4 and 5), the number and
share of projects at each current stage (none, 1–6) and completed 100%; subtotals per area and a
totals row come from ``GROUPING SETS``.

Areas are the project's ``province`` / ``amphoe`` (the unit of its main tambon). At tambon level a
line counts in every tambon it crosses (``ProjectTambon``) and its money is shared out by its share
of the line's length, so the tambon amounts add up to the total; the totals row counts each project
once. Projects outside every boundary form an "unknown area" row.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from layers.models import lao_display_name, lao_display_sql
from projects_geo.models import Kind, Project, Stage

from .base import Column, ReportParams, Table, fetch_dicts, filter_projects, queryset_sql

LEVELS = ("province", "amphoe", "tambon", "lao")

# level -> (unit column of the project row, unit table, code column)
_UNITS = {
    "province": ("p.province_id", "layers_province", "code"),
    "amphoe": ("p.amphoe_id", "layers_amphoe", "code"),
    "tambon": ("pt.tambon_id", "layers_tambon", "code"),
    "lao": ("p.organization_id", "layers_organization", "dla_code"),
}

MONEY = ("planned_budget", "approved_budget", "contract_value", "disbursed")


def budget_sql(base_sql: str, level: str = "province", by_kind: bool = False) -> str:
    """The report's SQL around ``base_sql`` (a SELECT of project rows: id, unit ids, kind, budget, current_stage)."""
    if level not in _UNITS:
        raise ValueError(f"level must be one of {LEVELS}")
    unit, table, code = _UNITS[level]
    # an LAO is named with its type's prefix (ทน.ภูเก็ต and อบจ.ภูเก็ต are two LAOs)
    name_sql, type_sql = (lao_display_sql("u"), "u.type") if level == "lao" else ("u.name_th", "NULL::varchar")
    shared = level == "tambon"
    count = "count(DISTINCT p.id)" if shared else "count(*)"
    weight = " * COALESCE(pt.share, 1)::numeric" if shared else ""
    tambon_join = "LEFT JOIN projects_geo_projecttambon pt ON pt.project_id = p.id" if shared else ""
    stage_counts = ",\n".join(
        f"{count} FILTER (WHERE p.current_stage IS NOT DISTINCT FROM {k if k else 'NULL'}) AS stage_{k}"
        for k in range(0, 7)
    )
    sets = f"({unit}, p.kind), ({unit}), ()" if by_kind else f"({unit}), ()"
    kind_cols = "p.kind AS kind, GROUPING(p.kind) AS g_kind," if by_kind else "NULL::varchar AS kind, 1 AS g_kind,"
    return f"""
WITH agg AS (
    SELECT {unit} AS unit_id, GROUPING({unit}) AS g_unit, {kind_cols}
        {count} AS projects,
        round(sum(p.budget{weight}), 2) AS planned_budget,
        round(sum(s3.amount{weight}), 2) AS approved_budget,
        round(sum(s4.amount{weight}), 2) AS contract_value,
        round(sum(s5.amount{weight}), 2) AS disbursed,
        {stage_counts}
    FROM ({base_sql}) p
    {tambon_join}
    LEFT JOIN projects_geo_projectstage s3 ON s3.project_id = p.id AND s3.stage = 3
    LEFT JOIN projects_geo_projectstage s4 ON s4.project_id = p.id AND s4.stage = 4
    LEFT JOIN projects_geo_projectstage s5 ON s5.project_id = p.id AND s5.stage = 5
    GROUP BY GROUPING SETS ({sets})
)
SELECT agg.*, u.{code} AS code, {name_sql} AS name_th, u.name_en, {type_sql} AS unit_type,
    {", ".join(f"round(100.0 * agg.stage_{k} / NULLIF(agg.projects, 0), 1) AS pct_stage_{k}" for k in range(0, 7))}
FROM agg LEFT JOIN {table} u ON u.id = agg.unit_id
ORDER BY agg.g_unit, u.{code} NULLS LAST, agg.g_kind DESC, agg.kind
"""


def base_queryset(user, params: ReportParams):
    return filter_projects(params, Project.objects.visible_to(user))


def budget_rows(queryset, level: str = "province", by_kind: bool = False) -> list[dict]:
    """Rows of the report over ``queryset`` (already access-filtered); the last row is the total."""
    base, params = queryset_sql(
        queryset, "id", "province_id", "amphoe_id", "organization_id", "kind", "budget", "current_stage"
    )
    return fetch_dicts(budget_sql(base, level, by_kind), params)


def columns(level: str, by_kind: bool) -> list[Column]:
    area = {"province": _("Province"), "amphoe": _("Amphoe"), "tambon": _("Tambon"), "lao": _("LAO")}[level]
    cols = [Column("code", _("Code"), "text"), Column("name_th", area, "text")]
    if by_kind:
        cols.append(Column("kind_label", _("Kind"), "text"))
    cols += [
        Column("projects", _("Number of projects")),
        Column("planned_budget", _("Planned budget"), "money"),
        Column("approved_budget", _("Approved budget"), "money"),
        Column("contract_value", _("Contract value"), "money"),
        Column("disbursed", _("Amount disbursed"), "money"),
        Column("pct_stage_0", _("%(stage)s (%% of projects)") % {"stage": _("No stage yet")}, "pct"),
    ]
    cols += [Column(f"pct_stage_{s.value}", _("%(stage)s (%% of projects)") % {"stage": s.label}, "pct") for s in Stage]
    cols.append(Column("stage_6", _("Completed 100% (projects)")))
    return cols


def budget_report(user, params: ReportParams, level: str = "province", by_kind: bool = False) -> Table:
    """The budget-stage table for what ``user`` may see, filtered by ``params``."""
    rows = budget_rows(base_queryset(user, params), level, by_kind)
    english = not (get_language() or "th").startswith("th")
    kinds = dict(Kind.choices)
    total = None
    body = []
    for row in rows:
        row["kind_label"] = str(kinds.get(row["kind"], _("All kinds"))) if by_kind else ""
        if row["g_unit"]:
            row["name_th"], row["code"] = _("Total"), ""
            total = row
            continue
        if row["unit_id"] is None:
            row["name_th"], row["code"] = _("Unknown area"), ""
        elif english and row["name_en"]:  # the English name where the registry has one
            row["name_th"] = (
                lao_display_name(row["unit_type"], "", row["name_en"], "en") if level == "lao" else row["name_en"]
            )
        body.append(row)
    years = ", ".join(str(y) for y in params.fiscal_years) or _("all years")
    return Table(
        _("Budget stages by area, fiscal year %(years)s") % {"years": years}, columns(level, by_kind), body, total
    )
