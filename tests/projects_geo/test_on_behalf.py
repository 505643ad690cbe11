"""Entry on behalf of an LAO (issue 24): the provincial office records projects, stages and imports
for the LAOs of its province; every such change is marked in the history, on the project page, in
the exports and on the LAO administrator's list — and nothing is possible outside the province."""

import csv
import io
import json

import pytest
from django.urls import reverse

from accounts.models import Role
from projects_geo.models import Project, ProjectStage, Stage
from tests.exchange.test_import_views import MAPPING, upload
from tests.factories import PATONG, PHANG_NGA, PHUKET, TAKUA_PA, make_analyst, make_engineer, make_user

pytestmark = pytest.mark.django_db

WELL = {"type": "Point", "coordinates": [98.2960, 7.8960]}  # in Patong


def new_post(**overrides):
    data = {
        "action": "save",
        "name": "บ่อบาดาลบันทึกแทน หมู่ 4",
        "kind": "water",
        "subtype": "well",
        "fiscal_year": "2568",
        "plan_reference": "",
        "budget": "500,000",
        "geom": json.dumps(WELL),
        "lao": PATONG,
    }
    data.update(overrides)
    return data


def create_on_behalf(client):
    response = client.post(reverse("projects_geo:project_create") + f"?lao={PATONG}", new_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    return Project.objects.get(name="บ่อบาดาลบันทึกแทน หมู่ 4")


def test_analyst_creates_edits_and_records_stages_marked_on_behalf(client):
    analyst = make_analyst(PHUKET)
    client.force_login(analyst)
    project = create_on_behalf(client)
    assert project.on_behalf and project.created_by == analyst
    assert project.history.get().on_behalf

    url = reverse("projects_geo:project_edit", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["editable"]
    assert 'id="on-behalf"' in page.content.decode()

    stage = {"action": "stage", "stage": "1", "date": "1/11/2567", "amount": "", "note": "", "version": project.version}
    assert client.post(url, stage).status_code == 302
    assert ProjectStage.objects.get(project=project, stage=Stage.IN_PLAN).on_behalf

    history = client.get(reverse("projects_geo:project_history", args=[project.pk])).content.decode()
    assert history.count('class="on-behalf"') == 2  # the creation and the stage

    # the LAO's engineer edits it next: the project is no longer marked, its history keeps both
    engineer = make_engineer(PATONG)
    client.force_login(engineer)
    project.refresh_from_db()
    response = client.post(url, new_post(name="บ่อบาดาล แก้โดย อปท.", version=project.version))
    assert response.status_code == 302
    project.refresh_from_db()
    assert not project.on_behalf
    assert list(project.history.order_by("history_id").values_list("on_behalf", flat=True)) == [True, False]
    assert 'id="on-behalf"' not in client.get(url).content.decode()


def test_analyst_of_another_province_may_not(client):
    client.force_login(make_analyst(PHANG_NGA))
    before = Project.objects.count()
    response = client.post(reverse("projects_geo:project_create") + f"?lao={PATONG}", new_post())
    assert response.status_code == 404  # a LAO they do not even see
    patong_project = Project.objects.filter(organization__dla_code=PATONG).first()
    url = reverse("projects_geo:project_edit", args=[patong_project.pk])
    assert client.post(url, new_post(version=patong_project.version)).status_code == 404
    assert Project.objects.count() == before


def test_analyst_may_not_delete(client):
    client.force_login(make_analyst(PHUKET))
    project = create_on_behalf(client)
    response = client.post(reverse("projects_geo:project_delete", args=[project.pk]), {"version": project.version})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.deleted_at is None


def test_lao_admin_sees_the_changes_made_on_their_behalf(client):
    client.force_login(make_analyst(PHUKET))
    project = create_on_behalf(client)
    url = reverse("projects_geo:on_behalf_changes")
    client.force_login(make_user("patong-admin", Role.LAO_ADMIN, lao=PATONG))
    page = client.get(url)
    assert page.status_code == 200 and project.name in page.content.decode()
    client.force_login(make_user("takua-admin", Role.LAO_ADMIN, lao=TAKUA_PA))
    page = client.get(url)
    assert page.status_code == 200 and project.name not in page.content.decode()
    client.force_login(make_engineer(PATONG))
    assert client.get(url).status_code == 403
    client.force_login(make_analyst(PHANG_NGA, "ana-pn"))
    assert project.name not in client.get(url).content.decode()


def test_export_audit_column(client):
    analyst = make_analyst(PHUKET)
    client.force_login(analyst)
    project = create_on_behalf(client)
    response = client.get(reverse("projects_geo:export"), {"format": "csv", "lao": PATONG})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    marks = {r["project_id"]: r["on_behalf"] for r in rows}
    assert marks[str(project.pk)] == "1"
    assert set(marks.values()) == {"0", "1"}


def test_import_by_the_analyst_is_marked_on_behalf(client, settings, tmp_path):
    settings.GISPLAN_IMPORT_DIR = str(tmp_path / "imports")
    client.force_login(make_analyst(PHUKET))
    response = upload(client, lao=PATONG)
    assert response.status_code == 302
    mapping_url = response["Location"]
    preview_url = client.post(mapping_url, MAPPING)["Location"]
    client.get(preview_url)
    assert client.post(preview_url.replace("preview/", "commit/")).status_code == 302
    imported = Project.objects.filter(source_ref__in=["W1", "W2"], organization__dla_code=PATONG)
    assert imported.count() == 2 and all(p.on_behalf for p in imported)
    assert all(h.on_behalf for p in imported for h in p.history.all())
