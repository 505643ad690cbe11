"""Reading the fiscal-year calendar: the items that apply to a province, today's items, the
score's items. Who may change which item: ``accounts.access.can_manage_calendar``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from projects_geo import fiscal

from .models import CalendarItem


def score_items() -> list[CalendarItem]:
    """National items that carry points of the province score, in deadline order."""
    return [i for i in CalendarItem.objects.filter(province__isnull=True) if i.has_points]


def items_for(province_id=None):
    """National items and (with a province) that province's own items."""
    qs = CalendarItem.objects.filter(province__isnull=True)
    if province_id is not None:
        qs = CalendarItem.objects.filter(Q(province__isnull=True) | Q(province_id=province_id))
    return qs.select_related("province")


def todays_items(province_id=None, today: dt.date | None = None) -> tuple[int, list[CalendarItem]]:
    """(the fiscal year of ``today``, the items of the monthly calendar whose period has begun by
    ``today`` and that concern a stage) — what LAOs are followed on, nearest deadline first."""
    today = today or dt.date.today()
    fy = fiscal.fiscal_year_of(today)
    items = [
        i for i in items_for(province_id) if i.start_month is not None and i.stage is not None and i.starts(fy) <= today
    ]
    items.sort(key=lambda i: (i.due(fy), i.position, i.pk))
    return fy, items
