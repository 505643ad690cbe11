"""Template filters for Thai readers: ``baht``, ``number``, ``be_date``, ``be_datetime`` (see
common.thai_format): no template formats a date with Django's ``date`` filter (a C.E. year)."""

from django import template
from django.utils.translation import get_language

from common import thai_format

register = template.Library()


@register.filter
def baht(value):
    return thai_format.format_baht(value)


@register.filter
def number(value):
    return thai_format.format_number(value)


@register.filter
def be_date(value):
    return thai_format.format_be_date(value)


@register.filter
def be_datetime(value):
    return thai_format.format_be_datetime(value)


@register.filter
def local_name(unit):
    """A boundary unit's name in the page language (Thai when it has no English name)."""
    if unit is None:
        return ""
    english = (get_language() or "th").startswith("en")
    return unit.name_en if english and getattr(unit, "name_en", "") else unit.name_th
