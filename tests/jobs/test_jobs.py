"""Background jobs through the web and the API, with the task run in the request (eager; the real
worker is tests/jobs/test_worker.py): large exports become jobs whose file equals the synchronous
download, every import commit is a job, idempotency, limits, failures in Thai and English, the
kept file's expiry, the beat schedule's page and tasks."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gisplan.celery import app
from jobs import digest, runners, tasks
from jobs.models import Job, State
from projects_geo.models import Project
from tests.exchange.test_import_views import CSV, MAPPING, upload
from tests.factories import PATONG, PHUKET, PHUKET_CITY, make_analyst, make_dla_admin, make_engineer, make_water_point

pytestmark = pytest.mark.django_db

EXPORT = "/api/projects/export/"


@pytest.fixture(autouse=True)
def job_storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.GISPLAN_IMPORT_DIR = str(tmp_path / "imports")
    settings.GISPLAN_EXPORT_JOB_ROWS = 3  # the sample's Phuket projects are more than this


def _stream(resp) -> bytes:
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


@pytest.mark.parametrize("fmt", ["geojson", "csv", "kml", "shp"])
def test_a_large_export_is_a_job_whose_file_equals_the_direct_download(client, settings, fmt):
    client.force_login(make_analyst(PHUKET))
    query = {"format": fmt, "province": PHUKET}
    settings.GISPLAN_EXPORT_JOB_ROWS = 10**6
    direct = client.get(EXPORT, query)
    assert direct.status_code == 200 and direct.streaming
    expected = _stream(direct)
    settings.GISPLAN_EXPORT_JOB_ROWS = 3
    assert Project.objects.filter(province__code=PHUKET).count() > 3
    resp = client.get(EXPORT, query)  # an API client: 202 and where to look
    assert resp.status_code == 202
    job = Job.objects.get()
    assert resp["Location"].endswith(f"/api/jobs/{job.id}/")
    status = client.get(resp["Location"]).json()
    assert status["state"] == "done" and status["percent"] == 100 and status["error"] is None
    assert status["done"] == status["total"] == Project.objects.filter(province__code=PHUKET).count()
    got = client.get(f"/api/jobs/{job.id}/file")
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    assert _stream(got) == expected


def test_a_browser_is_sent_to_the_job_page_with_its_progress_bar(client):
    client.force_login(make_analyst(PHUKET))
    resp = client.get(EXPORT, {"format": "csv"}, HTTP_ACCEPT="text/html,application/xhtml+xml")
    job = Job.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{job.id}/"
    page = client.get(resp["Location"]).content.decode()
    assert '<progress class="job-bar"' in page and "jobs/progress.js" in page
    assert f"/api/jobs/{job.id}/file" in page and "gisplan_projects.csv" in page
    assert "<script>" not in page  # the Content-Security-Policy: static scripts only
    assert f"/jobs/{job.id}/" in client.get("/jobs/").content.decode()


def test_small_exports_stay_direct(client, settings):
    settings.GISPLAN_EXPORT_JOB_ROWS = 10**6
    client.force_login(make_analyst(PHUKET))
    resp = client.get(EXPORT, {"format": "geojson"})
    assert resp.status_code == 200 and resp.streaming and not Job.objects.exists()
    # ... unless the client asks for a job
    assert client.get(EXPORT, {"format": "geojson", "background": "1"}).status_code == 202


def test_the_same_request_again_gets_the_same_job(client):
    client.force_login(make_analyst(PHUKET))
    first = client.get(EXPORT, {"format": "csv", "province": PHUKET})
    second = client.get(EXPORT, {"format": "csv", "province": PHUKET})
    assert first["Location"] == second["Location"] and Job.objects.count() == 1
    other = client.get(EXPORT, {"format": "csv", "province": PHUKET, "kind": "water", "background": "1"})
    assert other["Location"] != first["Location"]
    # an API client's own key
    a = client.get(EXPORT, {"format": "kml"}, HTTP_IDEMPOTENCY_KEY="run-7")
    b = client.get(EXPORT, {"format": "geojson"}, HTTP_IDEMPOTENCY_KEY="run-7")
    assert a["Location"] == b["Location"]


def test_bad_requests_are_the_synchronous_views_400(client):
    client.force_login(make_analyst(PHUKET))
    resp = client.get(EXPORT, {"format": "dxf"})
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "format"
    resp = client.get(EXPORT, {"format": "csv", "province": "x"})
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "province"
    assert not Job.objects.exists()


def test_limits_per_person_and_in_all(client, settings):
    user = make_analyst(PHUKET)
    client.force_login(user)
    for i in range(2):
        Job.objects.create(owner=user, kind="export", idempotency_key=f"k{i}", state=State.RUNNING)
    resp = client.get(EXPORT, {"format": "csv"})
    assert resp.status_code == 429
    err = resp.json()["errors"][0]
    assert "2" in err["message_en"] and err["message_th"] != err["message_en"]
    settings.GISPLAN_JOBS_PER_USER = 5
    settings.GISPLAN_JOBS_MAX_ACTIVE = 2
    assert client.get(EXPORT, {"format": "csv"}).status_code == 503
    page = client.get(EXPORT, {"format": "csv"}, HTTP_ACCEPT="text/html")
    assert page.status_code == 302 and page["Location"] == "/jobs/"


def test_jobs_are_their_owners(client):
    owner = make_analyst(PHUKET)
    client.force_login(owner)
    location = client.get(EXPORT, {"format": "csv"})["Location"]
    job = Job.objects.get()
    client.force_login(make_engineer(PATONG))
    assert client.get(location).status_code == 404
    assert client.get(f"/api/jobs/{job.id}/file").status_code == 404
    assert client.get(f"/jobs/{job.id}/").status_code == 404
    client.force_login(make_dla_admin())
    assert client.get(location).status_code == 200
    client.logout()
    assert client.get(location).status_code == 401
    creds = base64.b64encode(b"ana83:pw").decode()
    owner.set_password("pw")
    owner.save()
    assert client.get(location, HTTP_AUTHORIZATION=f"Basic {creds}").json()["state"] == "done"


def test_a_failed_job_says_why_in_thai_and_english_and_keeps_nothing(client, monkeypatch):
    client.force_login(make_analyst(PHUKET))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(runners.exports, "export_to_file", broken)
    location = client.get(EXPORT, {"format": "csv"})["Location"]
    status = client.get(location).json()
    assert status["state"] == "failed" and status["error"]["code"] == "unexpected"
    assert "unexpected" in status["error"]["message_en"] and status["error"]["message_th"]
    job = Job.objects.get()
    assert not job.file and client.get(f"/api/jobs/{job.id}/file").status_code == 409
    assert not default_storage.exists(f"jobs/{job.id}")
    page = client.get(f"/jobs/{job.id}/").content.decode()
    assert status["error"]["message_th"] in page and status["error"]["message_en"] in page


def test_expired_files_are_deleted_by_the_beat_task(client):
    client.force_login(make_analyst(PHUKET))
    client.get(EXPORT, {"format": "csv"})
    job = Job.objects.get()
    assert job.expires_at > timezone.now() + timedelta(hours=47) and default_storage.exists(job.file.name)
    assert tasks.purge_expired() == 0
    Job.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.purge_expired() == 1
    assert not default_storage.exists(job.file.name)
    resp = client.get(f"/api/jobs/{job.id}/file")
    assert resp.status_code == 410 and resp.json()["errors"][0]["message_th"]
    # an expired job no longer answers the same request: a new job is made
    assert client.get(EXPORT, {"format": "csv"})["Location"] != f"/api/jobs/{job.id}/"


def test_an_import_commit_is_a_job_with_its_report(client):
    user = make_engineer(PATONG)
    client.force_login(user)
    mapping_url = upload(client)["Location"]
    client.post(mapping_url, MAPPING)
    before = Project.objects.count()
    resp = client.post(mapping_url.replace("mapping/", "commit/"))
    job = Job.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{job.id}/"
    assert job.kind == "import" and job.state == State.DONE
    assert job.result["created"] == 2 and Project.objects.count() == before + 2
    page = client.get(resp["Location"]).content.decode()
    assert "2" in page and "job-done" in page
    # the upload is gone once written: a second click shows the same job, writes nothing
    again = client.post(mapping_url.replace("mapping/", "commit/"))
    assert again.status_code == 404 or again["Location"] == resp["Location"]
    assert Project.objects.count() == before + 2


def test_an_import_with_errors_fails_in_both_languages_writing_nothing(client):
    client.force_login(make_engineer(PATONG))
    url = upload(client, CSV.replace(b"2568,300000", b"2568,abc"))["Location"]
    client.post(url, MAPPING)
    before = Project.objects.count()
    client.post(url.replace("mapping/", "commit/"))
    job = Job.objects.get()
    assert job.state == State.FAILED and job.error_code == "row_errors"
    assert "nothing was written" in job.error_en and job.error_th
    assert Project.objects.count() == before


def test_the_schedule_is_shown_to_dla_only(client):
    client.force_login(make_analyst(PHUKET))
    assert client.get("/jobs/schedule/").status_code == 403
    client.force_login(make_dla_admin())
    page = client.get("/jobs/schedule/").content.decode()
    assert "jobs.tasks.compact_cluster_cells" in page and "jobs.tasks.send_daily_digests" in page


def test_the_nightly_fold_runs_as_a_task():
    make_water_point(PATONG, 98.296, 7.896)
    before, after = tasks.compact_cluster_cells.apply().get()
    assert after <= before


def test_the_daily_digest_tells_each_analyst_their_provinces_changes():
    analyst = make_analyst(PHUKET)
    analyst.email = "ana@example.go.th"
    analyst.save()
    make_water_point(PATONG, 98.296, 7.896, name="สระทดสอบ")
    mail.outbox.clear()
    assert digest.send_daily_digests() == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["ana@example.go.th"] and PATONG in body
    assert "1 created, 0 changed" in body
    assert digest.send_daily_digests(now=timezone.now() + timedelta(days=3)) == 0


def test_every_scheduled_task_is_a_registered_task(settings):
    app.loader.import_default_modules()
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= set(app.tasks)
    assert settings.CELERY_BEAT_SCHEDULE["compact-cluster-cells"]["schedule"].hour == {2}


def _basic(user, password="pw"):
    user.set_password(password)
    user.save()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{user.username}:{password}".encode()).decode()}


def test_an_import_through_the_api_is_a_job_202_with_its_counts(client):
    engineer = make_engineer(PATONG)
    auth = _basic(engineer)
    before = Project.objects.count()
    resp = client.post(
        "/api/imports/",
        {"file": SimpleUploadedFile("p.csv", CSV), "kind": "water", "subtype": "pond"},
        **auth,
    )
    assert resp.status_code == 202, resp.content
    job = Job.objects.get()
    assert resp["Location"].endswith(f"/api/jobs/{job.id}/")
    status = client.get(resp["Location"], **auth).json()
    assert status["state"] == "done" and status["result"]["created"] == 2
    assert Project.objects.count() == before + 2
    # the same file again (an update check without a preview): nothing new, nothing changed
    again = client.post(
        "/api/imports/", {"file": SimpleUploadedFile("p.csv", CSV), "kind": "water", "subtype": "pond"}, **auth
    )
    assert client.get(again["Location"], **auth).json()["result"]["unchanged"] == 2


def test_an_api_import_with_row_errors_fails_and_keeps_the_report(client):
    engineer = make_engineer(PATONG)
    auth = _basic(engineer)
    before = Project.objects.count()
    resp = client.post("/api/imports/", {"file": SimpleUploadedFile("p.csv", CSV)}, **auth)  # no kind
    status = client.get(resp["Location"], **auth).json()
    assert status["state"] == "failed" and status["error"]["code"] == "row_errors"
    assert status["error"]["message_th"] and "nothing was written" in status["error"]["message_en"]
    report = client.get(status["file_url"], **auth)
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    assert "W1" in b"".join(report.streaming_content).decode("utf-8-sig")
    assert Project.objects.count() == before


def test_api_import_refusals_are_bilingual(client):
    auth = _basic(make_engineer(PATONG))
    assert client.post("/api/imports/", {}).status_code == 401
    resp = client.post("/api/imports/", {}, **auth)
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "file"
    resp = client.post("/api/imports/", {"file": SimpleUploadedFile("p.csv", CSV), "lao": PHUKET_CITY}, **auth)
    assert resp.status_code == 403 and resp.json()["errors"][0]["message_th"]
    resp = client.post("/api/imports/", {"file": SimpleUploadedFile("p.zip", b"not a zip")}, **auth)
    assert resp.status_code == 400 and resp.json()["errors"][0]["message_en"]
    assert client.get("/api/imports/", **auth).status_code == 405
    assert not Job.objects.exists()


def test_a_signed_in_api_import_needs_the_csrf_token():
    engineer = make_engineer(PATONG)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(engineer)
    resp = browser.post("/api/imports/", {"file": SimpleUploadedFile("p.csv", CSV), "kind": "water"})
    assert resp.status_code == 403 and not Job.objects.exists()


def test_time_left_follows_the_pace_of_the_current_phase(monkeypatch):
    """A slow first phase (an import's reading and checking) does not make the commit's estimate
    absurd: the time left is from the current phase's own pace, since it began."""
    from jobs import services

    owner = make_engineer(PATONG, "eta-eng")
    job = Job.objects.create(owner=owner, kind="import", params={}, idempotency_key="eta-1", state=State.RUNNING)
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(seconds=100))
    job.refresh_from_db()
    clock = [1_000_000.0]
    monkeypatch.setattr(runners.time, "time", lambda: clock[0])
    monkeypatch.setattr(services.time, "time", lambda: clock[0])
    progress = runners.Progress(job.pk)
    progress.start("committing", total=500_000)
    assert services.status(job)["seconds_left"] is None  # nothing done in this phase yet
    clock[0] += 2
    progress.set(100_000)
    progress._write(force=True)
    # 100,000 in 2 s: 400,000 more take 8 s (from the job's start it would read 100 × 4 = 400 s)
    assert services.status(job)["seconds_left"] == 8


def test_an_import_commits_every_report_reaches_the_status(monkeypatch):
    """The commit reports seldom and then blocks on a long statement: none of its reports is
    dropped by the throttle (a stale count would show for the whole statement)."""
    owner = make_engineer(PATONG, "step-eng")
    job = Job.objects.create(owner=owner, kind="import", params={}, idempotency_key="step-1", state=State.RUNNING)
    monkeypatch.setattr(runners.time, "monotonic", lambda: 100.0)  # every report "within the same half second"
    progress = runners.Progress(job.pk)
    progress.start("committing", total=30)
    for done in (5, 10, 20):
        progress.step(done, 30)
        assert runners.progress_of(job.pk)["done"] == done
    progress.set(25)  # the throttled kind (exports' rows) keeps the last written value in between
    assert runners.progress_of(job.pk)["done"] == 20
