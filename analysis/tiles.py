"""Mapbox vector tiles of projects and boundaries, made by PostGIS (``ST_AsMVT``).

Projects: the filtered queryset (access rules and ``analysis.filters`` already applied) is
narrowed to the tile (``geom && envelope``, GiST) and wrapped in ``ST_AsMVT``:

- from ``CLUSTER_BELOW_ZOOM`` up, layer ``projects``: one feature per project (id, kind, subtype,
  fiscal_year, current_stage and its Thai and English labels, budget_thb, lao_code, lao_name, and
  from ``NAME_FROM_ZOOM`` the name; ST_AsMVT keeps each distinct value once per tile, so the
  repeated LAO names and stage labels cost little; details come from the API by id);
- below it, layer ``clusters``: projects counted per cell of ``CLUSTER_CELL_PX`` tile pixels
  (``count``, ``budget_thb``), so a national overview stays a few thousand points. When the
  filters allow, these come from the trigger-kept cluster-cell table (``clustercells``) instead
  of the projects: a z6 tile over Bangkok sums ~45,000 cell rows instead of grouping ~275,000
  projects.

Boundaries: layer named after the level (province/amphoe/tambon) with code and names, simplified
to a pixel of the zoom before clipping.
"""

from __future__ import annotations

import math

from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Polygon
from django.db import connections
from django.db.models import Case, Count, F, FloatField, Func, IntegerField, Sum, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from layers.maplayers import LEVELS, PARENT, tolerance_for_zoom
from projects_geo.clustercells import ZOOMS as CLUSTER_BELOW_ZOOM  # below it, tiles read the cluster cells
from projects_geo.models import Stage

NO_STAGE = _("No stage recorded")

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
CLUSTER_CELL_PX = 64  # of 4096: a 64×64 grid per tile at most
WEB_MERCATOR_HALF = 20037508.342789244


class TileError(ValueError):
    pass


def check_tile(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM or not 0 <= x < 2**z or not 0 <= y < 2**z:
        raise TileError(f"No tile {z}/{x}/{y}.")


def tile_bounds_4326(z: int, x: int, y: int, margin: float = BUFFER / EXTENT) -> Polygon:
    """The tile (plus ``margin`` of its width) as a WGS84 polygon, for the index condition."""
    n = 2**z

    def lon(xx):
        return xx / n * 360.0 - 180.0

    def lat(yy):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / n))))

    x0, x1 = max(0.0, x - margin), min(float(n), x + 1 + margin)
    y0, y1 = max(0.0, y - margin), min(float(n), y + 1 + margin)
    poly = Polygon.from_bbox((lon(x0), lat(y1), lon(x1), lat(y0)))
    poly.srid = 4326
    return poly


def cell_size_m(z: int) -> float:
    return 2 * WEB_MERCATOR_HALF / 2**z / EXTENT * CLUSTER_CELL_PX


class MVTGeom(Func):
    """``ST_AsMVTGeom(geom_3857, ST_TileEnvelope(z, x, y), extent, buffer, true)`` of a project:
    ``geom_3857`` is the stored Web Mercator copy of ``geom`` (migration 0006, not a model
    field), read from the project table of the tile query."""

    template = (
        'ST_AsMVTGeom("projects_geo_project"."geom_3857", '
        f"ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true)"
    )
    output_field = TextField()  # only ever read by ST_AsMVT in SQL

    def __init__(self, z, x, y, **extra):
        super().__init__(z=int(z), x=int(x), y=int(y), **extra)


class MercatorCell(Func):
    """Index of the cluster cell of a geometry's centroid along one Web Mercator axis."""

    # Web Mercator by arithmetic on the centroid (a PROJ call per row costs more than the scan)
    templates = {
        "X": "floor(ST_X(ST_Centroid(%(expressions)s)) * 111319.49079327357 / %(cell)s)::bigint",
        "Y": "floor(ln(tan(radians(45 + ST_Y(ST_Centroid(%(expressions)s)) / 2))) * 6378137.0 / %(cell)s)::bigint",
    }
    output_field = IntegerField()

    def __init__(self, expression, axis, cell, **extra):
        super().__init__(expression, template=self.templates[axis], cell=repr(float(cell)), **extra)


def _as_mvt(inner_qs, layer: str, id_column: str | None) -> bytes:
    sql, params = inner_qs.query.sql_with_params()
    id_arg = f", '{id_column}'" if id_column else ""
    wrapped = f"SELECT ST_AsMVT(t, %s, {EXTENT}, 'mvt_geom'{id_arg}) FROM ({sql}) t WHERE t.mvt_geom IS NOT NULL"
    with connections[inner_qs.db].cursor() as cur:  # a replica for an analyst's tile (ops/replicas.py)
        cur.execute(wrapped, [layer, *params])
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


# The ``projects`` layer's fields and their TileJSON types (``tilejson``)
PROJECT_TILE_FIELDS = {
    "name": "String",
    "kind": "String",
    "subtype": "String",
    "fiscal_year": "Number",
    "current_stage": "Number",
    "stage_th": "String",
    "stage_en": "String",
    "budget_thb": "Number",
    "lao_code": "String",
    "lao_name": "String",
}
CLUSTER_TILE_FIELDS = {"count": "Number", "budget_thb": "Number"}
# Project names are unique (no sharing in the tile's value table) and long in UTF-8 Thai: a z10
# tile of 2,178 projects grew from 84 to 342 KiB with them. They come from z12 (a few hundred
# projects a tile); LAO names and stage labels repeat and cost little from z10.
NAME_FROM_ZOOM = 12


def stage_label(language: str):
    """The label of ``current_stage`` in ``language``, as a SQL CASE (0: not recorded yet)."""
    with translation.override(language):
        whens = [When(current_stage=value, then=Value(str(label))) for value, label in Stage.choices]
        none = str(NO_STAGE)
    return Case(*whens, default=Value(none), output_field=TextField())


def boundary_tile_fields(level: str) -> dict:
    fields = {"code": "String", "name_th": "String", "name_en": "String"}
    if PARENT[level]:
        fields["parent_code"] = "String"
    return fields


def tilejson(name: str, tiles_url: str, layers: list[dict], bounds) -> dict:
    """A TileJSON 3.0.0 document of one tile set."""
    minx, miny, maxx, maxy = bounds
    return {
        "tilejson": "3.0.0",
        "name": name,
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [round(v, 6) for v in (minx, miny, maxx, maxy)],
        "center": [round((minx + maxx) / 2, 6), round((miny + maxy) / 2, 6), 6],
        "vector_layers": layers,
    }


def project_layers() -> list[dict]:
    return [
        {
            "id": "projects",
            "description": f"One feature per project; name from zoom {NAME_FROM_ZOOM}.",
            "fields": PROJECT_TILE_FIELDS,
            "minzoom": CLUSTER_BELOW_ZOOM,
            "maxzoom": MAX_ZOOM,
        },
        {"id": "clusters", "fields": CLUSTER_TILE_FIELDS, "minzoom": 0, "maxzoom": CLUSTER_BELOW_ZOOM - 1},
    ]


def extent_of(queryset, default):
    """The bounding box (lon/lat) of ``queryset``'s geometries, or ``default`` when empty."""
    return queryset.aggregate(box=Extent("geom"))["box"] or default


def project_tile(queryset, z: int, x: int, y: int) -> bytes:
    """The MVT tile z/x/y of the (already filtered) project ``queryset``."""
    check_tile(z, x, y)
    qs = queryset.order_by().filter(geom__bboverlaps=tile_bounds_4326(z, x, y))
    if z >= CLUSTER_BELOW_ZOOM:
        fields = [f for f in PROJECT_TILE_FIELDS if f != "name" or z >= NAME_FROM_ZOOM]
        inner = qs.annotate(
            mvt_geom=MVTGeom(z, x, y),
            budget_thb=Cast("budget", FloatField()),
            lao_code=F("organization__dla_code"),
            lao_name=F("organization__name_th"),
            stage_th=stage_label("th"),
            stage_en=stage_label("en"),
        ).values("id", "mvt_geom", *fields)
        return _as_mvt(inner, "projects", "id")
    cell = cell_size_m(z)
    grouped = qs.annotate(cx=MercatorCell(F("geom"), "X", cell), cy=MercatorCell(F("geom"), "Y", cell))
    return _cluster_mvt(
        grouped.values("cx", "cy").annotate(n=Count("id"), budget_thb=Cast(Sum("budget"), FloatField())), z, x, y
    )


def cluster_tile_from_cells(cells, z: int, x: int, y: int) -> bytes:
    """The cluster tile z/x/y from ``cells`` (``clustercells.tile_cells``, filtered): the same
    tile as ``project_tile``, without reading the projects."""
    check_tile(z, x, y)
    grouped = cells.values("cx", "cy").annotate(n=Sum("count"), budget_thb=Cast(Sum("budget"), FloatField()))
    return _cluster_mvt(grouped.filter(n__gt=0), z, x, y)


def _cluster_mvt(grouped, z: int, x: int, y: int) -> bytes:
    """``ST_AsMVT`` of grouped rows ``(cx, cy, n, budget_thb)`` as points at the cells' centres."""
    cell = cell_size_m(z)
    sql, params = grouped.query.sql_with_params()
    # OFFSET 0 keeps the grouped rows a subquery: otherwise PostgreSQL pushes the
    # ``mvt_geom IS NOT NULL`` condition (it reads only grouping columns) below the GROUP BY and
    # runs ST_AsMVTGeom once per project instead of once per cell (1.35 s → 0.85 s for a z6
    # tile over Bangkok at a million projects).
    wrapped = (
        f"SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'mvt_geom') FROM ("
        f" SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint((g.cx + 0.5) * %s, (g.cy + 0.5) * %s), 3857),"
        f" ST_TileEnvelope(%s, %s, %s), {EXTENT}, 0, true) AS mvt_geom, g.n AS count, g.budget_thb"
        f" FROM ({sql} OFFSET 0) g) t WHERE t.mvt_geom IS NOT NULL"
    )
    with connections[grouped.db].cursor() as cur:
        cur.execute(wrapped, [cell, cell, int(z), int(x), int(y), *params])
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


class SimplifiedMVTGeom(Func):
    template = (
        "ST_AsMVTGeom(ST_Transform(ST_SimplifyPreserveTopology(%(expressions)s, %(tolerance)s), 3857),"
        f" ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true)"
    )
    output_field = TextField()

    def __init__(self, expression, z, x, y, tolerance, **extra):
        super().__init__(expression, z=int(z), x=int(x), y=int(y), tolerance=repr(float(tolerance)), **extra)


def boundary_tile(level: str, z: int, x: int, y: int) -> bytes:
    """The MVT tile z/x/y of a boundary level, simplified to a pixel of the zoom."""
    check_tile(z, x, y)
    fields = ["code", "name_th", "name_en", "mvt_geom"]
    qs = (
        LEVELS[level]
        .objects.filter(geom__bboverlaps=tile_bounds_4326(z, x, y))
        .annotate(mvt_geom=SimplifiedMVTGeom(F("geom"), z, x, y, tolerance_for_zoom(z) / 2))
    )
    if PARENT[level]:
        qs = qs.annotate(parent_code=F(PARENT[level]))
        fields.append("parent_code")
    return _as_mvt(qs.order_by().values(*fields), level, None)
