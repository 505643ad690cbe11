"""The province score (50 points) from system data: completeness and timeliness of data entry.

The calendar of deadlines is DLA's national calendar in the database (``monitoring.CalendarItem``:
the items with points; default in ``monitoring/defaults.py``). Each item names a budget stage, a
deadline given as month/day of a C.E. year relative to the fiscal year's first day (``year_offset``
0 = the year the FY starts in, 1 = the year it ends in; FY 2568 starts 2024-10-01), the ``basis`` of
timeliness (``"recorded"``: the stage was entered in the system — ``ProjectStage.recorded_at`` — by
the end of the deadline day, Bangkok time; ``"date"``: the stage's own date is on or before the
deadline) and two point weights:

- ``completeness``: points × share of the province's LAOs with at least one project of the fiscal
  year that has reached the stage (``current_stage >= stage``);
- ``timeliness``: points × share of its LAOs with at least one project of the fiscal year whose
  stage row meets the deadline.

The weights of the whole calendar must add up to 50. Every share and point is computed in SQL,
per province with a national total row, for what the user may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import visible_organizations
from monitoring.calendar import score_items
from monitoring.models import fy_day
from projects_geo.models import Project, Stage

from .base import Column, ReportParams, Table, fetch_dicts, queryset_sql, thai_date

TOTAL_POINTS = 50


@dataclass(frozen=True)
class Deadline:
    key: str
    stage: int
    month: int
    day: int
    year_offset: int
    basis: str
    completeness: Decimal
    timeliness: Decimal

    def due(self, fiscal_year: int) -> dt.date:
        return fy_day(fiscal_year, self.month, self.day, self.year_offset)

    @property
    def label(self) -> str:
        return str(Stage(self.stage).label)


class CalendarError(ImproperlyConfigured):
    """The calendar's score items do not make a score (points not adding up to 50, a bad day)."""


def calendar() -> list[Deadline]:
    """The score's deadlines: DLA's national calendar items that carry points (monitoring's
    ``CalendarItem``, edited on the calendar page), checked; ``CalendarError`` says what is wrong."""
    result = []
    for item in score_items():
        d = Deadline(
            item.key,
            int(item.stage or 0),
            item.due_month,
            item.due_day,
            item.due_offset,
            item.basis,
            Decimal(item.completeness),
            Decimal(item.timeliness),
        )
        try:
            d.due(2568)  # a real day of the year
        except ValueError as exc:
            raise CalendarError(f"calendar item {d.key}: {exc}") from exc
        if d.stage not in Stage.values or d.basis not in ("recorded", "date"):
            raise CalendarError(f"calendar item {d.key}: a score item needs a stage 1–6 and a basis.")
        result.append(d)
    total = sum(d.completeness + d.timeliness for d in result)
    if total != TOTAL_POINTS:
        raise CalendarError(f"The calendar's score points add up to {total}, not {TOTAL_POINTS}.")
    return result


def _deadline_param(d: Deadline, fiscal_year: int):
    due = d.due(fiscal_year)
    if d.basis == "date":
        return due
    # End of the deadline day in Bangkok time, as an aware datetime.
    return timezone.make_aware(
        dt.datetime.combine(due + dt.timedelta(days=1), dt.time.min), timezone.get_default_timezone()
    )


def score_sql(project_sql: str, org_sql: str, items: list[Deadline]) -> str:
    on_time = ",\n".join(
        f"bool_or(s.stage = {d.stage} AND s.{'date' if d.basis == 'date' else 'recorded_at'} "
        f"{'<=' if d.basis == 'date' else '<'} %s) AS t{i}"
        for i, d in enumerate(items)
    )
    flags = ", ".join(f"COALESCE(per.t{i}, false) AS t{i}" for i in range(len(items)))
    parts = []
    points = []
    for i, d in enumerate(items):
        parts.append(f"count(*) FILTER (WHERE l.ms >= {d.stage}) AS c{i}")
        parts.append(f"count(*) FILTER (WHERE l.t{i}) AS t{i}")
        for prefix, weight, cond in (("c", d.completeness, f"l.ms >= {d.stage}"), ("t", d.timeliness, f"l.t{i}")):
            expr = f"round({weight} * count(*) FILTER (WHERE {cond}) / NULLIF(count(*), 0)::numeric, 2)"
            parts.append(f"{expr} AS {prefix}{i}_points")
            points.append(f"COALESCE({expr}, 0)")
    return f"""
WITH per AS (
    SELECT p.organization_id, max(p.current_stage) AS ms,
        {on_time}
    FROM ({project_sql}) p LEFT JOIN projects_geo_projectstage s ON s.project_id = p.id
    GROUP BY p.organization_id
),
l AS (
    SELECT o.id, o.province_id, COALESCE(per.ms, 0) AS ms, {flags}
    FROM ({org_sql}) o LEFT JOIN per ON per.organization_id = o.id
),
agg AS (
    SELECT l.province_id, GROUPING(l.province_id) AS g, count(*) AS laos,
        {", ".join(parts)},
        {" + ".join(points)} AS score
    FROM l GROUP BY GROUPING SETS ((l.province_id), ())
)
SELECT agg.*, pr.code, pr.name_th, pr.name_en
FROM agg LEFT JOIN layers_province pr ON pr.id = agg.province_id
ORDER BY agg.g, pr.code
"""


def score_rows(user, fiscal_year: int, params: ReportParams | None = None) -> list[dict]:
    items = calendar()
    projects = Project.objects.visible_to(user).filter(fiscal_year=fiscal_year)
    orgs = visible_organizations(user)
    if params and params.province_codes:
        projects = projects.filter(organization__province__code__in=params.province_codes)
        orgs = orgs.filter(province__code__in=params.province_codes)
    project_sql, p_params = queryset_sql(projects, "id", "organization_id", "current_stage")
    org_sql, o_params = queryset_sql(orgs, "id", "province_id")
    deadline_params = [_deadline_param(d, fiscal_year) for d in items]
    return fetch_dicts(score_sql(project_sql, org_sql, items), deadline_params + p_params + o_params)


def breakdown(row: dict, items: list[Deadline], fiscal_year: int) -> list[dict]:
    """The score of one row item by item, for display."""
    out = []
    for i, d in enumerate(items):
        out.append(
            {
                "key": d.key,
                "stage": d.stage,
                "label": d.label,
                "due": d.due(fiscal_year),
                "basis": d.basis,
                "reached": row[f"c{i}"],
                "on_time": row[f"t{i}"],
                "completeness_max": d.completeness,
                "timeliness_max": d.timeliness,
                "completeness_points": row[f"c{i}_points"] or Decimal(0),
                "timeliness_points": row[f"t{i}_points"] or Decimal(0),
            }
        )
    return out


def columns(items: list[Deadline]) -> list[Column]:
    cols = [Column("code", _("Code"), "text"), Column("name_th", _("Province"), "text"), Column("laos", _("LAOs"))]
    for i, d in enumerate(items):
        cols.append(
            Column(
                f"c{i}_points",
                _("%(stage)s: recorded (of %(max)s)") % {"stage": d.label, "max": d.completeness},
                "money",
            )
        )
        cols.append(
            Column(
                f"t{i}_points", _("%(stage)s: on time (of %(max)s)") % {"stage": d.label, "max": d.timeliness}, "money"
            )
        )
    cols.append(Column("score", _("Score (of 50)"), "money"))
    return cols


def score_report(user, params: ReportParams) -> Table:
    fy = params.latest_year
    items = calendar()
    rows = score_rows(user, fy, params)
    total, body = None, []
    for row in rows:
        row["breakdown"] = breakdown(row, items, fy)
        if row["g"]:
            row["code"], row["name_th"] = "", _("Total")
            total = row
        else:
            body.append(row)
    table = Table(
        _("Province score from system data, fiscal year %(year)s") % {"year": fy}, columns(items), body, total
    )
    recorded, stage_date = _("recorded in the system"), _("stage date")
    table.notes = [
        f"{d.label}: {thai_date(d.due(fy))} ({recorded if d.basis == 'recorded' else stage_date})" for d in items
    ]
    table.fiscal_year = fy
    table.items = items
    return table
