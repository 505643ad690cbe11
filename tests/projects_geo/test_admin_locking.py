"""The Django admin's project form takes part in optimistic locking like the entry form."""

import pytest
from django.urls import reverse

from projects_geo.models import Project
from tests.factories import PATONG

pytestmark = pytest.mark.django_db


def _form_data(client, project):
    page = client.get(reverse("admin:projects_geo_project_change", args=[project.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert 'name="version"' in page.content.decode() and 'type="hidden"' in page.content.decode()
    data = {
        name: form.initial.get(name) if form.initial.get(name) is not None else ""
        for name in ("kind", "subtype", "name", "fiscal_year", "plan_reference", "source_ref", "budget")
    }
    data.update(organization=project.organization_id, geom=project.geom.ewkt, version=form.initial["version"])
    for prefix in ("tambon_shares", "stages"):  # the inline formsets, named by the related accessors
        total = getattr(project, prefix).count()
        data.update({f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": total})
        for i, row in enumerate(getattr(project, prefix).all()):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-project"] = project.pk
    return data


def test_admin_saves_a_current_version_and_refuses_a_stale_one(admin_client):
    project = Project.objects.get(organization__dla_code=PATONG)
    url = reverse("admin:projects_geo_project_change", args=[project.pk])
    data = _form_data(admin_client, project)

    saved = admin_client.post(url, {**data, "name": project.name + " (admin)"})
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    project.refresh_from_db()
    assert project.name.endswith(" (admin)")

    # The same page again (built before that save): refused, nothing written.
    stale = admin_client.post(url, {**data, "name": "overwritten"})
    assert stale.status_code == 200
    errors = " ".join(stale.context["adminform"].form.non_field_errors())
    assert str(data["version"]) in errors and str(project.version) in errors
    project.refresh_from_db()
    assert project.name.endswith(" (admin)")

    missing = admin_client.post(url, {**{k: v for k, v in data.items() if k != "version"}, "name": "x"})
    assert missing.status_code == 200
    project.refresh_from_db()
    assert project.name.endswith(" (admin)")
