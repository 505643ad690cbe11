"""Pages for a project's history, soft delete and restore (access rules from accounts.access).

Delete and restore send the project's version (required, ``concurrency.py``): a refused one — a
missing or malformed version (400), someone else's change meanwhile (409), a project already
deleted or not deleted (400) — shows the history page with the reason and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from layers.models import Organization
from projects_geo.concurrency import ConflictError
from projects_geo.deletion import restore_project, soft_delete_project
from projects_geo.history import changes_on_behalf
from projects_geo.history import project_history as build_history
from projects_geo.models import Project


def _project_for(user, pk) -> Project:
    """The project (deleted or not) if the user may read it or restore it; 404 otherwise."""
    project = get_object_or_404(Project.all_objects.select_related("organization", "deleted_by"), pk=pk)
    if not access.can_view_history(user, project):
        raise Http404
    return project


def _history_page(request, project, status=200):
    return render(
        request,
        "projects_geo/history.html",
        {
            "project": project,
            "entries": build_history(project),
            "can_restore": access.can_restore_project(request.user, project),
        },
        status=status,
    )


def _refused(request, project, exc: ValidationError):
    """The history page (as it is now) with why the delete or restore was refused."""
    if hasattr(exc, "message_th"):  # ConflictError, VersionError: in Thai and English
        messages.error(request, f"{exc.message_th} / {exc.message_en}")
    else:
        messages.error(request, " ".join(exc.messages))
    project.refresh_from_db()
    return _history_page(request, project, status=409 if isinstance(exc, ConflictError) else 400)


@login_required
@require_GET
def project_history(request, pk):
    return _history_page(request, _project_for(request.user, pk))


@login_required
@require_POST
def project_delete(request, pk):
    project = _project_for(request.user, pk)
    if not access.can_delete_project(request.user, project):
        return HttpResponseForbidden(_("You may not delete this project."))
    try:
        soft_delete_project(project, user=request.user, expected_version=request.POST.get("version"))
    except ValidationError as exc:
        return _refused(request, project, exc)
    messages.success(
        request, _("Project “%(name)s” deleted. The LAO administrator can restore it.") % {"name": project.name}
    )
    return redirect("projects_geo:deleted_projects" if access.can_restore_project(request.user, project) else "/")


@login_required
@require_POST
def project_restore(request, pk):
    project = _project_for(request.user, pk)
    if not access.can_restore_project(request.user, project):
        return HttpResponseForbidden(_("Only the LAO administrator may restore this project."))
    try:
        restore_project(project, user=request.user, expected_version=request.POST.get("version"))
    except ValidationError as exc:
        return _refused(request, project, exc)
    messages.success(request, _("Project “%(name)s” restored.") % {"name": project.name})
    return redirect(reverse("projects_geo:project_history", args=[project.pk]))


@login_required
@require_GET
def deleted_projects(request):
    projects = (
        Project.all_objects.restorable_by(request.user)
        .select_related("organization", "deleted_by")
        .order_by("-deleted_at")
    )
    return render(request, "projects_geo/deleted_list.html", {"projects": projects[:500]})


@login_required
@require_GET
def on_behalf_changes(request):
    """What the provincial office recorded on behalf of the LAO: the LAO administrator's own LAO
    (the provincial office: its province; DLA: everywhere)."""
    orgs = access.on_behalf_organizations(request.user)
    if not orgs.exists():
        raise PermissionDenied(_("Only the LAO administrator, the provincial office and DLA see this list."))
    changes = changes_on_behalf(orgs.values("pk"))
    names = dict(Organization.objects.filter(pk__in={c.organization_id for c in changes}).values_list("pk", "name_th"))
    for c in changes:
        c.organization_name = names.get(c.organization_id, "")
    return render(request, "projects_geo/on_behalf_list.html", {"changes": changes})
