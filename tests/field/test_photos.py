"""Field photos: EXIF position and time read, compared with the project and its stage; the served
copy has no EXIF; refusals (not an image, too large, a decompression bomb) are clear and bilingual;
the files are served only to the project's audience; one photo per idempotency key."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import override_settings
from PIL import Image

from field.models import Photo
from projects_geo.models import Stage
from projects_geo.stages import record_stage
from tests.factories import PATONG, PHUKET, PHUKET_CITY, make_analyst, make_engineer, make_user, make_water_point
from tests.field.images import bomb_png, jpeg_bytes, upload

pytestmark = pytest.mark.django_db

POND = (98.2962, 7.8961)  # Patong, near Thaweewong Road


@pytest.fixture
def engineer():
    return make_engineer(PATONG, "field-eng")


@pytest.fixture
def pond(engineer):
    return make_water_point(PATONG, *POND, name="สระน้ำทดสอบภาคสนาม", user=engineer)


def post_photo(client, project, data, name="photo.jpg", **extra):
    return client.post(
        f"/api/field/projects/{project.pk}/photos/", {"file": upload(data, name), **extra}, format="multipart"
    )


def test_photo_near_the_project_has_no_position_warning_and_is_served_without_exif(client, engineer, pond):
    client.force_login(engineer)
    response = post_photo(client, pond, jpeg_bytes(lat=7.8962, lon=98.2963))
    assert response.status_code == 201, response.content
    body = response.json()["photo"]
    assert body["distance_m"] < 30
    assert [f["code"] for f in body["findings"]] == []
    assert abs(body["lat"] - 7.8962) < 1e-5 and abs(body["lon"] - 98.2963) < 1e-5
    photo = Photo.objects.get(pk=body["id"])
    assert photo.taken_at.date() == dt.date(2025, 1, 15)
    served = client.get(body["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert dict(image.getexif()) == {}  # no camera make, no GPS in what others see
    thumb = client.get(body["thumbnail_url"])
    assert max(Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size) <= 320


def test_photo_far_from_the_project_and_before_the_stage_is_warned(client, engineer, pond):
    record_stage(pond, Stage.IN_PLAN, dt.date(2025, 2, 1), user=engineer)
    client.force_login(engineer)
    # ~1.1 km north of the pond, taken in January, before the stage of 1 February
    response = post_photo(client, pond, jpeg_bytes(lat=7.9061, lon=98.2962, taken="2025:01:20 09:00:00"), stage="1")
    assert response.status_code == 201, response.content
    body = response.json()["photo"]
    codes = {f["code"]: f for f in body["findings"]}
    assert set(codes) == {"far_from_project", "before_stage"}
    assert 1000 < body["distance_m"] < 1200
    assert "m" in codes["far_from_project"]["message_en"] and codes["far_from_project"]["message_th"]
    assert "2568" in codes["before_stage"]["message_th"]  # B.E. date
    assert body["stage"] == 1


@override_settings(GISPLAN_PHOTO_MAX_DISTANCE_M=5000)
def test_the_distance_limit_is_a_setting(client, engineer, pond):
    client.force_login(engineer)
    response = post_photo(client, pond, jpeg_bytes(lat=7.9061, lon=98.2962))
    assert response.json()["photo"]["findings"] == []


def test_a_photo_without_gps_is_kept_with_a_note(client, engineer, pond):
    client.force_login(engineer)
    response = post_photo(client, pond, jpeg_bytes(taken=None))
    assert response.status_code == 201
    assert [f["code"] for f in response.json()["photo"]["findings"]] == ["no_position"]


@pytest.mark.parametrize(
    "data, name, needle",
    [
        (b"%PDF-1.4 not a photo at all", "x.jpg", "not a photo"),
        (b"GIF89a" + b"\0" * 100, "x.gif", "not a photo"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_clearly(client, engineer, pond, data, name, needle):
    client.force_login(engineer)
    response = post_photo(client, pond, data, name)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert needle in error["message_en"] and error["message_th"] and error["field"] == "file"
    assert not Photo.objects.filter(project=pond).exists()


@override_settings(GISPLAN_PHOTO_MAX_MB=0.05)
def test_a_photo_over_the_size_limit_is_refused(client, engineer, pond):
    client.force_login(engineer)
    noisy = Image.effect_noise((600, 600), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format="JPEG", quality=95)
    assert len(out.getvalue()) > 0.05 * 1048576
    response = post_photo(client, pond, out.getvalue())
    assert response.status_code == 400
    assert "MB" in response.json()["errors"][0]["message_en"]
    assert "MB" in response.json()["errors"][0]["message_th"]
    assert not Photo.objects.exists()


@override_settings(GISPLAN_PHOTO_MAX_PIXELS=1_000_000)
def test_an_image_with_too_many_pixels_is_refused(client, engineer, pond):
    client.force_login(engineer)
    response = post_photo(client, pond, jpeg_bytes(size=(1500, 1000)))
    assert response.status_code == 400
    assert "1500 × 1000" in response.json()["errors"][0]["message_en"]


def test_a_decompression_bomb_is_refused_without_reading_it(client, engineer, pond):
    client.force_login(engineer)
    response = post_photo(client, pond, bomb_png(), "bomb.png")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert "pixels" in error["message_en"] and error["message_th"]
    assert not Photo.objects.exists()


def test_the_same_idempotency_key_stores_one_photo(client, engineer, pond):
    client.force_login(engineer)
    data = jpeg_bytes(lat=7.8962, lon=98.2963)
    first = post_photo(client, pond, data, key="photo-key-0001")
    again = post_photo(client, pond, data, key="photo-key-0001")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["repeated"] is True and again.json()["photo"]["id"] == first.json()["photo"]["id"]
    assert Photo.objects.filter(project=pond).count() == 1


def test_photos_are_readable_only_by_the_projects_audience(client, engineer, pond):
    client.force_login(engineer)
    url = post_photo(client, pond, jpeg_bytes(lat=7.8962, lon=98.2963)).json()["photo"]["url"]
    other_lao = make_engineer(PHUKET_CITY, "other-lao")
    analyst = make_analyst(PHUKET)
    outsider = make_user("no-profile")
    for user, allowed in ((other_lao, False), (analyst, True), (outsider, False), (None, False)):
        client.logout()
        if user:
            client.force_login(user)
        for path in (url, url + "thumb/", f"/api/field/projects/{pond.pk}/photos/"):
            status = client.get(path).status_code
            assert (status == 200) is allowed, (user, path, status)
    client.force_login(analyst)  # reads, but may not add
    assert post_photo(client, pond, jpeg_bytes()).status_code == 403


def test_photos_go_through_the_configured_storage(client, engineer, pond, settings):
    """The photos storage is a setting (STORAGES["photos"]): here Django's in-memory storage, as an
    S3-compatible one would be configured; nothing is written to MEDIA_ROOT and the file is served."""
    settings.STORAGES = {**settings.STORAGES, "photos": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    client.force_login(engineer)
    body = post_photo(client, pond, jpeg_bytes(lat=7.8962, lon=98.2963)).json()["photo"]
    photo = Photo.objects.get(pk=body["id"])
    assert photo.image.storage.__class__.__name__ == "InMemoryStorage"
    assert photo.image.storage.exists(photo.image.name)
    served = client.get(body["url"])
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).format == "JPEG"


def test_photos_are_listed_on_the_project_page(client, engineer, pond):
    client.force_login(engineer)
    body = post_photo(client, pond, jpeg_bytes(lat=7.9061, lon=98.2962)).json()["photo"]
    page = client.get(f"/projects/{pond.pk}/").content.decode()
    assert body["thumbnail_url"] in page and "far_from_project" in page
    history = client.get(f"/projects/{pond.pk}/history/").content.decode()
    assert body["thumbnail_url"] in history


def test_a_deleted_photo_takes_its_files_once_the_deletion_commits(
    client, engineer, pond, settings, django_capture_on_commit_callbacks
):
    """Deleting a photo (or, for good, its project) deletes the JPEG and the thumbnail from the
    storage after the commit; a deletion that is rolled back keeps them."""
    from django.db import transaction

    settings.STORAGES = {**settings.STORAGES, "photos": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    client.force_login(engineer)
    ids = [post_photo(client, pond, jpeg_bytes(lat=7.8962, lon=98.2963)).json()["photo"]["id"] for _ in range(2)]
    first, second = Photo.objects.filter(pk__in=ids).order_by("pk")
    first_pk = first.pk
    storage = first.image.storage
    names = [p.image.name for p in (first, second)] + [p.thumbnail.name for p in (first, second)]
    assert all(storage.exists(n) for n in names) and len(set(names)) == 4

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                first.delete()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert all(storage.exists(n) for n in names)  # rolled back: the row and its files stay
    assert Photo.objects.filter(pk=first_pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.get(pk=first_pk).delete()
    assert not storage.exists(first.image.name) and not storage.exists(first.thumbnail.name)
    assert storage.exists(second.image.name) and storage.exists(second.thumbnail.name)

    with django_capture_on_commit_callbacks(execute=True):
        type(pond).all_objects.get(pk=pond.pk).delete()  # the project deleted for good (the admin)
    assert not storage.exists(second.image.name) and not storage.exists(second.thumbnail.name)
