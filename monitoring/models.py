"""The fiscal-year work calendar (DLA's national items and a provincial office's own) and the
analysts' digest subscriptions.

A calendar item's dates are month/day relative to the fiscal year: ``*_offset`` 0 is the C.E. year
the fiscal year starts in (October), 1 the year it ends in (FY 2568: 1 Oct 2024 – 30 Sep 2025); a
day past the month's end is its last day (31 February: 28 or 29). An item concerns a budget stage
and the share of an LAO's projects of the fiscal year (``project_year_offset`` −1: the year before)
that must have reached it by the deadline; an item without a stage is a task gisplan does not
measure. Items with a period (``start_month``) are the monthly calendar that the "who is behind"
page follows; items with points make up the province score (reports.score), national items only.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.models import Province
from projects_geo import fiscal
from projects_geo.models import Stage


class Basis(models.TextChoices):
    RECORDED = "recorded", _("recorded in the system by the deadline")
    DATE = "date", _("the stage's own date is on or before the deadline")


MONTH = [MinValueValidator(1), MaxValueValidator(12)]
DAY = [MinValueValidator(1), MaxValueValidator(31)]
OFFSET = [MinValueValidator(0), MaxValueValidator(1)]


def fy_day(fiscal_year: int, month: int, day: int, offset: int) -> dt.date:
    """The day ``month``/``day`` of the fiscal year's start year + ``offset`` (clamped to the month's end)."""
    start, _end = fiscal.fiscal_year_range(fiscal_year)
    year = start.year + offset
    return dt.date(year, month, min(day, cal.monthrange(year, month)[1]))


class CalendarItem(models.Model):
    key = models.SlugField(_("key"), max_length=40)
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("Empty: a national item of DLA."),
    )
    title_th = models.CharField(_("task (Thai)"), max_length=200)
    title_en = models.CharField(_("task (English)"), max_length=200)
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices, null=True, blank=True)
    share = models.PositiveSmallIntegerField(
        _("share of projects (%)"), default=100, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    project_year_offset = models.SmallIntegerField(
        _("projects of"), default=0, choices=[(0, _("this fiscal year")), (-1, _("the previous fiscal year"))]
    )
    start_month = models.PositiveSmallIntegerField(_("period starts (month)"), null=True, blank=True, validators=MONTH)
    start_day = models.PositiveSmallIntegerField(_("period starts (day)"), default=1, validators=DAY)
    start_offset = models.PositiveSmallIntegerField(default=0, validators=OFFSET)
    due_month = models.PositiveSmallIntegerField(_("deadline (month)"), validators=MONTH)
    due_day = models.PositiveSmallIntegerField(_("deadline (day)"), validators=DAY)
    due_offset = models.PositiveSmallIntegerField(default=0, validators=OFFSET)
    basis = models.CharField(_("on time when"), max_length=10, choices=Basis.choices, default=Basis.RECORDED)
    completeness = models.DecimalField(_("score points: reached"), max_digits=5, decimal_places=2, default=Decimal(0))
    timeliness = models.DecimalField(_("score points: on time"), max_digits=5, decimal_places=2, default=Decimal(0))
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("calendar item")
        verbose_name_plural = _("calendar items")
        ordering = ["due_offset", "due_month", "due_day", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(province__isnull=True), name="calendar_national_key"),
            models.UniqueConstraint(fields=["province", "key"], name="calendar_province_key"),
            models.CheckConstraint(
                condition=Q(stage__isnull=True) | Q(stage__gte=1, stage__lte=6), name="calendar_stage_range"
            ),
            models.CheckConstraint(condition=Q(share__gte=1, share__lte=100), name="calendar_share_range"),
            models.CheckConstraint(
                condition=Q(province__isnull=True) | Q(completeness=0, timeliness=0),
                name="calendar_points_national_only",
            ),
        ]

    def __str__(self):
        return self.title_en

    def title(self, language: str) -> str:
        return self.title_th if (language or "th").startswith("th") else self.title_en

    def due(self, fiscal_year: int) -> dt.date:
        return fy_day(fiscal_year, self.due_month, self.due_day, self.due_offset)

    def starts(self, fiscal_year: int) -> dt.date | None:
        if self.start_month is None:
            return None
        return fy_day(fiscal_year, self.start_month, self.start_day, self.start_offset)

    @property
    def has_points(self) -> bool:
        return self.completeness > 0 or self.timeliness > 0


class DigestSubscription(models.Model):
    """An analyst (or DLA) who gets the weekly digest of their province by e-mail."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscription")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("weekly digest subscription")
        verbose_name_plural = _("weekly digest subscriptions")

    def __str__(self):
        return str(self.user)
