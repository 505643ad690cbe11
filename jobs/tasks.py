"""Celery tasks: a job (``jobs.runners.run``) and the beat schedule's nightly and daily work
(``CELERY_BEAT_SCHEDULE`` in gisplan/settings.py). Acknowledged late and given back to the queue
when the worker process dies (settings), so a lost job is run again; ``runners.run`` makes the
repeat harmless."""

from __future__ import annotations

from celery import shared_task

from field import sync
from monitoring import digest as weekly
from monitoring import reminders
from projects_geo import clustercells

from . import digest, runners


@shared_task(name="jobs.tasks.run_job")
def run_job(job_id: str) -> str:
    return runners.run(job_id)


@shared_task(name="jobs.tasks.compact_cluster_cells")
def compact_cluster_cells() -> list[int]:
    """The nightly fold of the low-zoom tiles' cluster cells (as ``manage.py compact_cluster_cells``)."""
    return list(clustercells.compact())


@shared_task(name="jobs.tasks.purge_expired")
def purge_expired() -> int:
    return runners.purge_expired()


@shared_task(name="jobs.tasks.send_daily_digests")
def send_daily_digests() -> int:
    return digest.send_daily_digests()


@shared_task(name="jobs.tasks.send_weekly_digests")
def send_weekly_digests() -> int:
    """The provincial analysts' weekly digest (those who subscribed on /monitoring/digest/)."""
    return weekly.send_digests()


@shared_task(name="jobs.tasks.send_deadline_reminders")
def send_deadline_reminders() -> int:
    """E-mail the staff of every LAO that is late on one of today's calendar items."""
    return reminders.send_deadline_reminders()


@shared_task(name="jobs.tasks.purge_sync_receipts")
def purge_sync_receipts() -> int:
    """Forget the phones' sync receipts older than GISPLAN_FIELD_RECEIPT_DAYS."""
    return sync.purge_receipts()
