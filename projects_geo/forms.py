"""Forms of the entry pages: a project's attributes and geometry, a budget stage, the home filters.

What people type is checked here before any domain code sees it: text fields refuse control and
text-direction characters (``common.plaintext``), the geometry must be in a coordinate system GDAL
knows and is kept to 9 decimals of a degree (``ProjectGeometryField``), and both forms that change
a project carry its version (``concurrency.VersionedFormMixin``, required).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import shapely
from django import forms
from django.contrib.gis import forms as gis_forms
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils.translation import gettext_lazy as _
from leaflet.forms.widgets import LeafletWidget

from common.plaintext import check_text_fields
from common.thai_format import format_number, parse_amount, parse_date, to_be_date_input

from . import fiscal
from .concurrency import VersionedFormMixin
from .models import FundingSource, Kind, Project, Stage, Subtype

# Coordinates are kept to 9 decimals of a degree (0.1 mm; the exports write the same): a value
# typed or posted with more is rounded, so that 5e-324 is 0 and not a number PostgreSQL's
# arithmetic underflows on.
COORDINATE_DECIMALS = 9


class BEDateField(forms.CharField):
    """A date typed as d/m/yyyy in B.E. (or C.E., or yyyy-mm-dd)."""

    default_error_messages = {"invalid": _("Type the date as day/month/year, e.g. 15/3/2568.")}

    def prepare_value(self, value):
        return to_be_date_input(value) if hasattr(value, "year") else value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class AmountField(forms.DecimalField):
    """A baht amount; thousands separators and the word บาท are accepted."""

    widget = forms.TextInput

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int, float)):
            return format_number(value)
        return value

    def to_python(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_amount(value)
            except ValueError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
            value = "" if parsed is None else str(parsed)
        return super().to_python(value)


# Water projects are points, except those that follow a watercourse or a pipe; roads are lines.
LINE_SUBTYPES = {Subtype.CANAL_DREDGING.value, Subtype.WATER_PIPELINE.value}


def expects_line(kind: str, subtype: str | None) -> bool:
    return kind == Kind.ROAD or subtype in LINE_SUBTYPES


class ProjectGeometryField(gis_forms.GeometryField):
    """The project's location: any geometry GEOS reads, in WGS84 (EPSG:4326) or in a coordinate
    system GDAL knows (transformed to WGS84); an unknown one (``SRID=999999;…``) is a form error,
    not GDAL's exception. Coordinates are rounded to ``COORDINATE_DECIMALS``. Whether the geometry
    suits the project is ``validation.validate``'s to say, when it is saved."""

    default_error_messages = {
        "unknown_srid": _(
            "The location's coordinate system (SRID %(srid)s) is not one this site knows: send "
            "longitude and latitude in WGS84 (EPSG:4326)."
        ),
    }

    def to_python(self, value):
        geom = super().to_python(value)
        if geom is None:
            return None
        if geom.srid != 4326:
            srid = geom.srid
            try:
                geom.transform(4326)
            except (GDALException, GEOSException, ValueError):
                raise forms.ValidationError(
                    self.error_messages["unknown_srid"], code="unknown_srid", params={"srid": srid}
                ) from None
        return _rounded(geom)


def _rounded(geom):
    """``geom`` (EPSG:4326) with its coordinates rounded to ``COORDINATE_DECIMALS``."""
    shape = shapely.from_wkb(bytes(geom.wkb))
    shape = shapely.transform(shape, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return GEOSGeometry(memoryview(shapely.to_wkb(shape)), srid=4326)


class ProjectGeometryWidget(LeafletWidget):
    """django-leaflet's widget, drawing through static/projects_geo/entry.js (point or line by kind)."""

    geometry_field_class = "GisplanEntry.ProjectGeometryField"
    geom_type = "GEOMETRY"


class ProjectForm(VersionedFormMixin, forms.ModelForm):
    """The project entry form; the hidden ``version`` guards against lost updates (issue 8)."""

    budget = AmountField(label=_("budget (THB)"), min_value=0, max_digits=14, decimal_places=2)

    class Meta:
        model = Project
        fields = ["name", "kind", "subtype", "fiscal_year", "plan_reference", "budget", "funding_source", "geom"]
        field_classes = {"geom": ProjectGeometryField}
        widgets = {
            "geom": ProjectGeometryWidget(attrs={"settings_overrides": {"RESET_VIEW": False}}),
            "fiscal_year": forms.NumberInput(attrs={"min": fiscal.MIN_FISCAL_YEAR, "max": fiscal.MAX_FISCAL_YEAR}),
            "name": forms.TextInput(attrs={"size": 60}),
        }

    def __init__(self, *args, editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # the instance's empty values are in ``initial`` already: replace them
            self.initial["fiscal_year"] = self.initial.get("fiscal_year") or fiscal.current_fiscal_year()
            self.initial["kind"] = self.initial.get("kind") or Kind.WATER
        self.fields["kind"].widget.attrs["data-entry"] = "kind"
        self.fields["subtype"].widget.attrs["data-entry"] = "subtype"
        self.fields["geom"].label = _("location")
        self.fields["geom"].error_messages["required"] = _("Draw the project on the map or type its coordinates.")
        check_text_fields(self, one_line=("name", "plan_reference"))
        if not editable:
            for field in self.fields.values():
                field.disabled = True
            self.fields["geom"].widget.modifiable = False

    def clean(self):
        data = super().clean()
        geom, kind = data.get("geom"), data.get("kind")
        if geom is not None and kind:
            line = expects_line(kind, data.get("subtype"))
            if line and geom.dims != 1:
                self.add_error(
                    "geom",
                    _("This project is drawn as a line: draw it with the line tool or type two or more vertices."),
                )
            elif not line and geom.dims != 0:
                self.add_error("geom", _("This project is drawn as a point: place a marker or type one coordinate."))
        return data


class StageForm(VersionedFormMixin, forms.Form):
    """The next budget stage of ``project``; the order and date rules are checked by
    ``stages.record_stage``. The hidden ``version`` (required) is the project's, as the page showed it."""

    stage = forms.TypedChoiceField(label=_("stage"), coerce=int)
    date = BEDateField(label=_("date (B.E.)"), widget=forms.TextInput(attrs={"placeholder": "15/3/2568", "size": 12}))
    amount = AmountField(label=_("amount (THB)"), required=False, min_value=0, max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("note"), required=False, max_length=300)
    funding_source = forms.ChoiceField(
        label=_("funding source of the approved budget (if it differs)"),
        required=False,
        choices=[("", _("as the project")), *FundingSource.choices],
    )

    def __init__(self, *args, project=None, stages=(), **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.value, s.label) for s in stages]
        self.fields["version"].widget.attrs["id"] = "id_stage_version"  # the project form has "id_version"
        check_text_fields(self, one_line=("note",))


class StageCorrectionForm(VersionedFormMixin, forms.Form):
    """The LAO administrator's correction (new date and amount) or withdrawal of the last recorded
    stage, with the reason the history keeps; the rules are ``stages.correct_last_stage``'s."""

    do = forms.ChoiceField(choices=[("correct", _("Correct")), ("withdraw", _("Withdraw"))], widget=forms.HiddenInput)
    date = BEDateField(
        label=_("date (B.E.)"), required=False, widget=forms.TextInput(attrs={"placeholder": "15/3/2568", "size": 12})
    )
    amount = AmountField(label=_("amount (THB)"), required=False, min_value=0, max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args, project=None, **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)
        self.fields["version"].widget.attrs["id"] = "id_correct_version"
        for name in ("date", "amount", "reason"):
            self.fields[name].widget.attrs["id"] = f"id_correct_{name}"
        check_text_fields(self, one_line=("reason",))


class HomeFilterForm(forms.Form):
    """Filters of an LAO's home page: fiscal year, kind and current stage."""

    fiscal_year = forms.IntegerField(
        label=_("fiscal year"),
        required=False,
        min_value=fiscal.MIN_FISCAL_YEAR,
        max_value=fiscal.MAX_FISCAL_YEAR,
        widget=forms.Select,
    )
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", _("all kinds")), *Kind.choices])
    stage = forms.TypedChoiceField(
        label=_("current stage"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("all stages")), (0, _("No stage yet")), *Stage.choices],
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].widget.choices = [("", _("all years"))] + [(y, str(y)) for y in years]

    def filter(self, queryset):
        """``queryset`` narrowed by the valid filters (an invalid value is ignored, as if not given)."""
        data = self.cleaned_data if self.is_valid() or hasattr(self, "cleaned_data") else {}
        if data.get("fiscal_year"):
            queryset = queryset.filter(fiscal_year=data["fiscal_year"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("stage") is not None:
            if data["stage"]:
                queryset = queryset.filter(current_stage=data["stage"])
            else:
                queryset = queryset.filter(current_stage__isnull=True)
        return queryset
