"""The one filter definition for projects, shared by the API, tiles, OGC API, map pages, exports
and reports.

``filter_projects(params, queryset)`` applies the query parameters below to a queryset that
already went through ``accounts.access.visible_projects``; everything happens in SQL on indexed
columns. Bad parameters raise ``django.core.exceptions.ValidationError`` keyed by parameter name;
``errors_as_list`` turns it into ``[{field, message_th, message_en}]`` for JSON answers.

Parameters (all optional, lists comma-separated or repeated):

=================  ==========================================================================
``bbox``           ``minx,miny,maxx,maxy`` in WGS84 degrees: projects intersecting the box
``polygon``        GeoJSON geometry/Feature or WKT (Polygon/MultiPolygon, WGS84): intersecting
``province``       2-digit codes ┐ projects lying wholly or partly in any of these units
``amphoe``         4-digit codes ├ (through the tambons a project lies in, so a road crossing
``tambon``         6-digit codes ┘ into a neighbouring tambon is found from both)
``lao``            7-digit DLA codes of the owning LAO
``fiscal_year``    B.E. fiscal years (2550–2600)
``kind``           ``water`` / ``road``
``subtype``        subtype values (``well``, ``concrete_road``, …)
``stage``          current stage 1–6 (``0`` = no stage recorded yet)
``reached_stage``  current stage ≥ this stage (1–6)
``budget_min``     budget ≥ (THB)
``budget_max``     budget ≤ (THB)
``q``              text contained in the project name (case-insensitive)
``funding_source`` funding source codes (``own_revenue``, ``general_subsidy``, …; ``none`` = not
                   recorded)
``national_strategy`` ┐ item codes of the reference frameworks (``planning``): projects whose
``nesdp``             ├ strategy in their LAO's development plan serves any of them, e.g.
``sdg``               ┘ ``sdg=6,11``, ``nesdp=8`` (milestone 8 of any NESDP in the database)
=================  ==========================================================================
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.apierrors import errors_as_list  # noqa: F401 — the filters' errors, in Thai and English
from common.params import clean_text, excerpt, load_json, parse_bbox, parse_codes, parse_int, plain_digits
from common.params import split_list as _split
from layers.models import Amphoe, Organization, Province, Tambon
from planning.models import FrameworkItem, FrameworkKind, ProjectPlanLink
from projects_geo import fiscal
from projects_geo.models import FundingSource, Kind, Project, ProjectTambon, Stage, Subtype

FILTER_PARAMS = (
    "bbox",
    "polygon",
    "province",
    "amphoe",
    "tambon",
    "lao",
    "fiscal_year",
    "kind",
    "subtype",
    "stage",
    "reached_stage",
    "budget_min",
    "budget_max",
    "q",
    "funding_source",
    "national_strategy",
    "nesdp",
    "sdg",
)
NO_FUNDING_SOURCE = "none"  # funding_source=none: projects whose funding source is not recorded
MAX_POLYGON_VERTICES = 20000
MAX_LIST_ITEMS = 500
MAX_TEXT = 300  # q: the length of a project name
MAX_BUDGET = Decimal("1e15")  # above any budget a project can have (14 digits, 2 of them decimals)


class CodeListField(forms.Field):
    """Comma-separated official codes of one level, resolved to primary keys (unknown = error)."""

    def __init__(self, *, model, code_field, digits, label_text, **kwargs):
        self.model, self.code_field, self.digits, self.label_text = model, code_field, digits, label_text
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        try:
            codes = parse_codes(value, digits=self.digits, max_items=MAX_LIST_ITEMS)
        except ValidationError as exc:
            if exc.code != "bad_code":
                raise
            raise ValidationError(
                _("%(what)s codes have %(digits)s digits; got %(bad)s."),
                code="bad_code",
                params={"what": self.label_text, "digits": self.digits, "bad": exc.params["bad"]},
            ) from None
        if not codes:
            return None
        found = dict(self.model.objects.filter(**{f"{self.code_field}__in": codes}).values_list(self.code_field, "pk"))
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationError(
                _("Unknown %(what)s code: %(codes)s."),
                code="unknown_code",
                params={"what": self.label_text, "codes": ", ".join(missing)},
            )
        return sorted(set(found.values()))


def _bounded_parts(value) -> list[str]:
    """The comma-separated parts of ``value``, at most ``MAX_LIST_ITEMS`` of them (else an error)."""
    parts = _split(value)
    if len(parts) > MAX_LIST_ITEMS:
        raise ValidationError(_("At most %(max)s values are allowed."), code="too_many", params={"max": MAX_LIST_ITEMS})
    return parts


class IntListField(forms.Field):
    def __init__(self, *, minimum, maximum, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        parts = _bounded_parts(value)
        if not parts:
            return None
        numbers, out = [], []
        for part in parts:
            try:
                numbers.append(parse_int(part, minimum=self.minimum, maximum=self.maximum))
            except ValidationError as exc:
                if exc.code != "out_of_range":
                    raise ValidationError(
                        _("Expected whole numbers separated by commas, got “%(value)s”."),
                        code="not_int",
                        params={"value": excerpt(",".join(parts))},
                    ) from None
                out.append(excerpt(part))
        if out:
            raise ValidationError(
                _("Values must be between %(min)s and %(max)s; got %(bad)s."),
                code="out_of_range",
                params={"min": self.minimum, "max": self.maximum, "bad": ", ".join(out)},
            )
        return sorted(set(numbers))


class ChoiceListField(forms.Field):
    def __init__(self, *, values, **kwargs):
        self.valid = [str(v) for v in values]
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        parts = _split(value)
        if not parts:
            return None
        bad = [p for p in parts if p not in self.valid]
        if bad:
            raise ValidationError(
                _("Unknown value %(bad)s; expected one of %(valid)s."),
                code="bad_choice",
                params={"bad": excerpt(", ".join(bad)), "valid": ", ".join(self.valid)},
            )
        return sorted(set(parts))


class BBoxField(forms.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        poly = parse_bbox(value)
        if poly is not None:
            poly.srid = 4326
        return poly


BAD_POLYGON = _("polygon is not a readable GeoJSON geometry or WKT text.")


def _read_geojson(text: str) -> GEOSGeometry:
    data = load_json(text)  # bounded: nesting, non-finite numbers
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        kind = data.get("type") if isinstance(data, dict) else None
        raise ValidationError(
            _("polygon must be a Polygon or MultiPolygon, not %(type)s."),
            code="bad_polygon",
            params={"type": excerpt(kind) if isinstance(kind, str) else type(data).__name__},
        )
    if not isinstance(data.get("coordinates"), list) or not data["coordinates"]:
        raise ValidationError(BAD_POLYGON, code="bad_polygon")
    return GEOSGeometry(json.dumps(data))


def parse_polygon(value) -> GEOSGeometry | None:
    """A GeoJSON geometry / Feature or WKT text as a valid, non-empty (Multi)Polygon in EPSG:4326."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        geom = _read_geojson(text) if text.startswith("{") else GEOSGeometry(clean_text(text))
    except ValidationError as exc:
        if exc.code == "bad_polygon":
            raise
        raise ValidationError(BAD_POLYGON, code="bad_polygon") from None
    except (ValueError, TypeError, GEOSException, GDALException):
        raise ValidationError(BAD_POLYGON, code="bad_polygon") from None
    if not isinstance(geom, (Polygon, MultiPolygon)):
        raise ValidationError(
            _("polygon must be a Polygon or MultiPolygon, not %(type)s."),
            code="bad_polygon",
            params={"type": geom.geom_type},
        )
    if geom.empty:
        raise ValidationError(_("polygon is empty."), code="bad_polygon")
    if geom.srid not in (None, 4326):
        raise ValidationError(_("polygon must be in WGS84 (EPSG:4326)."), code="bad_polygon")
    if geom.num_coords > MAX_POLYGON_VERTICES:
        raise ValidationError(
            _("polygon has more than %(max)s vertices."), code="bad_polygon", params={"max": MAX_POLYGON_VERTICES}
        )
    geom.srid = 4326
    minx, miny, maxx, maxy = geom.extent
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):  # NaN fails every comparison
        raise ValidationError(_("polygon coordinates must be longitude, latitude in WGS84."), code="bad_polygon")
    if not geom.valid:
        geom = geom.buffer(0)
        if geom.empty:
            raise ValidationError(_("polygon is not a valid area."), code="bad_polygon")
    return geom


class PolygonField(forms.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_polygon(value)


class BudgetField(forms.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        if value in (None, ""):
            return None
        text = plain_digits(str(value).replace(",", "").strip())
        try:
            if not re.fullmatch(r"[+-]?[0-9]*(\.[0-9]*)?([eE][+-]?[0-9]{1,3})?", text):
                raise InvalidOperation
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                _("A budget is a number of baht, got “%(value)s”."), code="bad_budget", params={"value": excerpt(value)}
            ) from None
        if amount < 0:
            raise ValidationError(_("A budget cannot be negative."), code="bad_budget")
        if amount > MAX_BUDGET:
            raise ValidationError(
                _("A budget is at most %(max)s baht."), code="bad_budget", params={"max": f"{MAX_BUDGET:,.0f}"}
            )
        return amount


class StageAtLeastField(forms.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        try:
            stage = parse_int(value, minimum=min(Stage.values), maximum=max(Stage.values))
        except ValidationError:
            raise ValidationError(_("A budget stage is a number from 1 to 6."), code="bad_stage") from None
        return stage


class SharedConfigFilter(django_filters.Filter):
    """A filter whose per-request copy shares its configuration.

    A FilterSet deep-copies its class's filters for every instance, that is for every tile and
    API request: lazy translated labels, keyword dicts and the method proxy of sixteen filters,
    0.2–0.5 ms a request. No request changes a filter's configuration, so the copy shares it; what a
    FilterSet sets per instance (``model``, ``parent``, the built form field) lands on the copy,
    and the method proxy is made again so that it resolves through the copy's parent."""

    def __deepcopy__(self, memo):
        new = copy.copy(self)
        if self.method is not None:
            new.method = self.method  # a FilterMethod bound to the copy
        return new


class BBoxFilter(SharedConfigFilter):
    field_class = BBoxField


class PolygonFilter(SharedConfigFilter):
    field_class = PolygonField


class CodeListFilter(SharedConfigFilter):
    field_class = CodeListField


class IntListFilter(SharedConfigFilter):
    field_class = IntListField


class ChoiceListFilter(SharedConfigFilter):
    field_class = ChoiceListField


class StageAtLeastFilter(SharedConfigFilter):
    field_class = StageAtLeastField


class BudgetFilter(SharedConfigFilter):
    field_class = BudgetField


class FrameworkItemField(forms.Field):
    """Comma-separated item codes of one kind of reference framework (unknown code = error)."""

    def __init__(self, *, kind, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        parts = _bounded_parts(value)
        if not parts:
            return None
        codes = sorted({clean_text(p, max_length=20) for p in parts})
        known = set(
            FrameworkItem.objects.filter(framework__kind=self.kind, code__in=codes).values_list("code", flat=True)
        )
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationError(
                _("Unknown %(framework)s item: %(codes)s."),
                code="unknown_code",
                params={"framework": FrameworkKind(self.kind).label, "codes": excerpt(", ".join(unknown))},
            )
        return codes


class FrameworkItemFilter(SharedConfigFilter):
    field_class = FrameworkItemField


class TextField(forms.CharField):
    """Search text: no control characters (a NUL cannot even reach PostgreSQL), at most MAX_TEXT."""

    def to_python(self, value):
        return clean_text(super().to_python(value), max_length=MAX_TEXT)


class TextFilter(SharedConfigFilter, django_filters.CharFilter):
    field_class = TextField


class ProjectFilterSet(django_filters.FilterSet):
    """Filters on projects; see the module docstring for the parameters."""

    bbox = BBoxFilter(method="filter_bbox", label=_("Map extent minx,miny,maxx,maxy (WGS84)"))
    polygon = PolygonFilter(method="filter_polygon", label=_("Drawn polygon (GeoJSON or WKT, WGS84)"))
    province = CodeListFilter(
        method="filter_province",
        label=_("Province codes"),
        model=Province,
        code_field="code",
        digits=2,
        label_text=_("Province"),
    )
    amphoe = CodeListFilter(
        method="filter_amphoe",
        label=_("Amphoe codes"),
        model=Amphoe,
        code_field="code",
        digits=4,
        label_text=_("Amphoe"),
    )
    tambon = CodeListFilter(
        method="filter_tambon",
        label=_("Tambon codes"),
        model=Tambon,
        code_field="code",
        digits=6,
        label_text=_("Tambon"),
    )
    lao = CodeListFilter(
        method="filter_lao",
        label=_("LAO DLA codes"),
        model=Organization,
        code_field="dla_code",
        digits=7,
        label_text=_("LAO"),
    )
    fiscal_year = IntListFilter(
        method="filter_in",
        label=_("Fiscal years (B.E.)"),
        minimum=fiscal.MIN_FISCAL_YEAR,
        maximum=fiscal.MAX_FISCAL_YEAR,
    )
    kind = ChoiceListFilter(method="filter_in", label=_("Kinds"), values=Kind.values)
    subtype = ChoiceListFilter(method="filter_in", label=_("Subtypes"), values=Subtype.values)
    stage = IntListFilter(method="filter_stage", label=_("Current stage 1-6 (0 = none recorded)"), minimum=0, maximum=6)
    reached_stage = StageAtLeastFilter(method="filter_reached_stage", label=_("Reached at least stage 1-6"))
    budget_min = BudgetFilter(field_name="budget", lookup_expr="gte", label=_("Budget at least (THB)"))
    budget_max = BudgetFilter(field_name="budget", lookup_expr="lte", label=_("Budget at most (THB)"))
    q = TextFilter(field_name="name", lookup_expr="icontains", label=_("Text in the project name"))
    funding_source = ChoiceListFilter(
        method="filter_funding_source",
        label=_("Funding sources (none = not recorded)"),
        values=[*FundingSource.values, NO_FUNDING_SOURCE],
    )

    class Meta:
        model = Project
        fields = []

    def filter_in(self, queryset, name, value):
        return queryset.filter(**{f"{name}__in": value}) if value else queryset

    def filter_bbox(self, queryset, name, value):
        return queryset.filter(geom__intersects=value) if value is not None else queryset

    def filter_polygon(self, queryset, name, value):
        return queryset.filter(geom__intersects=value) if value is not None else queryset

    @staticmethod
    def _in_tambons(queryset, tambon_ids):
        crossing = ProjectTambon.objects.filter(tambon_id__in=tambon_ids).values("project_id")
        return queryset.filter(pk__in=crossing)

    def filter_province(self, queryset, name, value):
        if not value:
            return queryset
        return self._in_tambons(queryset, Tambon.objects.filter(amphoe__province_id__in=value).values("pk"))

    def filter_amphoe(self, queryset, name, value):
        if not value:
            return queryset
        return self._in_tambons(queryset, Tambon.objects.filter(amphoe_id__in=value).values("pk"))

    def filter_tambon(self, queryset, name, value):
        return self._in_tambons(queryset, value) if value else queryset

    def filter_lao(self, queryset, name, value):
        return queryset.filter(organization_id__in=value) if value else queryset

    def filter_stage(self, queryset, name, value):
        if not value:
            return queryset
        stages = [s for s in value if s]
        if 0 in value:
            return queryset.filter(Q(current_stage__in=stages) | Q(current_stage__isnull=True))
        return queryset.filter(current_stage__in=stages)

    national_strategy = FrameworkItemFilter(
        method="filter_framework", label=_("National Strategy: strategy numbers"), kind=FrameworkKind.NATIONAL_STRATEGY
    )
    nesdp = FrameworkItemFilter(
        method="filter_framework", label=_("NESDP: milestone numbers"), kind=FrameworkKind.NESDP
    )
    sdg = FrameworkItemFilter(method="filter_framework", label=_("SDGs: goal numbers"), kind=FrameworkKind.SDG)

    def filter_framework(self, queryset, name, value):
        if not value:
            return queryset
        links = ProjectPlanLink.objects.filter(
            strategy__framework_items__framework__kind=self.filters[name].extra["kind"],
            strategy__framework_items__code__in=value,
        ).values("project_id")
        return queryset.filter(pk__in=links)

    def filter_funding_source(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(funding_source__in=["" if v == NO_FUNDING_SOURCE else v for v in value])

    def filter_reached_stage(self, queryset, name, value):
        return queryset.filter(current_stage__gte=value) if value else queryset


def _normalise(params) -> dict:
    """A plain dict of the filter parameters; repeated parameters are joined with commas."""
    data = {}
    for key in FILTER_PARAMS:
        if hasattr(params, "getlist"):
            values = [v for v in params.getlist(key) if v not in (None, "")]
            if not values:
                continue
            data[key] = values[0] if key in ("polygon", "q") else ",".join(values)
        elif params is not None and params.get(key) not in (None, ""):
            value = params[key]
            data[key] = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else value
    return data


def filter_projects(params, queryset):
    """``queryset`` narrowed by the filter parameters in ``params`` (QueryDict or dict), in SQL.

    Raises ``ValidationError`` (a dict keyed by parameter) on malformed or unknown values.
    """
    data = _normalise(params)
    if not data:  # nothing to filter: skip building the form (a tile request is a few ms)
        return queryset
    filterset = ProjectFilterSet(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.form.errors.as_data())
    return filterset.qs


def normalised_names(params) -> set[str]:
    """Names of the filter parameters given (non-empty) in ``params``."""
    return set(_normalise(params))
