"""Coordinate reference systems of the OGC API (Part 2): what ``crs`` / ``bbox-crs`` accept, the
geometry expression that gives features in the asked CRS (transformed in PostGIS), and a bbox in
one of them turned into CRS84.

Supported: CRS84 (lon, lat; the storage CRS), EPSG:4326 (lat, lon — the axis order EPSG defines),
UTM 47N/48N on WGS 84 (32647, 32648) and on Indian 1975 (24047, 24048). Indian 1975 always goes
through EPSG:1812, the transformation typed coordinates use (``projects_geo.coords``), written as
PROJ text for ``ST_Transform``; a bbox goes through ``coords``' own pyproj pipelines."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.contrib.gis.db.models import GeometryField
from django.core.exceptions import ValidationError
from django.db.models import F, Func, Value
from django.utils.translation import gettext_lazy as _

from common.params import excerpt, split_list
from projects_geo.coords import INDIAN_1975, WGS84, utm_proj_definition, utm_to_lonlat

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@dataclass(frozen=True)
class Crs:
    uri: str
    code: int | None  # EPSG code; None for CRS84
    zone: int | None = None
    datum: str | None = None

    @property
    def projected(self) -> bool:
        return self.zone is not None

    @property
    def lat_first(self) -> bool:
        return self.code == 4326

    @property
    def header(self) -> str:
        """The ``Content-Crs`` header value."""
        return f"<{self.uri}>"


SUPPORTED = {
    c.uri: c
    for c in (
        Crs(CRS84, None),
        Crs(EPSG + "4326", 4326),
        Crs(EPSG + "32647", 32647, 47, WGS84),
        Crs(EPSG + "32648", 32648, 48, WGS84),
        Crs(EPSG + "24047", 24047, 47, INDIAN_1975),
        Crs(EPSG + "24048", 24048, 48, INDIAN_1975),
    )
}
CRS_URIS = list(SUPPORTED)
DEFAULT = SUPPORTED[CRS84]

_SHORT = re.compile(r"^\[?(?:EPSG:|urn:ogc:def:crs:EPSG::|urn:ogc:def:crs:EPSG:[\d.]*:)(\d+)\]?$", re.I)
_CRS84_ALIASES = {"crs84", "ogc:crs84", "[ogc:crs84]", "urn:ogc:def:crs:ogc:1.3:crs84", "https://" + CRS84[7:]}

UNSUPPORTED_CRS = _("%(param)s “%(value)s” is not offered; use one of: %(crs)s.")
BAD_BBOX = _("bbox is four numbers in the axis order of bbox-crs (minx,miny,maxx,maxy), min below max.")


def parse_crs(value, param: str = "crs") -> Crs:
    """The CRS a ``crs`` / ``bbox-crs`` value names (CRS84 when absent); ValidationError keyed by
    ``param`` otherwise."""
    if value is None or not str(value).strip():
        return DEFAULT
    text = str(value).strip()
    if text in SUPPORTED:
        return SUPPORTED[text]
    if text.lower() in _CRS84_ALIASES:
        return DEFAULT
    match = _SHORT.match(text)
    if match and (EPSG + match.group(1)) in SUPPORTED:
        return SUPPORTED[EPSG + match.group(1)]
    raise ValidationError(
        {
            param: [
                ValidationError(
                    UNSUPPORTED_CRS, params={"param": param, "value": excerpt(text), "crs": ", ".join(CRS_URIS)}
                )
            ]
        }
    )


class _Transform(Func):
    function = "ST_Transform"
    output_field = GeometryField(srid=0)


class _SetSrid(Func):
    function = "ST_SetSRID"
    output_field = GeometryField(srid=0)


class _Flip(Func):
    function = "ST_FlipCoordinates"
    output_field = GeometryField(srid=0)


def geometry_expression(crs: Crs, field: str = "geom"):
    """The ORM expression of ``field`` (stored in EPSG:4326, lon/lat) in ``crs``; SRID 0 so that
    ``ST_AsGeoJSON`` adds no ``crs`` member (the ``Content-Crs`` header says it)."""
    if crs.projected:
        transformed = _Transform(F(field), Value(utm_proj_definition(crs.zone, crs.datum)))
        return _SetSrid(transformed, Value(0))
    if crs.lat_first:
        return _Flip(F(field))
    return F(field)


def precision_of(crs: Crs) -> int:
    """Decimals written: 7 for degrees (~1 cm), 3 for metres."""
    return 3 if crs.projected else 7


def _lonlat_bounds(crs: Crs, minx, miny, maxx, maxy):
    """The lon/lat bounds of a box in a UTM CRS: its edges, densified, through ``coords``."""
    steps = 20
    xs, ys = [], []
    for i in range(steps + 1):
        t = i / steps
        x, y = minx + (maxx - minx) * t, miny + (maxy - miny) * t
        xs += [x, x, minx, maxx]
        ys += [miny, maxy, y, y]
    lons, lats = utm_to_lonlat(xs, ys, crs.zone, crs.datum)
    values = [*lons, *lats]
    if not all(math.isfinite(v) for v in values):
        raise ValidationError({"bbox": [ValidationError(BAD_BBOX)]})
    return min(lons), min(lats), max(lons), max(lats)


def bbox_as_crs84(value, crs: Crs) -> str | None:
    """A ``bbox`` given in ``crs`` as ``minx,miny,maxx,maxy`` text in CRS84 (what
    ``analysis.filters`` reads), or ``None`` when there is no bbox."""
    parts = split_list(value)
    if not parts or crs is DEFAULT:
        return ",".join(parts) if parts else None
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise ValidationError({"bbox": [ValidationError(BAD_BBOX)]})
    minx, miny, maxx, maxy = (numbers[0], numbers[1], numbers[3], numbers[4]) if len(numbers) == 6 else numbers
    if not (minx < maxx and miny < maxy):
        raise ValidationError({"bbox": [ValidationError(BAD_BBOX)]})
    if crs.lat_first:
        box = (miny, minx, maxy, maxx)
    else:
        box = _lonlat_bounds(crs, minx, miny, maxx, maxy)
    return ",".join(repr(round(v, 9)) for v in box)
