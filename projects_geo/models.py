"""Water (แหล่งน้ำ) and road (ถนน) projects of LAOs and their budget stages.

A project's geometry is a point or a line in EPSG:4326 (a database check constraint restricts
the type). The province / amphoe / tambon it lies in are filled in by boundary validation; a
line may cross several tambons, each kept with its share of the line's length.

Budget stages are reached strictly in order; each reached stage is a row. The project's current
stage is the highest stage reached; it is stored on the project (``current_stage``) by
``stages.record_stage``/``stages.remove_last_stage`` only, so that filters on it use an index.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts import access
from layers.models import Amphoe, Organization, Province, Tambon

from . import (
    fiscal,
    lookups,  # noqa: F401  (registers geometry_type_in)
)


class Kind(models.TextChoices):
    WATER = "water", _("Water source")
    ROAD = "road", _("Road")


class Subtype(models.TextChoices):
    # roads
    CONCRETE_ROAD = "concrete_road", _("Reinforced concrete road")
    ASPHALT_ROAD = "asphalt_road", _("Asphalt road")
    LATERITE_ROAD = "laterite_road", _("Laterite road")
    GRAVEL_ROAD = "gravel_road", _("Crushed-rock / gravel road")
    BRIDGE = "bridge", _("Bridge")
    DRAINAGE = "drainage", _("Drainage / culvert")
    ROAD_REPAIR = "road_repair", _("Road repair / resurfacing")
    FOOTPATH = "footpath", _("Footpath")
    # water
    POND = "pond", _("Pond")
    WEIR = "weir", _("Weir")
    CHECK_DAM = "check_dam", _("Check dam")
    WELL = "well", _("Well / groundwater well")
    RESERVOIR = "reservoir", _("Reservoir")
    CANAL_DREDGING = "canal_dredging", _("Canal / dredging")
    WATER_PIPELINE = "water_pipeline", _("Water pipeline")
    WATER_SUPPLY = "water_supply", _("Village water-supply system")


SUBTYPES_BY_KIND = {
    Kind.ROAD: [
        Subtype.CONCRETE_ROAD,
        Subtype.ASPHALT_ROAD,
        Subtype.LATERITE_ROAD,
        Subtype.GRAVEL_ROAD,
        Subtype.BRIDGE,
        Subtype.DRAINAGE,
        Subtype.ROAD_REPAIR,
        Subtype.FOOTPATH,
    ],
    Kind.WATER: [
        Subtype.POND,
        Subtype.WEIR,
        Subtype.CHECK_DAM,
        Subtype.WELL,
        Subtype.RESERVOIR,
        Subtype.CANAL_DREDGING,
        Subtype.WATER_PIPELINE,
        Subtype.WATER_SUPPLY,
    ],
}

ALLOWED_GEOMETRY_TYPES = ("POINT", "MULTIPOINT", "LINESTRING", "MULTILINESTRING")


class Stage(models.IntegerChoices):
    """Budget stages in the order a project reaches them."""

    IN_PLAN = 1, _("In the development plan")
    PLAN_APPROVED = 2, _("Plan approved")
    BUDGET_APPROVED = 3, _("Budget approved")
    CONTRACT_SIGNED = 4, _("Contract signed")
    DISBURSED = 5, _("Disbursed")
    COMPLETED = 6, _("Completed 100%")


class FundingSource(models.TextChoices):
    """Where a project's money comes from (DLA follows the subsidies monthly). Empty: not recorded."""

    OWN_REVENUE = "own_revenue", _("LAO's own revenue")
    GENERAL_SUBSIDY = "general_subsidy", _("General subsidy")
    SPECIFIC_SUBSIDY = "specific_subsidy", _("Specific subsidy")
    RESERVES = "reserves", _("Accumulated reserves")
    LOAN = "loan", _("Loan")
    OTHER = "other", _("Other")


# Stages whose amount is required, and what the amount means.
STAGE_AMOUNT_REQUIRED = {
    Stage.BUDGET_APPROVED: _("approved budget"),
    Stage.CONTRACT_SIGNED: _("contract value"),
    Stage.DISBURSED: _("amount disbursed"),
}


class ProjectQuerySet(models.QuerySet):
    def of_organization(self, organization):
        return self.filter(organization=organization)

    def in_fiscal_year(self, *years):
        return self.filter(fiscal_year__in=years)

    def reached_stage(self, stage):
        return self.filter(current_stage__gte=stage)

    def visible_to(self, user):
        """The projects the user may read (the rule is ``accounts.access.visible_projects``)."""
        return access.visible_projects(user, self)

    def restorable_by(self, user):
        """Soft-deleted projects the user may restore (``accounts.access.restorable_projects``)."""
        return access.restorable_projects(user, self)


class ProjectManager(models.Manager.from_queryset(ProjectQuerySet)):
    """The default manager: projects that are not (soft-)deleted."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllProjectsManager(models.Manager.from_queryset(ProjectQuerySet)):
    """Every project, soft-deleted ones included (restore pages, history, admin)."""


class Project(models.Model):
    # No index of its own: project_org_fy_idx (organization, fiscal_year) and the source_ref unique
    # index both start with it.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("LAO"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    subtype = models.CharField(_("subtype"), max_length=32, choices=Subtype.choices)
    name = models.CharField(_("project name"), max_length=300)
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year (B.E.)"),
        validators=[MinValueValidator(fiscal.MIN_FISCAL_YEAR), MaxValueValidator(fiscal.MAX_FISCAL_YEAR)],
    )
    plan_reference = models.CharField(
        _("development plan reference"),
        max_length=100,
        blank=True,
        help_text=_("e.g. the plan's strategy/page/item number"),
    )
    source_ref = models.CharField(
        _("source reference"),
        max_length=200,
        blank=True,
        help_text=_("Key of the row this project was imported from (file import, sample data); unique within the LAO."),
    )
    budget = models.DecimalField(_("budget (THB)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    funding_source = models.CharField(
        _("funding source"), max_length=20, choices=FundingSource.choices, blank=True, default="", db_default=""
    )
    geom = models.GeometryField(_("location"), srid=4326, spatial_index=False)
    length_m = models.FloatField(_("length (m)"), null=True, blank=True, editable=False)

    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("province"),
        editable=False,
    )
    amphoe = models.ForeignKey(
        Amphoe,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("amphoe"),
        editable=False,
    )
    tambon = models.ForeignKey(
        Tambon,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("tambon"),
        editable=False,
        help_text=_("The covering tambon of a point; for a line, the tambon with the largest share."),
    )
    tambons = models.ManyToManyField(
        Tambon, through="ProjectTambon", related_name="crossing_projects", blank=True, verbose_name=_("tambons")
    )
    validation_findings = models.JSONField(_("validation warnings"), default=list, blank=True, editable=False)

    current_stage = models.PositiveSmallIntegerField(
        _("current stage"), choices=Stage.choices, null=True, blank=True, editable=False
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    # Optimistic locking: incremented by every save (see save()); forms send back the version they
    # were built from and projects_geo.concurrency refuses a save on a version that moved on.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)
    # Soft delete: a deleted project is hidden by the default manager and can be restored.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deleted by"),
        editable=False,
    )

    # The latest change of this row was recorded by the provincial office on behalf of the LAO
    # (accounts.access.acts_on_behalf, decided when it was written; kept in each history row).
    on_behalf = models.BooleanField(_("recorded on behalf of the LAO"), default=False, db_default=False, editable=False)

    objects = ProjectManager()
    all_objects = AllProjectsManager()
    # Every change (geometry included) with who and when; see projects_geo.history.
    history = HistoricalRecords(cascade_delete_history=False)

    class Meta:
        base_manager_name = "all_objects"
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-fiscal_year", "name"]
        indexes = [
            GistIndex(fields=["geom"], name="project_geom_gist"),
            models.Index(fields=["organization", "fiscal_year"], name="project_org_fy_idx"),
            models.Index(fields=["fiscal_year", "kind", "current_stage"], name="project_fy_kind_stage_idx"),
            # issue 5: filters at national scale (name search with pg_trgm; stage; budget range)
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="project_name_upper_trgm"),
            models.Index(fields=["current_stage"], name="project_current_stage_idx"),
            models.Index(fields=["budget"], name="project_budget_idx"),
            # Reports (issue 7): highest stage per LAO and year read from the index alone.
            models.Index(
                fields=["fiscal_year", "organization", "current_stage"],
                include=["kind"],
                name="project_fy_org_stage_idx",
            ),
            # The few soft-deleted projects (restore pages); every other query wants deleted_at IS
            # NULL, which nearly every row is, and no index helps there.
            models.Index(fields=["deleted_at"], condition=Q(deleted_at__isnull=False), name="project_deleted_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=fiscal.MIN_FISCAL_YEAR) & Q(fiscal_year__lte=fiscal.MAX_FISCAL_YEAR),
                name="project_fiscal_year_range",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="project_kind_valid"),
            models.CheckConstraint(
                condition=Q(funding_source__in=["", *FundingSource.values]), name="project_funding_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(geom__geometry_type_in=ALLOWED_GEOMETRY_TYPES), name="project_geom_point_or_line"
            ),
            models.UniqueConstraint(
                fields=["organization", "source_ref"],
                condition=~Q(source_ref=""),
                name="project_source_ref_unique_per_lao",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}, {self.fiscal_year})"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def save(self, *args, **kwargs):
        """Save, moving ``version`` on by one from the row's current version (locked) on an update."""
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        with transaction.atomic():
            current = (
                type(self).all_objects.select_for_update().filter(pk=self.pk).values_list("version", flat=True).first()
            )
            self.version = (current or 0) + 1
            return super().save(*args, **kwargs)

    def clean(self):
        if self.geom is not None and self.geom.geom_type.upper() not in ALLOWED_GEOMETRY_TYPES:
            raise ValidationError(
                {"geom": _("A project is a point or a line, not a %(type)s.") % {"type": self.geom.geom_type}}
            )
        if self.kind and self.subtype and self.subtype not in SUBTYPES_BY_KIND.get(self.kind, []):
            raise ValidationError(
                {
                    "subtype": _("%(subtype)s is not a subtype of %(kind)s.")
                    % {"subtype": self.get_subtype_display(), "kind": self.get_kind_display()}
                }
            )


class ProjectTambon(models.Model):
    """A tambon a project lies in, with the share of the line's length inside it (1.0 for a point)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tambon_shares")
    tambon = models.ForeignKey(Tambon, on_delete=models.PROTECT, related_name="+")
    share = models.FloatField(_("share of length"), validators=[MinValueValidator(0), MaxValueValidator(1)])

    class Meta:
        verbose_name = _("tambon of a project")
        verbose_name_plural = _("tambons of projects")
        constraints = [
            models.UniqueConstraint(fields=["project", "tambon"], name="project_tambon_unique"),
            models.CheckConstraint(condition=Q(share__gte=0) & Q(share__lte=1), name="project_tambon_share_0_1"),
        ]
        # issue 5: province/amphoe/tambon filters are semi-joins on this index (index-only scan)
        indexes = [models.Index(fields=["tambon", "project"], name="projecttambon_tambon_proj_idx")]


class ProjectStage(models.Model):
    """A budget stage a project has reached, with its date and (where it has one) its amount."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stages", verbose_name=_("project"))
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount (THB)"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The approved budget's funding source when it differs from the project's (empty: the project's).
    funding_source = models.CharField(
        _("funding source"),
        max_length=20,
        choices=FundingSource.choices,
        blank=True,
        default="",
        db_default="",
        help_text=_("Only when it differs from the project's funding source."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    on_behalf = models.BooleanField(_("recorded on behalf of the LAO"), default=False, db_default=False, editable=False)

    history = HistoricalRecords(cascade_delete_history=False)

    class Meta:
        verbose_name = _("budget stage")
        verbose_name_plural = _("budget stages")
        ordering = ["project", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="project_stage_unique"),
            models.CheckConstraint(condition=Q(stage__gte=1) & Q(stage__lte=6), name="project_stage_range"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="project_stage_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(funding_source__in=["", *FundingSource.values]), name="project_stage_funding_source_valid"
            ),
        ]
        indexes = [models.Index(fields=["stage", "date"], name="projectstage_stage_date_idx")]

    def __str__(self):
        return f"{self.get_stage_display()} {self.date}"


class ClusterCell(models.Model):
    """Project counts and budgets per cluster cell of the low-zoom project tiles (zooms 0 to
    ``tiles.CLUSTER_BELOW_ZOOM - 1``), by the LAO's province, fiscal year, kind and current stage.

    Kept by PostgreSQL statement triggers on projects and LAOs (migration
    ``0005_clustercell``): every insert, update, soft or hard delete appends signed delta rows, so
    saves never wait on each other for a shared counter row; a cell's figures are the sum of its
    rows. ``projects_geo.clustercells.compact`` folds the deltas together (``manage.py
    compact_cluster_cells``; after ``generate_projects``), ``rebuild`` recomputes everything.
    Nothing else writes here.
    """

    id = models.BigAutoField(primary_key=True)
    zoom = models.SmallIntegerField()
    cx = models.IntegerField()  # Web Mercator cell column (x / cell size), as tiles.MercatorCell
    cy = models.IntegerField()
    province_id = models.BigIntegerField()  # the owning LAO's province (what provincial analysts see)
    fiscal_year = models.SmallIntegerField()
    kind = models.CharField(max_length=10)
    current_stage = models.SmallIntegerField(null=True)
    count = models.IntegerField()
    budget = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("cluster cell")
        verbose_name_plural = _("cluster cells")
        indexes = [models.Index(fields=["zoom", "cx", "cy"], name="clustercell_tile_idx")]
