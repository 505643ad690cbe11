"""The funding source on the entry page (project form, stage panel) and in the API detail."""

import pytest
from django.urls import reverse

from accounts.models import Role
from projects_geo.models import Project
from tests.factories import PATONG, make_engineer, make_user
from tests.projects_geo.test_entry_views import project_post, stage_post

pytestmark = pytest.mark.django_db


def test_project_form_and_stage_panel_record_the_funding_source(client):
    client.force_login(make_engineer(PATONG))
    response = client.post(reverse("projects_geo:project_create"), project_post(funding_source="specific_subsidy"))
    assert response.status_code == 302
    project = Project.objects.get(name="ขุดเจาะบ่อบาดาล หมู่ที่ 2")
    assert project.funding_source == "specific_subsidy"
    bad = client.post(reverse("projects_geo:project_create"), project_post(funding_source="gift", name="อื่น"))
    assert bad.status_code == 400 and not Project.objects.filter(name="อื่น").exists()

    client.force_login(make_user("planner", Role.LAO_PLANNER, lao=PATONG))
    url = reverse("projects_geo:project_edit", args=[project.pk])
    assert client.post(url, stage_post(project, 1, "1/10/2567")).status_code == 302
    refused = client.post(url, {**stage_post(project, 2, "2/10/2567"), "funding_source": "loan"})
    assert refused.status_code == 400 and project.stages.count() == 1  # only with the approved budget
    assert client.post(url, stage_post(project, 2, "2/10/2567")).status_code == 302
    ok = client.post(url, {**stage_post(project, 3, "3/10/2567", "1,000,000"), "funding_source": "reserves"})
    assert ok.status_code == 302
    assert project.stages.get(stage=3).funding_source == "reserves"
    page = client.get(url).content.decode()
    assert "เงินสะสม" in page  # the stage's own source in the stage history

    detail = client.get(f"/api/projects/{project.pk}/").json()
    assert detail["properties"]["funding_source"] == "specific_subsidy"
    assert detail["properties"]["funding_source_label"] == "เงินอุดหนุนเฉพาะกิจ"
    stage3 = next(s for s in detail["properties"]["stages"] if s["stage"] == 3)
    assert stage3["funding_source"] == "reserves"
