"""The shared access rules (accounts.access) on the sample projects."""

import pytest

from accounts import access
from accounts.models import Role
from projects_geo.models import Project, Stage
from tests.factories import PATONG, PHANG_NGA, PHUKET_CITY, make_analyst, make_dla_admin, make_engineer, make_user

pytestmark = pytest.mark.django_db


def sample(ref):
    return Project.objects.get(source_ref=f"sample:{ref}")


def test_lao_staff_see_and_edit_only_their_lao():
    engineer = make_engineer(PATONG)
    visible = Project.objects.visible_to(engineer)
    assert set(visible.values_list("source_ref", flat=True)) == {"sample:3"}
    assert access.can_edit_project(engineer, sample(3))
    assert not access.can_edit_project(engineer, sample(1))
    assert access.visible_organizations(engineer).get().dla_code == PATONG


def test_stage_rights_follow_the_role():
    planner = make_user("plan", Role.LAO_PLANNER, lao=PHUKET_CITY)
    finance = make_user("fin", Role.LAO_FINANCE, lao=PHUKET_CITY)
    p = sample(1)
    assert access.can_record_stage(planner, p, Stage.BUDGET_APPROVED)
    assert not access.can_record_stage(planner, p, Stage.CONTRACT_SIGNED)
    assert access.can_record_stage(finance, p, Stage.DISBURSED)
    assert not access.can_record_stage(finance, sample(3), Stage.DISBURSED)  # another LAO
    assert not access.can_edit_project(planner, p)


def test_provincial_analyst_reads_the_province_and_edits_nothing():
    analyst = make_analyst(PHANG_NGA)
    refs = set(Project.objects.visible_to(analyst).values_list("source_ref", flat=True))
    assert refs == {"sample:7", "sample:8", "sample:9"}
    assert not access.can_edit_project(analyst, sample(7))
    assert not access.can_record_stage(analyst, sample(7), Stage.IN_PLAN)


def test_dla_and_superuser_see_everything_anonymous_nothing():
    from django.contrib.auth.models import AnonymousUser

    dla = make_dla_admin()
    root = make_user("root", superuser=True)
    assert Project.objects.visible_to(dla).count() == Project.objects.count() == 10
    assert Project.objects.visible_to(root).count() == 10
    assert Project.objects.visible_to(AnonymousUser()).count() == 0
    assert Project.objects.visible_to(make_user("nobody")).count() == 0
