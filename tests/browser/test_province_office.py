"""The provincial office's pages of issue 24 in a real browser (Debian Chromium, headless): the
"who is behind" map, the closure banner and refusal, a message thread. Screenshots go to
test-output/ (behind_map.png, closure_banner.png, closure_refused.png, message_thread.png); every
page must run without a JavaScript error or a Content-Security-Policy violation."""

import datetime as dt

import pytest
from django.utils import timezone

from closures.models import Closure
from messaging.models import Thread
from messaging.services import reply, start_thread
from projects_geo.models import Project
from tests.factories import PATONG, PHUKET, make_analyst, make_dla_admin, make_engineer, make_water_point

from .conftest import sign_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_behind_map(page, sample_site, test_output_dir):
    make_water_point(PATONG, 98.2960, 7.8960, name="บ่อปีนี้", fiscal_year=2570)
    sign_in(page, sample_site.url, make_analyst(PHUKET))
    page.goto(f"{sample_site.url}/monitoring/behind/")
    wait_until(page, "document.getElementById('behind-map').dataset.ready !== undefined")
    markers = int(page.locator("#behind-map").get_attribute("data-ready"))
    assert markers > 10  # the LAO offices of Phuket
    # circles coloured by status are drawn on the map's canvas; the legend lists the three statuses
    assert page.locator("#behind-map canvas").count() >= 1
    assert page.locator(".behind-legend div").count() == 3
    assert page.locator(f"#behind-laos tr[data-lao='{PATONG}']").count() == 1
    page.screenshot(path=str(test_output_dir / "behind_map.png"), full_page=True)
    assert not page.errors, page.errors


def test_closure_banner_and_refusal(page, sample_site, test_output_dir):
    now = timezone.now()
    Closure.objects.create(
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=4),
        reason_th="เปลี่ยนปีงบประมาณ",
        reason_en="fiscal-year switch",
        announce_days=7,
    )
    engineer = make_engineer(PATONG)
    sign_in(page, sample_site.url, engineer)
    banner = page.locator("#closure-banner")
    assert banner.count() == 1 and "เปลี่ยนปีงบประมาณ" in banner.inner_text()
    page.screenshot(path=str(test_output_dir / "closure_banner.png"))
    # the closure starts: the banner says so, and saving is refused with nothing written
    Closure.objects.update(starts_at=now - dt.timedelta(minutes=1))
    project = Project.objects.filter(organization__dla_code=PATONG).first()
    page.goto(f"{sample_site.url}/projects/{project.pk}/")
    assert "ปิดการบันทึกข้อมูลถึง" in page.locator("#closure-banner").inner_text()
    before = Project.objects.get(pk=project.pk).version
    page.fill("#id_name", "แก้ไขระหว่างปิดระบบ")
    page.click("#project-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "fiscal-year switch" in page.locator("#closed-message, p[lang=en]").all_inner_texts()[-1]
    page.screenshot(path=str(test_output_dir / "closure_refused.png"))
    assert Project.objects.get(pk=project.pk).version == before
    assert not page.errors, page.errors


def test_message_thread(page, sample_site, test_output_dir):
    engineer = make_engineer(PATONG)
    thread = start_thread(
        engineer, subject="พิกัดถนนไม่ตรงตำบล", category="coordinates", body="เส้นถนนข้ามเขตตำบล บันทึกอย่างไร"
    )
    reply(thread, make_analyst(PHUKET), "บันทึกตามจุดเริ่มต้น ระบบคำนวณสัดส่วนให้เอง")
    sign_in(page, sample_site.url, engineer)
    assert page.locator("#unread-count").inner_text() == "1"
    page.goto(f"{sample_site.url}/messages/{thread.pk}/")
    assert page.locator(".thread-message").count() == 2
    page.fill("#id_body", "ขอบคุณครับ")
    page.click("#reply-form button[value=reply]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".thread-message").count() == 3
    assert Thread.objects.get(pk=thread.pk).status == "open"
    page.screenshot(path=str(test_output_dir / "message_thread.png"), full_page=True)
    # DLA sees the thread too
    page.context.clear_cookies()
    sign_in(page, sample_site.url, make_dla_admin())
    page.goto(f"{sample_site.url}/messages/{thread.pk}/")
    assert page.locator("#faq-form").count() == 1
    assert not page.errors, page.errors
