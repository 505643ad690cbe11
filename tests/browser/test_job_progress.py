"""The job page's progress bar in Chromium: static/jobs/progress.js polls the status URL, shows the
phase, rows done / total and the time left from the running job's progress, and when the job ends
the page comes back with the download link — under the Content-Security-Policy (no inline script)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from jobs.models import Job, State
from jobs.runners import Progress
from tests.browser.conftest import sign_in, wait_until
from tests.factories import PHUKET, make_analyst

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_progress_bar_follows_the_job_and_offers_the_file(page, sample_site, settings, tmp_path, test_output_dir):
    settings.MEDIA_ROOT = str(tmp_path)
    analyst = make_analyst(PHUKET)
    sign_in(page, sample_site.url, analyst)
    job = Job.objects.create(
        owner=analyst,
        kind="export",
        state=State.RUNNING,
        attempts=1,
        started_at=timezone.now() - timedelta(seconds=30),
        params={"format": "csv"},
        idempotency_key="browser",
    )
    progress = Progress(job.pk)  # as the worker reports it: a quarter in 30 s, about 90 s left
    cache.set(progress.key, {"phase": "writing", "done": 250, "total": 1000})
    page.goto(f"{sample_site.url}/jobs/{job.id}/")
    # the server's page shows 25 %; the script's first poll adds the time left
    wait_until(page, "() => document.querySelector('[data-job-left]').textContent !== ''")
    assert page.get_attribute("[data-job-bar]", "value") == "25"
    assert page.inner_text("[data-job-phase]") == "กำลังเขียนไฟล์"
    assert page.inner_text("[data-job-rows]").replace("\u00a0", " ") == "250 / 1,000"
    assert page.inner_text("[data-job-left]").startswith("เหลืออีกประมาณ 1 นาที")
    page.screenshot(path=str(test_output_dir / "job_progress_running.png"))
    cache.set(progress.key, {"phase": "writing", "done": 800, "total": 1000})
    wait_until(page, "() => document.querySelector('[data-job-bar]').value === 80")
    # the job ends: the page reloads and offers the file
    name = default_storage.save(f"jobs/{job.id}/gisplan_projects.csv", ContentFile(b"id\n1\n"))
    Job.objects.filter(pk=job.pk).update(
        state=State.DONE,
        finished_at=timezone.now(),
        file=name,
        file_name="gisplan_projects.csv",
        expires_at=timezone.now() + timedelta(hours=48),
        result={"rows": 1000},
        done=1000,
        total=1000,
    )
    cache.delete(progress.key)
    page.wait_for_selector("a.job-download", timeout=15000)
    assert page.inner_text("[data-job-state]") == "เสร็จแล้ว"
    assert page.get_attribute("[data-job-bar]", "value") == "100"
    page.screenshot(path=str(test_output_dir / "job_progress_done.png"))
    assert page.errors == []


def test_a_large_download_from_the_analysis_map_becomes_a_job_and_its_file(
    page, sample_site, settings, tmp_path, test_output_dir
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.GISPLAN_EXPORT_JOB_ROWS = 3  # the sample's Phuket projects are more
    sign_in(page, sample_site.url, make_analyst(PHUKET))
    page.goto(f"{sample_site.url}/analysis/")
    wait_until(page, "document.querySelectorAll('#result-list li').length > 0")  # the page's script has run
    page.click("#export-link")  # GeoJSON of the selection: a job (run at once in tests), then its page
    page.wait_for_selector("a.job-download")
    assert "/jobs/" in page.url
    page.screenshot(path=str(test_output_dir / "job_export_done.png"))
    with page.expect_download() as download:
        page.click("a.job-download")
    body = (tmp_path / "got.geojson").as_posix()
    download.value.save_as(body)
    text = open(body, encoding="utf-8").read()
    assert text.startswith('{"type":"FeatureCollection"') and download.value.suggested_filename.endswith(".geojson")
    assert page.errors == []
