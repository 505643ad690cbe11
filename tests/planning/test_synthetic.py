"""generate_plans on a small synthetic dataset: plans of 5 years that never overlap, strategies
linked to the frameworks, projects linked to a strategy of the plan covering their fiscal year;
re-running adds nothing."""

import pytest
from django.core.management import call_command
from django.db.models import F

from planning.models import DevelopmentPlan, PlanStrategy, ProjectPlanLink
from planning.synthetic import NOTE, generate

pytestmark = pytest.mark.django_db


def test_synthetic_plans_and_links():
    call_command("generate_projects", count=300, seed=5, verbosity=0)
    call_command("load_frameworks", verbosity=0)
    counts = generate(seed=5)
    plans = DevelopmentPlan.objects.filter(note=NOTE)
    assert counts["plans"] == plans.count() > 7849  # about two per LAO
    assert not plans.exclude(end_year=F("start_year") + 4).exists()
    assert 0.8 < plans.exclude(vision="").count() / plans.count() < 0.97
    strategies = PlanStrategy.objects.filter(plan__note=NOTE)
    assert strategies.exists() and not strategies.filter(framework_items__isnull=True).exists()
    kinds = set(strategies.values_list("framework_items__framework__kind", flat=True))
    assert kinds == {"national_strategy", "nesdp", "sdg"}
    links = ProjectPlanLink.objects.filter(plan__note=NOTE).select_related("project", "plan", "strategy")
    assert 0.4 < links.count() / 300 < 0.9
    for link in links:
        assert link.strategy.plan_id == link.plan_id and link.plan.organization_id == link.project.organization_id
        assert link.years == [link.project.fiscal_year] and link.plan.start_year <= link.years[0] <= link.plan.end_year
    assert generate(seed=5) == counts  # re-runnable
