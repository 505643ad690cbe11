"""A closure window DLA announces: from ``starts_at`` to ``ends_at`` nobody but DLA writes data
(nationally, or in one province); a banner announces it ``announce_days`` before."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from layers.models import Province


class Closure(models.Model):
    starts_at = models.DateTimeField(_("closed from"))
    ends_at = models.DateTimeField(_("closed until"))
    reason_th = models.CharField(_("reason (Thai)"), max_length=300)
    reason_en = models.CharField(_("reason (English)"), max_length=300)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("Empty: the whole country."),
    )
    announce_days = models.PositiveSmallIntegerField(_("announced days before"), default=7)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="closure_ends_after_start")]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="closure_window_idx")]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M} {self.reason_en}"

    def reason(self, language: str) -> str:
        return self.reason_th if language.startswith("th") else self.reason_en
