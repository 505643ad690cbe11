"""Boundary map layers (province, amphoe, tambon) simplified in PostGIS for the zoom they are
shown at, as GeoJSON features (API, OGC API) — the vector tiles are in ``projects_geo.tiles``.

Simplification tolerance is one screen pixel at the requested zoom (256-pixel tiles), so what
reaches the browser has no detail it could not draw.
"""
from __future__ import annotations

from django.contrib.gis.db.models import GeometryField
from django.db.models import F, Func

from .models import Amphoe, Province, Tambon

LEVELS = {"province": Province, "amphoe": Amphoe, "tambon": Tambon}
PARENT = {"province": None, "amphoe": "province__code", "tambon": "amphoe__code"}
MIN_ZOOM, MAX_ZOOM = 0, 22


def tolerance_for_zoom(zoom: int) -> float:
    """Degrees per pixel at ``zoom`` (at the equator; Thailand is within 21° of it)."""
    return 360.0 / (256 * 2 ** int(zoom))


class SimplifyPreserveTopology(Func):
    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField(srid=4326)


def boundary_properties(level: str) -> dict:
    props = {"code": "code", "name_th": "name_th", "name_en": "name_en"}
    if PARENT[level]:
        props["parent_code"] = PARENT[level]
    return props


def boundary_queryset(level: str, *, bbox=None, parent_codes=None, codes=None):
    """Units of ``level`` (``province``/``amphoe``/``tambon``) intersecting ``bbox``, within parents."""
    model = LEVELS[level]
    qs = model.objects.all()
    if bbox is not None:
        qs = qs.filter(geom__bboverlaps=bbox)
    if parent_codes:
        qs = qs.filter(**{f"{PARENT[level]}__in": parent_codes})
    if codes:
        qs = qs.filter(code__in=codes)
    return qs.order_by("code")


def simplified_geometry(zoom: int | None):
    if zoom is None:
        return F("geom")
    from django.db.models import Value

    return SimplifyPreserveTopology(F("geom"), Value(tolerance_for_zoom(zoom)))


def boundary_feature_json(level: str, queryset, *, zoom: int | None):
    """Feature JSON texts of ``queryset`` (a ``boundary_queryset``) simplified for ``zoom``."""
    from projects_geo.features import with_feature_json

    precision = 7 if zoom is None else max(3, min(7, int(zoom) // 3 + 2))
    return with_feature_json(
        queryset, properties=boundary_properties(level), precision=precision, id_field="code",
        geometry=simplified_geometry(zoom),
    )
