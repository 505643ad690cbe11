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


def test_provincial_analyst_reads_the_province_and_enters_data_on_behalf_only_there():
    analyst = make_analyst(PHANG_NGA)
    refs = set(Project.objects.visible_to(analyst).values_list("source_ref", flat=True))
    assert refs == {"sample:7", "sample:8", "sample:9"}
    # on behalf of the LAOs of their own province: create, edit, every stage — but not delete
    assert access.can_edit_project(analyst, sample(7))
    assert access.can_create_project(analyst, sample(7).organization)
    assert all(access.can_record_stage(analyst, sample(7), s) for s in Stage)
    assert access.acts_on_behalf(analyst, sample(7).organization)
    assert not access.can_delete_project(analyst, sample(7))
    # never outside the province
    outside = sample(1)  # Phuket
    assert not access.can_edit_project(analyst, outside)
    assert not access.can_create_project(analyst, outside.organization)
    assert not any(access.can_record_stage(analyst, outside, s) for s in Stage)
    assert not access.acts_on_behalf(analyst, outside.organization)
    # the LAO's own staff and DLA do not act on anyone's behalf
    assert not access.acts_on_behalf(make_engineer(PATONG), sample(3).organization)
    assert not access.acts_on_behalf(make_dla_admin(), sample(7).organization)
    # a pending analyst grants nothing
    pending = make_analyst(PHANG_NGA, "pending-analyst")
    pending.profile.status = "pending"
    pending.profile.save()
    assert not access.can_create_project(pending, sample(7).organization)


def test_dla_and_superuser_see_everything_anonymous_nothing():
    from django.contrib.auth.models import AnonymousUser

    dla = make_dla_admin()
    root = make_user("root", superuser=True)
    assert Project.objects.visible_to(dla).count() == Project.objects.count() == 10
    assert Project.objects.visible_to(root).count() == 10
    assert Project.objects.visible_to(AnonymousUser()).count() == 0
    assert Project.objects.visible_to(make_user("nobody")).count() == 0
