"""Template helpers of the report pages: table cells formatted by column type, Thai digits."""

from decimal import Decimal

from django import template

from reports.base import thai_digits

register = template.Library()


def format_value(value, fmt="int", digits=False):
    if fmt == "text":
        text = "" if value is None else str(value)
    elif value is None:
        text = "–" if fmt == "money" else "0"
    elif fmt == "money":
        text = f"{Decimal(value):,.2f}"
    elif fmt == "pct":
        text = f"{Decimal(value):,.1f}"
    else:
        text = f"{int(value):,}"
    return thai_digits(text) if digits else text


@register.simple_tag
def cell(row, column, digits=False, dash=False):
    """The value of ``column`` in ``row`` formatted for display (``dash``: a zero count is "-", as
    DLA's tables print it)."""
    value = row.get(column.key)
    if dash and column.fmt == "int" and not value:
        return "-"
    return format_value(value, column.fmt, digits)


@register.filter
def num(value, digits=False):
    return format_value(value, "int", digits)


@register.filter
def thai(value, digits=True):
    return thai_digits(value) if digits else value
