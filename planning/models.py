"""The plan behind each project: reference frameworks, provincial strategies, LAO development
plans with their strategies and amendments, and each project's place in its LAO's plan.

- ``Framework`` / ``FrameworkItem``: the 20-year National Strategy (6 strategies), the NESDP
  (13 milestones of the 13th plan) and the 17 SDGs, as data (``load_frameworks`` loads the shipped
  default, DLA edits them): a framework of the next plan period is a new row, not a migration.
- ``ProvincialStrategy``: a province's development strategies (edited by its provincial office).
- ``DevelopmentPlan``: an LAO's local development plan for a period of 3, 4 or 5 B.E. years with
  its vision; periods of one LAO never overlap (an exclusion constraint, checked in ``clean`` too).
- ``PlanStrategy``: a strategy of a plan, linked to framework items and provincial strategies.
- ``PlanAmendment``: an amendment (เปลี่ยนแปลง/แก้ไข) or addition (เพิ่มเติม) of a plan.
- ``ProjectPlanLink``: a project's plan, the plan's strategy it serves and the plan year(s) it is
  scheduled in. The project's free-text ``plan_reference`` stays as the plan's item number. The
  strategy must be one of the plan's (a composite foreign key in the database) and the plan the
  project's LAO's (``clean``; saving goes through ``planning.services``).
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from layers.models import Organization, Province
from projects_geo.models import Project

MIN_YEAR, MAX_YEAR = 2540, 2600  # B.E.
PLAN_LENGTHS = (3, 4, 5)  # 3-year plans, then 4 (2561–2564), then 5 (2561–2565, 2566–2570)


class FrameworkKind(models.TextChoices):
    NATIONAL_STRATEGY = "national_strategy", _("National Strategy")
    NESDP = "nesdp", _("National Economic and Social Development Plan")
    SDG = "sdg", _("Sustainable Development Goals")


def _year_field(label):
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )


class Framework(models.Model):
    """A reference framework of one period, e.g. the 13th NESDP (2566–2570)."""

    kind = models.CharField(_("kind"), max_length=20, choices=FrameworkKind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    start_year = _year_field(_("first year (B.E.)"))
    end_year = _year_field(_("last year (B.E.)"))
    version = models.CharField(_("version"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("reference framework")
        verbose_name_plural = _("reference frameworks")
        ordering = ["kind", "start_year", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=F("start_year")), name="framework_period_order"),
            models.CheckConstraint(condition=Q(kind__in=FrameworkKind.values), name="framework_kind_valid"),
        ]

    def __str__(self):
        return f"{self.name_th} ({self.start_year}–{self.end_year})"


class FrameworkItem(models.Model):
    """A strategy, milestone (หมุดหมาย) or goal of a framework."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    name_th = models.CharField(_("Thai name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("framework item")
        verbose_name_plural = _("framework items")
        ordering = ["framework", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="frameworkitem_code_unique")]

    def __str__(self):
        return f"{self.code}. {self.name_th}"


class ProvincialStrategy(models.Model):
    """A development strategy of a province's development plan."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="strategies")
    code = models.CharField(_("code"), max_length=20)
    name_th = models.CharField(_("Thai name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    start_year = _year_field(_("first year (B.E.)"))
    end_year = _year_field(_("last year (B.E.)"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("provincial strategy")
        verbose_name_plural = _("provincial strategies")
        ordering = ["province", "start_year", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["province", "start_year", "code"], name="provstrategy_code_unique"),
            models.CheckConstraint(condition=Q(end_year__gte=F("start_year")), name="provstrategy_period_order"),
        ]

    def __str__(self):
        return f"{self.code}. {self.name_th}"


class IntRange(Func):
    """``int4range(start, end, '[]')``: a plan's years as a range, for the exclusion constraint."""

    function = "int4range"
    template = "%(function)s(%(expressions)s, '[]')"
    output_field = models.Field()


class DevelopmentPlan(models.Model):
    """An LAO's local development plan (แผนพัฒนาท้องถิ่น) for a period of B.E. years."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="development_plans", verbose_name=_("LAO")
    )
    start_year = _year_field(_("first year (B.E.)"))
    end_year = _year_field(_("last year (B.E.)"))
    vision = models.TextField(_("vision"), blank=True)
    council_approved_on = models.DateField(_("council approval date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["organization", "-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year") + min(PLAN_LENGTHS) - 1)
                & Q(end_year__lte=F("start_year") + max(PLAN_LENGTHS) - 1),
                name="plan_period_3_to_5_years",
            ),
            ExclusionConstraint(
                name="plan_periods_do_not_overlap",
                violation_error_message=_(
                    "This LAO already has a plan for some of these years; periods may not overlap."
                ),
                expressions=[
                    ("organization", RangeOperators.EQUAL),
                    (IntRange("start_year", "end_year"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self):
        return f"{self.organization.name_th} {self.start_year}–{self.end_year}"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def clean(self):
        if self.start_year and self.end_year:
            length = self.end_year - self.start_year + 1
            if length not in PLAN_LENGTHS:
                raise ValidationError(
                    {
                        "end_year": _("A development plan covers 3, 4 or 5 years; %(first)s–%(last)s is %(n)s.")
                        % {"first": self.start_year, "last": self.end_year, "n": length}
                    },
                    code="plan_length",
                )
            if self.organization_id:
                clash = (
                    DevelopmentPlan.objects.filter(organization_id=self.organization_id)
                    .exclude(pk=self.pk)
                    .filter(start_year__lte=self.end_year, end_year__gte=self.start_year)
                    .first()
                )
                if clash:
                    raise ValidationError(
                        {
                            "start_year": _(
                                "This LAO already has a plan for %(first)s–%(last)s; periods may not overlap."
                            )
                            % {"first": clash.start_year, "last": clash.end_year}
                        },
                        code="plan_overlap",
                    )


class PlanStrategy(models.Model):
    """A development strategy of an LAO's plan, linked to the frameworks and provincial strategies."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="strategies")
    code = models.CharField(_("number"), max_length=20)
    name_th = models.CharField(_("Thai name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    framework_items = models.ManyToManyField(
        FrameworkItem, blank=True, related_name="plan_strategies", verbose_name=_("national strategy, NESDP, SDG")
    )
    provincial_strategies = models.ManyToManyField(
        ProvincialStrategy, blank=True, related_name="plan_strategies", verbose_name=_("provincial strategies")
    )

    class Meta:
        verbose_name = _("plan strategy")
        verbose_name_plural = _("plan strategies")
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="planstrategy_code_unique"),
            # the target of ProjectPlanLink's composite key (strategy, plan): see migration 0001
            models.UniqueConstraint(fields=["id", "plan"], name="planstrategy_id_plan_unique"),
        ]

    def __str__(self):
        return f"{self.code}. {self.name_th}"


class AmendmentKind(models.TextChoices):
    AMENDMENT = "amendment", _("Amendment")
    ADDITION = "addition", _("Addition")


class PlanAmendment(models.Model):
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="amendments")
    kind = models.CharField(_("amendment or addition"), max_length=10, choices=AmendmentKind.choices)
    number = models.PositiveSmallIntegerField(_("number (ครั้งที่)"), default=1)
    date = models.DateField(_("date"))
    council_approved_on = models.DateField(_("council approval date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("plan amendment")
        verbose_name_plural = _("plan amendments")
        ordering = ["plan", "date", "number"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=AmendmentKind.values), name="amendment_kind_valid")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number} ({self.date})"


class ProjectPlanLink(models.Model):
    """A project's place in its LAO's development plan."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, primary_key=True, related_name="plan_link")
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.PROTECT, related_name="project_links")
    strategy = models.ForeignKey(
        PlanStrategy, on_delete=models.PROTECT, null=True, blank=True, related_name="project_links"
    )
    years = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True, verbose_name=_("plan years"))

    class Meta:
        verbose_name = _("project's place in the plan")
        verbose_name_plural = _("projects' places in plans")
        indexes = [models.Index(fields=["strategy"], name="planlink_strategy_idx")]

    def __str__(self):
        return f"{self.project_id} → {self.plan_id}/{self.strategy_id} {self.years}"

    def clean(self):
        errors = {}
        if self.plan_id and self.project_id and self.plan.organization_id != self.project.organization_id:
            errors["plan"] = _("The plan is not the development plan of the project's LAO.")
        if self.strategy_id and self.plan_id and self.strategy.plan_id != self.plan_id:
            errors["strategy"] = _("The strategy is not a strategy of this development plan.")
        if self.plan_id:
            outside = sorted(y for y in self.years or [] if not self.plan.start_year <= y <= self.plan.end_year)
            if outside:
                errors["years"] = _("Years %(years)s are outside the plan's period %(first)s–%(last)s.") % {
                    "years": ", ".join(map(str, outside)),
                    "first": self.plan.start_year,
                    "last": self.plan.end_year,
                }
        if errors:
            raise ValidationError(errors)
