"""Administrative boundaries (province, amphoe, tambon) and the LAO registry.

Codes are the official TIS-1099 codes without the ``TH`` prefix used by COD-AB: 2 digits for a
province, 4 for an amphoe, 6 for a tambon. Geometry is always a valid MultiPolygon in EPSG:4326,
enforced by a check constraint as well as by the loaders.
"""

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BoundaryQuerySet(models.QuerySet):
    def without_geom(self):
        """Defer the heavy geometry column (lists, pickers, API attribute views)."""
        return self.defer("geom")


class AdminUnit(models.Model):
    """Fields shared by the three boundary levels."""

    CODE_LENGTH = None

    name_th = models.CharField(_("Thai name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    # The GiST index is declared by name in each level's Meta (visible in EXPLAIN and migrations).
    geom = models.MultiPolygonField(_("boundary"), srid=4326, spatial_index=False)

    objects = BoundaryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.name_th} ({self.code})"


class Province(AdminUnit):
    code = models.CharField(_("code"), max_length=2, unique=True, validators=[RegexValidator(r"^\d{2}$")])

    class Meta(AdminUnit.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        indexes = [GistIndex(fields=["geom"], name="province_geom_gist")]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="province_geom_valid"),
            models.CheckConstraint(condition=Q(code__regex=r"^\d{2}$"), name="province_code_2_digits"),
        ]


class Amphoe(AdminUnit):
    code = models.CharField(_("code"), max_length=4, unique=True, validators=[RegexValidator(r"^\d{4}$")])
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="amphoes", verbose_name=_("province"))

    class Meta(AdminUnit.Meta):
        verbose_name = _("amphoe (district)")
        verbose_name_plural = _("amphoe (districts)")
        indexes = [GistIndex(fields=["geom"], name="amphoe_geom_gist")]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="amphoe_geom_valid"),
            models.CheckConstraint(condition=Q(code__regex=r"^\d{4}$"), name="amphoe_code_4_digits"),
        ]


class Tambon(AdminUnit):
    code = models.CharField(_("code"), max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$")])
    amphoe = models.ForeignKey(Amphoe, on_delete=models.PROTECT, related_name="tambons", verbose_name=_("amphoe"))

    class Meta(AdminUnit.Meta):
        verbose_name = _("tambon (subdistrict)")
        verbose_name_plural = _("tambons (subdistricts)")
        indexes = [GistIndex(fields=["geom"], name="tambon_geom_gist")]
        constraints = [
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="tambon_geom_valid"),
            models.CheckConstraint(condition=Q(code__regex=r"^\d{6}$"), name="tambon_code_6_digits"),
        ]


class OrganizationType(models.TextChoices):
    PAO = "provincial_admin_org", _("Provincial Administrative Organisation (PAO)")
    CITY_MUNICIPALITY = "city_municipality", _("City municipality")
    TOWN_MUNICIPALITY = "town_municipality", _("Town municipality")
    SUBDISTRICT_MUNICIPALITY = "subdistrict_municipality", _("Subdistrict municipality")
    SAO = "subdistrict_admin_org", _("Subdistrict Administrative Organisation (SAO)")
    SPECIAL = "special_admin_area", _("Special administrative area")


# The customary prefix of each LAO type in Thai, and its English suffix.
LAO_PREFIX_TH = {
    OrganizationType.PAO: "อบจ.",
    OrganizationType.CITY_MUNICIPALITY: "ทน.",
    OrganizationType.TOWN_MUNICIPALITY: "ทม.",
    OrganizationType.SUBDISTRICT_MUNICIPALITY: "ทต.",
    OrganizationType.SAO: "อบต.",
    OrganizationType.SPECIAL: "",
}
LAO_SUFFIX_EN = {
    OrganizationType.PAO: "PAO",
    OrganizationType.CITY_MUNICIPALITY: "City Municipality",
    OrganizationType.TOWN_MUNICIPALITY: "Town Municipality",
    OrganizationType.SUBDISTRICT_MUNICIPALITY: "Subdistrict Municipality",
    OrganizationType.SAO: "SAO",
    OrganizationType.SPECIAL: "",
}


def lao_display_name(type_, name_th, name_en="", language=None) -> str:
    """An LAO's name as shown and exported everywhere: Thai with its type's prefix (อบต.ไม้ขาว),
    English (when the language is English and the registry has an English name) with its type
    after it (Mai Khao SAO). ``language`` defaults to the active one."""
    lang = language or get_language() or "th"
    if not lang.startswith("th") and name_en:
        suffix = LAO_SUFFIX_EN.get(type_, "")
        return f"{name_en} {suffix}".strip()
    prefix = LAO_PREFIX_TH.get(type_, "")
    name = name_th or ""
    return name if not prefix or name.startswith(prefix) else f"{prefix}{name}"


def lao_display_sql(alias: str = "o") -> str:
    """The same Thai display name in SQL (exports, reports): the type's prefix before ``name_th``."""
    whens = " ".join(f"WHEN '{t.value}' THEN '{p}'" for t, p in LAO_PREFIX_TH.items() if p)
    return f"(CASE {alias}.type {whens} ELSE '' END || {alias}.name_th)"


class OrganizationQuerySet(models.QuerySet):
    def pao(self):
        return self.filter(type=OrganizationType.PAO)


class Organization(models.Model):
    """A local administrative organisation (องค์กรปกครองส่วนท้องถิ่น, อปท.) of the DLA registry."""

    dla_code = models.CharField(_("DLA code"), max_length=7, unique=True, validators=[RegexValidator(r"^\d{7}$")])
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=32, choices=OrganizationType.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("province")
    )
    amphoe = models.ForeignKey(
        Amphoe,
        on_delete=models.PROTECT,
        related_name="organizations",
        null=True,
        blank=True,
        verbose_name=_("amphoe"),
        help_text=_("Resolved from the registry's district name within the province."),
    )
    district_name_th = models.CharField(_("district name in the registry"), max_length=120, blank=True)
    office_location = models.PointField(_("office location"), srid=4326, null=True, blank=True)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("local administrative organisation")
        verbose_name_plural = _("local administrative organisations")
        ordering = ["dla_code"]
        constraints = [
            models.CheckConstraint(condition=Q(dla_code__regex=r"^\d{7}$"), name="organization_dla_code_7_digits"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.name_th} ({self.dla_code})"

    @property
    def is_pao(self):
        return self.type == OrganizationType.PAO

    @property
    def display_name(self) -> str:
        """The name as people write it, with the customary prefix of its type (อบจ.ภูเก็ต, ทน.ภูเก็ต;
        in English "Phuket City Municipality"), in the active language: ``lao_display_name``."""
        return lao_display_name(self.type, self.name_th, self.name_en)

    @property
    def area_unit(self):
        """The unit this LAO works in: its province for a PAO, its amphoe otherwise."""
        if self.is_pao or self.amphoe_id is None:
            return self.province
        return self.amphoe


class TambonPart(models.Model):
    """A piece of a tambon polygon cut by ``ST_Subdivide`` (at most 256 vertices each).

    Boundary lookups join against these small pieces instead of the full-resolution tambons, so a
    point-in-polygon or line-intersection test touches a few hundred vertices, not tens of
    thousands. Rebuilt by ``layers.lookup.refresh_tambon_parts``, which the boundary loader calls
    after a tambon level loads; amphoe and province are copied here so a lookup needs no join.
    """

    tambon = models.ForeignKey(Tambon, on_delete=models.CASCADE, related_name="parts")
    amphoe = models.ForeignKey(Amphoe, on_delete=models.CASCADE, related_name="+", db_index=False)
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+", db_index=False)
    geom = models.PolygonField(srid=4326, spatial_index=False)

    class Meta:
        verbose_name = _("tambon part (subdivided)")
        verbose_name_plural = _("tambon parts (subdivided)")
        # No b-tree on province/amphoe: lookups filter them during a GiST (KNN) scan, and a
        # b-tree would tempt the planner into reading a whole province's parts.
        indexes = [GistIndex(fields=["geom"], name="tambonpart_geom_gist")]
