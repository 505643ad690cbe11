"""Template tags of exchange for pages of other apps: ``{% export_formats as formats %}`` lists the
download formats (code, label) for a format picker, so those pages need not import this app."""

from django import template

from exchange.exports import FORMAT_CHOICES

register = template.Library()


@register.simple_tag
def export_formats():
    return FORMAT_CHOICES
