"""History of geometry and stage changes, soft delete and restore, optimistic locking."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, Point
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from projects_geo.concurrency import ConflictError
from projects_geo.deletion import restore_project, soft_delete_project
from projects_geo.history import project_history
from projects_geo.models import Project, ProjectStage, Stage
from projects_geo.services import save_project
from projects_geo.stages import record_stage, remove_last_stage
from tests.factories import (
    PATONG,
    PHANG_NGA,
    PHUKET,
    PHUKET_CITY,
    make_analyst,
    make_engineer,
    make_user,
    make_water_point,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer():
    return make_engineer(PATONG)


@pytest.fixture
def project(engineer):
    return make_water_point(PATONG, 98.2967, 7.8960, name="บ่อบาดาลหมู่ 1", user=engineer)


def test_every_save_moves_the_version_on(project):
    assert project.version == 1
    project.name = "บ่อบาดาลหมู่ 2"
    save_project(project)
    assert project.version == 2 == Project.objects.get(pk=project.pk).version
    stale = Project.objects.get(pk=project.pk)
    Project.objects.get(pk=project.pk).save()  # any save, even outside save_project
    stale.save()  # a stale instance still moves on from the row
    assert Project.objects.get(pk=project.pk).version == 4


def test_second_save_on_a_stale_version_is_refused_and_loses_nothing(project, engineer):
    alice = Project.objects.get(pk=project.pk)
    bob = Project.objects.get(pk=project.pk)
    form_version = alice.version

    alice.name = "ชื่อของ Alice"
    alice.geom = Point(98.2980, 7.8970, srid=4326)
    save_project(alice, user=engineer, expected_version=form_version)

    bob.name = "ชื่อของ Bob"
    with pytest.raises(ConflictError) as caught:
        save_project(bob, user=engineer, expected_version=form_version)
    err = caught.value
    assert err.code == "conflict" and err.current_version == form_version + 1
    assert "มีผู้อื่นบันทึกโครงการนี้" in err.message_th and "Someone else saved this project" in err.message_en
    row = Project.objects.get(pk=project.pk)
    assert row.name == "ชื่อของ Alice" and row.version == form_version + 1
    assert row.geom.equals_exact(Point(98.2980, 7.8970, srid=4326), 1e-9)
    with translation.override("en"):
        assert "Someone else saved" in ConflictError(expected_version=1, current_version=2).messages[0]

    # Bob reloads and saves on the current version: accepted.
    bob = Project.objects.get(pk=project.pk)
    bob.name = "ชื่อของ Bob"
    save_project(bob, user=engineer, expected_version=bob.version)
    assert Project.objects.get(pk=project.pk).name == "ชื่อของ Bob"


def test_history_keeps_geometry_and_stage_changes_with_who_and_when(project, engineer):
    planner = make_user("plan", Role.LAO_PLANNER, lao=PATONG)
    project.geom = LineString((98.2967, 7.8960), (98.2990, 7.8990), srid=4326)
    project.kind, project.subtype = "road", "concrete_road"
    save_project(project, user=engineer, expected_version=project.version)
    record_stage(project, Stage.IN_PLAN, dt.date(2024, 11, 1), user=planner)
    record_stage(project, Stage.PLAN_APPROVED, dt.date(2024, 12, 1), user=planner)
    remove_last_stage(project)

    history = Project.history.filter(id=project.pk).order_by("history_date")
    assert history.count() == 2
    first, second = history
    assert first.history_user == engineer and second.history_user == engineer
    assert first.geom.geom_type == "Point" and second.geom.geom_type == "LineString"
    assert second.length_m and second.length_m > 300

    entries = project_history(project)
    actions = [e.action for e in entries]
    assert actions.count("stage_recorded") == 2 and "stage_removed" in actions and "created" in actions
    changed = next(e for e in entries if e.action == "changed")
    assert changed.geometry_changed and changed.who == engineer
    geom_change = next(c for c in changed.changes if c.field == "geom")
    # shown as people read it (issue 21): the kind of geometry, no WKT; both versions for the small map
    assert geom_change.old.startswith("จุด") and geom_change.new.startswith("เส้น")
    assert "Point" in geom_change.old_geojson and "LineString" in geom_change.new_geojson
    recorded = [e for e in entries if e.action == "stage_recorded"]
    assert {e.stage for e in recorded} == {1, 2}  # recorded_by is also the history's who
    assert ProjectStage.history.filter(project_id=project.pk, history_type="+").count() == 2


def test_history_page_is_shown_to_the_lao_and_not_to_others(client, project, engineer):
    project.geom = Point(98.2999, 7.8999, srid=4326)
    save_project(project, user=engineer)
    client.force_login(engineer)
    page = client.get(reverse("projects_geo:project_history", args=[project.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "history-geometry" in body and "7.899900, 98.299900" in body and "eng" in body
    assert "POINT (" not in body and 'class="history-map"' in body
    client.force_login(make_engineer(PHUKET_CITY, "other"))
    assert client.get(reverse("projects_geo:project_history", args=[project.pk])).status_code == 404
    client.force_login(make_analyst(PHANG_NGA))
    assert client.get(reverse("projects_geo:project_history", args=[project.pk])).status_code == 404
    client.force_login(make_analyst(PHUKET))
    assert client.get(reverse("projects_geo:project_history", args=[project.pk])).status_code == 200


def test_soft_delete_hides_and_the_lao_admin_restores(client, project, engineer):
    record_stage(project, Stage.IN_PLAN, dt.date(2024, 11, 1), user=engineer)
    admin = make_user("lao-admin", Role.LAO_ADMIN, lao=PATONG)
    client.force_login(engineer)
    response = client.post(reverse("projects_geo:project_delete", args=[project.pk]), {"version": project.version})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    deleted = Project.all_objects.get(pk=project.pk)
    assert deleted.deleted_by == engineer and deleted.deleted_at is not None
    assert ProjectStage.objects.filter(project_id=project.pk).count() == 1  # nothing lost

    # the engineer cannot restore; another LAO's admin does not even see it
    assert client.post(reverse("projects_geo:project_restore", args=[project.pk])).status_code == 404
    client.cookies.clear()  # drop the engineer's session and its pending "deleted" message
    client.force_login(make_user("other-admin", Role.LAO_ADMIN, lao=PHUKET_CITY))
    assert client.post(reverse("projects_geo:project_restore", args=[project.pk])).status_code == 404
    assert "บ่อบาดาลหมู่ 1" not in client.get(reverse("projects_geo:deleted_projects")).content.decode()

    client.force_login(admin)
    listing = client.get(reverse("projects_geo:deleted_projects")).content.decode()
    assert "บ่อบาดาลหมู่ 1" in listing
    deleted_version = Project.all_objects.get(pk=project.pk).version
    assert f'name="version" value="{deleted_version}"' in listing  # the restore button sends it
    restore = reverse("projects_geo:project_restore", args=[project.pk])
    assert client.post(restore, {"version": deleted_version}).status_code == 302
    restored = Project.objects.get(pk=project.pk)
    # created 1, stage recorded 2 (a stage is a change of the project), deleted 3, restored 4
    assert restored.deleted_at is None and restored.version == 4
    actions = [e.action for e in project_history(restored)]
    assert actions[:2] == ["restored", "deleted"]


def test_delete_on_a_stale_version_is_a_conflict(project, engineer):
    stale = project.version
    project.name = "แก้ไขแล้ว"
    save_project(project, user=engineer)
    with pytest.raises(ConflictError):
        soft_delete_project(Project.objects.get(pk=project.pk), user=engineer, expected_version=stale)
    assert Project.objects.filter(pk=project.pk).exists()
    soft_delete_project(project, user=engineer)
    with pytest.raises(ConflictError) as caught:
        save_project(Project.all_objects.get(pk=project.pk), user=engineer, expected_version=project.version)
    assert caught.value.current_version is None and "deleted" in caught.value.message_en
    restore_project(project, user=engineer)
    assert Project.objects.filter(pk=project.pk).exists()
    assert Decimal(Project.objects.get(pk=project.pk).budget) == Decimal("100000")


def test_soft_delete_checks_with_one_lock(project, engineer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        soft_delete_project(Project.objects.get(pk=project.pk), user=engineer, expected_version=project.version)
    # one lock for the version and deletion checks, one in Project.save moving the version on
    # (the checks used to lock the row twice on their own)
    assert sum("FOR UPDATE" in q["sql"] for q in queries.captured_queries) == 2
    assert Project.all_objects.get(pk=project.pk).deleted_at is not None
