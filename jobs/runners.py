"""What a worker does with a job: claim it, run the export or the import commit with progress,
and record how it ended — once, even when the message is delivered again after a worker was lost.

- An export is written by ``exchange.exports.export_to_file`` (the writers of the synchronous
  download, with their progress callback) into a private temporary folder, then handed to Django's
  storage (``jobs/<id>/<name>``, local media or S3) and kept ``GISPLAN_JOB_FILE_HOURS``: a job that
  fails or dies leaves no file behind that anyone could download.
- An import commit reads and checks the stored upload again (``exchange.imports.prepare_upload``)
  and writes it with ``exchange.imports.commit_rows``: one transaction, all rows or none.
- Progress (phase, done, total) goes to the cache, not the database: an import reports it from
  inside its transaction, and a worker need not write a row for every few thousand projects.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import can_create_project
from analysis.filters import filter_projects
from common.bilingual import both
from exchange import exports, imports
from exchange.imports import uploads
from layers.models import Organization
from projects_geo.models import Project

from .models import ACTIVE, Job, Kind, State

log = logging.getLogger(__name__)

PHASES = {
    "counting": _("counting the projects"),
    "writing": _("writing the file"),
    "saving": _("keeping the file for download"),
    "validating": _("reading and checking the rows"),
    "committing": _("writing the projects"),
}
MAX_ATTEMPTS = 3  # a job whose worker was lost this many times fails instead of being tried again
REPORT_SECONDS = 0.5  # progress is written to the cache at most this often

UNEXPECTED = _("The job stopped because of an unexpected error; nothing was kept. Please try again or tell the DLA.")
WORKER_LOST = _("The job was interrupted %(n)s times (its worker stopped); nothing was kept. Please try again.")
UPLOAD_GONE = _("The uploaded file is no longer kept (uploads are kept for a day); upload it again.")
NOT_ALLOWED = _("You may no longer import projects for this LAO.")
ROW_ERRORS = _("%(n)s rows have errors; nothing was written. Correct the file or the mapping.")


class JobFailed(Exception):
    """A job that cannot be done, with the reason in Thai and English."""

    def __init__(self, code: str, message_th: str, message_en: str, **kept):
        self.code, self.message_th, self.message_en = code, message_th, message_en
        self.kept = kept  # a file kept all the same (an import's report of its rows with errors)
        super().__init__(f"{code}: {message_en}")

    @classmethod
    def of(cls, code: str, message, kept: dict | None = None, **params) -> JobFailed:
        texts = both(message, **params)
        return cls(code, texts["message_th"], texts["message_en"], **(kept or {}))


def _progress_key(job_id) -> str:
    return f"jobs:progress:{job_id}"


def progress_of(job_id) -> dict | None:
    return cache.get(_progress_key(job_id))


class Progress:
    """Phase and rows done of a running job, in the cache (at most every ``REPORT_SECONDS``)."""

    def __init__(self, job_id):
        self.key = _progress_key(job_id)
        self.phase, self.done, self.total = "", 0, None
        self.since, self.done_at_start = time.time(), 0
        self._last = 0.0
        self.delay = settings.GISPLAN_JOB_PROGRESS_DELAY

    def start(self, phase: str, total: int | None = None, done: int = 0) -> None:
        self.phase, self.done, self.total = phase, done, total
        # the time left is estimated from this phase's own pace (a slow first phase, e.g. reading
        # and checking an import's rows, says nothing of how fast its commit goes)
        self.since, self.done_at_start = time.time(), done
        self._write(force=True)

    def add(self, n: int) -> None:
        self.done += n
        self._write()

    def set(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        self._write()

    def step(self, done: int, total: int | None = None) -> None:
        """``set``, always written: for work that reports seldom and then blocks (an import's
        commit reports every 5,000 rows copied, then once after each long statement), where a
        throttled report would leave a stale count showing for the whole next statement."""
        self.done = done
        if total is not None:
            self.total = total
        self._write(force=True)

    def _write(self, force: bool = False) -> None:
        if self.delay:  # slows a job down on purpose (tests of a worker lost mid-job; demonstrations)
            time.sleep(self.delay)
        now = time.monotonic()
        if force or now - self._last >= REPORT_SECONDS:
            self._last = now
            state = {"phase": self.phase, "done": self.done, "total": self.total}
            cache.set(self.key, {**state, "since": self.since, "done_at_start": self.done_at_start}, 86400)


def _scratch(job: Job) -> Path:
    """The job's own temporary folder, emptied at each attempt (a lost attempt's leftovers go)."""
    path = Path(tempfile.gettempdir()) / "gisplan-jobs" / str(job.id)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


class _ScratchFile(File):
    """The finished file in the scratch folder: local storage moves it into place (a rename on the
    same file system) instead of copying a gigabyte; S3 and other storages upload it."""

    def __init__(self, fh, *, name: str, path: Path):
        super().__init__(fh, name=name)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def run_export(job: Job, progress: Progress) -> dict:
    p = job.params
    progress.start("counting")
    qs = filter_projects(QueryDict(p.get("query", "")), Project.objects.visible_to(job.owner))
    total = qs.count()
    progress.start("writing", total)
    name = exports.export_filename(p["format"])
    scratch = _scratch(job)
    try:
        path = scratch / name
        exports.export_to_file(qs, p["format"], path, encoding=p.get("encoding") or "utf-8", progress=progress.add)
        progress.start("saving", total, done=total)
        with open(path, "rb") as fh:
            stored = default_storage.save(f"jobs/{job.id}/{name}", _ScratchFile(fh, name=name, path=path))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    expires = timezone.now() + timedelta(hours=settings.GISPLAN_JOB_FILE_HOURS)
    return {"file": stored, "file_name": name, "expires_at": expires, "result": {"rows": total}, "done": total}


def run_import(job: Job, progress: Progress) -> dict:
    token = job.params["token"]
    state = uploads.load(token)
    if state is None or state.get("user_id") != job.owner_id:
        raise JobFailed.of("upload_gone", UPLOAD_GONE)
    org = Organization.objects.get(dla_code=state["lao"])
    if not can_create_project(job.owner, org):
        raise JobFailed.of("not_allowed", NOT_ALLOWED)
    progress.start("validating", (state.get("table") or {}).get("rows"))
    # The web flow's commit updates only projects still as its preview showed them; an API import
    # (no preview) checks and commits at once, as the import_projects command does.
    versions = None if state.get("source") == "api" else state.get("versions") or {}
    rows = []
    try:
        rows = imports.prepare_upload(token, state, org)
        progress.start("committing", len(rows))
        counts = imports.commit_rows(
            rows, org, job.owner, expected_versions=versions, upload=token, progress=progress.step
        )
    except (imports.ImportFileError, imports.CommitConflict) as exc:
        raise JobFailed(exc.code, exc.message_th, exc.message_en) from None
    except imports.CommitRefused as exc:
        report = _keep(job, "import_report.csv", imports.report_csv(rows))
        raise JobFailed.of("row_errors", ROW_ERRORS, kept=report, n=exc.n_errors) from None
    uploads.discard(token)
    return {"result": {**counts, "rows": len(rows), "lao": org.dla_code}, "done": len(rows)}


def _keep(job: Job, name: str, data: bytes) -> dict:
    """A small file of the job (an import's report) in the storage, kept as long as an export."""
    stored = default_storage.save(f"jobs/{job.id}/{name}", ContentFile(data, name=name))
    expires = timezone.now() + timedelta(hours=settings.GISPLAN_JOB_FILE_HOURS)
    return {"file": stored, "file_name": name, "expires_at": expires}


RUNNERS = {Kind.EXPORT: run_export, Kind.IMPORT: run_import}


def _claim(job_id) -> Job | None:
    """The job, marked running for one more attempt, or None if it has ended already (a message
    delivered again after its worker was lost, when another worker had finished it)."""
    worker = f"{socket.gethostname()}:{os.getpid()}"[:100]
    n = Job.objects.filter(pk=job_id, state__in=ACTIVE).update(
        state=State.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now(), worker=worker
    )
    return Job.objects.select_related("owner").get(pk=job_id) if n else None


def _fail(job: Job, error: JobFailed) -> None:
    Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
        state=State.FAILED,
        finished_at=timezone.now(),
        error_code=error.code[:40],
        error_th=error.message_th,
        error_en=error.message_en,
        **error.kept,
    )


def run(job_id) -> str:
    """Run one attempt of the job; answers the state it ended in ("" if it had ended before)."""
    job = _claim(job_id)
    if job is None:
        return ""
    if job.attempts > MAX_ATTEMPTS:
        _fail(job, JobFailed.of("worker_lost", WORKER_LOST, n=job.attempts - 1))
        return State.FAILED
    progress = Progress(job.pk)
    try:
        outcome = RUNNERS[job.kind](job, progress)
    except JobFailed as exc:
        _fail(job, exc)
        return State.FAILED
    except Exception:  # noqa: BLE001 — any other error: the job fails with a message, the worker lives on
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, JobFailed.of("unexpected", UNEXPECTED))
        return State.FAILED
    finally:
        cache.delete(progress.key)
    Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
        state=State.DONE, phase="", total=outcome["done"], finished_at=timezone.now(), **outcome
    )
    return State.DONE


def purge_expired() -> int:
    """Delete the files of finished exports past their time; answers how many."""
    n = 0
    for job in Job.objects.filter(expires_at__lt=timezone.now()).exclude(file=""):
        default_storage.delete(job.file.name)
        Job.objects.filter(pk=job.pk).update(file="")
        n += 1
    return n
