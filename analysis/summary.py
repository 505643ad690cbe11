"""Totals of a (filtered) project queryset: count and budget, overall and by kind and stage.

Two grouped queries (by kind, by stage) in PostgreSQL — the overall totals are the sum of the
kinds (kind is never null); used by the analysts' map and the API.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext

from projects_geo.models import Kind, Stage


def summarise(queryset) -> dict:
    """``{"count", "budget_total", "by_kind": [...], "by_stage": [...]}`` of ``queryset``."""
    qs = queryset.order_by()
    by_kind = {row["kind"]: row for row in qs.values("kind").annotate(count=Count("id"), budget_total=Sum("budget"))}
    by_stage = {
        row["current_stage"]: row
        for row in qs.values("current_stage").annotate(count=Count("id"), budget_total=Sum("budget"))
    }
    return {
        "count": sum(row["count"] for row in by_kind.values()),
        "budget_total": sum((row["budget_total"] or Decimal("0") for row in by_kind.values()), Decimal("0")),
        "by_kind": [
            {
                "kind": kind.value,
                "label": str(kind.label),
                "count": by_kind.get(kind.value, {}).get("count", 0),
                "budget_total": by_kind.get(kind.value, {}).get("budget_total") or Decimal("0"),
            }
            for kind in Kind
        ],
        "by_stage": [
            {
                "stage": value,
                "label": str(label),
                "count": by_stage.get(value, {}).get("count", 0),
                "budget_total": by_stage.get(value, {}).get("budget_total") or Decimal("0"),
            }
            for value, label in [(None, _no_stage_label())] + [(s.value, s.label) for s in Stage]
        ],
    }


def _no_stage_label():
    return gettext("No stage recorded")
