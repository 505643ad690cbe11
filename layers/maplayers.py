"""Boundary map layers: province / amphoe / tambon outlines as GeoJSON, simplified in PostGIS.

Two entry points share the tolerance rule: ``boundary_geojson`` (the maps' outline layers,
``/layers/boundaries/<level>.geojson``, one SQL statement serialised by PostGIS) and
``boundary_queryset`` / ``boundary_feature_json`` (the paginated API and the OGC API).

The tolerance follows the map's zoom (about one screen pixel), so a whole-country view of the
provinces is a few hundred kilobytes while a tambon seen at street level keeps its detail. The
features are selected with the GiST index (``geom && envelope``) and serialised by PostGIS
(``json_build_object``/``ST_AsGeoJSON``): Python only passes the text through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Func, Value

from common.features import with_feature_json
from common.params import keyed, parse_bbox, parse_codes, parse_int

from .models import Amphoe, Province, Tambon

# level → (table, code length, the lowest zoom at which the layer is drawn)
LAYER_TABLES = {
    "province": ("layers_province", 2, 0),
    "amphoe": ("layers_amphoe", 4, 8),
    "tambon": ("layers_tambon", 6, 10),
}
MAX_FEATURES = 3000
MIN_ZOOM, MAX_ZOOM = 0, 22


class LayerRequestError(ValueError):
    """A bad layer request; ``message_th`` / ``message_en`` say what is wrong."""

    def __init__(self, field, message_th, message_en):
        super().__init__(message_en)
        self.field, self.message_th, self.message_en = field, message_th, message_en


@dataclass(frozen=True)
class LayerRequest:
    level: str
    zoom: int
    bbox: tuple[float, float, float, float] | None = None
    codes: tuple[str, ...] = ()


def tolerance_for_zoom(zoom: int) -> float:
    """Degrees of one 256-px web-map pixel at ``zoom`` (at the equator): the simplification tolerance."""
    return 360.0 / (256 * 2**zoom)


def decimals_for_zoom(zoom: int) -> int:
    """Coordinate decimals worth sending at ``zoom`` (finer than the tolerance, at most 7)."""
    return max(2, min(7, math.ceil(-math.log10(tolerance_for_zoom(zoom))) + 1))


def parse_request(level: str, params) -> LayerRequest:
    """Check the query parameters (``zoom``, ``bbox=minx,miny,maxx,maxy``, ``code=8302,8301``)."""
    if level not in LAYER_TABLES:
        raise LayerRequestError(
            "level", f"ไม่มีชั้นข้อมูล {level}", f"No boundary layer {level!r} (province, amphoe or tambon)."
        )
    try:
        zoom = parse_int(params.get("zoom"))
    except ValidationError:
        raise LayerRequestError("zoom", "zoom ต้องเป็นจำนวนเต็ม", "zoom must be an integer.") from None
    zoom = 8 if zoom is None else max(MIN_ZOOM, min(MAX_ZOOM, zoom))
    bbox = None
    try:
        box = parse_bbox(params.get("bbox"), clip=True)
    except ValidationError:
        raise LayerRequestError(
            "bbox", "bbox ต้องเป็น minx,miny,maxx,maxy (องศา)", "bbox must be minx,miny,maxx,maxy in degrees."
        ) from None
    if box is not None:
        bbox = box.extent
    length = LAYER_TABLES[level][1]
    try:
        codes = tuple(parse_codes(params.get("code"), digits=length))
    except ValidationError:
        raise LayerRequestError(
            "code", f"รหัส{level}ต้องเป็นตัวเลข {length} หลัก", f"A {level} code has {length} digits."
        ) from None
    if bbox is None and not codes and level != "province":
        raise LayerRequestError("bbox", "ต้องระบุ bbox หรือ code", f"The {level} layer needs a bbox or codes.")
    return LayerRequest(level, zoom, bbox, codes)


def boundary_geojson(req: LayerRequest) -> str:
    """A GeoJSON FeatureCollection (text) of the outlines ``req`` asks for; empty below the level's zoom."""
    table, _length, min_zoom = LAYER_TABLES[req.level]
    if req.zoom < min_zoom and not req.codes:
        return (
            f'{{"type": "FeatureCollection", "features": [], "properties": {{"hidden_below_zoom": {int(min_zoom)}}}}}'
        )
    where, where_params = [], []
    if req.bbox:
        where.append("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
        where_params.extend(req.bbox)
    if req.codes:
        where.append("code = ANY(%s)")
        where_params.append(list(req.codes))
    sql = f"""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', COALESCE(json_agg(json_build_object(
                'type', 'Feature', 'id', code,
                'properties', json_build_object(
                    'code', code, 'name_th', name_th, 'name_en', name_en, 'level', %s::text
                ),
                'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(ST_SimplifyPreserveTopology(geom, tol)), decimals)::json
            )), '[]'::json),
            'properties', json_build_object('truncated', count(*) >= {MAX_FEATURES})
        )::text
        FROM (
            SELECT code, name_th, name_en, geom, %s::float8 AS tol, %s::int AS decimals
            FROM {table}
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY code
            LIMIT {MAX_FEATURES}
        ) AS s
    """
    # placeholders in text order: the level label (outer select), tolerance and decimals, the filters
    params = [req.level, tolerance_for_zoom(req.zoom), decimals_for_zoom(req.zoom), *where_params]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


# --- API / OGC API: querysets of the units, simplified for a zoom (or full resolution) ---

LEVELS = {"province": Province, "amphoe": Amphoe, "tambon": Tambon}
PARENT = {"province": None, "amphoe": "province__code", "tambon": "amphoe__code"}
PARENT_DIGITS = {"province": None, "amphoe": 2, "tambon": 4}


class SimplifyPreserveTopology(Func):
    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField(srid=4326)


def boundary_properties(level: str) -> dict:
    props = {"code": "code", "name_th": "name_th", "name_en": "name_en"}
    if PARENT[level]:
        props["parent_code"] = PARENT[level]
    return props


def boundary_filters(params, level: str) -> dict:
    """``bbox`` / ``parent`` / ``code`` query parameters of a boundary collection (REST API and
    OGC API) as ``boundary_queryset`` keywords. Raises ``ValidationError`` keyed by parameter."""
    try:
        bbox = parse_bbox(params.get("bbox"))
    except ValidationError as exc:
        raise ValidationError({"bbox": exc.error_list}) from exc
    if bbox is not None:
        bbox.srid = 4326

    def codes(name, digits):
        try:
            return parse_codes(params.get(name), digits=digits)
        except ValidationError as exc:
            raise keyed(name, exc) from None

    parent = PARENT_DIGITS[level]
    return {
        "bbox": bbox,
        "parent_codes": codes("parent", parent) if parent else None,
        "codes": codes("code", LAYER_TABLES[level][1]),
    }


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
    return SimplifyPreserveTopology(F("geom"), Value(tolerance_for_zoom(zoom)))


def boundary_feature_json(level: str, queryset, *, zoom: int | None):
    """Feature JSON texts of ``queryset`` (a ``boundary_queryset``) simplified for ``zoom``."""
    precision = 7 if zoom is None else max(3, min(7, int(zoom) // 3 + 2))
    return with_feature_json(
        queryset,
        properties=boundary_properties(level),
        precision=precision,
        id_field="code",
        geometry=simplified_geometry(zoom),
        polygons=True,
    )
