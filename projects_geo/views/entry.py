"""Create / edit a project on a map, and record its budget stages, on one page.

``/projects/new/[?lao=<dla code>]`` and ``/projects/<id>/``. Who may do what comes from
``accounts.access``: a project outside the user's sight is a 404; changing it without the right is
a 403. Saving goes through ``services.save_project`` (which refuses a geometry with an error finding
of boundary validation); stages through ``stages.record_stage``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import access
from layers.models import Organization

from ..concurrency import ConflictError
from ..forms import LINE_SUBTYPES, ProjectForm, StageCorrectionForm, StageForm
from ..models import SUBTYPES_BY_KIND, Kind, Project, Stage
from ..services import save_project
from ..stages import StageError, correct_last_stage, next_stage, record_stage, withdraw_last_stage
from .common import map_config

GEOMETRY_BY_KIND = {Kind.WATER.value: "point", Kind.ROAD.value: "line"}
DLA_CODE = re.compile(r"[0-9]{7}")


def _organization_for_new(request) -> Organization:
    own = access.organization_of(request.user)
    code = request.GET.get("lao") or request.POST.get("lao")
    if code and not DLA_CODE.fullmatch(code):  # names no LAO (and "7%00" would reach the database)
        raise Http404(_("Choose the LAO the project belongs to."))
    if code and (own is None or own.dla_code != code):
        organization = get_object_or_404(
            access.visible_organizations(request.user).select_related("province", "amphoe"), dla_code=code
        )
    elif own is not None:
        organization = own
    else:
        raise Http404(_("Choose the LAO the project belongs to."))
    if not access.can_create_project(request.user, organization):
        raise PermissionDenied(_("You may not add projects to this LAO."))
    return organization


@login_required
def project_create(request):
    organization = _organization_for_new(request)
    project = Project(organization=organization)
    return _entry_page(request, project, editable=True)


@login_required
def project_edit(request, pk):
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related(
            "organization__province", "organization__amphoe", "tambon__amphoe__province"
        ),
        pk=pk,
    )
    return _entry_page(request, project, editable=access.can_edit_project(request.user, project))


def _entry_page(request, project, *, editable):
    form = ProjectForm(instance=project, editable=editable)
    stage_form = None
    status = 200
    server_findings = []
    correction_form = None
    if request.method == "POST" and request.POST.get("action") == "stage":
        stage_form, status = _record_stage(request, project)
        if status == 302:
            return redirect(reverse("projects_geo:project_edit", args=[project.pk]) + "#stages")
    elif request.method == "POST" and request.POST.get("action") == "stage_correct":
        correction_form, status = _correct_stage(request, project)
        if status == 302:
            return redirect(reverse("projects_geo:project_edit", args=[project.pk]) + "#stages")
    elif request.method == "POST":
        if not editable:
            raise PermissionDenied(_("You may not change this project."))
        form = ProjectForm(request.POST, instance=project, editable=True)
        saved, server_findings = _save(request, form, project)
        if saved:
            messages.success(request, _("The project is saved."))
            return redirect("projects_geo:project_edit", pk=project.pk)
        status = 400
    context = _context(request, project, form, stage_form, editable, server_findings)
    if context["can_correct_stage"]:
        context["correction_form"] = correction_form or _correction_form(project)
    return render(request, "projects_geo/project_form.html", context, status=status)


def _save(request, form, project):
    """Validate and save; returns (saved, findings shown when the save was refused)."""
    if not form.is_valid():
        return False, []
    organization = project.organization
    candidate = form.save(commit=False)
    candidate.organization = organization
    try:
        save_project(candidate, user=request.user, expected_version=form.expected_version)
    except ConflictError as exc:
        form.add_conflict(exc)
        return False, []
    except ValidationError as exc:
        result = getattr(exc, "result", None)
        if result is not None:
            form.add_error("geom", _("The location has an error; correct it before saving."))
            return False, [_finding_for_page(f.as_dict()) for f in result.findings]
        for field, msgs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
            form.add_error(field if field in form.fields else None, msgs)
        return False, []
    return True, []


def _finding_for_page(finding: dict) -> dict:
    thai = (get_language() or "th").startswith("th")
    return {**finding, "message": finding.get("message_th" if thai else "message_en") or finding.get("message", "")}


def _recordable_stages(user, project):
    """The stage the user may record next: the project's next stage, if their role records it
    (stages are recorded in order, so no later one can be)."""
    upcoming = next_stage(project)
    return [upcoming] if upcoming is not None and access.can_record_stage(user, project, upcoming.value) else []


def _correction_form(project):
    last = project.stages.order_by("-stage").first()
    if last is None:
        return None
    return StageCorrectionForm(project=project, initial={"date": last.date, "amount": last.amount, "do": "correct"})


def _correct_stage(request, project):
    """The LAO administrator's correction or withdrawal of the last stage; (form, status)."""
    if not access.can_correct_stage(request.user, project):
        raise PermissionDenied(_("Only the LAO administrator corrects or withdraws a recorded stage."))
    form = StageCorrectionForm(request.POST, project=project)
    if not form.is_valid():
        return form, 400
    data = form.cleaned_data
    label = Stage(project.current_stage).label if project.current_stage else ""
    try:
        with transaction.atomic():
            if data["do"] == "withdraw":
                withdraw_last_stage(
                    project, reason=data["reason"], user=request.user, expected_version=form.expected_version
                )
                messages.success(request, _("Withdrew “%(stage)s”.") % {"stage": label})
            else:
                row = correct_last_stage(
                    project,
                    date=data["date"],
                    amount=data["amount"],
                    reason=data["reason"],
                    user=request.user,
                    expected_version=form.expected_version,
                )
                messages.success(request, _("Corrected “%(stage)s”.") % {"stage": label})
                for warning in row.warnings:
                    messages.warning(request, warning)
    except ConflictError as exc:
        form.add_conflict(exc)
        return form, 400
    except StageError as exc:
        form.add_error(None, exc.messages)
        return form, 400
    return form, 302


def _record_stage(request, project):
    """Handle the stage panel's POST; returns (bound form, HTTP status — 302 when recorded)."""
    stages = _recordable_stages(request.user, project)
    form = StageForm(request.POST, stages=list(Stage), project=project)
    if not form.is_valid():
        return _with_choices(form, stages), 400
    data = form.cleaned_data
    if not access.can_record_stage(request.user, project, data["stage"]):
        form.add_error(
            "stage", _("Your role may not record the stage “%(stage)s”.") % {"stage": Stage(data["stage"]).label}
        )
        return _with_choices(form, stages), 403
    try:
        with transaction.atomic():
            row = record_stage(
                project,
                data["stage"],
                data["date"],
                data["amount"],
                user=request.user,
                note=data["note"],
                expected_version=form.expected_version,
                funding_source=data.get("funding_source") or "",
            )
    except ConflictError as exc:
        form.add_conflict(exc)
        return _with_choices(form, stages), 400
    except ValidationError as exc:  # StageError, or a closure window (SystemClosed)
        form.add_error(None, exc.messages)
        return _with_choices(form, stages), 400
    messages.success(request, _("Recorded “%(stage)s”.") % {"stage": Stage(data["stage"]).label})
    for warning in row.warnings:
        messages.warning(request, warning)
    return form, 302


def _with_choices(form, stages):
    """Keep the user's choice in the select even when it was refused, so they see what they sent."""
    chosen = form.data.get("stage") or ""
    choices = [(s.value, s.label) for s in stages]
    known = chosen if chosen in {str(v) for v in Stage.values} else None  # not int(): "²" is a digit too
    if known and int(known) not in [c[0] for c in choices]:
        choices.append((int(known), Stage(int(known)).label))
        choices.sort()
    form.fields["stage"].choices = choices
    return form


def _context(request, project, form, stage_form, editable, server_findings):
    stages = _recordable_stages(request.user, project) if project.pk else []
    upcoming = next_stage(project) if project.pk else None
    if project.pk and stage_form is None and stages:
        stage_form = StageForm(
            stages=stages,
            project=project,
            initial={"stage": upcoming.value if upcoming in stages else stages[0].value, "date": dt.date.today()},
        )
    organization = project.organization
    history = list(project.stages.select_related("recorded_by").order_by("stage")) if project.pk else []
    return {
        "project": project,
        "organization": organization,
        "form": form,
        "editable": editable,
        "stage_form": stage_form,
        "stage_history": history,
        "can_view_history": bool(project.pk) and access.can_view_history(request.user, project),
        "can_delete": bool(project.pk) and access.can_delete_project(request.user, project),
        "next_stage": upcoming,
        "next_stage_roles": ", ".join(str(r.label) for r in access.roles_recording_stage(upcoming)) if upcoming else "",
        "can_correct_stage": bool(project.pk) and bool(history) and access.can_correct_stage(request.user, project),
        "server_findings": server_findings,
        "saved_findings": [_finding_for_page(f) for f in (project.validation_findings or [])] if project.pk else [],
        "map_config": map_config(
            organization=organization,
            current_project_id=project.pk,
            fit="current" if project.pk else "area",
        ),
        "entry_config": {
            "validateUrl": reverse("projects_geo:validate"),
            "lao": organization.dla_code,
            "projectId": project.pk,
            "editable": editable,
            "geometryByKind": GEOMETRY_BY_KIND,
            "lineSubtypes": sorted(LINE_SUBTYPES),
            "subtypesByKind": {k.value: [s.value for s in v] for k, v in SUBTYPES_BY_KIND.items()},
        },
    }
