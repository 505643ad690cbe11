"""A user's profile: the organisation or province they belong to, their role and account status."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.models import Organization, Province


class Role(models.TextChoices):
    LAO_ENGINEER = "lao_engineer", _("LAO engineering staff")
    LAO_PLANNER = "lao_planner", _("LAO planning staff")
    LAO_FINANCE = "lao_finance", _("LAO finance staff")
    LAO_ADMIN = "lao_admin", _("LAO administrator")
    PROVINCIAL_ANALYST = "provincial_analyst", _("Provincial analyst")
    PROVINCIAL_ADMIN = "provincial_admin", _("Provincial office administrator")
    DLA_ADMIN = "dla_admin", _("DLA administrator")


LAO_ROLES = (Role.LAO_ENGINEER, Role.LAO_PLANNER, Role.LAO_FINANCE, Role.LAO_ADMIN)
# Roles of a provincial local-administration office (สถ.จ.): they read the whole province.
PROVINCE_ROLES = (Role.PROVINCIAL_ANALYST, Role.PROVINCIAL_ADMIN)
# Roles anyone may ask for on the registration page (DLA administrators are made by a superuser).
REGISTRABLE_ROLES = (*LAO_ROLES, *PROVINCE_ROLES)


class ProfileStatus(models.TextChoices):
    """An account asked for on the registration page is pending until an administrator decides."""

    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("LAO")
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="analysts",
        verbose_name=_("province"),
        help_text=_("For provincial analysts."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProfileStatus.choices, default=ProfileStatus.ACTIVE, db_index=True
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in LAO_ROLES]) | Q(organization__isnull=False),
                name="profile_lao_role_has_organization",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in PROVINCE_ROLES]) | Q(province__isnull=False),
                name="profile_analyst_has_province",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"
