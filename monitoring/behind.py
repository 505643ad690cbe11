"""Who is behind: per LAO, for today's calendar items, whether it is done, on time or late (days
overdue), from the share of its projects that have reached each item's stage.

An item is *done* for an LAO when it has projects of the item's fiscal year and at least ``share``
per cent of them have reached ``stage`` (``current_stage >= stage``); otherwise it is *late* by the
days since the deadline once that has passed, else *on time*. An LAO's status is its worst item:
late (the most days) before on time before done. One grouped query for the counts, whatever the
number of LAOs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from layers.models import Organization, Province
from projects_geo.models import Project

from .calendar import todays_items
from .models import CalendarItem

DONE, ON_TIME, LATE = "done", "on_time", "late"
RANK = {LATE: 0, ON_TIME: 1, DONE: 2}


@dataclass
class ItemStatus:
    item: CalendarItem
    status: str
    days_late: int
    projects: int
    reached: int


@dataclass
class LaoStatus:
    organization: Organization
    status: str
    days_late: int
    items: list[ItemStatus] = field(default_factory=list)

    @property
    def location(self):
        return self.organization.office_location


@dataclass
class FollowUp:
    today: dt.date
    fiscal_year: int
    province: Province | None
    items: list[CalendarItem]
    rows: list[LaoStatus]

    def counts(self) -> dict[str, int]:
        out = {DONE: 0, ON_TIME: 0, LATE: 0}
        for r in self.rows:
            out[r.status] += 1
        return out

    def by_province(self) -> list[dict]:
        """Per province: LAOs done / on time / late (the national page's summary)."""
        table: dict[int, dict] = {}
        for r in self.rows:
            p = r.organization.province
            row = table.setdefault(p.pk, {"province": p, DONE: 0, ON_TIME: 0, LATE: 0, "laos": 0})
            row[r.status] += 1
            row["laos"] += 1
        return sorted(table.values(), key=lambda x: x["province"].code)


def stage_counts(fiscal_years, province_id=None) -> dict[tuple[int, int], dict]:
    """(LAO id, fiscal year) → {"n": projects, 1..6: projects that reached the stage}."""
    qs = Project.objects.filter(fiscal_year__in=list(fiscal_years))
    if province_id is not None:
        qs = qs.filter(organization__province_id=province_id)
    rows = (
        qs.values("organization_id", "fiscal_year")
        .annotate(n=Count("id"), **{f"s{k}": Count("id", filter=Q(current_stage__gte=k)) for k in range(1, 7)})
        .order_by()
    )
    return {
        (r["organization_id"], r["fiscal_year"]): {"n": r["n"], **{k: r[f"s{k}"] for k in range(1, 7)}} for r in rows
    }


def item_status(item: CalendarItem, counts: dict | None, fiscal_year: int, today: dt.date) -> ItemStatus:
    """``counts``: the LAO's projects of the item's fiscal year (``fiscal_year`` + its
    ``project_year_offset``); the deadline is in ``fiscal_year``'s calendar."""
    n = counts["n"] if counts else 0
    reached = counts[item.stage] if counts else 0
    if n and reached * 100 >= item.share * n:
        return ItemStatus(item, DONE, 0, n, reached)
    due = item.due(fiscal_year)
    if today > due:
        return ItemStatus(item, LATE, (today - due).days, n, reached)
    return ItemStatus(item, ON_TIME, 0, n, reached)


def follow_up(province_id=None, today: dt.date | None = None) -> FollowUp:
    """Today's items and every LAO's status, for a province (None: the whole country)."""
    today = today or dt.date.today()
    fy, items = todays_items(province_id, today)
    orgs = Organization.objects.select_related("province", "amphoe").order_by("province__code", "dla_code")
    if province_id is not None:
        orgs = orgs.filter(province_id=province_id)
    else:  # a province's own items apply to its LAOs only
        items = [i for i in items if i.province_id is None]
    counts = stage_counts({fy + i.project_year_offset for i in items}, province_id) if items else {}
    rows = []
    for org in orgs:
        statuses = [
            item_status(i, counts.get((org.pk, fy + i.project_year_offset)), fy, today)
            for i in items
            if i.province_id in (None, org.province_id)
        ]
        if statuses:
            worst = min(statuses, key=lambda s: (RANK[s.status], -s.days_late))
            rows.append(LaoStatus(org, worst.status, worst.days_late, statuses))
        else:
            rows.append(LaoStatus(org, DONE, 0, []))
    province = Province.objects.without_geom().get(pk=province_id) if province_id is not None else None
    return FollowUp(today, fy, province, items, rows)
