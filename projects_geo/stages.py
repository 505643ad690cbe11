"""Recording budget stages: the only code that adds or removes ProjectStage rows.

Rules: a project reaches the stages in order (the next stage is always current + 1), a stage's
date is not before the previous stage's date, lies between 1 January B.E. 2500 and a week from
today (``check_stage_date``: a stage is recorded once it is reached; B.E. 2700 is a typo), and the
stages that carry an amount (approved budget, contract value, amount disbursed) must have one.
Broken rules raise ``StageError`` with a message in the active language; nothing is written.

The amounts are checked as an auditor would (``check_stage_amounts``): a contract above the approved
budget and an amount disbursed above the contract value cannot be right and are refused; an approved
budget above the project's planned budget is recorded with a warning (``ProjectStage.warnings``).
No stage is dated in the future, nor before the fiscal year's plan could exist
(``PLAN_YEARS_AHEAD`` years before the fiscal year; its budget not more than a year before it).

The LAO administrator corrects (``correct_last_stage``) or withdraws (``withdraw_last_stage``) the
last recorded stage, with a reason that the stage's history keeps.

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

from accounts.access import acts_on_behalf
from closures.services import check_open

from .concurrency import UNCHECKED, check_version
from .fiscal import fiscal_year_range, format_be_date
from .models import STAGE_AMOUNT_REQUIRED, FundingSource, Project, ProjectStage, Stage

EARLIEST_STAGE_DATE = dt.date(1957, 1, 1)  # 1 January B.E. 2500
STAGE_DATE_MARGIN = dt.timedelta(days=0)  # a stage is recorded once reached: not dated after today
PLAN_YEARS_AHEAD = 5  # a local development plan covers five years: no stage of FY n before FY n−5 begins


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
    funding_source: str = "",
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
    if user is not None:
        check_open(user, project.organization.province_id)  # a closure window (DLA still writes)
    try:
        stage = Stage(int(stage))
    except ValueError:
        raise StageError(_("Unknown budget stage %(stage)s.") % {"stage": stage}, code="unknown_stage") from None
    current = locked.current_stage or 0
    _check_order(stage, current)
    if date is None:
        raise StageError(_("A stage needs a date."), code="no_date")
    check_stage_date(date)
    fiscal_year, budget = Project.all_objects.values_list("fiscal_year", "budget").get(pk=locked.pk)
    check_plan_date(stage, date, fiscal_year)
    if current:
        _check_after_previous(locked.pk, stage, current, date)
    _check_amount(stage, amount)
    _check_funding_source(stage, funding_source)
    warnings = check_stage_amounts(stage, amount, budget=budget, amounts=_amounts(locked.pk))
    row = ProjectStage.objects.create(
        project_id=locked.pk,
        stage=stage,
        date=date,
        amount=amount,
        recorded_by=user,
        note=note,
        funding_source=funding_source or "",
        on_behalf=acts_on_behalf(user, project.organization),
    )
    row.warnings = warnings
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
                "date": format_be_date(date),
                "previous": Stage(current).label,
                "prev_date": format_be_date(previous.date),
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


def _check_funding_source(stage: Stage, funding_source: str) -> None:
    """A stage's own funding source is the approved budget's, when it differs from the project's."""
    if not funding_source:
        return
    if funding_source not in FundingSource.values:
        raise StageError(_("Unknown funding source %(value)s.") % {"value": funding_source}, code="bad_funding_source")
    if stage != Stage.BUDGET_APPROVED:
        raise StageError(
            _("A funding source is recorded with the approved budget only."), code="funding_source_not_budget"
        )


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


def _amounts(project_id: int, *, before: int | None = None) -> dict[int, Decimal]:
    """{stage: amount} of the project's recorded stages (those before ``before`` only, if given)."""
    qs = ProjectStage.objects.filter(project_id=project_id, amount__isnull=False)
    if before is not None:
        qs = qs.filter(stage__lt=before)
    return dict(qs.values_list("stage", "amount"))


def _baht(value) -> str:
    return f"{Decimal(value):,.2f}"


def check_stage_amounts(stage: Stage, amount, *, budget, amounts: dict) -> list[str]:
    """The amount of ``stage`` against the project's planned ``budget`` and the ``amounts`` of its
    earlier stages. Refuses (``StageError``) what cannot be right; returns warnings (messages)."""
    if amount is None:
        return []
    amount = Decimal(amount)
    approved, contract = amounts.get(Stage.BUDGET_APPROVED), amounts.get(Stage.CONTRACT_SIGNED)
    if stage == Stage.CONTRACT_SIGNED and approved is not None and amount > approved:
        raise StageError(
            _(
                "The contract value %(amount)s baht is above the approved budget %(approved)s baht: a contract "
                "cannot exceed the budget approved for it. Check the amount, or correct the approved budget first."
            )
            % {"amount": _baht(amount), "approved": _baht(approved)},
            code="contract_above_budget",
        )
    if stage == Stage.DISBURSED and contract is not None and amount > contract:
        raise StageError(
            _(
                "The amount disbursed %(amount)s baht is above the contract value %(contract)s baht: no more can be "
                "paid than the contract. Check the amount, or correct the contract value first."
            )
            % {"amount": _baht(amount), "contract": _baht(contract)},
            code="disbursed_above_contract",
        )
    warnings = []
    reference = approved if stage != Stage.BUDGET_APPROVED else None
    if reference is None and budget is not None and amount > Decimal(budget) and stage in STAGE_AMOUNT_REQUIRED:
        warnings.append(
            _(
                "The amount of “%(stage)s”, %(amount)s baht, is above the project's planned budget of %(budget)s "
                "baht. It was recorded; check it and correct the stage if it is a typing mistake."
            )
            % {"stage": stage.label, "amount": _baht(amount), "budget": _baht(budget)}
        )
    return warnings


def check_plan_date(stage: Stage, date: dt.date, fiscal_year: int | None) -> None:
    """Refuse a stage dated before its fiscal year's plan could exist (``PLAN_YEARS_AHEAD`` years
    before the fiscal year), or a budget approved more than a year before the fiscal year begins."""
    if not fiscal_year or date is None:
        return
    start, _end = fiscal_year_range(int(fiscal_year))
    earliest = start.replace(year=start.year - PLAN_YEARS_AHEAD)
    if stage >= Stage.BUDGET_APPROVED:
        earliest = start.replace(year=start.year - 1)
    if date < earliest:
        raise StageError(
            _(
                "The date %(date)s of “%(stage)s” is too early for a project of fiscal year %(year)s: "
                "it cannot be before %(earliest)s. Check the year (B.E.)."
            )
            % {
                "date": format_be_date(date),
                "stage": stage.label,
                "year": fiscal_year,
                "earliest": format_be_date(earliest),
            },
            code="date_before_plan",
        )


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise StageError(
            _("Give the reason for the correction; it is kept in the project's history."), code="no_reason"
        )
    return reason


def _lock_last(project: Project, expected_version):
    locked = (
        Project.all_objects.select_for_update()
        .only("id", "current_stage", "version", "deleted_at", "fiscal_year", "budget")
        .filter(pk=project.pk)
        .first()
    )
    check_version(project, expected_version, locked=locked)
    if locked is None or locked.deleted_at is not None:
        raise StageError(_("This project is deleted: its stages cannot change."), code="deleted")
    if not locked.current_stage:
        raise StageError(_("The project has no stage to correct."), code="no_stage")
    row = ProjectStage.objects.get(project_id=locked.pk, stage=locked.current_stage)
    return locked, row


@transaction.atomic
def correct_last_stage(
    project: Project, *, date: dt.date, amount=None, reason: str, user=None, expected_version=UNCHECKED
) -> ProjectStage:
    """Correct the date and amount of the project's last recorded stage, with the same rules as
    recording it; ``reason`` (required) is kept in the stage's history."""
    reason = _check_reason(reason)
    locked, row = _lock_last(project, expected_version)
    stage = Stage(row.stage)
    if date is None:
        raise StageError(_("A stage needs a date."), code="no_date")
    check_stage_date(date)
    check_plan_date(stage, date, locked.fiscal_year)
    if stage > Stage.IN_PLAN:
        _check_after_previous(locked.pk, stage, stage - 1, date)
    _check_amount(stage, amount)
    warnings = check_stage_amounts(stage, amount, budget=locked.budget, amounts=_amounts(locked.pk, before=stage))
    row.date, row.amount = date, amount
    row._change_reason = reason
    row._history_user = user
    row.save(update_fields=["date", "amount"])
    Project.all_objects.filter(pk=locked.pk).update(version=F("version") + 1)
    project.version = locked.version + 1
    row.warnings = warnings
    return row


@transaction.atomic
def withdraw_last_stage(project: Project, *, reason: str, user=None, expected_version=UNCHECKED) -> None:
    """Withdraw the project's last recorded stage (recorded by mistake); the stage before it becomes
    current again. ``reason`` (required) is kept in the stage's history."""
    reason = _check_reason(reason)
    locked, row = _lock_last(project, expected_version)
    row._change_reason = reason
    row._history_user = user
    row.delete()
    new_current = locked.current_stage - 1 or None
    Project.all_objects.filter(pk=locked.pk).update(current_stage=new_current, version=F("version") + 1)
    project.current_stage = new_current
    project.version = locked.version + 1
