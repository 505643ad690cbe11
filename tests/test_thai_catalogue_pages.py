"""What showed in English on Thai pages (issue 21, item 7): registration's help and password rules,
the import preview's row statuses and its result message. The catalogue test (tests/test_i18n.py)
checks msgids; this checks what the pages actually show."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.exchange.test_import_views import CSV
from tests.factories import PATONG, make_engineer

pytestmark = pytest.mark.django_db

# English sentences that Django or our templates used to put on Thai pages
ENGLISH = re.compile(
    r"Required\. 150 characters|Your password|too short|too common|entirely numeric|Enter the same password"
    r"|Import done|\bok · |· create|· update"
)


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.GISPLAN_IMPORT_DIR = str(tmp_path / "imports")


def test_registration_help_and_password_rules_are_thai(client):
    page = client.get("/accounts/register/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert not ENGLISH.search(page), ENGLISH.search(page)
    assert "ไม่เกิน 150 ตัวอักษร" in page and "รหัสผ่านต้องมีอย่างน้อย 8 ตัวอักษร" in page
    post = {"username": "newuser", "password1": "12345", "password2": "12345", "email": "n@example.org"}
    page = client.post("/accounts/register/", post, HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "รหัสผ่านสั้นเกินไป" in page and "ตัวเลขล้วน" in page
    assert not ENGLISH.search(page), ENGLISH.search(page)


def test_import_preview_and_result_are_thai(client):
    client.force_login(make_engineer(PATONG))
    th = {"HTTP_ACCEPT_LANGUAGE": "th"}
    mapping_url = client.post("/projects/import/", {"file": SimpleUploadedFile("p.csv", CSV)}, **th)["Location"]
    mapping = {"map_ref": "รหัส", "map_name": "ชื่อโครงการ", "map_fiscal_year": "ปีงบประมาณ", "map_budget": "งบประมาณ"}
    mapping |= {"map_lat": "ละติจูด", "map_lon": "ลองจิจูด", "default_kind": "water", "default_subtype": "pond"}
    preview_url = client.post(mapping_url, mapping, **th)["Location"]
    page = client.get(preview_url, **th).content.decode()
    assert "ถูกต้อง · เพิ่มใหม่" in page and not ENGLISH.search(page)
    done = client.post(preview_url.replace("preview/", "commit/"), follow=True, **th).content.decode()
    assert "นำเข้าเรียบร้อย: เพิ่มใหม่ 2" in done and not ENGLISH.search(done)
