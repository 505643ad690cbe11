"""Access rules: the one place that says who may read and change what.

Every page, API endpoint, tile, export, import and report starts from these functions:
- DLA administrators (and Django superusers) see and change everything;
- provincial analysts (and provincial office administrators) read everything in their province;
  when an LAO cannot record its data, the provincial office records it *on behalf of* the LAO:
  they create and edit projects, record every budget stage and import for the LAOs of their
  province (never outside it; they do not delete or restore) — ``acts_on_behalf`` says when a
  change is such an entry, and it is marked so in the history, on the project page and in exports;
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


def acts_on_behalf(user, organization) -> bool:
    """Is ``user`` the provincial office entering data for ``organization``, an LAO of its province?

    A change made so is recorded "by the provincial office on behalf of the LAO". False for the
    LAO's own staff, DLA, and anyone outside the province (who may not write at all)."""
    if organization is None or is_national(user):
        return False
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role in PROVINCE_ROLES
        and profile.province_id is not None
        and profile.province_id == organization.province_id
    )


def _lao_may_edit(user, organization) -> bool:
    """The LAO's own engineering staff and administrator (or DLA)."""
    if is_national(user):
        return True
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role in (Role.LAO_ENGINEER, Role.LAO_ADMIN)
        and profile.organization_id == organization.pk
    )


def can_import_projects(user) -> bool:
    """May the user import projects at all (engineering staff and the LAO administrator of an LAO,
    the provincial office on behalf of its LAOs, DLA)? Which LAO's: ``can_create_project``."""
    if is_national(user):
        return True
    profile = profile_of(user)
    return profile is not None and profile.role in (Role.LAO_ENGINEER, Role.LAO_ADMIN, *PROVINCE_ROLES)


def can_restore_any(user) -> bool:
    """Does the list of deleted projects hold anything for the user (an LAO administrator, DLA)?"""
    if is_national(user):
        return True
    profile = profile_of(user)
    return profile is not None and profile.role == Role.LAO_ADMIN


def can_create_project(user, organization) -> bool:
    """Creating (and importing): the LAO's engineering staff and administrator, DLA, and the
    provincial office of the LAO's province on its behalf."""
    return _lao_may_edit(user, organization) or acts_on_behalf(user, organization)


def can_edit_project(user, project) -> bool:
    """Geometry and attributes: engineering staff and the LAO administrator of the owning LAO (or
    the provincial office on its behalf)."""
    return can_create_project(user, project.organization)


def can_record_stage(user, project, stage: int) -> bool:
    if is_national(user) or acts_on_behalf(user, project.organization):
        return True
    profile = profile_of(user)
    if profile is None or profile.role not in LAO_ROLES or profile.organization_id != project.organization_id:
        return False
    return int(stage) in STAGES_BY_ROLE[profile.role]


def roles_recording_stage(stage: int) -> list:
    """The LAO roles that record ``stage`` (to tell a user who records what they may not)."""
    return [role for role, stages in STAGES_BY_ROLE.items() if int(stage) in stages]


def can_correct_stage(user, project) -> bool:
    """Correcting or withdrawing the last recorded stage (with a reason): the LAO administrator of
    the owning LAO."""
    profile = profile_of(user)
    return (
        project.deleted_at is None
        and profile is not None
        and profile.role == Role.LAO_ADMIN
        and profile.organization_id == project.organization_id
    )


def on_behalf_organizations(user):
    """LAOs whose list of "changes recorded on their behalf" the user may read: the LAO
    administrator's own LAO, the provincial office's province, DLA all; others none."""
    level, key = scope_of(user)
    if level in ("national", "province"):
        return visible_organizations(user)
    profile = profile_of(user)
    if profile is not None and profile.role == Role.LAO_ADMIN:
        return Organization.objects.filter(pk=profile.organization_id)
    return Organization.objects.none()


# The provincial office's follow-up (issue 24) -------------------------------------------------


def follow_up_province(user, province_id=None):
    """The province whose "who is behind" page and digest the user may read: a provincial office's
    own (whatever ``province_id`` asks), any for DLA (``province_id``, None: the whole country);
    ``False`` for anyone else."""
    level, key = scope_of(user)
    if level == "national":
        return province_id
    if level == "province":
        return key
    return False


def can_manage_calendar(user, province_id) -> bool:
    """Calendar items: DLA the national ones (``province_id`` None) and any province's; a provincial
    office its own province's items."""
    if is_national(user):
        return True
    level, key = scope_of(user)
    return level == "province" and province_id is not None and province_id == key


# Messages and news (issue 24) ----------------------------------------------------------------


def visible_threads(user, queryset):
    """Message threads of ``queryset`` the user may read: an LAO's staff their LAO's threads, a
    provincial office every thread of its province, DLA all."""
    level, key = scope_of(user)
    if level == "national":
        return queryset
    if level == "province":
        return queryset.filter(province_id=key)
    if level == "lao":
        return queryset.filter(organization_id=key)
    return queryset.none()


def can_publish_faq(user) -> bool:
    return is_national(user)


def visible_news(user, queryset):
    """News for the user: national items for everyone signed in with a role, a province's items for
    its LAOs and office, DLA all."""
    level, _key = scope_of(user)
    if level == "national":
        return queryset
    if level == "none":
        return queryset.none()
    province = province_of(user)
    return queryset.filter(Q(province__isnull=True) | Q(province_id=getattr(province, "pk", None)))


def can_post_news(user, province_id) -> bool:
    """DLA posts to the country (``province_id`` None) or a province; a provincial office to its own."""
    if is_national(user):
        return True
    level, key = scope_of(user)
    return level == "province" and province_id is not None and province_id == key


# Soft delete and history --------------------------------------------------------------------


def can_delete_project(user, project) -> bool:
    """Soft-deleting is an edit by the LAO itself (or DLA): the provincial office enters data on an
    LAO's behalf but does not delete its projects."""
    return project.deleted_at is None and _lao_may_edit(user, project.organization)


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


def approvers_of(profile) -> list:
    """The active administrators who decide on ``profile``'s registration, nearest first: the LAO's
    administrators for LAO staff (else the provincial office's), the provincial office's
    administrators for provincial accounts (else DLA's)."""
    active = Profile.objects.filter(status=ProfileStatus.ACTIVE, user__is_active=True).select_related("user")
    if profile.role in LAO_ROLES and profile.organization_id:
        lao_admins = list(active.filter(role=Role.LAO_ADMIN, organization_id=profile.organization_id))
        if lao_admins:
            return lao_admins
        province_id = profile.organization.province_id
    else:
        province_id = profile.province_id
    provincial = list(active.filter(role=Role.PROVINCIAL_ADMIN, province_id=province_id))
    return provincial or list(active.filter(role=Role.DLA_ADMIN))


def can_approve_account(user, profile) -> bool:
    if profile.user_id == getattr(user, "pk", None):
        return False
    return approvable_profiles(user, Profile.objects.filter(pk=profile.pk)).exists()


# Development plans (planning app) -------------------------------------------------------------
# The rules take an organisation or a province: accounts never imports planning.


def can_view_plans(user, organization) -> bool:
    """An LAO's development plans are read by whoever reads its projects (its staff, its province, DLA)."""
    return visible_organizations(user, Organization.objects.filter(pk=organization.pk)).exists()


def can_edit_plans(user, organization) -> bool:
    """Plans, strategies and amendments: the LAO's planning staff and its administrator."""
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role in (Role.LAO_PLANNER, Role.LAO_ADMIN)
        and profile.organization_id == organization.pk
    )


def can_link_project_plan(user, project) -> bool:
    """A project's place in the plan: whoever edits the project, and the LAO's planning staff."""
    return can_edit_project(user, project) or can_edit_plans(user, project.organization)


def can_view_provincial_strategies(user, province) -> bool:
    """A province's strategies: DLA, and everyone working in that province."""
    if is_national(user):
        return True
    mine = province_of(user)
    return mine is not None and mine.pk == province.pk


def can_edit_provincial_strategies(user, province) -> bool:
    """The provincial office administrator of the province (and DLA)."""
    if is_national(user):
        return True
    profile = profile_of(user)
    return profile is not None and profile.role == Role.PROVINCIAL_ADMIN and profile.province_id == province.pk


def can_view_frameworks(user) -> bool:
    """The reference frameworks are read by every active account."""
    return is_national(user) or profile_of(user) is not None


def can_edit_frameworks(user) -> bool:
    """National Strategy, NESDP and SDG lists: DLA only."""
    return is_national(user)


# Field photos -------------------------------------------------------------------------------


def can_view_photo(user, photo) -> bool:
    """A project's photo is read by whoever may read the project (its LAO's audience); a photo of a
    soft-deleted project by whoever may restore it."""
    return can_view_history(user, photo.project)


def can_add_photo(user, project) -> bool:
    """Staff of the project's LAO (any LAO role: a contract or a completed road is evidence for
    finance and engineering alike) and DLA attach photos to a live project."""
    if project.deleted_at is not None:
        return False
    if is_national(user):
        return True
    profile = profile_of(user)
    return profile is not None and profile.role in LAO_ROLES and profile.organization_id == project.organization_id


def can_see_job(user, job) -> bool:
    """A background job (an export, an import commit) and its file are its owner's; DLA
    administrators see every job. ``job``: anything with ``owner_id`` (jobs.models.Job)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    return job.owner_id == user.pk or is_national(user)


def can_view_job_schedule(user) -> bool:
    """The Celery beat schedule (nightly fold, purge, digests) is shown to DLA administrators."""
    return is_national(user)
