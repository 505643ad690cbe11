"""Query parameters more than one app reads: comma-separated lists and WGS84 bounding boxes.

Bad values raise ``django.core.exceptions.ValidationError`` with a message in the active language
(callers key it by parameter name and answer in Thai and English).
"""

from __future__ import annotations

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def split_list(value) -> list[str]:
    """``"a, b,,c"`` (or a list of such strings) as ``["a", "b", "c"]``; nothing as ``[]``."""
    if value in (None, ""):
        return []
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return [part.strip() for part in str(value).split(",") if part.strip()]


def parse_bbox(value) -> Polygon | None:
    """``minx,miny,maxx,maxy`` (WGS84 degrees) as a Polygon; ValidationError when malformed."""
    parts = split_list(value)
    if not parts:
        return None
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
        raise ValidationError(
            _("bbox is four numbers minx,miny,maxx,maxy (longitude, latitude in WGS84)."), code="bad_bbox"
        )
    minx, miny, maxx, maxy = numbers
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise ValidationError(
            _("bbox must have minx < maxx within -180…180 and miny < maxy within -90…90."), code="bad_bbox"
        )
    return Polygon.from_bbox((minx, miny, maxx, maxy))
