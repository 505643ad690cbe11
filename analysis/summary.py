"""Totals of a (filtered) project queryset: count and budget, overall and by kind and stage.

One statement in PostgreSQL: the filtered rows are read once and grouped two ways at the same time
(``GROUP BY GROUPING SETS ((kind), (current_stage))``); the overall totals are the sum of the kinds
(kind is never null). Used by the analysts' map (its first totals are rendered with the page) and
the API. The queryset's own SQL (filters, access rules) is kept whole as the inner query.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connections
from django.utils.translation import gettext

from projects_geo.models import Kind, Stage

GROUPED = (
    "SELECT GROUPING(q.kind) AS by_stage, q.kind, q.current_stage, COUNT(*), SUM(q.budget) "
    "FROM ({inner}) AS q GROUP BY GROUPING SETS ((q.kind), (q.current_stage))"
)


def _grouped(queryset) -> tuple[dict, dict]:
    """({kind: (count, budget)}, {stage: (count, budget)}) of ``queryset`` in one statement."""
    inner, params = queryset.order_by().values("kind", "current_stage", "budget").query.sql_with_params()
    by_kind, by_stage = {}, {}
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(GROUPED.format(inner=inner), params)
        for grouped_by_stage, kind, stage, count, budget in cursor.fetchall():
            if grouped_by_stage:
                by_stage[stage] = (count, budget or Decimal("0"))
            else:
                by_kind[kind] = (count, budget or Decimal("0"))
    return by_kind, by_stage


def summarise(queryset) -> dict:
    """``{"count", "budget_total", "by_kind": [...], "by_stage": [...]}`` of ``queryset``."""
    by_kind, by_stage = _grouped(queryset)
    zero = (0, Decimal("0"))
    return {
        "count": sum(count for count, _ in by_kind.values()),
        "budget_total": sum((budget for _, budget in by_kind.values()), Decimal("0")),
        "by_kind": [
            {
                "kind": kind.value,
                "label": str(kind.label),
                "count": by_kind.get(kind.value, zero)[0],
                "budget_total": by_kind.get(kind.value, zero)[1],
            }
            for kind in Kind
        ],
        "by_stage": [
            {
                "stage": value,
                "label": str(label),
                "count": by_stage.get(value, zero)[0],
                "budget_total": by_stage.get(value, zero)[1],
            }
            for value, label in [(None, _no_stage_label())] + [(s.value, s.label) for s in Stage]
        ],
    }


def _no_stage_label():
    return gettext("No stage recorded")
