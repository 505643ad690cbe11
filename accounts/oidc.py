"""OpenID Connect single sign-on (mozilla-django-oidc): from an identity to a gisplan user.

Mapping, in this order (claim names are settings, defaults shown):

1. The user is found by ``email`` (case-insensitive), else by username == ``preferred_username``.
2. When the identity carries ``gisplan_role`` (a ``accounts.models.Role`` value) and
   ``dla_code`` (a 7-digit LAO code, for LAO roles) or ``province_code`` (2 digits, for provincial
   roles), the provider is trusted for them: the user's profile is created or updated to that role
   and organisation and the account is active. ``dla_admin`` needs neither code.
3. An identity with no usable role claims maps only to an existing, active, approved account;
   otherwise sign-in fails (``LOGIN_REDIRECT_URL_FAILURE``) and the person can ask for an account on
   the registration page. Unknown roles, DLA codes or provinces are refused, never guessed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from layers.models import Organization, Province

from .models import LAO_ROLES, PROVINCE_ROLES, Profile, ProfileStatus, Role

log = logging.getLogger(__name__)


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
        self._apply(user, mapped)
        return user

    @transaction.atomic
    def update_user(self, user, claims):
        try:
            mapped = profile_from_claims(claims)
        except ClaimsError as exc:
            log.warning("OIDC sign-in refused for %s: %s", self.describe_user_by_claims(claims), exc)
            return None
        if mapped is not None:
            self._apply(user, mapped)
        profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
        if not user.is_superuser and (profile is None or profile.status != ProfileStatus.ACTIVE):
            return None  # an account waiting for approval (or rejected) does not sign in by SSO either
        return user

    @staticmethod
    def _apply(user, mapped):
        role, organization, province = mapped
        Profile.objects.update_or_create(
            user=user,
            defaults={"role": role, "organization": organization, "province": province, "status": ProfileStatus.ACTIVE},
        )
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        user.refresh_from_db()
