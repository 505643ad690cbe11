"""The fiscal-year calendar and who is behind (issue 24): statuses computed against a fixture with
known done / on-time / late LAOs, the pages (province, national), the CSV/Excel export, the
calendar page's rights, and the weekly digest (page and e-mail)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import ProfileStatus, Role
from layers.models import Organization, Province
from monitoring import defaults
from monitoring.behind import follow_up
from monitoring.digest import send_digests
from monitoring.models import CalendarItem, DigestSubscription
from monitoring.reminders import send_deadline_reminders
from projects_geo.stages import record_stage
from tests.factories import (
    KATHU,
    PATONG,
    PHANG_NGA,
    PHUKET,
    PHUKET_CITY,
    TAKUA_PA,
    make_analyst,
    make_dla_admin,
    make_engineer,
    make_user,
    make_water_point,
)

pytestmark = pytest.mark.django_db

MAY_10 = dt.date(2026, 5, 10)  # fiscal year 2569 (1 Oct 2025 – 30 Sep 2026)


def to_stage(project, last):
    for stage in range(1, last + 1):
        amount = Decimal("1000") if stage in (3, 4, 5) else None
        record_stage(project, stage, dt.date(2025, 11, stage), amount)


@pytest.fixture
def known():
    """Only the test's items: A (national: every project in the plan by 28 Feb), B (Phuket's own: half
    the projects with an approved budget by 30 April), C (national, not begun by 10 May).
    Patong: two FY 2569 projects at stage 3 (done); Kathu: two at stage 1 (B late); Phuket city:
    none (A and B late)."""
    CalendarItem.objects.filter(start_month__isnull=False).delete()
    phuket = Province.objects.get(code=PHUKET)
    a = CalendarItem.objects.create(
        key="a", title_th="ก", title_en="A", stage=1, share=100, start_month=11, due_month=2, due_day=31, due_offset=1
    )
    b = CalendarItem.objects.create(
        key="b",
        province=phuket,
        title_th="ข",
        title_en="B",
        stage=3,
        share=50,
        start_month=3,
        start_offset=1,
        due_month=4,
        due_day=30,
        due_offset=1,
    )
    CalendarItem.objects.create(
        key="c",
        title_th="ค",
        title_en="C",
        stage=5,
        start_month=7,
        start_offset=1,
        due_month=8,
        due_day=31,
        due_offset=1,
    )
    for n in range(2):
        to_stage(make_water_point(PATONG, 98.2960 + n / 1000, 7.8960, name=f"ป่าตอง {n}", fiscal_year=2569), 3)
        to_stage(make_water_point(KATHU, 98.2960 + n / 1000, 7.8970, name=f"กะทู้ {n}", fiscal_year=2569), 1)
    return {"a": a, "b": b, "phuket": phuket}


def status_of(result, code):
    row = next(r for r in result.rows if r.organization.dla_code == code)
    return row.status, row.days_late, [(s.item.key, s.status, s.days_late) for s in row.items]


def test_statuses_against_known_laos(known):
    result = follow_up(known["phuket"].pk, today=MAY_10)
    assert result.fiscal_year == 2569
    assert [i.key for i in result.items] == ["a", "b"]  # C has not begun
    assert status_of(result, PATONG) == ("done", 0, [("a", "done", 0), ("b", "done", 0)])
    assert status_of(result, KATHU) == ("late", 10, [("a", "done", 0), ("b", "late", 10)])
    assert status_of(result, PHUKET_CITY) == ("late", 71, [("a", "late", 71), ("b", "late", 10)])
    counts = result.counts()
    assert counts["done"] == 1 and counts["late"] == len(result.rows) - 1  # no other LAO of Phuket has FY 2569 data


def test_on_time_before_the_deadline(known):
    result = follow_up(known["phuket"].pk, today=dt.date(2026, 4, 20))
    assert status_of(result, KATHU) == ("on_time", 0, [("a", "done", 0), ("b", "on_time", 0)])
    assert status_of(result, PHUKET_CITY)[:2] == ("late", 51)


def test_national_view_applies_a_province_item_only_there(known):
    result = follow_up(None, today=MAY_10)
    assert [i.key for i in result.items] == ["a"]
    assert status_of(result, TAKUA_PA) == ("late", 71, [("a", "late", 71)])
    assert status_of(result, KATHU) == ("done", 0, [("a", "done", 0)])
    summary = {p["province"].code: p for p in result.by_province()}
    phuket_rows = [r for r in result.rows if r.organization.province.code == PHUKET]
    assert summary[PHUKET]["laos"] == len(phuket_rows) == Organization.objects.filter(province__code=PHUKET).count()
    assert summary[PHUKET]["done"] == sum(r.status == "done" for r in phuket_rows) >= 2  # Patong, Kathu at least


def test_last_year_item_reads_last_years_projects(known):
    CalendarItem.objects.create(
        key="last",
        title_th="ง",
        title_en="D",
        stage=1,
        project_year_offset=-1,
        start_month=10,
        due_month=10,
        due_day=31,
    )
    result = follow_up(known["phuket"].pk, today=MAY_10)
    # FY 2568 projects of the sample data: Patong has one without any stage (late), Phuket city's reached stage 1
    statuses = {code: dict((k, s) for k, s, _d in status_of(result, code)[2]) for code in (PATONG, PHUKET_CITY)}
    assert statuses[PATONG]["last"] == "late"
    assert statuses[PHUKET_CITY]["last"] == "done"


def test_default_calendar_is_loaded_and_reloadable():
    assert CalendarItem.objects.filter(province__isnull=True).count() == len(defaults.default_items())
    CalendarItem.objects.filter(key="year_end").update(share=10)
    assert defaults.load(CalendarItem) == (0, len(defaults.default_items()))
    assert CalendarItem.objects.get(key="year_end").share == 75
    items = {i.key: i for i in CalendarItem.objects.all()}
    assert items["development_plan"].due(2569) == dt.date(2026, 2, 28)
    assert items["development_plan"].due(2571) == dt.date(2028, 2, 29)  # a leap year
    assert items["last_year_through_disbursement"].due(2569) == dt.date(2025, 10, 31)


def test_behind_pages_and_rights(client):
    url = reverse("monitoring:behind")
    client.force_login(make_analyst(PHUKET))
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-lao="{PATONG}"' in body and 'id="behind-map"' in body and "behind-config" in body
    # another province's analyst asking for Phuket gets their own province
    client.force_login(make_analyst(PHANG_NGA))
    body = client.get(url, {"province": PHUKET}).content.decode()
    assert f'data-lao="{PATONG}"' not in body and f'data-lao="{TAKUA_PA}"' in body
    client.force_login(make_engineer(PATONG))
    assert client.get(url).status_code == 403
    client.force_login(make_dla_admin())
    assert 'id="behind-provinces"' in client.get(url).content.decode()
    assert f'data-lao="{PATONG}"' in client.get(url, {"province": PHUKET}).content.decode()
    assert client.get(url, {"province": "8x"}).status_code == 404


def test_export_csv_and_excel(client):
    from openpyxl import load_workbook

    client.force_login(make_analyst(PHUKET))
    url = reverse("monitoring:behind_export")
    csv = client.get(url, {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert PATONG in text and "4820501" not in text
    xlsx = client.get(url, {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    codes = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert PATONG in codes and len(codes) == Organization.objects.filter(province__code=PHUKET).count()
    assert client.get(url, {"format": "pdf"}).status_code == 404


def test_calendar_page_rights(client):
    url = reverse("monitoring:calendar")
    item = {
        "key": "phuket-check",
        "title_th": "ตรวจสอบภูเก็ต",
        "title_en": "Phuket check",
        "stage": "2",
        "share": "80",
        "project_year_offset": "0",
        "start_month": "1",
        "start_day": "1",
        "start_offset": "1",
        "due_month": "1",
        "due_day": "31",
        "due_offset": "1",
        "province": "",
    }
    client.force_login(make_analyst(PHUKET))
    assert client.post(url, item).status_code == 302
    added = CalendarItem.objects.get(key="phuket-check")
    assert added.province.code == PHUKET  # a provincial office adds to its own province only
    national = CalendarItem.objects.get(key="development_plan")
    assert client.post(reverse("monitoring:calendar_delete", args=[national.pk])).status_code == 403
    client.force_login(make_analyst(PHANG_NGA))
    assert client.post(reverse("monitoring:calendar_delete", args=[added.pk])).status_code == 403
    assert "phuket-check" not in client.get(url).content.decode()
    client.force_login(make_engineer(PATONG))
    assert client.get(url).status_code == 403
    client.force_login(make_dla_admin())
    assert client.post(url, {**item, "key": "dla-item"}).status_code == 302
    assert CalendarItem.objects.get(key="dla-item").province is None
    assert client.post(reverse("monitoring:calendar_delete", args=[added.pk])).status_code == 302


def test_weekly_digest_page_and_email(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    engineer = make_engineer(PATONG)
    make_water_point(PATONG, 98.2960, 7.8960, name="บ่อใหม่สัปดาห์นี้", user=engineer)
    analyst = make_analyst(PHUKET)
    analyst.email = "analyst@phuket.example"
    analyst.save()
    other = make_analyst(PHANG_NGA)
    other.email = "analyst@phangnga.example"
    other.save()
    DigestSubscription.objects.create(user=other)
    client.force_login(analyst)
    page = client.get(reverse("monitoring:digest"))
    assert page.status_code == 200 and f'data-lao="{PATONG}"' in page.content.decode()
    assert client.post(reverse("monitoring:digest")).status_code == 302
    assert DigestSubscription.objects.filter(user=analyst).exists()
    assert send_digests() == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "ป่าตอง" in by_to["analyst@phuket.example"].body
    assert "ป่าตอง" not in by_to["analyst@phangnga.example"].body
    client.force_login(make_engineer(PATONG, "eng2"))
    assert client.get(reverse("monitoring:digest")).status_code == 403


def test_deadline_reminders_go_to_the_late_laos_staff_only(known):
    """Beat's weekly reminder: one e-mail per late LAO to its active staff with an address, naming
    each late item with its deadline in B.E. and the days overdue; nothing to a done LAO."""

    def staff(username, lao, role=Role.LAO_ENGINEER, email=True):
        user = make_user(username, role, lao=lao)
        user.email = f"{username}@example.org" if email else ""
        user.save()
        return user

    staff("patong_eng", PATONG)  # done: no reminder
    staff("kathu_eng", KATHU)
    staff("kathu_admin", KATHU, Role.LAO_ADMIN)
    staff("kathu_noaddress", KATHU, email=False)
    pending = staff("kathu_pending", KATHU)
    pending.profile.status = ProfileStatus.PENDING
    pending.profile.save()
    staff("city_eng", PHUKET_CITY)
    mail.outbox.clear()

    assert send_deadline_reminders(today=MAY_10) == 2
    by_to = {tuple(m.to): m for m in mail.outbox}
    assert set(by_to) == {("kathu_admin@example.org", "kathu_eng@example.org"), ("city_eng@example.org",)}
    kathu = by_to[("kathu_admin@example.org", "kathu_eng@example.org")].body
    assert "ข (กำหนด 30 เม.ย. 2569, ล่าช้า 10 วัน" in kathu and "B (due" in kathu and "10 days late" in kathu
    assert "ก (" not in kathu  # item A is done for Kathu
    city = by_to[("city_eng@example.org",)].body
    assert "ล่าช้า 71 วัน" in city and "ล่าช้า 10 วัน" in city and "2026" not in city.split("\n\n")[0]
    mail.outbox.clear()
    assert send_deadline_reminders(today=dt.date(2026, 4, 20)) == 1  # before B's deadline only the city is late
    assert mail.outbox[0].to == ["city_eng@example.org"]
