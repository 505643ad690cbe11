"""Self-registration and its approval: plain functions the views, admin and SSO use.

A person asks for an account on the registration page; the account is created inactive with a
``pending`` profile (role and LAO or province as asked). An administrator allowed by
``accounts.access.approvable_profiles`` approves it (the user becomes active) or rejects it
(stays inactive). Both record who decided and when.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from layers.models import Organization

from . import access
from .models import Profile, ProfileStatus, Role

DLA_CODE = re.compile(r"^\s*(\d{7})\b")


def find_laos(text: str, limit: int = 20):
    """LAOs whose DLA code starts with, or Thai/English name contains, ``text``."""
    text = (text or "").strip()
    if not text:
        return Organization.objects.none()
    qs = Organization.objects.select_related("province")
    if text.isdigit():
        return qs.filter(dla_code__startswith=text)[:limit]
    return qs.filter(Q(name_th__icontains=text) | Q(name_en__icontains=text)).order_by("name_th", "dla_code")[:limit]


def resolve_lao(text: str) -> Organization:
    """The one LAO meant by a DLA code ("4830201", "4830201 — เทศบาลเมืองป่าตอง") or an exact name."""
    text = (text or "").strip()
    match = DLA_CODE.match(text)
    if match:
        org = Organization.objects.select_related("province").filter(dla_code=match.group(1)).first()
        if org is None:
            raise ValidationError(_("No LAO has the DLA code %(code)s.") % {"code": match.group(1)}, code="unknown_lao")
        return org
    candidates = list(
        Organization.objects.select_related("province").filter(Q(name_th=text) | Q(name_en__iexact=text))[:11]
    )
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ValidationError(
            _("No LAO is called “%(name)s”. Type its 7-digit DLA code or pick it from the list.") % {"name": text},
            code="unknown_lao",
        )
    listed = "; ".join(f"{o.dla_code} {o.name_th} ({o.province.name_th})" for o in candidates[:10])
    raise ValidationError(
        _("Several LAOs are called “%(name)s”; type the DLA code of yours: %(list)s") % {"name": text, "list": listed},
        code="ambiguous_lao",
    )


@transaction.atomic
def register(user, *, role, organization=None, province=None) -> Profile:
    """Make ``user`` (just created) a pending account with the role it asked for; the administrators
    who may approve it are e-mailed once the transaction commits."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    profile = Profile.objects.create(
        user=user,
        role=role,
        organization=organization,
        province=province,
        status=ProfileStatus.PENDING,
        requested_at=timezone.now(),
    )
    transaction.on_commit(lambda: notify_approvers(profile))
    return profile


def _decide(profile: Profile, by, status: str) -> Profile:
    if not access.can_approve_account(by, profile):
        raise ValidationError(_("You may not decide on this account."), code="forbidden")
    locked = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if locked.status != ProfileStatus.PENDING:
        raise ValidationError(_("This account was already decided on."), code="already_decided")
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by = by
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    locked.user.is_active = status == ProfileStatus.ACTIVE
    locked.user.save(update_fields=["is_active"])
    return locked


@transaction.atomic
def approve(profile: Profile, *, by) -> Profile:
    decided = _decide(profile, by, ProfileStatus.ACTIVE)
    transaction.on_commit(lambda: notify_decision(decided))
    return decided


@transaction.atomic
def reject(profile: Profile, *, by) -> Profile:
    decided = _decide(profile, by, ProfileStatus.REJECTED)
    transaction.on_commit(lambda: notify_decision(decided))
    return decided


# E-mails (Django's mail framework: console in development, SMTP in production) --------------


def approvers(profile: Profile) -> list:
    """Active users who may approve ``profile`` (the LAO's administrator, the provincial office's
    administrator, DLA) and have an e-mail address."""
    candidates = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(
            Q(is_superuser=True)
            | Q(
                profile__status=ProfileStatus.ACTIVE,
                profile__role__in=[Role.LAO_ADMIN, Role.PROVINCIAL_ADMIN, Role.DLA_ADMIN],
            )
        )
        .select_related("profile")
    )
    return [u for u in candidates if access.can_approve_account(u, profile)]


def notify_approvers(profile: Profile) -> int:
    """Tell the administrators who may decide that an account waits for them; returns how many."""
    to = sorted({u.email for u in approvers(profile)})
    if not to:
        return 0
    where = profile.organization or profile.province
    with translation.override("th"):
        subject = _("gisplan: an account waits for your approval")
        body = _("%(user)s (%(email)s) asks for an account: %(role)s, %(where)s. Decide at %(url)s") % {
            "user": profile.user.get_username(),
            "email": profile.user.email or "—",
            "role": profile.get_role_display(),
            "where": where or "—",
            "url": reverse("accounts:approvals"),
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return len(to)


def notify_decision(profile: Profile) -> bool:
    """Tell the person their account was approved or rejected (when they gave an e-mail address)."""
    email = profile.user.email
    if not email:
        return False
    with translation.override("th"):
        if profile.status == ProfileStatus.ACTIVE:
            subject = _("gisplan: your account is approved")
            body = _("Your gisplan account %(user)s is approved: you can sign in now.")
        else:
            subject = _("gisplan: your account request was not approved")
            body = _("Your request for the gisplan account %(user)s was not approved. Ask your administrator why.")
        body = body % {"user": profile.user.get_username()}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    return True
