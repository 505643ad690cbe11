"""Writing plans and project links: every rule checked before anything is written, and the
database's own constraints (no overlapping periods, a strategy of the plan) turned into the same
clear message when a concurrent save slips past the check."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import DevelopmentPlan, PlanStrategy, ProjectPlanLink


def save_plan(plan: DevelopmentPlan) -> DevelopmentPlan:
    """Validate (period of 3–5 years, no overlap with the LAO's other plans) and save."""
    plan.full_clean()
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        if "plan_periods_do_not_overlap" in str(exc):
            raise ValidationError(
                {"start_year": _("This LAO already has a plan for some of these years; periods may not overlap.")},
                code="plan_overlap",
            ) from None
        raise
    return plan


def save_strategy(strategy: PlanStrategy, *, framework_items=(), provincial_strategies=()) -> PlanStrategy:
    strategy.full_clean()
    with transaction.atomic():
        strategy.save()
        strategy.framework_items.set(framework_items)
        strategy.provincial_strategies.set(provincial_strategies)
    return strategy


def link_project(project, plan, strategy=None, years=()) -> ProjectPlanLink | None:
    """Put ``project`` in ``plan`` (a plan of its LAO), under ``strategy`` (one of the plan's), in
    the plan years ``years``; ``plan=None`` removes the link. Raises ValidationError."""
    if plan is None:
        ProjectPlanLink.objects.filter(project=project).delete()
        return None
    link = ProjectPlanLink.objects.filter(project=project).first() or ProjectPlanLink(project=project)
    link.plan, link.strategy, link.years = plan, strategy, sorted(set(int(y) for y in years))
    link.full_clean(exclude=["project"])
    with transaction.atomic():
        link.save()
    return link


def plan_years(organization) -> list[int]:
    """Every year of the LAO's plans, oldest first."""
    years = set()
    for start, end in DevelopmentPlan.objects.filter(organization=organization).values_list("start_year", "end_year"):
        years.update(range(start, end + 1))
    return sorted(years)
