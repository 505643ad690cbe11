"""A user's profile: the organisation or province they belong to and their role."""
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
    DLA_ADMIN = "dla_admin", _("DLA administrator")


LAO_ROLES = (Role.LAO_ENGINEER, Role.LAO_PLANNER, Role.LAO_FINANCE, Role.LAO_ADMIN)


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("LAO")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="analysts",
        verbose_name=_("province"), help_text=_("For provincial analysts."),
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
                condition=~Q(role=Role.PROVINCIAL_ANALYST) | Q(province__isnull=False),
                name="profile_analyst_has_province",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"
