"""Recording budget stages: the only code that adds or removes ProjectStage rows.

Rules: a project reaches the stages in order (the next stage is always current + 1), a stage's
date is not before the previous stage's date, lies between 1 January B.E. 2500 and a week from
today (``check_stage_date``: a stage is recorded once it is reached; B.E. 2700 is a typo), and the
stages that carry an amount (approved budget, contract value, amount disbursed) must have one.
Broken rules raise ``StageError`` with a message in the active language; nothing is written.

Recording or removing a stage is a change of the project: its ``version`` moves on, and a person's
recording passes the version the page was built from (``expected_version``, see
``concurrency.py``), so a stage recorded on a project someone changed meanwhile is a conflict.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .concurrency import UNCHECKED, check_version
from .fiscal import format_be_date
from .models import STAGE_AMOUNT_REQUIRED, Project, ProjectStage, Stage

EARLIEST_STAGE_DATE = dt.date(1957, 1, 1)  # 1 January B.E. 2500
STAGE_DATE_MARGIN = dt.timedelta(days=7)  # a stage dated at most this far ahead of today


class StageError(ValidationError):
    """A stage that may not be recorded; ``code`` says which rule it broke."""


def next_stage(project: Project) -> Stage | None:
    current = project.current_stage or 0
    return Stage(current + 1) if current < Stage.COMPLETED else None


def check_stage_date(date: dt.date, *, today: dt.date | None = None) -> None:
    """Refuse a stage date before B.E. 2500 or more than ``STAGE_DATE_MARGIN`` after today
    (``StageError``); every path that records a stage date (the stage panel, imports) asks here."""
    latest = (today or timezone.localdate()) + STAGE_DATE_MARGIN
    if date < EARLIEST_STAGE_DATE:
        raise StageError(
            _("The date %(date)s is before B.E. 2500: type the year in B.E., e.g. 15/3/2568.")
            % {"date": format_be_date(date)},
            code="date_too_early",
        )
    if date > latest:
        raise StageError(
            _(
                "The date %(date)s is in the future: a stage is recorded when the project has reached it "
                "(at the latest %(latest)s). Check the year (B.E.)."
            )
            % {"date": format_be_date(date), "latest": format_be_date(latest)},
            code="date_in_future",
        )


@transaction.atomic
def record_stage(
    project: Project,
    stage: int,
    date: dt.date,
    amount: Decimal | None = None,
    *,
    user=None,
    note: str = "",
    expected_version=UNCHECKED,
) -> ProjectStage:
    """Record that ``project`` reached ``stage`` on ``date``; refuses anything out of order.

    ``expected_version``: the project's version the caller's page was built from (required for a
    person's recording, see ``concurrency.check_version``); a stale one raises ``ConflictError``.
    """
    # Lock the project row so two concurrent recordings cannot both pass the order check.
    locked = (
        Project.all_objects.select_for_update()
        .only("id", "current_stage", "version", "deleted_at")
        .filter(pk=project.pk)
        .first()
    )
    check_version(project, expected_version, locked=locked)
    if locked is None or locked.deleted_at is not None:
        raise StageError(_("This project is deleted: its stages cannot change."), code="deleted")
    try:
        stage = Stage(int(stage))
    except ValueError:
        raise StageError(_("Unknown budget stage %(stage)s.") % {"stage": stage}, code="unknown_stage") from None
    current = locked.current_stage or 0
    _check_order(stage, current)
    if date is None:
        raise StageError(_("A stage needs a date."), code="no_date")
    check_stage_date(date)
    if current:
        _check_after_previous(locked.pk, stage, current, date)
    _check_amount(stage, amount)
    row = ProjectStage.objects.create(
        project_id=locked.pk, stage=stage, date=date, amount=amount, recorded_by=user, note=note
    )
    Project.all_objects.filter(pk=locked.pk).update(current_stage=stage, version=F("version") + 1)
    project.current_stage = stage
    project.version = locked.version + 1
    return row


def _check_order(stage: Stage, current: int) -> None:
    if stage <= current:
        raise StageError(
            _("The project has already reached “%(stage)s”.") % {"stage": stage.label}, code="already_reached"
        )
    if stage != current + 1:
        expected = Stage(current + 1)
        raise StageError(
            _("Stages are recorded in order: the next stage of this project is “%(expected)s”, not “%(stage)s”.")
            % {"expected": expected.label, "stage": stage.label},
            code="out_of_order",
        )


def _check_after_previous(project_id: int, stage: Stage, current: int, date: dt.date) -> None:
    previous = ProjectStage.objects.get(project_id=project_id, stage=current)
    if date < previous.date:
        raise StageError(
            _("The date of “%(stage)s” (%(date)s) is before the date of “%(previous)s” (%(prev_date)s).")
            % {
                "stage": stage.label,
                "date": date.isoformat(),
                "previous": Stage(current).label,
                "prev_date": previous.date.isoformat(),
            },
            code="date_before_previous",
        )


def _check_amount(stage: Stage, amount) -> None:
    if stage in STAGE_AMOUNT_REQUIRED and amount is None:
        raise StageError(
            _("“%(stage)s” needs its amount (%(meaning)s).")
            % {"stage": stage.label, "meaning": STAGE_AMOUNT_REQUIRED[stage]},
            code="amount_required",
        )
    if amount is not None and Decimal(amount) < 0:
        raise StageError(_("An amount cannot be negative."), code="negative_amount")


@transaction.atomic
def remove_last_stage(project: Project) -> None:
    """Undo the most recent stage (a correction); the stage before it becomes current again."""
    locked = Project.objects.select_for_update().only("id", "current_stage", "version").get(pk=project.pk)
    if not locked.current_stage:
        raise StageError(_("The project has no stage to remove."), code="no_stage")
    ProjectStage.objects.filter(project_id=locked.pk, stage=locked.current_stage).delete()
    new_current = locked.current_stage - 1 or None
    Project.objects.filter(pk=locked.pk).update(current_stage=new_current, version=F("version") + 1)
    project.current_stage = new_current
    project.version = locked.version + 1
