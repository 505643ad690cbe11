"""Province score: known answers and breakdown on the hand-built dataset, configurable calendar."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from layers.models import Province
from monitoring.models import CalendarItem
from reports import score
from reports.base import parse_params
from tests.factories import PASSWORD, PHANG_NGA, PHUKET, make_analyst, make_dla_admin

D = Decimal


def _rows(user, **params):
    t = score.score_report(user, parse_params({"fiscal_year": "2568", **params}))
    return t, {r["code"]: r for r in t.rows}


def test_default_calendar_deadlines_for_fy_2568(db):
    due = {d.key: d.due(2568) for d in score.calendar()}
    assert due == {
        "plan": dt.date(2024, 6, 30),
        "plan_approved": dt.date(2024, 8, 31),
        "budget": dt.date(2024, 9, 30),
        "contract": dt.date(2025, 3, 31),
        "disbursed": dt.date(2025, 9, 30),
        "complete": dt.date(2025, 10, 10),
    }
    assert sum(d.completeness + d.timeliness for d in score.calendar()) == 50


def test_score_and_breakdown(report_data):
    dla = make_dla_admin()
    t, rows = _rows(dla)
    phuket = rows[PHUKET]
    # Kathu (1 of 19 LAOs) reached every stage and recorded all of them on 2024-06-01: on time everywhere.
    # Patong's 2568 project has no stage. 5/19 -> 0.26 and 4/19 -> 0.21 points per part.
    parts = [
        (b["key"], b["reached"], b["on_time"], b["completeness_points"], b["timeliness_points"])
        for b in phuket["breakdown"]
    ]
    assert parts == [
        ("plan", 1, 1, D("0.26"), D("0.26")),
        ("plan_approved", 1, 1, D("0.21"), D("0.21")),
        ("budget", 1, 1, D("0.21"), D("0.21")),
        ("contract", 1, 1, D("0.21"), D("0.21")),
        ("disbursed", 1, 1, D("0.21"), D("0.21")),
        ("complete", 1, 1, D("0.21"), D("0.21")),
    ]
    assert phuket["score"] == D("2.62") and phuket["laos"] == 19
    phangnga = rows[PHANG_NGA]
    # C (1 of 52) reached stages 1-4; stage 1 was recorded 2024-07-15 (after 30 June: late), 2-4 on 2024-08-01.
    parts = [
        (b["key"], b["reached"], b["on_time"], b["completeness_points"], b["timeliness_points"])
        for b in phangnga["breakdown"]
    ]
    assert parts == [
        ("plan", 1, 0, D("0.10"), D("0.00")),
        ("plan_approved", 1, 1, D("0.08"), D("0.08")),
        ("budget", 1, 1, D("0.08"), D("0.08")),
        ("contract", 1, 1, D("0.08"), D("0.08")),
        ("disbursed", 0, 0, D("0.00"), D("0.00")),
        ("complete", 0, 0, D("0.00"), D("0.00")),
    ]
    assert phangnga["score"] == D("0.58")
    assert rows["50"]["score"] == D("0.00")
    assert (
        t.total["laos"] == 7849 and t.total["breakdown"][0]["reached"] == 2 and t.total["breakdown"][0]["on_time"] == 1
    )


CALENDAR_BY_DATE = [
    {
        "key": "plan",
        "stage": 1,
        "month": 4,
        "day": 30,
        "year_offset": 0,
        "basis": "date",
        "completeness": 10,
        "timeliness": 15,
    },
    {
        "key": "budget",
        "stage": 3,
        "month": 9,
        "day": 30,
        "year_offset": 0,
        "basis": "date",
        "completeness": 10,
        "timeliness": 15,
    },
]


def use_score_calendar(items):
    """Replace DLA's score items of the calendar (monitoring.CalendarItem) by ``items``."""
    CalendarItem.objects.filter(province__isnull=True).exclude(completeness=0, timeliness=0).delete()
    for item in items:
        CalendarItem.objects.create(
            key=item["key"],
            title_th=item["key"],
            title_en=item["key"],
            stage=item["stage"],
            due_month=item["month"],
            due_day=item["day"],
            due_offset=item.get("year_offset", 0),
            basis=item.get("basis", "recorded"),
            completeness=item["completeness"],
            timeliness=item["timeliness"],
        )


def test_calendar_from_the_database_by_stage_date(report_data):
    use_score_calendar(CALENDAR_BY_DATE)
    dla = make_dla_admin()
    _t, rows = _rows(dla)
    # Stage 1 dated 2024-05-01: after the 30 April deadline; stage 3 dated 2024-09-15: on time.
    b = rows[PHUKET]["breakdown"]
    assert [(x["key"], x["reached"], x["on_time"]) for x in b] == [("plan", 1, 0), ("budget", 1, 1)]
    assert rows[PHUKET]["score"] == D("0.53") + D("0.53") + D("0.79")  # 10/19, 10/19, 15/19


def test_items_without_points_and_provincial_items_are_not_in_the_score(report_data):
    keys = [d.key for d in score.calendar()]
    CalendarItem.objects.create(
        key="plan",
        province=Province.objects.get(code=PHUKET),
        title_th="x",
        title_en="x",
        stage=1,
        due_month=5,
        due_day=1,
    )
    assert (
        [d.key for d in score.calendar()]
        == keys
        == ["plan", "plan_approved", "budget", "contract", "disbursed", "complete"]
    )


@pytest.mark.parametrize(
    "calendar",
    [
        [{"key": "x", "stage": 1, "month": 6, "day": 30, "completeness": 10, "timeliness": 10}],  # 20 points
        [{"key": "x", "stage": 1, "month": 13, "day": 30, "completeness": 25, "timeliness": 25}],
    ],
)
def test_bad_calendar_is_refused_with_a_message(db, calendar):
    use_score_calendar(calendar)
    with pytest.raises(ImproperlyConfigured, match="calendar"):
        score.calendar()


def test_score_page_access_and_download(client, report_data):
    make_analyst(PHANG_NGA)
    client.login(username="ana82", password=PASSWORD)
    html = client.get("/reports/score/?fiscal_year=2568").content.decode()
    assert "พังงา" in html and "ภูเก็ต" not in html and "0.58" in html
    resp = client.get("/reports/score/?fiscal_year=2568&format=csv")
    lines = resp.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3 and lines[1].startswith("82,") and lines[1].endswith(",0.58")
