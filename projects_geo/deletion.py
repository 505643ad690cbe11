"""Soft delete and restore of projects.

Deleting hides a project from every page, API, tile, export and report (``Project.objects`` leaves
deleted rows out; ``Project.all_objects`` keeps them) without losing it or its stages; the LAO
administrator restores it. Both are saves of the project, so they appear in its history with who
and when, and both move the version on (an edit form open on a deleted project gets a conflict).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .concurrency import UNCHECKED, check_version
from .models import Project


@transaction.atomic
def soft_delete_project(project: Project, *, user=None, expected_version=UNCHECKED) -> Project:
    """Mark the project deleted (by ``user``, now); ``expected_version`` as for ``save_project``."""
    locked = Project.all_objects.select_for_update().get(pk=project.pk)  # the one lock of the row
    check_version(project, expected_version, locked=locked)
    if locked.deleted_at is not None:
        raise ValidationError(_("This project is already deleted."), code="already_deleted")
    locked.deleted_at = timezone.now()
    locked.deleted_by = user if getattr(user, "is_authenticated", False) else None
    if locked.deleted_by:
        locked.updated_by = user
        locked._history_user = user
    locked.on_behalf = False  # only the LAO (or DLA) deletes and restores
    locked.save(update_fields=["deleted_at", "deleted_by", "updated_by", "updated_at", "on_behalf"])
    _copy_state(locked, project)
    return project


@transaction.atomic
def restore_project(project: Project, *, user=None, expected_version=UNCHECKED) -> Project:
    """Bring a soft-deleted project back; ``expected_version`` as for ``save_project``."""
    locked = Project.all_objects.select_for_update().get(pk=project.pk)
    if locked.deleted_at is None:
        raise ValidationError(_("This project is not deleted."), code="not_deleted")
    check_version(project, expected_version, locked=locked, deleted_ok=True)
    locked.deleted_at = None
    locked.deleted_by = None
    if getattr(user, "is_authenticated", False):
        locked.updated_by = user
        locked._history_user = user
    locked.on_behalf = False  # only the LAO (or DLA) deletes and restores
    locked.save(update_fields=["deleted_at", "deleted_by", "updated_by", "updated_at", "on_behalf"])
    _copy_state(locked, project)
    return project


def _copy_state(source: Project, target: Project) -> None:
    for field in ("deleted_at", "deleted_by_id", "updated_by_id", "updated_at", "version"):
        setattr(target, field, getattr(source, field))
