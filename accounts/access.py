"""Access rules: the one place that says who may read and change what.

Every page, API endpoint, tile, export, import and report starts from these functions:
- DLA administrators (and Django superusers) see and change everything;
- provincial analysts read everything in their province and change nothing;
- LAO staff read and change their own LAO's projects only; which budget stages they may record
  depends on their role (planning: plan and budget approval; finance: contract and disbursement;
  engineering: geometry, attributes and completion; the LAO administrator: all of them).
"""
from __future__ import annotations

from .models import LAO_ROLES, Role

# Budget stages (projects_geo.models.Stage values) each LAO role may record.
STAGES_BY_ROLE = {
    Role.LAO_ENGINEER: {6},
    Role.LAO_PLANNER: {1, 2, 3},
    Role.LAO_FINANCE: {4, 5},
    Role.LAO_ADMIN: {1, 2, 3, 4, 5, 6},
}


def profile_of(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "profile", None) if hasattr(user, "profile") else None


def is_national(user) -> bool:
    """DLA administrators and superusers see the whole country."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    profile = profile_of(user)
    return profile is not None and profile.role == Role.DLA_ADMIN


def organization_of(user):
    profile = profile_of(user)
    return profile.organization if profile and profile.role in LAO_ROLES else None


def province_of(user):
    """The province a user works in (an analyst's province, or their LAO's)."""
    profile = profile_of(user)
    if profile is None:
        return None
    if profile.role == Role.PROVINCIAL_ANALYST:
        return profile.province
    if profile.organization_id:
        return profile.organization.province
    return None


def visible_projects(user, queryset=None):
    """Projects the user may read."""
    from projects_geo.models import Project

    qs = Project.objects.all() if queryset is None else queryset
    if is_national(user):
        return qs
    profile = profile_of(user)
    if profile is None:
        return qs.none()
    if profile.role == Role.PROVINCIAL_ANALYST:
        return qs.filter(organization__province_id=profile.province_id)
    if profile.role in LAO_ROLES:
        return qs.filter(organization_id=profile.organization_id)
    return qs.none()


def visible_organizations(user, queryset=None):
    from layers.models import Organization

    qs = Organization.objects.all() if queryset is None else queryset
    if is_national(user):
        return qs
    profile = profile_of(user)
    if profile is None:
        return qs.none()
    if profile.role == Role.PROVINCIAL_ANALYST:
        return qs.filter(province_id=profile.province_id)
    if profile.role in LAO_ROLES:
        return qs.filter(pk=profile.organization_id)
    return qs.none()


def can_create_project(user, organization) -> bool:
    if is_national(user):
        return True
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role in (Role.LAO_ENGINEER, Role.LAO_ADMIN)
        and profile.organization_id == organization.pk
    )


def can_edit_project(user, project) -> bool:
    """Geometry and attributes: engineering staff and the LAO administrator of the owning LAO."""
    return can_create_project(user, project.organization)


def can_record_stage(user, project, stage: int) -> bool:
    if is_national(user):
        return True
    profile = profile_of(user)
    if profile is None or profile.role not in LAO_ROLES or profile.organization_id != project.organization_id:
        return False
    return int(stage) in STAGES_BY_ROLE[profile.role]
