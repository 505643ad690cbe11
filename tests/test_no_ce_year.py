"""No Thai page or report file shows a C.E. year (issue 21, item 3): dates go through
common.thai_format (B.E.) in templates, messages and report files."""

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts import registration
from accounts.models import Role
from closures.models import Closure
from jobs.models import Job
from layers.models import Organization
from messaging.models import Message, NewsItem, Thread
from projects_geo.deletion import soft_delete_project
from projects_geo.stages import StageError, record_stage
from tests.factories import PASSWORD, PATONG, PHUKET, make_user, make_water_point

pytestmark = pytest.mark.django_db

CE = re.compile(r"(?<![\d,.])20[1-4]\d(?![\d,])")  # a year of C.E. 2010–2049 standing alone


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


@pytest.fixture
def setting():
    admin = make_user("ladmin", Role.LAO_ADMIN, lao=PATONG)
    project = make_water_point(PATONG, 98.2967, 7.8960, fiscal_year=2568, user=admin)
    record_stage(project, 1, dt.date(2024, 6, 1), user=admin)
    record_stage(project, 2, dt.date(2024, 8, 15), user=admin)
    gone = make_water_point(PATONG, 98.2990, 7.8990, fiscal_year=2568, name="ลบแล้ว", user=admin)
    soft_delete_project(gone, user=admin)
    pending = get_user_model().objects.create_user("newbie", password=PASSWORD)
    registration.register(pending, role=Role.LAO_ENGINEER, organization=Organization.objects.get(dla_code=PATONG))
    return admin, project


def test_thai_pages_show_no_ce_year(client, setting):
    admin, project = setting
    client.force_login(admin)
    urls = [
        "/",
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/history/",
        "/projects/deleted/",
        "/accounts/approvals/",
        f"/reports/budget/?fiscal_year=2568&province={PHUKET}",
        "/reports/completeness/?fiscal_year=2568",
        "/reports/score/?fiscal_year=2568",
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="th")
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        found = CE.search(text)
        assert found is None, (url, found and text[found.start() - 60 : found.end() + 20])


def test_report_files_show_no_ce_year(client, setting):
    admin, _project = setting
    client.force_login(admin)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/reports/budget/?fiscal_year=2568&format={fmt}", HTTP_ACCEPT_LANGUAGE="th")
        assert response.status_code == 200
        if fmt == "csv":
            text = response.content.decode("utf-8-sig")
        else:
            ws = load_workbook(io.BytesIO(response.content)).active
            text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
        assert CE.search(text) is None, (fmt, text[:300])
        assert str(timezone.localdate().year) not in response["Content-Disposition"]


def test_stage_messages_give_be_dates(setting):
    _admin, project = setting
    with translation.override("th"), pytest.raises(StageError) as info:
        record_stage(project, 3, dt.date(2024, 8, 1), 1000)
    message = info.value.messages[0]
    assert "2567" in message and CE.search(message) is None


def test_the_pages_of_jobs_messages_news_closures_and_follow_up_show_no_ce_year(client, setting):
    """The apps added beside issue 21 (jobs, messaging, closures, monitoring, on behalf) go through
    the same B.E. filters: their pages, the banner of a coming closure and the follow-up's CSV."""
    admin, project = setting
    now = timezone.now()
    Job.objects.create(
        owner=admin,
        kind="export",
        state="done",
        idempotency_key="ce",
        params={"format": "csv"},
        file_name="a.csv",
        finished_at=now,
        expires_at=now + dt.timedelta(days=2),
    )
    thread = Thread.objects.create(
        organization=admin.profile.organization,
        province=admin.profile.organization.province,
        subject="พิกัดโครงการ",
        created_by=admin,
    )
    Message.objects.create(thread=thread, author=admin, body="ถามเรื่องพิกัด")
    NewsItem.objects.create(title="ประกาศปิดระบบ", body="ปิดระบบชั่วคราว", province=None)
    Closure.objects.create(
        starts_at=now + dt.timedelta(days=2), ends_at=now + dt.timedelta(days=3), reason_th="เปลี่ยนปีงบ", reason_en="FY"
    )
    dla = make_user("dla_ce", Role.DLA_ADMIN)
    analyst = make_user("ana_ce", Role.PROVINCIAL_ANALYST, province=PHUKET)
    pages = [
        (admin, ["/", "/jobs/", "/messages/", f"/messages/{thread.pk}/", "/news/", "/projects/on-behalf/"]),
        (dla, ["/closures/", "/monitoring/calendar/", "/monitoring/behind/"]),
        (analyst, ["/monitoring/behind/", "/monitoring/digest/", "/monitoring/behind/export/?format=csv"]),
    ]
    for user, urls in pages:
        client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="th")
            assert response.status_code == 200, url
            body = response.content.decode("utf-8-sig")
            text = body if url.endswith("format=csv") else visible_text(body)
            found = CE.search(text)
            assert found is None, (url, found and text[found.start() - 60 : found.end() + 20])
