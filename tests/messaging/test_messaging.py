"""Messages and news (issue 24): a thread is read only by its LAO, its provincial office and DLA;
replies change the status and e-mail the others; unread counts in the header; DLA publishes an
answered question to the public FAQ; news by audience with attachments, pinned first, on the home
page."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from messaging.models import NewsAttachment, NewsItem, Status, Thread
from tests.factories import (
    KATHU,
    PATONG,
    PHANG_NGA,
    PHUKET,
    make_analyst,
    make_dla_admin,
    make_engineer,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(tmp_path / "media")


def with_email(user, address):
    user.email = address
    user.save()
    return user


def ask(client, user, subject="พิกัดไม่ตรงกับตำบล"):
    client.force_login(user)
    response = client.post(
        reverse("messaging:threads"),
        {"subject": subject, "category": "coordinates", "body": "จุดโครงการอยู่นอกเขตตำบล ทำอย่างไร"},
    )
    assert response.status_code == 302
    return Thread.objects.get(subject=subject)


def test_thread_is_visible_only_to_the_lao_its_province_and_dla(client):
    engineer = make_engineer(PATONG)
    thread = ask(client, engineer)
    assert thread.organization.dla_code == PATONG and thread.province.code == PHUKET
    url = reverse("messaging:thread", args=[thread.pk])
    allowed = [
        make_user("patong-fin", Role.LAO_FINANCE, lao=PATONG),
        make_analyst(PHUKET),
        make_user("phuket-office", Role.PROVINCIAL_ADMIN, province=PHUKET),
        make_dla_admin(),
    ]
    refused = [make_engineer(KATHU, "kathu-eng"), make_analyst(PHANG_NGA), make_user("nobody")]
    for user in allowed:
        client.force_login(user)
        assert client.get(url).status_code == 200, user
        assert thread.subject in client.get(reverse("messaging:threads")).content.decode()
    for user in refused:
        client.force_login(user)
        assert client.get(url).status_code in (403, 404), user
        assert client.post(url, {"body": "แทรก"}).status_code in (403, 404)
        page = client.get(reverse("messaging:threads"))
        assert thread.subject not in page.content.decode()
    assert thread.messages.count() == 1


def test_reply_status_email_and_unread_count(client):
    engineer = with_email(make_engineer(PATONG), "eng@patong.example")
    thread = ask(client, engineer)
    analyst = with_email(make_analyst(PHUKET), "ana@phuket.example")
    # the analyst has an unread thread in the header
    client.force_login(analyst)
    home = client.get(reverse("messaging:news")).content.decode()
    assert 'id="unread-count">1<' in home
    url = reverse("messaging:thread", args=[thread.pk])
    client.get(url)  # read
    assert 'id="unread-count"' not in client.get(reverse("messaging:news")).content.decode()
    response = client.post(url, {"action": "reply", "body": "ใช้ปุ่มตรวจสอบพิกัดแล้วย้ายจุด"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == Status.ANSWERED
    # the asker is told by e-mail (on commit: the test client's request is in the test's transaction)
    assert [m.to for m in mail.outbox] in ([], [["eng@patong.example"]])
    client.force_login(engineer)
    assert 'id="unread-count">1<' in client.get(reverse("messaging:news")).content.decode()
    client.post(url, {"action": "reply", "body": "ขอบคุณครับ"})
    thread.refresh_from_db()
    assert thread.status == Status.OPEN
    client.post(url, {"action": "closed"})
    thread.refresh_from_db()
    assert thread.status == Status.CLOSED


def test_reply_email_is_sent(django_capture_on_commit_callbacks, client):
    engineer = with_email(make_engineer(PATONG), "eng@patong.example")
    thread = ask(client, engineer)
    client.force_login(with_email(make_dla_admin(), "dla@dla.example"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("messaging:thread", args=[thread.pk]), {"action": "reply", "body": "ตอบจาก สถ."})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["eng@patong.example"]
    assert "ตอบจาก สถ." in mail.outbox[0].body and thread.subject in mail.outbox[0].subject


def test_dla_publishes_to_the_public_faq(client):
    thread = ask(client, make_engineer(PATONG))
    publish = reverse("messaging:publish_faq", args=[thread.pk])
    client.force_login(make_analyst(PHUKET))
    assert client.post(publish, {"question": "q", "answer": "a"}).status_code == 403
    client.force_login(make_dla_admin())
    assert client.post(publish, {"question": "จุดอยู่นอกตำบล?", "answer": "ย้ายจุดให้อยู่ในเขต"}).status_code == 302
    client.logout()
    page = client.get(reverse("messaging:faq"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "ย้ายจุดให้อยู่ในเขต" in body and "eng" not in body  # no names in the FAQ


def test_news_audience_pinned_attachments_and_home(client):
    client.force_login(make_dla_admin())
    response = client.post(
        reverse("messaging:news"),
        {
            "title": "ปิดระบบ 30 ก.ย.",
            "body": "หนังสือสั่งการ",
            "province": "",
            "pinned": "on",
            "attachment": SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter"),
        },
    )
    assert response.status_code == 302
    national = NewsItem.objects.get(title="ปิดระบบ 30 ก.ย.")
    assert national.pinned and national.province is None
    client.force_login(make_analyst(PHANG_NGA))
    client.post(reverse("messaging:news"), {"title": "ข่าวพังงา", "body": "เฉพาะพังงา", "province": ""})
    phang_nga_item = NewsItem.objects.get(title="ข่าวพังงา")
    assert phang_nga_item.province.code == PHANG_NGA  # a provincial office posts to its own province
    # Patong (Phuket) sees the national item, not Phang Nga's; the home page shows what is new
    client.force_login(make_engineer(PATONG))
    page = client.get(reverse("messaging:news")).content.decode()
    assert "ปิดระบบ 30 ก.ย." in page and "ข่าวพังงา" not in page
    home = client.get(reverse("projects_geo:home")).content.decode()
    assert 'id="latest-news"' in home and "ปิดระบบ 30 ก.ย." in home
    att = NewsAttachment.objects.get(item=national)
    download = client.get(reverse("messaging:attachment", args=[att.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 letter"
    # LAO staff do not post news
    assert client.post(reverse("messaging:news"), {"title": "x", "body": "y"}).status_code == 403
    # an attachment of a news item the user may not see is a 404
    phang_att = NewsAttachment.objects.create(
        item=phang_nga_item, file=SimpleUploadedFile("pn.txt", b"pn"), name="pn.txt"
    )
    assert client.get(reverse("messaging:attachment", args=[phang_att.pk])).status_code == 404
