"""A background job: who asked for it, what it does, how far it got and what came of it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")


class State(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


ACTIVE = (State.QUEUED, State.RUNNING)


class Job(models.Model):
    """One export or import commit run by a worker. ``idempotency_key``: the same request again
    (same person, kind and parameters, or the API's ``Idempotency-Key``) while a job for it is
    waiting, running or its file is kept, is answered with that job, not a new one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    phase = models.CharField(max_length=20, blank=True)  # a code of jobs.runners.PHASES
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField(default=0)  # a worker lost mid-job makes a second attempt
    worker = models.CharField(max_length=100, blank=True)  # host:pid of the worker process of the last attempt
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_th = models.TextField(blank=True)
    error_en = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)  # an import's counts
    file = models.FileField(upload_to="jobs/", max_length=200, blank=True)
    file_name = models.CharField(max_length=100, blank=True)  # offered to the browser
    expires_at = models.DateTimeField(null=True, blank=True)  # the file is deleted after

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # at most one waiting or running job per request of a person (a double click makes one)
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=Q(state__in=["queued", "running"]),
                name="jobs_one_active_per_key",
            )
        ]
        indexes = [models.Index(fields=["owner", "idempotency_key"], name="jobs_owner_key")]

    def __str__(self):
        return f"{self.kind} {self.id} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (State.DONE, State.FAILED)
