"""Form fields over the boundary units, shared by the apps that let DLA pick a province."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Province


def province_or_country_field() -> forms.ModelChoiceField:
    """A province, or none for the whole country (closure windows, calendar items)."""
    return forms.ModelChoiceField(
        queryset=Province.objects.without_geom().order_by("name_th"),
        required=False,
        label=_("province"),
        empty_label=_("the whole country"),
    )
