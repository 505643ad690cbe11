"""Asking for a job: the idempotency key, the limits per person and in all, and the queue.

``submit(owner, kind, params, key=None)`` answers ``(job, created)``: the job already asked for
with the same key (waiting, running, or done with its result still kept) or a new one handed to
the workers; ``JobRefused`` (an HTTP status and a Thai and English message) when the person or the
whole system has too many heavy jobs, or the queue cannot be reached. ``status(job)`` is what the
job page and the API show of a job (its progress live from the cache while it runs).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError

from common.bilingual import both

from .models import ACTIVE, Job, Kind, State
from .runners import PHASES, progress_of
from .tasks import run_job

log = logging.getLogger(__name__)

TOO_MANY_OWN = _("You have %(n)s jobs waiting or running already; wait until one has finished.")
TOO_MANY_ALL = _("The system is running many jobs at once; please try again in a few minutes.")
NO_QUEUE = _("The job queue cannot be reached; please try again in a few minutes.")


class JobRefused(Exception):
    def __init__(self, status: int, code: str, message, /, **params):
        self.status = status
        self.code = code
        self.message = message
        self.params = params
        super().__init__(code)

    def texts(self) -> dict:
        return both(self.message, **self.params)


def params_key(kind: str, params: dict) -> str:
    raw = json.dumps([kind, params], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _reusable(owner, key: str):
    """The job of this key that still answers the request: waiting, running, or done and kept."""
    now = timezone.now()
    kept = Q(state=State.DONE) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    return Job.objects.filter(owner=owner, idempotency_key=key).filter(Q(state__in=ACTIVE) | kept).first()


def _check_limits(owner) -> None:
    own = Job.objects.filter(owner=owner, state__in=ACTIVE).count()
    if own >= settings.GISPLAN_JOBS_PER_USER:
        raise JobRefused(429, "too_many_jobs", TOO_MANY_OWN, n=own)
    if Job.objects.filter(state__in=ACTIVE).count() >= settings.GISPLAN_JOBS_MAX_ACTIVE:
        raise JobRefused(503, "busy", TOO_MANY_ALL)


def submit(owner, kind: str, params: dict, *, key: str | None = None) -> tuple[Job, bool]:
    key = (key or params_key(kind, params))[:64]
    job = _reusable(owner, key)
    if job is not None:
        return job, False
    _check_limits(owner)
    try:
        with transaction.atomic():
            job = Job.objects.create(owner=owner, kind=kind, params=params, idempotency_key=key)
    except IntegrityError:  # the same request at the same moment (a double click): that one's job
        job = _reusable(owner, key)
        if job is None:
            raise
        return job, False
    try:
        run_job.delay(str(job.id))
    except BrokerError:
        log.exception("job %s: the broker cannot be reached", job.id)
        texts = both(NO_QUEUE)
        Job.objects.filter(pk=job.pk).update(
            state=State.FAILED, error_code="no_queue", error_th=texts["message_th"], error_en=texts["message_en"]
        )
        raise JobRefused(503, "no_queue", NO_QUEUE) from None
    job.refresh_from_db()
    return job, True


def _seconds_left(job: Job, live: dict | None, done: int, total: int | None) -> int | None:
    """At the pace of the current phase so far (since it began, from where it began); None until
    that phase has done something."""
    if job.state != State.RUNNING or not total or job.started_at is None:
        return None
    since, start = (live.get("since"), live.get("done_at_start", 0)) if live else (None, 0)
    if since is None:
        since, start = job.started_at.timestamp(), 0
    if done <= start:
        return None
    spent = max(0.0, time.time() - since)
    return max(0, round(spent * (total - done) / (done - start)))


def status(job: Job) -> dict:
    """The job as the status JSON shows it (``jobs.views.job_status``)."""
    live = progress_of(job.pk) if job.state == State.RUNNING else None
    phase, done, total = (live["phase"], live["done"], live["total"]) if live else (job.phase, job.done, job.total)
    out = {
        "id": str(job.id),
        "kind": job.kind,
        "kind_label": str(Kind(job.kind).label),
        "state": job.state,
        "state_label": str(State(job.state).label),
        "phase": phase,
        "phase_label": str(PHASES.get(phase, "")),
        "done": done,
        "total": total,
        "percent": 100 if job.state == State.DONE else (min(99, int(100 * done / total)) if total else 0),
        "seconds_left": _seconds_left(job, live, done, total),
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
        "error": {"code": job.error_code, "message_th": job.error_th, "message_en": job.error_en}
        if job.state == State.FAILED
        else None,
        "result": job.result or None,
        "file_name": job.file_name or None,
        "file_url": reverse("jobs:file", args=[job.id]) if job.file else None,
    }
    return out
