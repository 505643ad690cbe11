"""Jobs on a real Celery worker: a separate process (``celery -A gisplan worker``, prefork, one
child) on the test database and the test broker (Redis database 3), taking the jobs from Redis.

The worker reads only committed data, so these tests are transactional (their rows are committed,
and the tables flushed afterwards). An export job's file equals the synchronous export's bytes,
even when the worker process running it is killed (-9) halfway: the job is given back to the
queue, run again, and ends once; an import job writes exactly the rows the synchronous commit writes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction

from exchange import exports, imports
from exchange.imports import uploads
from gisplan.celery import app as celery_app
from jobs.models import Job, Kind, State
from jobs.services import submit
from layers.models import Organization
from projects_geo.models import Project, ProjectTambon
from tests.factories import PATONG, PHUKET, make_analyst, make_engineer

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
DELAY = 0.7  # seconds slept at each progress report in the worker: a job lasts a few seconds
REFS = ["WK1", "WK2", "WK3"]
pytestmark = pytest.mark.django_db(transaction=True)
CSV = (
    "\ufeffรหัส,ชื่อโครงการ,ปีงบประมาณ,งบประมาณ,ละติจูด,ลองจิจูด\n"
    "WK1,ขุดสระน้ำสาธารณะ หมู่ 5,2568,300000,7.896,98.296\n"
    "WK2,เจาะบ่อบาดาล หมู่ 6,2568,450000,7.890,98.300\n"
    "WK3,ฝายชะลอน้ำ หมู่ 2,2569,125000,7.901,98.305\n"
).encode("utf-8")


def _wait(predicate, timeout=90.0, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def shared_dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("worker")
    return {"media": base / "media", "imports": base / "imports", "log": base / "worker.log"}


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, shared_dirs):
    """A real worker process on the test database, and this process sending to it (not eager)."""
    with django_db_blocker.unblock():
        dbname = connection.settings_dict["NAME"]
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{dbname}",
        "DB_POOL": "false",
        "MEDIA_ROOT": str(shared_dirs["media"]),
        "GISPLAN_IMPORT_DIR": str(shared_dirs["imports"]),
        "GISPLAN_JOB_PROGRESS_DELAY": str(DELAY),
        "TEST_CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    log = open(shared_dirs["log"], "w")
    proc = subprocess.Popen(
        [str(CELERY), "-A", "gisplan", "worker", "-P", "prefork", "-c", "1", "-l", "info", "-n", "i19test@%h"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: "ready." in shared_dirs["log"].read_text() or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, shared_dirs["log"].read_text()
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        celery_app.conf.task_always_eager = True


@pytest.fixture
def committed(settings, shared_dirs):
    """The test's rows are committed (a transactional test: the worker sees them; flushed after).
    A flush by an earlier transactional test took the session's sample data with it: load it again."""
    settings.MEDIA_ROOT = str(shared_dirs["media"])
    settings.GISPLAN_IMPORT_DIR = str(shared_dirs["imports"])
    if not Organization.objects.filter(dla_code=PATONG).exists():
        call_command("load_sample_data", verbosity=0)
    return []


def test_an_export_job_survives_its_killed_worker_and_equals_the_synchronous_export(worker, committed, shared_dirs):
    user = make_analyst(PHUKET, username="wk_ana")
    committed.append(user)
    qs = Project.objects.visible_to(user)
    expected = b"".join(exports.stream_export(qs, "geojson"))
    assert expected.count(b'"type":"Feature"') == qs.count() > 0
    job, created = submit(user, Kind.EXPORT, {"format": "geojson", "encoding": "utf-8", "query": ""})
    assert created and job.state == State.QUEUED
    # the worker takes it; kill the process running it
    running = _wait(lambda: Job.objects.filter(pk=job.pk, state=State.RUNNING, attempts=1).exclude(worker="").first())
    pid = int(running.worker.rsplit(":", 1)[1])
    assert pid != worker.pid
    os.kill(pid, signal.SIGKILL)
    done = _wait(lambda: Job.objects.filter(pk=job.pk, state__in=[State.DONE, State.FAILED]).first())
    assert done.state == State.DONE, (done.error_en, shared_dirs["log"].read_text()[-3000:])
    assert done.attempts == 2  # run once more after the loss, and only once
    assert int(done.worker.rsplit(":", 1)[1]) != pid
    with done.file.open("rb") as fh:
        assert fh.read() == expected
    assert [p.name for p in (shared_dirs["media"] / "jobs" / str(job.id)).iterdir()] == ["gisplan_projects.geojson"]
    # the message is gone from the queue: nothing runs it a third time
    time.sleep(2 * DELAY)
    assert Job.objects.get(pk=job.pk).attempts == 2


def _snapshot(org):
    projects = (
        Project.objects.filter(organization=org, source_ref__in=REFS)
        .order_by("source_ref")
        .values_list(
            "source_ref", "name", "kind", "subtype", "fiscal_year", "budget", "length_m", "tambon_id", "amphoe_id"
        )
    )
    geoms = [p.geom.wkt for p in Project.objects.filter(organization=org, source_ref__in=REFS).order_by("source_ref")]
    shares = sorted(
        ProjectTambon.objects.filter(project__organization=org, project__source_ref__in=REFS).values_list(
            "project__source_ref", "tambon_id", "share"
        )
    )
    return list(projects), geoms, shares


def test_an_import_job_writes_what_the_synchronous_commit_writes(worker, committed):
    user = make_engineer(PATONG, username="wk_eng")
    committed.append(user)
    org = Organization.objects.get(dla_code=PATONG)
    token, state = uploads.create(
        SimpleUploadedFile("wk.csv", CSV), user_id=user.pk, lao=PATONG, crs=None, encoding=None
    )
    state["mapping"] = {
        "ref": "รหัส",
        "name": "ชื่อโครงการ",
        "fiscal_year": "ปีงบประมาณ",
        "budget": "งบประมาณ",
        "lat": "ละติจูด",
        "lon": "ลองจิจูด",
    }
    state["defaults"] = {"kind": "water", "subtype": "pond"}
    state["versions"] = {}
    uploads.save(token, state)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():  # the synchronous commit, rolled back
        counts = imports.commit_rows(imports.prepare_upload(token, state, org), org, user, expected_versions={})
        expected = _snapshot(org)
        raise Undo
    assert counts["created"] == 3 and len(expected[0]) == 3
    assert _snapshot(org)[0] == []

    job, _ = submit(user, Kind.IMPORT, {"token": token}, key=f"import:{token}")
    done = _wait(lambda: Job.objects.filter(pk=job.pk, state__in=[State.DONE, State.FAILED]).first())
    assert done.state == State.DONE, done.error_en
    assert done.result["created"] == 3 and done.attempts == 1
    assert _snapshot(org) == expected
    assert set(Project.objects.filter(source_ref__in=REFS).values_list("created_by", flat=True)) == {user.pk}
    assert uploads.load(token) is None  # the upload is gone once written
