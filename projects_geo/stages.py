"""Recording budget stages: the only code that adds or removes ProjectStage rows.

Rules: a project reaches the stages in order (the next stage is always current + 1), a stage's
date is not before the previous stage's date, and the stages that carry an amount (approved
budget, contract value, amount disbursed) must have one. Broken rules raise ``StageError`` with a
message in the active language; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import STAGE_AMOUNT_REQUIRED, Project, ProjectStage, Stage


class StageError(ValidationError):
    """A stage that may not be recorded; ``code`` says which rule it broke."""


def next_stage(project: Project) -> Stage | None:
    current = project.current_stage or 0
    return Stage(current + 1) if current < Stage.COMPLETED else None


@transaction.atomic
def record_stage(
    project: Project, stage: int, date: dt.date, amount: Decimal | None = None, *, user=None, note: str = ""
) -> ProjectStage:
    """Record that ``project`` reached ``stage`` on ``date``; refuses anything out of order."""
    # Lock the project row so two concurrent recordings cannot both pass the order check.
    locked = Project.objects.select_for_update().only("id", "current_stage").get(pk=project.pk)
    try:
        stage = Stage(int(stage))
    except ValueError:
        raise StageError(_("Unknown budget stage %(stage)s.") % {"stage": stage}, code="unknown_stage") from None
    current = locked.current_stage or 0
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
    if date is None:
        raise StageError(_("A stage needs a date."), code="no_date")
    if current:
        previous = ProjectStage.objects.get(project_id=locked.pk, stage=current)
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
    if stage in STAGE_AMOUNT_REQUIRED and amount is None:
        raise StageError(
            _("“%(stage)s” needs its amount (%(meaning)s).")
            % {"stage": stage.label, "meaning": STAGE_AMOUNT_REQUIRED[stage]},
            code="amount_required",
        )
    if amount is not None and Decimal(amount) < 0:
        raise StageError(_("An amount cannot be negative."), code="negative_amount")
    row = ProjectStage.objects.create(
        project_id=locked.pk, stage=stage, date=date, amount=amount, recorded_by=user, note=note
    )
    Project.objects.filter(pk=locked.pk).update(current_stage=stage)
    project.current_stage = stage
    return row


@transaction.atomic
def remove_last_stage(project: Project) -> None:
    """Undo the most recent stage (a correction); the stage before it becomes current again."""
    locked = Project.objects.select_for_update().only("id", "current_stage").get(pk=project.pk)
    if not locked.current_stage:
        raise StageError(_("The project has no stage to remove."), code="no_stage")
    ProjectStage.objects.filter(project_id=locked.pk, stage=locked.current_stage).delete()
    new_current = locked.current_stage - 1 or None
    Project.objects.filter(pk=locked.pk).update(current_stage=new_current)
    project.current_stage = new_current
