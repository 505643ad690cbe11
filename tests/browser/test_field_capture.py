"""Field capture on a phone (390 px, Thai, Chromium with emulated geolocation): "Here" averaged
until accurate, "Record the road" along Thaweewong Road in Patong with noisy readings, a capture
and its photo made offline (``context.set_offline``) and sent once when the signal returns, with
the findings shown; a conflict resolved by the person. Screenshots in test-output/."""

from __future__ import annotations

import pytest
from django.test import override_settings

from field.models import Photo, SyncReceipt
from field.photos import attach_photo
from projects_geo.models import Project
from projects_geo.services import save_project
from tests.factories import PASSWORD, PATONG, make_engineer, make_water_point
from tests.field.images import jpeg_bytes, upload

from .conftest import is_csp_violation, sign_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PATONG_POND = (7.8961, 98.2962)  # lat, lon: beside Thaweewong Road, Patong
# Thaweewong Road, Patong beach road (south → north), with noisy readings: GPS scatter of a few
# metres, a reading far too inaccurate, a standing-still cluster (jitter) and a spike.
ROAD = [
    (7.89180, 98.29595, 6),
    (7.89181, 98.29596, 5),  # jitter: standing still
    (7.89220, 98.29598, 6),
    (7.89262, 98.29601, 7),
    (7.89300, 98.29604, 120),  # refused: accuracy worse than the maximum
    (7.89305, 98.29603, 6),
    (7.89350, 98.29607, 5),
    (7.89900, 98.30500, 8),  # spike: a kilometre away in a blink
    (7.89392, 98.29609, 6),
    (7.89440, 98.29612, 5),
    (7.89485, 98.29618, 6),
    (7.89530, 98.29625, 6),
    (7.89580, 98.29632, 7),
    (7.89625, 98.29637, 6),
    (7.89690, 98.29640, 5),
]


@pytest.fixture
def phone(chromium, sample_site):
    context = chromium.new_context(
        locale="th-TH",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation={"latitude": PATONG_POND[0], "longitude": PATONG_POND[1], "accuracy": 40},
    )
    context.set_default_timeout(15000)
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.on("console", lambda msg: tab.errors.append(msg.text) if is_csp_violation(msg) else None)
    tab.context_ = context
    yield tab
    context.close()


def open_field_page(phone, base_url, user):
    phone.goto(f"{base_url}/accounts/login/?next=/field/")
    phone.fill("input[name=username]", user.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("form[action$='/accounts/login/'] button[type=submit]")
    phone.wait_for_url("**/field/")
    phone.wait_for_selector("body[data-field-ready]", state="attached")
    wait_until(phone, "() => !!navigator.serviceWorker.controller")


def reading(phone, lat, lon, accuracy, pause=150):
    phone.context_.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": accuracy})
    phone.wait_for_timeout(pause)


def test_here_offline_with_a_photo_is_saved_once_when_the_signal_returns(phone, sample_site, test_output_dir):
    engineer = make_engineer(PATONG, "field-phone")
    open_field_page(phone, sample_site.url, engineer)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    phone.context_.set_offline(True)
    wait_until(phone, "() => document.body.classList.contains('is-offline')")
    phone.fill("#f-name", "สระน้ำหน้าหาดป่าตอง (ภาคสนาม)")
    phone.fill("#f-budget", "450000")
    phone.click("#btn-here")
    reading(phone, PATONG_POND[0], PATONG_POND[1], 80)  # worse than the maximum (50 m): refused
    wait_until(phone, "() => document.getElementById('gps-status').classList.contains('error')")
    assert "80" in phone.inner_text("#gps-status")
    for dlat, dlon in ((0.00002, 0.0), (-0.00001, 0.00002), (0.0, -0.00001)):
        reading(phone, PATONG_POND[0] + dlat, PATONG_POND[1] + dlon, 6)
    wait_until(phone, "() => document.getElementById('gps-status').classList.contains('ok')")
    geometry = phone.evaluate("window.GisplanField.geometry")
    assert geometry["type"] == "Point"
    assert abs(geometry["coordinates"][1] - PATONG_POND[0]) < 0.00003
    phone.set_input_files(
        "#photo-gallery",
        files=[{"name": "pond.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(lat=7.89615, lon=98.29625)}],
    )
    phone.click("#btn-save")
    wait_until(phone, "() => document.getElementById('queue-count').dataset.count === '2'")
    phone.screenshot(path=str(test_output_dir / "field-offline-queued.png"), full_page=True)
    assert not Project.objects.filter(name="สระน้ำหน้าหาดป่าตอง (ภาคสนาม)").exists()

    # the page itself opens with no signal (service worker), the queue is still on the phone
    phone.reload()
    phone.wait_for_selector("body[data-field-ready]", state="attached")
    wait_until(phone, "() => document.getElementById('queue-count').dataset.count === '2'")

    phone.context_.set_offline(False)
    phone.wait_for_selector(".result.saved a[href^='/projects/']")
    wait_until(phone, "() => document.querySelectorAll('.result.saved img.thumb').length === 1")
    wait_until(phone, "() => document.getElementById('queue-count').dataset.count === '0'")
    phone.screenshot(path=str(test_output_dir / "field-synced.png"), full_page=True)
    card = phone.locator(".result.saved", has=phone.locator("a[href^='/projects/']"))
    assert card.count() == 1  # saved once, its findings shown (here: none)
    assert card.locator(".findings-list li, .no-findings").count() >= 1

    project = Project.objects.get(name="สระน้ำหน้าหาดป่าตอง (ภาคสนาม)")
    assert project.kind == "water" and project.tambon.code.startswith("8302")
    assert project.created_by == engineer
    assert SyncReceipt.objects.filter(project=project).count() == 1
    photo = Photo.objects.get(project=project)
    assert photo.distance_m < 50 and photo.findings == []
    assert phone.errors == []


@override_settings(GISPLAN_FIELD_MAX_SPEED_MS=1000)  # readings come every 150 ms here, not every second
def test_record_the_road_filters_noise_simplifies_and_shows_the_length(phone, sample_site, test_output_dir):
    engineer = make_engineer(PATONG, "field-road")
    phone.context_.set_geolocation({"latitude": ROAD[0][0], "longitude": ROAD[0][1], "accuracy": 6})
    open_field_page(phone, sample_site.url, engineer)
    phone.fill("#f-name", "ถนนทวีวงศ์ ช่วงหน้าหาด (ภาคสนาม)")
    phone.fill("#f-budget", "2500000")
    phone.click("#btn-record")
    assert phone.is_visible("#btn-stop") and not phone.is_visible("#btn-here")
    for lat, lon, accuracy in ROAD[1:]:
        reading(phone, lat, lon, accuracy)
    text = phone.inner_text("#track-length")
    assert "ม." in text or "m" in text
    kept = phone.evaluate("window.GisplanField.recorder.points.length")
    assert kept == len(ROAD) - 3  # the jitter, the inaccurate reading and the spike left out
    phone.click("#btn-pause")
    reading(phone, 7.8975, 98.2966, 5)  # while paused: not recorded
    assert phone.evaluate("window.GisplanField.recorder.points.length") == kept
    phone.click("#btn-pause")
    phone.click("#btn-stop")
    geometry = phone.evaluate("window.GisplanField.geometry")
    assert geometry["type"] == "LineString" and 2 <= len(geometry["coordinates"]) < kept
    # live validation against the desk page's endpoint: findings shown once online
    phone.wait_for_selector("#findings p.ok, #findings li")
    phone.screenshot(path=str(test_output_dir / "field-road-recorded.png"), full_page=True)
    phone.click("#btn-save")
    phone.wait_for_selector(".result.saved")
    project = Project.objects.get(name="ถนนทวีวงศ์ ช่วงหน้าหาด (ภาคสนาม)")
    assert project.kind == "road" and 500 < project.length_m < 700
    assert phone.errors == []


def test_a_conflict_is_shown_and_resolved_by_the_person(phone, sample_site, test_output_dir):
    engineer = make_engineer(PATONG, "field-conflict")
    pond = make_water_point(PATONG, 98.2962, 7.8961, name="สระทดสอบความขัดแย้งภาคสนาม", user=engineer)
    open_field_page(phone, sample_site.url, engineer)
    phone.select_option("#project-choice", str(pond.pk))
    phone.context_.set_offline(True)
    phone.click("#btn-here")
    for dlat in (0.00010, 0.00011, 0.00012):
        reading(phone, 7.8961 + dlat, 98.2962, 5)
    wait_until(phone, "() => document.getElementById('gps-status').classList.contains('ok')")
    phone.click("#btn-save")
    wait_until(phone, "() => document.getElementById('queue-count').dataset.count === '1'")
    # meanwhile someone at the desk moves the project
    pond.name = "สระทดสอบความขัดแย้งภาคสนาม (แก้ที่สำนักงาน)"
    save_project(pond, user=engineer, expected_version=1)
    phone.context_.set_offline(False)
    phone.wait_for_selector(".result.conflict button.keep-mine")
    phone.screenshot(path=str(test_output_dir / "field-conflict.png"), full_page=True)
    pond.refresh_from_db()
    assert pond.version == 2  # nothing overwritten silently
    phone.click(".result.conflict button.keep-mine")
    phone.wait_for_selector(".result.saved")
    pond.refresh_from_db()
    assert pond.version == 3 and abs(pond.geom.y - 7.8962) < 0.00005
    assert phone.errors == []


def test_the_analysis_map_popup_shows_the_projects_photos(page, sample_site, test_output_dir):
    engineer = make_engineer(PATONG, "field-popup")
    pond = make_water_point(PATONG, 98.2962, 7.8961, name="สระที่มีรูปในแผนที่วิเคราะห์", user=engineer)
    photo, _ = attach_photo(pond, upload(jpeg_bytes(lat=7.8962, lon=98.2963)), user=engineer)
    sign_in(page, sample_site.url, engineer)
    page.goto(f"{sample_site.url}/analysis/")
    wait_until(page, "() => !!window['leafletmapanalysis-map'] && document.getElementById('result-count').textContent")
    page.wait_for_load_state("networkidle")
    page.evaluate("window['leafletmapanalysis-map'].setView([7.8961, 98.2962], 17, {animate: false})")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)
    point = page.evaluate(
        "() => { const p = window['leafletmapanalysis-map'].latLngToContainerPoint([7.8961, 98.2962]);"
        " return [p.x, p.y]; }"
    )
    box = page.locator("#analysis-map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_selector(f".leaflet-popup .popup-photos a[href='/field/photos/{photo.pk}/'] img")
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=str(test_output_dir / "field-analysis-popup.png"))
    assert page.errors == []


def test_a_capture_refused_by_validation_shows_why_and_its_photo_is_not_sent(phone, sample_site, test_output_dir):
    engineer = make_engineer(PATONG, "field-refused")
    open_field_page(phone, sample_site.url, engineer)
    phone.context_.set_offline(True)
    phone.fill("#f-name", "สระที่บันทึกผิดจังหวัด")
    phone.fill("#f-budget", "100000")
    phone.click("#btn-here")
    for dlat in (0.0, 0.00001, 0.00002):
        reading(phone, 13.7563 + dlat, 100.5018, 5)  # Bangkok: far outside Patong's area
    wait_until(phone, "() => document.getElementById('gps-status').classList.contains('ok')")
    phone.set_input_files(
        "#photo-gallery",
        files=[{"name": "bkk.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(lat=13.7563, lon=100.5018)}],
    )
    phone.click("#btn-save")
    wait_until(phone, "() => document.getElementById('queue-count').dataset.count === '2'")
    phone.context_.set_offline(False)
    phone.wait_for_selector(".result.refused .findings-list li")
    wait_until(phone, "() => document.getElementById('queue-count').dataset.count === '0'")
    texts = phone.locator(".result.refused").all_inner_texts()
    assert any("สระที่บันทึกผิดจังหวัด" in t for t in texts) and any("bkk.jpg" in t for t in texts)
    phone.screenshot(path=str(test_output_dir / "field-refused.png"), full_page=True)
    assert not Project.objects.filter(name="สระที่บันทึกผิดจังหวัด").exists() and not Photo.objects.exists()
    assert phone.errors == []
