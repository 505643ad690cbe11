"""Totals of a (filtered) project queryset: count and budget, overall and by kind and stage.

One statement in PostgreSQL: the filtered rows are read once, grouped by kind and stage together (at
most 2 × 7 groups, in parallel workers), and the totals by kind, by stage and overall are sums of those
few groups. (``GROUPING SETS`` would give both groupings too, but PostgreSQL runs it without parallel
workers: 430 ms against 210 ms on 1,000,000 projects, and two grouped queries cost 2 × 190 ms.)
Used by the analysts' map (its first totals are rendered with the page) and the API.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext

from projects_geo.models import Kind, Stage


def _grouped(queryset) -> tuple[dict, dict]:
    """({kind: (count, budget)}, {stage: (count, budget)}) of ``queryset`` in one statement."""
    rows = queryset.order_by().values_list("kind", "current_stage").annotate(n=Count("id"), total=Sum("budget"))
    by_kind, by_stage = {}, {}
    for kind, stage, count, budget in rows:
        for totals, key in ((by_kind, kind), (by_stage, stage)):
            n, b = totals.get(key, (0, Decimal("0")))
            totals[key] = (n + count, b + (budget or Decimal("0")))
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
