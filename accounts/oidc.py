"""OpenID Connect single sign-on (mozilla-django-oidc): from an identity to a gisplan user.

Mapping, in this order (claim names are settings, defaults shown):

1. The user is found by ``email`` (case-insensitive), else by username == ``preferred_username``.
2. An existing user signs in when their account is active and approved; the identity's claims
   change nothing (a role claim never changes a role: that would skip approval).
3. The first sign-in of an identity with ``gisplan_role`` (a ``accounts.models.Role`` value) and
   ``dla_code`` (a 7-digit LAO code, for LAO roles) or ``province_code`` (2 digits, for provincial
   roles) creates the account *as a request*: inactive, its profile pending with that role and LAO
   or province (``registration.register``), the administrators who may approve it told by e-mail.
   It signs in once the LAO's (or the provincial office's, or DLA's) administrator approves it.
   ``dla_admin`` needs neither code and is approved by DLA.
4. An identity with no usable role claims and no account fails (``LOGIN_REDIRECT_URL_FAILURE``): the
   person asks for an account on the registration page. Unknown roles, DLA codes or provinces are
   refused, never guessed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from layers.models import Organization, Province

from . import registration
from .models import LAO_ROLES, PROVINCE_ROLES, ProfileStatus, Role

log = logging.getLogger(__name__)

PENDING = _(
    "Your account is requested and waits for approval by the administrator of your LAO or provincial "
    "office; you can sign in with single sign-on once it is approved."
)


class ClaimsError(Exception):
    """The identity's gisplan claims are present but unusable."""


def profile_from_claims(claims: dict):
    """(role, organization, province) from the identity, or None when it carries no role."""
    role = (claims.get(settings.GISPLAN_OIDC_CLAIM_ROLE) or "").strip()
    if not role:
        return None
    if role not in Role.values:
        raise ClaimsError(f"unknown role {role!r}")
    organization = province = None
    if role in LAO_ROLES:
        code = str(claims.get(settings.GISPLAN_OIDC_CLAIM_DLA_CODE) or "").strip()
        organization = Organization.objects.filter(dla_code=code).first() if code else None
        if organization is None:
            raise ClaimsError(f"role {role} needs a known {settings.GISPLAN_OIDC_CLAIM_DLA_CODE}, got {code!r}")
    elif role in PROVINCE_ROLES:
        code = str(claims.get(settings.GISPLAN_OIDC_CLAIM_PROVINCE) or "").strip()
        province = Province.objects.filter(code=code).first() if code else None
        if province is None:
            raise ClaimsError(f"role {role} needs a known {settings.GISPLAN_OIDC_CLAIM_PROVINCE}, got {code!r}")
    return role, organization, province


class GisplanOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims):
        return bool(claims.get("email") or claims.get("preferred_username"))

    def filter_users_by_claims(self, claims):
        User = get_user_model()
        email = (claims.get("email") or "").strip()
        if email:
            users = User.objects.filter(email__iexact=email)
            if users.exists():
                return users
        username = (claims.get("preferred_username") or "").strip()
        return User.objects.filter(username=username) if username else User.objects.none()

    def get_username(self, claims):
        User = get_user_model()
        base = (claims.get("preferred_username") or claims.get("email") or "").strip()[:140]
        if base and not User.objects.filter(username=base).exists():
            return base
        return super().get_username(claims)

    @transaction.atomic
    def create_user(self, claims):
        """The first sign-in: an account asked for, waiting for approval by the administrator of the
        LAO (or provincial office) the identity claims; the role claims pre-fill the request only."""
        try:
            mapped = profile_from_claims(claims)
        except ClaimsError as exc:
            log.warning("OIDC sign-in refused for %s: %s", self.describe_user_by_claims(claims), exc)
            return None
        if mapped is None:
            log.info(
                "OIDC sign-in refused for %s: no gisplan role and no account", self.describe_user_by_claims(claims)
            )
            return None
        user = get_user_model().objects.create_user(
            self.get_username(claims),
            email=claims.get("email", ""),
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        role, organization, province = mapped
        registration.register(user, role=role, organization=organization, province=province)  # e-mails approvers
        request = getattr(self, "request", None)
        if request is not None and hasattr(request, "_messages"):
            messages.info(request, PENDING)
        log.info("OIDC first sign-in of %s: account requested, pending approval", self.describe_user_by_claims(claims))
        return user  # inactive until approved: the callback refuses the sign-in

    @transaction.atomic
    def update_user(self, user, claims):
        """A later sign-in: the account decides (role, LAO, status); the claims change nothing."""
        try:
            profile_from_claims(claims)
        except ClaimsError as exc:
            log.warning("OIDC sign-in refused for %s: %s", self.describe_user_by_claims(claims), exc)
            return None
        profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
        if not user.is_superuser and (profile is None or profile.status != ProfileStatus.ACTIVE):
            return None  # an account waiting for approval (or rejected) does not sign in by SSO either
        return user
