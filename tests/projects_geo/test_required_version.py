"""The version is required wherever a person changes a project or its stages (issue 22, item 4):
the entry form, the stage panel, delete and restore. A form sent without it (or with an empty or
malformed one) is refused with a message in Thai and English and nothing is written; it used to
skip the check, so a second editor silently overwrote the first."""

import datetime as dt
import html
import json

import pytest
from django.urls import reverse

from accounts.models import Role
from projects_geo.concurrency import UNCHECKED, ConflictError, VersionError, parse_version
from projects_geo.deletion import restore_project, soft_delete_project
from projects_geo.models import Project, ProjectStage
from projects_geo.services import save_project
from projects_geo.stages import record_stage
from tests.factories import PATONG, make_engineer, make_user, make_water_point

pytestmark = pytest.mark.django_db

MISSING_TH = "แบบฟอร์มไม่ได้ส่งฉบับ"
MISSING_EN = "The form was sent without the project's version"
BAD_TH = "ไม่ใช่จำนวนเต็ม"
BAD_EN = "is not a whole number"
CONFLICT_TH = "มีผู้อื่นบันทึกโครงการนี้"
CONFLICT_EN = "Someone else saved this project"


@pytest.fixture
def engineer():
    return make_engineer(PATONG, "eng-version")


@pytest.fixture
def project(engineer):
    return make_water_point(PATONG, 98.2967, 7.8960, name="บ่อบาดาลเดิม", user=engineer)


def edit_post(project, **overrides):
    data = {
        "action": "save",
        "name": "ชื่อใหม่",
        "kind": "water",
        "subtype": "well",
        "fiscal_year": "2568",
        "plan_reference": "",
        "budget": "100,000",
        "geom": json.dumps({"type": "Point", "coordinates": [98.2967, 7.8960]}),
    }
    data.update(overrides)
    return data


def _unchanged(project):
    row = Project.all_objects.get(pk=project.pk)
    assert (row.name, row.version, row.deleted_at) == (project.name, project.version, project.deleted_at)


@pytest.mark.parametrize(
    "version,texts",
    [
        (None, (MISSING_TH, MISSING_EN)),
        ("", (MISSING_TH, MISSING_EN)),
        ("   ", (MISSING_TH, MISSING_EN)),
        ("abc", (BAD_TH, BAD_EN)),
        ("1.0", (BAD_TH, BAD_EN)),
        ("²", (BAD_TH, BAD_EN)),
        ("0", (BAD_TH, BAD_EN)),
        ("-1", (BAD_TH, BAD_EN)),
        ("9" * 5000, (BAD_TH, BAD_EN)),
    ],
)
def test_entry_form_without_a_valid_version_is_refused_and_writes_nothing(client, engineer, project, version, texts):
    client.force_login(engineer)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    data = edit_post(project) if version is None else edit_post(project, version=version)
    response = client.post(url, data)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert texts[0] in body and texts[1] in body  # Thai and English, on the form
    _unchanged(project)


def test_entry_form_with_the_current_version_saves(client, engineer, project):
    client.force_login(engineer)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    page = client.get(url).content.decode()
    assert f'name="version" value="{project.version}"' in page
    assert client.post(url, edit_post(project, version=str(project.version))).status_code == 302
    row = Project.objects.get(pk=project.pk)
    assert row.name == "ชื่อใหม่" and row.version == project.version + 1


def test_a_new_project_needs_no_version(client, engineer):
    client.force_login(engineer)
    response = client.post(reverse("projects_geo:project_create"), edit_post(None, name="โครงการใหม่ไม่มีฉบับ"))
    assert response.status_code == 302
    assert Project.objects.get(name="โครงการใหม่ไม่มีฉบับ").version == 1


# --- the stage panel ---------------------------------------------------------------------------------


@pytest.fixture
def planner():
    return make_user("plan-version", Role.LAO_PLANNER, lao=PATONG)


def stage_post(stage, date, version=None, amount=""):
    data = {"action": "stage", "stage": str(stage), "date": date, "amount": amount, "note": ""}
    if version is not None:
        data["version"] = str(version)
    return data


@pytest.mark.parametrize("version", [None, "", "x"])
def test_stage_without_a_valid_version_is_refused(client, planner, project, version):
    client.force_login(planner)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    response = client.post(url, stage_post(1, "1/10/2567", version))
    assert response.status_code == 400
    errors = html.unescape(response.content.decode()).split('id="stage-errors"')[1].split("</ul>")[0]
    assert ("ฉบับ" in errors) and ("version" in errors)
    assert not ProjectStage.objects.filter(project=project).exists()
    _unchanged(project)


def test_stage_panel_sends_the_version_and_a_stage_moves_it_on(client, planner, project):
    client.force_login(planner)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    page = client.get(url).content.decode()
    stage_form = page.split('id="stage-form"')[1].split("</form>")[0]
    assert f'name="version" value="{project.version}"' in stage_form and 'id="id_stage_version"' in stage_form
    assert client.post(url, stage_post(1, "1/10/2567", project.version)).status_code == 302
    assert Project.objects.get(pk=project.pk).version == project.version + 1


def test_stage_on_a_project_changed_meanwhile_is_a_conflict(client, planner, engineer, project):
    client.force_login(planner)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    seen = project.version  # the planner's page
    other = Project.objects.get(pk=project.pk)
    other.name = "แก้โดยคนอื่น"
    save_project(other, user=engineer, expected_version=seen)
    response = client.post(url, stage_post(1, "1/10/2567", seen))
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert CONFLICT_TH in body and CONFLICT_EN in body
    assert not ProjectStage.objects.filter(project=project).exists()


def test_an_edit_form_opened_before_a_stage_was_recorded_conflicts(client, engineer, planner, project):
    """The edit form saves the whole row: had a stage recorded meanwhile not moved the version on,
    saving it would have put the project's current stage back."""
    client.force_login(engineer)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    seen = project.version
    record_stage(Project.objects.get(pk=project.pk), 1, dt.date(2024, 10, 1), user=planner, expected_version=seen)
    response = client.post(url, edit_post(project, version=str(seen)))
    assert response.status_code == 400 and CONFLICT_EN in html.unescape(response.content.decode())
    row = Project.objects.get(pk=project.pk)
    assert row.current_stage == 1 and row.name == "บ่อบาดาลเดิม"


# --- delete and restore ----------------------------------------------------------------------------


@pytest.mark.parametrize("data,status", [({}, 400), ({"version": ""}, 400), ({"version": "v1"}, 400)])
def test_delete_without_a_valid_version_is_refused(client, engineer, project, data, status):
    client.force_login(engineer)
    response = client.post(reverse("projects_geo:project_delete", args=[project.pk]), data)
    assert response.status_code == status
    body = html.unescape(response.content.decode())
    assert ("ฉบับ" in body) and ("version" in body)
    _unchanged(project)


def test_delete_on_a_stale_version_is_a_409(client, engineer, project):
    client.force_login(engineer)
    stale = project.version
    save_project(Project.objects.get(pk=project.pk), user=engineer)
    response = client.post(reverse("projects_geo:project_delete", args=[project.pk]), {"version": stale})
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert CONFLICT_TH in body and CONFLICT_EN in body
    assert Project.objects.filter(pk=project.pk).exists()


def test_restore_needs_the_version(client, engineer, project):
    soft_delete_project(project, user=engineer, expected_version=project.version)
    client.force_login(make_user("admin-version", Role.LAO_ADMIN, lao=PATONG))
    url = reverse("projects_geo:project_restore", args=[project.pk])
    history = client.get(reverse("projects_geo:project_history", args=[project.pk])).content.decode()
    assert f'name="version" value="{project.version}"' in history
    missing = client.post(url)
    assert missing.status_code == 400 and MISSING_EN in html.unescape(missing.content.decode())
    assert client.post(url, {"version": project.version - 1}).status_code == 409
    assert Project.all_objects.get(pk=project.pk).deleted_at is not None
    assert client.post(url, {"version": project.version}).status_code == 302
    assert Project.objects.get(pk=project.pk).deleted_at is None


# --- the domain functions --------------------------------------------------------------------------


def test_domain_functions_refuse_a_missing_version_from_a_caller(engineer, project):
    """``None`` or ``""`` passed on (a form that sent none) is refused; only UNCHECKED, what a
    command or the sample loader leaves as default, skips the check."""
    for empty in (None, ""):
        with pytest.raises(VersionError) as caught:
            save_project(Project.objects.get(pk=project.pk), user=engineer, expected_version=empty)
        assert caught.value.code == "version_missing" and "version" in caught.value.message_en
        assert "ฉบับ" in caught.value.message_th
        with pytest.raises(VersionError):
            record_stage(project, 1, dt.date(2024, 10, 1), expected_version=empty)
        with pytest.raises(VersionError):
            soft_delete_project(project, user=engineer, expected_version=empty)
    _unchanged(project)
    assert not ProjectStage.objects.filter(project=project).exists()
    save_project(Project.objects.get(pk=project.pk), user=engineer, expected_version=UNCHECKED)
    soft_delete_project(project, user=engineer)
    with pytest.raises(VersionError):
        restore_project(project, user=engineer, expected_version=None)
    with pytest.raises(ConflictError):
        restore_project(project, user=engineer, expected_version=project.version - 1)
    restore_project(project, user=engineer, expected_version=project.version)


def test_a_new_project_has_no_version_to_check(engineer):
    from tests.factories import make_water_point as make

    created = make(PATONG, 98.2970, 7.8965, name="ใหม่", user=engineer)
    assert created.version == 1


@pytest.mark.parametrize("value,expected", [(1, 1), ("7", 7), (" 12 ", 12), ("999999999999999999", 999999999999999999)])
def test_parse_version(value, expected):
    assert parse_version(value) == expected


@pytest.mark.parametrize("value", [None, "", " ", "0", 0, -3, True, "1e3", "٣", "１", "1" * 19, 1.5, "12a"])
def test_parse_version_refuses(value):
    with pytest.raises(VersionError):
        parse_version(value)
