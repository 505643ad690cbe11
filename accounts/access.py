"""Access rules: the one place that says who may read and change what.

Every page, API endpoint, tile, export, import and report starts from these functions:
- DLA administrators (and Django superusers) see and change everything;
- provincial analysts (and provincial office administrators) read everything in their province
  and change no project;
- LAO staff read and change their own LAO's projects only; which budget stages they may record
  depends on their role (planning: plan and budget approval; finance: contract and disbursement;
  engineering: geometry, attributes and completion; the LAO administrator: all of them);
- accounts asked for on the registration page are approved by the LAO administrator of that LAO,
  the provincial office administrator of its province, or a DLA administrator;
- a soft-deleted project is restored by the LAO administrator of its LAO (or DLA).

A profile that is not active (pending approval, rejected) grants nothing.
"""

from __future__ import annotations

from django.db.models import Q

from layers.models import Organization

from .models import LAO_ROLES, PROVINCE_ROLES, Profile, ProfileStatus, Role

# Budget stages (projects_geo.models.Stage values) each LAO role may record.
STAGES_BY_ROLE = {
    Role.LAO_ENGINEER: {6},
    Role.LAO_PLANNER: {1, 2, 3},
    Role.LAO_FINANCE: {4, 5},
    Role.LAO_ADMIN: {1, 2, 3, 4, 5, 6},
}


def profile_of(user):
    """The user's active profile, or None (anonymous, no profile, pending or rejected)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return None
    profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
    if profile is None or profile.status != ProfileStatus.ACTIVE:
        return None
    return profile


def is_national(user) -> bool:
    """DLA administrators and superusers see the whole country."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
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
    if profile.role in PROVINCE_ROLES:
        return profile.province
    if profile.organization_id:
        return profile.organization.province
    return None


def scope_of(user) -> tuple[str, int | None]:
    """What the user's role covers: ``("national", None)``, ``("province", province id)``,
    ``("lao", organization id)`` or ``("none", None)``."""
    if is_national(user):
        return ("national", None)
    profile = profile_of(user)
    if profile is None:
        return ("none", None)
    if profile.role in PROVINCE_ROLES:
        return ("province", profile.province_id)
    if profile.role in LAO_ROLES:
        return ("lao", profile.organization_id)
    return ("none", None)


def _scoped(user, qs, *, province_lookup, organization_lookup):
    """``qs`` narrowed to what the user's role covers: everything (national), their province, their LAO."""
    level, key = scope_of(user)
    if level == "national":
        return qs
    if level == "province":
        return qs.filter(**{province_lookup: key})
    if level == "lao":
        return qs.filter(**{organization_lookup: key})
    return qs.none()


def visible_projects(user, queryset):
    """The projects of ``queryset`` the user may read (``Project.objects.visible_to(user)`` is the
    usual way to call this: accounts sits below projects_geo and never imports it)."""
    return _scoped(user, queryset, province_lookup="organization__province_id", organization_lookup="organization_id")


def visible_organizations(user, queryset=None):
    """LAOs whose projects the user may read."""
    qs = Organization.objects.all() if queryset is None else queryset
    return _scoped(user, qs, province_lookup="province_id", organization_lookup="pk")


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


# Soft delete and history --------------------------------------------------------------------


def can_delete_project(user, project) -> bool:
    """Soft-deleting is an edit: whoever may edit the project may delete it (it can be restored)."""
    return project.deleted_at is None and can_edit_project(user, project)


def can_restore_project(user, project) -> bool:
    """Only the LAO administrator of the owning LAO (or DLA) brings a deleted project back."""
    if project.deleted_at is None:
        return False
    if is_national(user):
        return True
    profile = profile_of(user)
    return profile is not None and profile.role == Role.LAO_ADMIN and profile.organization_id == project.organization_id


def restorable_projects(user, queryset):
    """Soft-deleted projects of ``queryset`` (``Project.all_objects``) the user may restore (the LAO
    administrator's own LAO; DLA: all)."""
    qs = queryset.filter(deleted_at__isnull=False)
    if is_national(user):
        return qs
    profile = profile_of(user)
    if profile is None or profile.role != Role.LAO_ADMIN:
        return qs.none()
    return qs.filter(organization_id=profile.organization_id)


def can_view_history(user, project) -> bool:
    """History is read by whoever may read the project (a deleted one: whoever may restore it)."""
    if project.deleted_at is not None:
        return can_restore_project(user, project)
    return visible_projects(user, type(project).objects.filter(pk=project.pk)).exists()


# Accounts -----------------------------------------------------------------------------------


def is_account_admin(user) -> bool:
    """May this user decide on registrations at all (LAO, provincial office or DLA administrator)?"""
    if is_national(user):
        return True
    profile = profile_of(user)
    return profile is not None and profile.role in (Role.LAO_ADMIN, Role.PROVINCIAL_ADMIN)


def approvable_profiles(user, queryset=None):
    """Profiles whose registration the user may approve or reject.

    An LAO administrator decides on staff of their own LAO (LAO roles only); a provincial office
    administrator on LAO staff of the province and on provincial accounts of the province; DLA on
    everyone.
    """
    qs = Profile.objects.all() if queryset is None else queryset
    if is_national(user):
        return qs
    profile = profile_of(user)
    if profile is None:
        return qs.none()
    if profile.role == Role.LAO_ADMIN:
        return qs.filter(organization_id=profile.organization_id, role__in=[r.value for r in LAO_ROLES])
    if profile.role == Role.PROVINCIAL_ADMIN:
        return qs.filter(
            Q(organization__province_id=profile.province_id, role__in=[r.value for r in LAO_ROLES])
            | Q(province_id=profile.province_id, role__in=[r.value for r in PROVINCE_ROLES])
        )
    return qs.none()


def can_approve_account(user, profile) -> bool:
    if profile.user_id == getattr(user, "pk", None):
        return False
    return approvable_profiles(user, Profile.objects.filter(pk=profile.pk)).exists()
