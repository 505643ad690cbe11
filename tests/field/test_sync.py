"""Queued captures from the phone: saved through save_project once per idempotency key, the
desk page's validation findings returned, conflicts answered with the server's copy."""

from __future__ import annotations

import json

import pytest

from field.models import SyncReceipt
from projects_geo.models import Project
from tests.factories import PATONG, PHUKET_CITY, make_engineer, make_water_point

pytestmark = pytest.mark.django_db

# A stretch of Thaweewong Road, Patong (south → north)
ROAD = [[98.29595, 7.89180], [98.29610, 7.89420], [98.29640, 7.89690], [98.29700, 7.89950]]


@pytest.fixture
def engineer():
    return make_engineer(PATONG, "sync-eng")


def send(client, body, key):
    return client.post(
        "/api/field/captures/", json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def road(name="ถนนทวีวงศ์ (บันทึกภาคสนาม)"):
    return {
        "lao": PATONG,
        "kind": "road",
        "subtype": "asphalt_road",
        "name": name,
        "fiscal_year": 2568,
        "budget": "1500000",
        "geometry": {"type": "LineString", "coordinates": ROAD},
    }


def test_a_capture_sent_twice_saves_one_project(client, engineer):
    client.force_login(engineer)
    first = send(client, road(), "capture-0001")
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["status"] == "saved" and body["project"]["version"] == 1
    again = send(client, road(), "capture-0001")
    assert again.status_code == 200 and again.json()["repeated"] is True
    assert again.json()["project"]["id"] == body["project"]["id"]
    assert Project.objects.filter(name="ถนนทวีวงศ์ (บันทึกภาคสนาม)").count() == 1
    project = Project.objects.get(pk=body["project"]["id"])
    assert project.length_m > 800 and project.tambon.code.startswith("8302")  # Patong is in Kathu (8302)
    assert project.created_by == engineer


def test_an_edit_on_a_stale_version_is_a_conflict_with_the_servers_copy(client, engineer):
    pond = make_water_point(PATONG, 98.2962, 7.8961, name="สระทดสอบขัดแย้ง", user=engineer)
    client.force_login(engineer)
    moved = {"project_id": pond.pk, "version": 1, "geometry": {"type": "Point", "coordinates": [98.2965, 7.8963]}}
    assert send(client, moved, "edit-one-0001").json()["status"] == "saved"
    stale = {**moved, "geometry": {"type": "Point", "coordinates": [98.2970, 7.8970]}}
    response = send(client, stale, "edit-two-0001")
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict" and body["server"]["version"] == 2
    assert body["server"]["geometry"]["coordinates"] == [98.2965, 7.8963]
    assert body["errors"][0]["message_th"] and body["errors"][0]["message_en"]
    pond.refresh_from_db()
    assert (pond.geom.x, pond.geom.y, pond.version) == (98.2965, 7.8963, 2)  # not overwritten
    # the person chose to keep theirs: sent again on the server's version, with a new key
    kept = send(client, {**stale, "version": 2}, "edit-three-01")
    assert kept.status_code == 200 and kept.json()["project"]["version"] == 3


def test_validation_errors_and_warnings_come_back(client, engineer):
    client.force_login(engineer)
    far = {**road("ถนนนอกพื้นที่"), "geometry": {"type": "LineString", "coordinates": [[100.5, 13.7], [100.51, 13.71]]}}
    response = send(client, far, "far-road-0001")
    assert response.status_code == 400
    assert response.json()["status"] == "invalid" and response.json()["findings"]
    assert not Project.objects.filter(name="ถนนนอกพื้นที่").exists()
    bad = send(client, {**road(), "name": "", "budget": "x"}, "bad-form-0001")
    assert bad.status_code == 400 and {e["field"] for e in bad.json()["errors"]} >= {"name", "budget"}


def test_refusals(client, engineer):
    client.force_login(engineer)
    assert send(client, road(), "short").status_code == 400  # key too short
    other = send(client, {**road(), "lao": PHUKET_CITY}, "other-lao-0001")
    assert other.status_code == 403 and other.json()["errors"][0]["message_th"]
    client.logout()
    anonymous = send(client, road(), "anon-key-0001")
    assert anonymous.status_code == 401
    error = anonymous.json()["errors"][0]  # what to do, in both languages (no HTTP Basic here)
    assert "session" in error["message_en"] and "Basic" not in error["message_en"]
    assert "เข้าสู่ระบบ" in error["message_th"]
    assert SyncReceipt.objects.filter(key="anon-key-0001").count() == 0


def test_offline_data_holds_the_lao_area_and_its_projects(client, engineer):
    pond = make_water_point(PATONG, 98.2962, 7.8961, name="สระสำหรับออฟไลน์", user=engineer)
    client.force_login(engineer)
    data = json.loads(client.get("/field/data.json").content)
    assert data["lao"] == PATONG and data["area"]["type"] in ("Polygon", "MultiPolygon")
    ids = {f["properties"]["id"] for f in data["projects"]["features"]}
    assert pond.pk in ids
    assert all(
        f["properties"]["id"] in set(Project.objects.filter(organization__dla_code=PATONG).values_list("pk", flat=True))
        for f in data["projects"]["features"]
    )


def test_an_edit_of_the_attributes_only_keeps_the_location(client, engineer):
    pond = make_water_point(PATONG, 98.2962, 7.8961, name="สระก่อนแก้ชื่อ", user=engineer)
    client.force_login(engineer)
    response = send(client, {"project_id": pond.pk, "version": 1, "name": "สระหลังแก้ชื่อ"}, "rename-0001")
    assert response.status_code == 200, response.content
    pond.refresh_from_db()
    assert pond.name == "สระหลังแก้ชื่อ" and (pond.geom.x, pond.geom.y) == (98.2962, 7.8961) and pond.version == 2
    missing = send(client, {"project_id": pond.pk, "name": "ไม่มีรุ่น"}, "rename-0002")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "version"


def test_old_receipts_are_purged_and_recent_ones_kept(client, engineer, settings):
    """Receipts older than GISPLAN_FIELD_RECEIPT_DAYS go (the daily beat task); a key sent again
    within that time still gets its first answer."""
    import datetime as dt

    from django.utils import timezone

    from field.sync import purge_receipts
    from jobs.tasks import purge_sync_receipts

    settings.GISPLAN_FIELD_RECEIPT_DAYS = 30
    client.force_login(engineer)
    assert send(client, road("ถนนเก่า"), "capture-old-1").status_code == 200
    assert send(client, road("ถนนใหม่"), "capture-new-1").status_code == 200
    SyncReceipt.objects.filter(key="capture-old-1").update(created_at=timezone.now() - dt.timedelta(days=31))
    assert purge_sync_receipts.apply().get() == 1  # the beat task, run in this process
    assert list(SyncReceipt.objects.values_list("key", flat=True)) == ["capture-new-1"]
    assert send(client, road("ถนนใหม่"), "capture-new-1").json()["repeated"] is True
    assert purge_receipts(now=timezone.now() + dt.timedelta(days=31)) == 1
    assert not SyncReceipt.objects.exists()
    assert "jobs.tasks.purge_sync_receipts" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
