"""A project form carries its version in a hidden field; a stale submission is a conflict."""

import pytest
from django import forms

from projects_geo.concurrency import ConflictError, VersionedFormMixin
from projects_geo.models import Project
from projects_geo.services import save_project
from tests.factories import PATONG, make_engineer, make_water_point

pytestmark = pytest.mark.django_db


class NameForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name"]


def test_stale_form_is_refused_with_both_languages_and_the_first_save_kept():
    user = make_engineer(PATONG)
    project = make_water_point(PATONG, 98.2967, 7.8960, user=user)
    first = NameForm(instance=Project.objects.get(pk=project.pk))
    assert 'type="hidden" name="version" value="1"' in str(first)

    form_a = NameForm({"name": "A", "version": "1"}, instance=Project.objects.get(pk=project.pk))
    form_b = NameForm({"name": "B", "version": "1"}, instance=Project.objects.get(pk=project.pk))
    assert form_a.is_valid() and form_b.is_valid()
    save_project(form_a.save(commit=False), user=user, expected_version=form_a.expected_version)
    with pytest.raises(ConflictError) as caught:
        save_project(form_b.save(commit=False), user=user, expected_version=form_b.expected_version)
    form_b.add_conflict(caught.value)
    assert "มีผู้อื่นบันทึก" in form_b.non_field_errors()[0] and "Someone else saved" in form_b.non_field_errors()[0]
    assert Project.objects.get(pk=project.pk).name == "A"
