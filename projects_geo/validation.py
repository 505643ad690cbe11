"""Boundary validation of a project's geometry: the one service forms, API, imports and tests use.

``validate`` (one entry, geometry or typed text) and ``validate_batch`` (many; a constant number
of queries for the whole batch) return a ``ValidationResult``: the cleaned geometry (EPSG:4326),
a normalised preview, the units it lies in, and findings — each with a code, a severity (an
``error`` blocks saving, a ``warning`` is stored with the project), a Thai and an English message
and, where there is one, a suggested corrected geometry.

Checks, in order:

1. Geometry: not empty, finite coordinates within ±90/±180, a type allowed for the kind (water:
   point or line; road: line), valid (with GEOS's reason), lines between 1 m and 100 km
   (geodesic).
2. Place (PostGIS, ``layers.lookup``): inside Thailand; inside the LAO's province (error) and, for
   an LAO that is not a PAO, its amphoe (warning). Within ``GISPLAN_EDGE_TOLERANCE_M`` (default
   50 m) outside a boundary is only a boundary-edge warning. A line partly outside its province
   (a road over the bridge between two provinces) is a warning with the share outside.
3. Input mistakes, for a geometry not in its LAO's area: latitude/longitude swapped, UTM zone
   47/48 mixed up, WGS 84 / Indian 1975 mixed up — reported when the corrected geometry lands in
   the LAO's area, with that geometry as the suggestion.
4. Duplicate: a project of the same LAO, kind and fiscal year within 20 m (points) or with a
   near-identical line (Hausdorff distance ≤ 20 m) — a warning with a link to it.
"""

from __future__ import annotations

import gc
import json
import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, LineString
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from pyproj import Geod

from layers import lookup
from layers.lookup import FULL_SHARE, GeomBatch, TambonShare, Units

from . import coords

ERROR = "error"
WARNING = "warning"
MIN_LINE_M = 1.0
MAX_LINE_M = 100_000.0
DUPLICATE_M = 20.0
CHANCE_SHIFT_M = 5_000.0  # a correction moving a point at most this far can land in an area by chance
POINT_TYPES = ("Point", "MultiPoint")
LINE_TYPES = ("LineString", "MultiLineString")
ALLOWED_TYPES = {"water": POINT_TYPES + LINE_TYPES, "road": LINE_TYPES}
_GEOD = Geod(ellps="WGS84")


def edge_tolerance_m() -> float:
    return float(getattr(settings, "GISPLAN_EDGE_TOLERANCE_M", 50.0))


# --- messages (English msgid → Thai in locale/translations/projects.json) -----------------------

MESSAGES = {
    "unparseable": gettext_noop("The coordinates could not be read: %(detail)s"),
    "empty_geometry": gettext_noop("The location is empty: draw it on the map or type its coordinates."),
    "non_finite_coordinates": gettext_noop("The location has coordinates that are not numbers (NaN or infinity)."),
    "coordinates_out_of_range": gettext_noop("Latitude must be within ±90° and longitude within ±180°."),
    "wrong_geometry_type": gettext_noop("A %(kind)s project is recorded as %(allowed)s, not as a %(type)s."),
    "invalid_geometry": gettext_noop("The geometry is not valid: %(reason)s."),
    "line_too_short": gettext_noop(
        "The line is %(length)s m long; a project line must be at least 1 m (are two vertices the same point?)."
    ),
    "line_too_long": gettext_noop(
        "The line is %(length)s km long; a project line must be at most 100 km (is a vertex misplaced?)."
    ),
    "self_crossing": gettext_noop(
        "The line crosses itself: check the order of its vertices (a road drawn or typed out of order)."
    ),
    "outside_thailand": gettext_noop("The location is outside Thailand, %(distance)s from the nearest Thai boundary."),
    "outside_province": gettext_noop("The location is %(distance)s outside %(province)s, the province of this LAO."),
    "near_province_edge": gettext_noop(
        "The location is %(distance)s outside %(province)s, within the %(tolerance)s tolerance: "
        "probably a boundary-edge digitising error. Check it on the map."
    ),
    "partly_outside_province": gettext_noop(
        "%(share)s of the line lies outside %(province)s, the province of this LAO (up to %(distance)s away)."
    ),
    "outside_amphoe": gettext_noop("The location is %(distance)s outside amphoe %(amphoe)s, where this LAO works."),
    "partly_outside_amphoe": gettext_noop(
        "%(share)s of the line lies outside amphoe %(amphoe)s, where this LAO works (up to %(distance)s away)."
    ),
    "near_amphoe_edge": gettext_noop(
        "The location is %(distance)s outside amphoe %(amphoe)s, within the %(tolerance)s tolerance: "
        "probably a boundary-edge digitising error."
    ),
    "swapped_lat_lon": gettext_noop(
        "Latitude and longitude look swapped: swapped back, the location lies in %(area)s. Use the suggested location."
    ),
    "utm_zone_mixup": gettext_noop(
        "The UTM zone looks wrong: the same numbers read in zone %(zone)sN land in %(area)s, "
        "%(distance)s from where zone %(other)sN puts them. Use the suggested location."
    ),
    "datum_mixup": gettext_noop(
        "The datum looks wrong: the same UTM numbers read on %(datum)s instead of %(other)s land "
        "%(distance)s away, in %(area)s. Use the suggested location if the coordinates were on %(datum)s."
    ),
    "unlikely_fix": gettext_noop(
        "Unlikely: as given, the location is only %(miss)s outside the LAO's area and this correction moves it "
        "%(distance)s, so almost any point that close would land in the area too. The landing is no evidence of "
        "the mistake: use the suggestion only if you know the coordinates were given that way; otherwise check them."
    ),
    "duplicate": gettext_noop(
        "Possible duplicate of project “%(name)s” (same LAO, kind and fiscal year) %(distance)s away. "
        "Open the existing project instead of entering it again."
    ),
}


def _param(value, lang):
    if isinstance(value, lookup.UnitRef):
        return value.name_th if lang == "th" or not value.name_en else value.name_en
    if isinstance(value, dict):  # {"th": ..., "en": ...}
        return value.get(lang) or value.get("en")
    return value


_TEMPLATES: dict = {}


def _render(code, params, lang):
    template = _TEMPLATES.get((code, lang))
    if template is None:  # the catalogues are fixed while the process runs
        with translation.override(lang):
            template = _TEMPLATES[(code, lang)] = gettext(MESSAGES[code])
    return template % {k: _param(v, lang) for k, v in params.items()}


def _metres(d):
    """A distance for a message: "620 m" / "620 เมตร", "1.2 km" / "1.2 กม."."""
    if d is None:
        return "?"
    if d >= 1000:
        return {"th": f"{d / 1000:,.1f} กม.", "en": f"{d / 1000:,.1f} km"}
    return {"th": f"{d:,.0f} เมตร", "en": f"{d:,.0f} m"}


def _geojson(geom):
    return json.loads(geom.geojson) if geom is not None else None


# --- results ------------------------------------------------------------------------------------


@dataclass
class Finding:
    code: str
    severity: str  # "error" | "warning"
    message_th: str
    message_en: str
    suggestion: GEOSGeometry | None = None
    data: dict = field(default_factory=dict)

    @classmethod
    def make(cls, code, severity, params=None, *, suggestion=None, data=None):
        params = params or {}
        return cls(code, severity, _render(code, params, "th"), _render(code, params, "en"), suggestion, data or {})

    def as_dict(self, language=None) -> dict:
        lang = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
        return {
            "code": self.code,
            "severity": self.severity,
            "message_th": self.message_th,
            "message_en": self.message_en,
            "message": self.message_th if lang == "th" else self.message_en,
            "suggestion": _geojson(self.suggestion),
            "data": self.data,
        }


@dataclass
class ValidationResult:
    # The cleaned geometry (EPSG:4326). A batch given shapely geometries (imports) keeps the
    # shapely one and builds the GEOSGeometry only when ``geometry`` is read.
    _geometry: GEOSGeometry | shapely.Geometry | None
    _preview: str | None  # None: made from the geometry when first read (imports never read it)
    units: Units
    findings: list[Finding] = field(default_factory=list)
    typed_as: dict | None = None  # how typed text was read ({"form", "zone", "datum"}): sent back with the geometry

    @property
    def preview(self) -> str:
        if self._preview is None:
            g = self._geometry
            if g is None:
                self._preview = ""
            else:
                xy = shapely.get_coordinates(g if isinstance(g, shapely.Geometry) else shapely.from_wkb(bytes(g.ewkb)))
                self._preview = _preview(xy, 0, len(xy)) if len(xy) else ""
        return self._preview

    @preview.setter
    def preview(self, value: str) -> None:
        self._preview = value

    @property
    def geometry(self) -> GEOSGeometry | None:
        if isinstance(self._geometry, shapely.Geometry):
            self._geometry = GEOSGeometry(memoryview(shapely.to_wkb(self._geometry)), srid=4326)
        return self._geometry

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def as_dict(self) -> dict:
        return {
            "geometry": _geojson(self.geometry),
            "preview": self.preview,
            "units": self.units.as_dict(),
            "findings": [f.as_dict() for f in self.findings],
            "ok": self.ok,
            "typed_as": self.typed_as,
        }


# --- entry points -------------------------------------------------------------------------------


def validate(
    geometry_or_text,
    organization,
    kind,
    *,
    fiscal_year=None,
    exclude_project_id=None,
    input_crs_hint=None,
    datum=None,
    zone=None,
) -> ValidationResult:
    """Validate one geometry (GEOS, GeoJSON dict) or typed coordinates for an LAO and kind.

    ``input_crs_hint`` — ``{"form": "utm"|"decimal"|"dms", "zone": 47|48, "datum": "wgs84"|
    "indian1975"}`` — says how a geometry was typed, so zone/datum mix-ups are looked for in the
    right place; typed text sets it itself. ``datum``/``zone`` apply to UTM text without them.
    """
    geometry, preview, hint, findings = _parse_input(geometry_or_text, datum=datum, zone=zone)
    item = {
        "geometry": geometry,
        "organization": organization,
        "kind": kind,
        "fiscal_year": fiscal_year,
        "exclude_project_id": exclude_project_id,
        "hint": input_crs_hint or hint,
    }
    if findings:
        return ValidationResult(None, preview, Units(), findings)
    result = validate_batch([item])[0]
    if preview:
        result.preview = preview
    result.typed_as = hint
    return result


def _parse_input(value, *, datum=None, zone=None):
    """→ (GEOS geometry or None, preview or "", hint or None, parse findings)."""

    def fail(en, th):
        return (
            None,
            "",
            None,
            [
                Finding(
                    "unparseable",
                    ERROR,
                    _render("unparseable", {"detail": {"th": th, "en": en}}, "th"),
                    _render("unparseable", {"detail": {"th": th, "en": en}}, "en"),
                )
            ],
        )

    if value is None:
        return None, "", None, []
    if isinstance(value, GEOSGeometry):
        geom = value.clone()
        if geom.srid is None:
            geom.srid = 4326
        elif geom.srid != 4326:
            geom.transform(4326)
        return geom, "", None, []
    if isinstance(value, dict):
        try:
            geom = GEOSGeometry(json.dumps(value), srid=4326)
        except (GEOSException, GDALException, ValueError, TypeError):
            # GDAL's and GEOS's own wording (C function names, pointers) is no help to a person.
            return fail(
                "not a readable GeoJSON geometry: give its type (Point, LineString, MultiPoint or "
                "MultiLineString) and coordinates as [longitude, latitude] pairs.",
                "อ่านรูปเรขาคณิต GeoJSON ไม่ได้: ต้องระบุชนิด (Point, LineString, MultiPoint หรือ "
                "MultiLineString) และพิกัดเป็นคู่ [ลองจิจูด, ละติจูด]",
            )
        return geom, "", None, []
    text = str(value)
    try:
        if ";" in text or "\n" in text.strip():
            points = coords.parse_vertices(text, datum=datum, zone=zone)
            if len(points) == 1:
                p = points[0]
                return p.point, p.preview, p.hint, []
            line = LineString([p.point.coords for p in points], srid=4326)
            return line, "; ".join(p.preview for p in points), points[0].hint, []
        p = coords.parse_point(text, datum=datum, zone=zone)
        return p.point, p.preview, p.hint, []
    except coords.CoordinateParseError as exc:
        return fail(exc.message_en, exc.message_th)


def validate_batch(items: list[dict]) -> list[ValidationResult]:
    """Validate many geometries. Items: ``{"geometry", "organization", "kind", "fiscal_year"}``
    (optionally ``"exclude_project_id"``, ``"hint"``). A constant number of queries for the batch.

    ``geometry`` is a GEOSGeometry (any SRID) or a shapely geometry in EPSG:4326 (what imports
    hold: no conversion per row)."""
    # A batch creates several objects per geometry; the cyclic garbage collector would walk the
    # whole heap again and again meanwhile (over a second per 100,000 geometries) and find
    # nothing: none of them form cycles. It runs once when the batch is done.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with transaction.atomic(savepoint=False):
            return _validate_batch(items)
    finally:
        if gc_was_enabled:
            if not gc.get_freeze_count():
                # The batch's objects are alive (the results hold them): move them to the oldest
                # generation as they are, instead of the first young collection walking them all
                # to find nothing (0.1–0.4 s per 100,000 geometries). Skipped when the process
                # froze objects of its own (unfreeze would release them too).
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _validate_batch(items):
    """The steps of ``validate_batch``, in order, on one ``_Batch``."""
    if not items:
        return []
    b = _collect(items)
    _check_geometries(b)
    _unit_shares(b)
    _edge_distances(b)
    _input_mistakes(b)
    _duplicate_findings(b)
    return _results(b)


@dataclass(slots=True)
class _Batch:
    """One ``validate_batch`` run: the items as columns (one entry per item), filled step by step."""

    items: list
    n: int
    tol: float  # the boundary-edge tolerance (m)
    geoms: list  # as given (GEOS or shapely), or the 2D shapely geometry when Z was dropped
    orgs: list
    kinds: list
    fiscal_years: list
    excluded: list
    sgeoms: np.ndarray  # shapely, EPSG:4326, 2D
    findings: list[list[Finding]]
    # _check_geometries
    type_ids: np.ndarray | None = None
    starts: np.ndarray | None = None  # each geometry's first vertex in the coordinate array, and past its last
    ends: np.ndarray | None = None
    empty: np.ndarray | None = None
    finite: np.ndarray | None = None
    in_range: np.ndarray | None = None
    lengths: np.ndarray | None = None  # geodesic, m; 0 for points
    is_line: np.ndarray | None = None
    is_point: np.ndarray | None = None
    valid: np.ndarray | None = None
    lookup_ok: np.ndarray | None = None  # no geometry error: looked up in the units
    # _unit_shares
    ewkbs: list | None = None
    area_of: dict | None = None  # id(organization) → (province id, amphoe id or None for a PAO)
    area: list | None = None
    unit_ids: dict | None = None  # {"province"|"amphoe"|"tambon": ids met}, for the names
    units_list: list | None = None
    results: list = field(default_factory=list)
    duplicates: dict | None = None  # _duplicates' answer
    need_edge: list = field(default_factory=list)  # edge_distances items not measured yet
    edges: dict = field(default_factory=dict)  # edge_distances' answer
    # _edge_distances
    pending: list = field(default_factory=list)  # (i, code, severity, params, data, suggestion)
    place_bad: np.ndarray | None = None  # not in the LAO's area: look for input mistakes
    province_error: np.ndarray | None = None
    # _input_mistakes, _duplicate_findings
    mistakes: dict = field(default_factory=dict)  # {i: [candidate]}
    duplicate_findings: dict = field(default_factory=dict)  # {i: [Finding]}

    def note_edges(self, indices):
        """Lists, of ``indices``, the geometries whose findings need a distance to a unit's edge."""
        area, units_list, ewkbs = self.area, self.units_list, self.ewkbs
        is_line, need_edge = self.is_line, self.need_edge
        for i in indices:
            pid, aid = area[i]
            u = units_list[i]
            tambons = u.tambons
            if len(tambons) == 1:  # most geometries: wholly in one tambon of the LAO's area
                t = tambons[0]
                if t.share >= FULL_SHARE and t.province_id == pid and (not aid or t.amphoe_id == aid):
                    continue
            pshare = u.province_share(pid)
            ashare = u.amphoe_share(aid) if aid else 1.0
            if tambons and pshare >= FULL_SHARE and ashare >= FULL_SHARE:
                continue
            pmode = lookup.DIST if pshare <= 0 else lookup.REACH if pshare < FULL_SHARE else 0
            amode = 0 if not aid else lookup.DIST if ashare <= 0 else lookup.REACH if ashare < FULL_SHARE else 0
            need_edge.append((i + 1, ewkbs[i], pid, aid, pmode, amode, not tambons, pshare <= 0 and not is_line[i]))

    def make_results(self):
        """Creates the results; their units and findings are filled in place afterwards."""
        geoms, units_list, findings = self.geoms, self.units_list, self.findings
        kept, lazy_preview = (~self.empty).tolist(), (self.finite & ~self.empty).tolist()
        self.results.extend(
            ValidationResult(geoms[i] if kept[i] else None, None if lazy_preview[i] else "", units_list[i], findings[i])
            for i in range(self.n)
        )

    def points_known(self, units, batch):
        """While the lines' shares are measured: the points' edge needs, the results and, when the
        lines are on a second connection, the duplicates and the points' edge distances on this one."""
        self.units_list = units
        self.note_edges(np.flatnonzero(self.lookup_ok & self.is_point).tolist())
        self.make_results()
        if batch.elsewhere is not None:  # this connection is free while the other measures the lines
            self.duplicates = _duplicates(batch)
            self.edges.update(lookup.edge_distances(self.need_edge))
            self.need_edge.clear()


def _collect(items) -> _Batch:
    """Reads the items into columns and every geometry into a 2D shapely one in EPSG:4326."""
    n = len(items)
    tol = edge_tolerance_m()
    geoms, orgs, kinds, fiscal_years, excluded = [], [], [], [], []
    for it in items:  # one pass over the items
        geoms.append(it.get("geometry"))
        orgs.append(it["organization"])
        kinds.append(it.get("kind"))
        fiscal_years.append(it.get("fiscal_year"))
        excluded.append(it.get("exclude_project_id"))
    sgeoms = np.fromiter(geoms, dtype=object, count=n)
    geos_idx = [i for i, g in enumerate(geoms) if g is not None and not isinstance(g, shapely.Geometry)]
    if geos_idx:
        for i in geos_idx:
            if geoms[i].srid not in (None, 4326):
                geoms[i].transform(4326)
        # GEOS → shapely through hex EWKB (the cheapest way out of GEOSGeometry), then vectorised.
        sgeoms[geos_idx] = shapely.from_wkb(np.array([geoms[i].hexewkb for i in geos_idx], dtype=object))
    findings: list[list[Finding]] = [[] for _ in range(n)]
    for i in np.flatnonzero(shapely.has_z(sgeoms)):  # projects are 2D: drop Z
        sgeoms[i] = shapely.force_2d(sgeoms[i])
        geoms[i] = sgeoms[i]  # turned into a GEOSGeometry when the result's geometry is read
    return _Batch(items, n, tol, geoms, orgs, kinds, fiscal_years, excluded, sgeoms, findings)


# 1. Geometry checks (vectorised) ----------------------------------------------------------------


def _check_geometries(b: _Batch) -> None:
    """Checks every geometry (vectorised), with findings for the few that have a problem."""
    n, sgeoms = b.n, b.sgeoms
    missing = shapely.is_missing(sgeoms)
    type_ids = shapely.get_type_id(sgeoms)
    xy, idx = shapely.get_coordinates(sgeoms, return_index=True)
    starts, ends = np.searchsorted(idx, np.arange(n)), np.searchsorted(idx, np.arange(n), side="right")
    empty = missing | shapely.is_empty(sgeoms)
    # GEOS writes an empty point as POINT(NaN NaN); count it as empty, not as non-finite.
    nan_points = np.flatnonzero((type_ids == 0) & ~empty & (ends > starts))
    if len(nan_points):
        all_nan = np.isnan(xy[starts[nan_points]]).all(axis=1)
        empty[nan_points[all_nan]] = True
    valid = shapely.is_valid(sgeoms)
    finite, in_range = _finite_in_range(xy, idx, n)
    lengths = _geodesic_lengths(xy, idx, n, sgeoms)
    type_ok = _type_ok(b.kinds, type_ids, n)
    is_line = np.isin(type_ids, [1, 5])
    problem = (
        empty | ~finite | ~in_range | ~type_ok | ~valid | (is_line & ((lengths < MIN_LINE_M) | (lengths > MAX_LINE_M)))
    )
    b.type_ids, b.starts, b.ends, b.empty, b.finite, b.in_range = type_ids, starts, ends, empty, finite, in_range
    b.valid, b.lengths, b.is_line, b.is_point = valid, lengths, is_line, type_ids == 0
    b.lookup_ok = lookup_ok = ~problem
    for i in np.flatnonzero(problem):  # the checks in order, for the few with a problem
        lookup_ok[i] = _geometry_findings(b, i)
    # A road that crosses itself is usually vertices typed or drawn out of order: a warning.
    lines = np.flatnonzero(is_line & ~problem)  # only lines that passed the checks (finite, in range)
    for i in lines[~shapely.is_simple(sgeoms[lines])]:
        b.findings[i].append(Finding.make("self_crossing", WARNING))


def _finite_in_range(xy, idx, n):
    """Per geometry: (all coordinates finite, all finite ones within ±180° / ±90°)."""
    finite = np.ones(n, bool)
    in_range = np.ones(n, bool)
    if len(xy):
        bad = ~np.isfinite(xy).all(axis=1)
        finite[np.unique(idx[bad])] = False
        out = (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
        in_range[np.unique(idx[out & ~bad])] = False
    return finite, in_range


def _type_ok(kinds, type_ids, n):
    """Per geometry: whether its type is one allowed for its project's kind."""
    type_ok = np.zeros(n, bool)
    kinds_arr = np.fromiter(kinds, dtype=object, count=n)
    for kind in set(kinds):
        allowed_ids = [
            tid for tid, name in _TYPE_NAMES.items() if name in ALLOWED_TYPES.get(kind, POINT_TYPES + LINE_TYPES)
        ]
        type_ok |= (kinds_arr == kind) & np.isin(type_ids, allowed_ids)
    return type_ok


def _geometry_findings(b: _Batch, i) -> bool:
    """Adds geometry ``i``'s geometry findings, the checks in order; whether it can be looked up."""
    f = b.findings[i]
    kind = b.kinds[i]
    if b.empty[i]:
        f.append(Finding.make("empty_geometry", ERROR))
        return False
    if not b.finite[i]:
        f.append(Finding.make("non_finite_coordinates", ERROR))
        return False
    in_range = b.in_range[i]
    if not in_range:
        f.append(Finding.make("coordinates_out_of_range", ERROR))
    tname = _TYPE_NAMES.get(int(b.type_ids[i]), "")
    allowed = ALLOWED_TYPES.get(kind, POINT_TYPES + LINE_TYPES)
    if tname not in allowed:
        f.append(_wrong_type_finding(kind, tname, allowed))
        return False
    if tname in LINE_TYPES:
        length = b.lengths[i]
        if length < MIN_LINE_M:
            f.append(
                Finding.make("line_too_short", ERROR, {"length": f"{length:.2f}"}, data={"length_m": round(length, 3)})
            )
            return False
        if length > MAX_LINE_M:
            f.append(
                Finding.make(
                    "line_too_long", ERROR, {"length": f"{length / 1000:.1f}"}, data={"length_m": round(length, 1)}
                )
            )
    if in_range and not b.valid[i]:
        reason = shapely.is_valid_reason(b.sgeoms[i])
        f.append(Finding.make("invalid_geometry", ERROR, {"reason": reason}, data={"reason": reason}))
        return False
    return in_range


def _wrong_type_finding(kind, tname, allowed) -> Finding:
    """The finding for a geometry type not allowed for the project's kind."""
    return Finding.make(
        "wrong_geometry_type",
        ERROR,
        {
            "kind": _KIND_LABEL.get(kind, {"th": str(kind), "en": str(kind)}),
            "allowed": _ALLOWED_LABEL["line" if allowed == LINE_TYPES else "any"],
            "type": _TYPE_LABEL.get(tname, {"th": tname, "en": tname}),
        },
        data={"type": tname},
    )


# 2. Units (one query; two on a GiST-indexed temporary table for large batches) ------------------


def _unit_shares(b: _Batch) -> None:
    """Finds the tambons of every geometry with their share (the lines' on a second connection)
    and, meanwhile, the points' edge needs, the results and, where possible, the duplicates."""
    n = b.n
    b.unit_ids = {"province": set(), "amphoe": set(), "tambon": set()}
    sel = np.flatnonzero(b.lookup_ok)
    ewkbs = np.full(n, None, dtype=object)
    if len(sel):
        ewkbs[sel] = shapely.to_wkb(shapely.set_srid(b.sgeoms[sel], 4326), include_srid=True)
    b.ewkbs = ewkbs.tolist()
    orgs = b.orgs
    org_by_id = {id(o): o for o in orgs}
    pk_of = {k: o.pk for k, o in org_by_id.items()}
    # An LAO's area: (province, amphoe or None for a PAO), once per LAO.
    area_of = b.area_of = {
        k: (o.province_id, None if (o.is_pao or o.amphoe_id is None) else o.amphoe_id) for k, o in org_by_id.items()
    }
    b.area = [area_of[id(o)] for o in orgs]
    extra = {
        "org_id": ("bigint", [pk_of[id(o)] for o in orgs]),
        "kind": ("text", b.kinds),
        "fy": ("int", b.fiscal_years),
        "exclude_id": ("bigint", b.excluded),
        # What the share query divides by, known here already: a line's geodesic length (the
        # same WGS 84 geodesics as PostGIS's ST_Length(geography)), a multipoint's points.
        "pt": ("boolean", b.is_point.tolist()),
        "total": ("float8", np.where(b.is_line, b.lengths, (b.ends - b.starts).astype(float)).tolist()),
    }
    if len(sel):
        # The points' units are known while the server still measures the lines: work on them then.
        with GeomBatch(b.ewkbs, extra, lines_elsewhere=True) as batch:
            lookup.tambon_shares(batch, ids=b.unit_ids, meanwhile=lambda units: b.points_known(units, batch))
            if b.duplicates is None:
                b.duplicates = _duplicates(batch)
        b.note_edges(np.flatnonzero(b.lookup_ok & ~b.is_point).tolist())
    else:
        b.units_list = [Units() for _ in range(n)]
        b.make_results()


# 3. Place: province / amphoe, with distances for what is not inside -----------------------------


def _edge_distances(b: _Batch) -> None:
    """Measures how far outside the LAO's area what is not wholly in it lies (what the points'
    step left: the lines, or everything) and turns each distance into its place finding."""
    b.edges.update(lookup.edge_distances(b.need_edge))
    n, tol, area, units_list, is_line, pending = b.n, b.tol, b.area, b.units_list, b.is_line, b.pending
    b.place_bad = place_bad = np.zeros(n, bool)
    b.province_error = province_error = np.zeros(n, bool)
    out_of_range = ~b.lookup_ok & ~b.in_range & b.finite & ~b.empty
    place_bad[out_of_range] = province_error[out_of_range] = True
    for key, e in sorted(b.edges.items()):
        i = key - 1
        pid, aid = area[i]
        u = units_list[i]
        pshare = u.province_share(pid)
        ashare = u.amphoe_share(aid) if aid else 1.0
        if not u.tambons:
            found = _nearest_tambon(e, u, b.unit_ids, tol)
            if found is not None:
                pending.append((i, *found))
        closest = GEOSGeometry(memoryview(e.closest_point_ewkb)) if e.closest_point_ewkb else None
        near = None if is_line[i] else closest
        found = _unit_place("province", pid, pshare, e.province_dist, e.province_reach, tol, near)
        if found is not None:
            if found[0] == "outside_province":
                province_error[i] = place_bad[i] = True
            pending.append((i, *found))
        if aid and not province_error[i]:
            found = _unit_place("amphoe", aid, ashare, e.amphoe_dist, e.amphoe_reach, tol, None)
            if found is not None:
                if found[0] == "outside_amphoe":
                    place_bad[i] = True
                pending.append((i, *found))


def _nearest_tambon(e, u, unit_ids, tol):
    """For a geometry in no tambon: within the tolerance, makes the nearest tambon its unit (→ None);
    else the outside-Thailand finding as (code, severity, params, data, suggestion)."""
    if e.nearest is not None and e.nearest_dist is not None and e.nearest_dist <= tol:
        u.tambons = [e.nearest]
        u.nearest = True
        for level in ("province", "amphoe", "tambon"):
            unit_ids[level].add(getattr(e.nearest, f"{level}_id"))
        return None
    return ("outside_thailand", ERROR, {"distance": e.nearest_dist}, {"distance_m": _r(e.nearest_dist)}, None)


# level → (code near its edge, code outside it, code partly outside it, severity outside it)
_PLACE_CODES = {
    "province": ("near_province_edge", "outside_province", "partly_outside_province", ERROR),
    "amphoe": ("near_amphoe_edge", "outside_amphoe", "partly_outside_amphoe", WARNING),
}


def _unit_place(level, unit_id, share, dist, reach, tol, near_suggestion):
    """The finding, as (code, severity, params, data, suggestion), for a geometry with ``share`` of
    it in its LAO's province or amphoe; None when wholly inside."""
    near, outside, partly, outside_severity = _PLACE_CODES[level]
    unit = (level, unit_id)
    if share <= 0:
        if dist is not None and dist <= tol:
            params = {"distance": dist, level: unit, "tolerance": tol}
            return (near, WARNING, params, {"distance_m": _r(dist), "tolerance_m": tol}, near_suggestion)
        return (outside, outside_severity, {"distance": dist, level: unit}, {"distance_m": _r(dist)}, None)
    if share < FULL_SHARE:
        if reach is not None and reach <= tol:
            params = {"distance": reach, level: unit, "tolerance": tol}
            return (near, WARNING, params, {"distance_m": _r(reach), "tolerance_m": tol}, None)
        params = {"share": 1 - share, "distance": reach, level: unit}
        return (partly, WARNING, params, {"share_outside": round(1 - share, 4), "distance_m": _r(reach)}, None)
    return None


# 4. Input mistakes: does a corrected geometry land in the LAO's area? (one query) ---------------


def _input_mistakes(b: _Batch) -> None:
    """Finds, for what is not in its LAO's area, the corrected geometries that land in it (one query)."""
    area, sgeoms, items = b.area, b.sgeoms, b.items
    candidates = []  # (i, code, params, geom(shapely), data)
    for i in np.flatnonzero(b.place_bad):
        candidates.extend(_mistake_candidates(int(i), sgeoms[i], items[i].get("hint")))
    landed = lookup.lands_in_area(
        [(shapely.to_wkb(shapely.set_srid(c[3], 4326), include_srid=True), *area[c[0]]) for c in candidates]
    )
    mistakes = b.mistakes
    for c, ok in zip(candidates, landed):
        # One suggestion per kind of mistake: without a hint a geometry is tried in both datums,
        # and both readings of a zone mix-up can land (the first, WGS 84, is the one suggested).
        if ok and all(m[1] != c[1] for m in mistakes.get(c[0], ())):
            mistakes.setdefault(c[0], []).append(c)


# 5. Duplicates ----------------------------------------------------------------------------------


def _duplicate_findings(b: _Batch) -> None:
    """Makes a finding, with a link, for each project a geometry would duplicate."""
    for i, dups in (b.duplicates or {}).items():
        b.duplicate_findings[i] = [
            Finding.make(
                "duplicate",
                WARNING,
                {"name": name, "distance": _metres(dist)},
                data={
                    "duplicate_id": pid_,
                    "duplicate_url": reverse("projects_geo:project_edit", args=[pid_]),
                    "distance_m": _r(dist),
                },
            )
            for pid_, name, dist in dups
        ]


# 6. Names of every unit mentioned (one query), then the findings --------------------------------


def _results(b: _Batch) -> list[ValidationResult]:
    """Names every unit mentioned (one query), files the findings in order and returns the results."""
    unit_ids, findings = b.unit_ids, b.findings
    prov_ids = {a[0] for a in b.area_of.values()} | unit_ids["province"]
    amph_ids = {a[1] for a in b.area_of.values() if a[1]} | unit_ids["amphoe"]
    names = lookup.unit_names(prov_ids, amph_ids, unit_ids["tambon"])
    lookup.attach_names(b.units_list, names)
    for i, code, severity, params, data, suggestion in b.pending:
        params = {k: _resolve(v, names, k) for k, v in params.items()}
        findings[i].append(Finding.make(code, severity, params, suggestion=suggestion, data=data))
    misses = _miss_distances(b)
    for i, cands in b.mistakes.items():
        findings[i][:0] = _mistake_findings(b, i, cands, names, misses.get(i))  # the explanation first
    for i, dups in b.duplicate_findings.items():
        findings[i].extend(dups)
    return b.results


def _mistake_findings(b: _Batch, i, cands, names, miss) -> list[Finding]:
    """The findings for geometry ``i``'s input mistakes, each with its corrected geometry."""
    pid, aid = b.area[i]
    area_ref = names.get(("amphoe", aid)) if aid else names.get(("province", pid))
    severity = ERROR if b.province_error[i] else WARNING
    new = []
    for _i, code, params, cand, data in cands:
        suggestion = GEOSGeometry(memoryview(shapely.to_wkb(cand)), srid=4326)
        if data.get("distance_m") is None:
            data["distance_m"] = _r(_first_vertex_distance(b.sgeoms[i], cand))
        params = {**params, "area": area_ref, "distance": _metres(data["distance_m"])}
        f = Finding.make(code, severity, params, suggestion=suggestion, data=data)
        if _lands_by_chance(miss, data["distance_m"]):
            f.data["likelihood"] = "low"
            f.data["miss_m"] = _r(miss)
            caution = {"miss": _metres(miss), "distance": _metres(data["distance_m"])}
            f.message_th += " " + _render("unlikely_fix", caution, "th")
            f.message_en += " " + _render("unlikely_fix", caution, "en")
        new.append(f)
    return new


def _lands_by_chance(miss, shift) -> bool:
    """A small correction (a datum's few hundred metres) that moves a point farther than it misses
    its LAO's area lands there for nearly every point that close — a sea point off the coast
    included: the landing is no evidence. A move of hundreds of kilometres (another UTM zone)
    that ends in the LAO's area is."""
    return miss is not None and shift is not None and miss <= shift <= CHANCE_SHIFT_M


def _miss_distances(b: _Batch) -> dict:
    """{i: how far outside its LAO's area geometry i lies as given (m)}, for the geometries with
    input mistakes (one pass over the place findings)."""
    out = {}
    if not b.mistakes:
        return out
    for i, code, _severity, _params, data, _suggestion in b.pending:
        if i in b.mistakes and code in ("outside_province", "outside_amphoe", "outside_thailand"):
            d = data.get("distance_m")
            if d is not None:
                out[i] = max(out.get(i, 0.0), d)
    return out


# --- helpers ------------------------------------------------------------------------------------

_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}
_KIND_LABEL = {"water": {"th": "แหล่งน้ำ", "en": "water"}, "road": {"th": "ถนน", "en": "road"}}
_ALLOWED_LABEL = {"line": {"th": "เส้น", "en": "a line"}, "any": {"th": "จุดหรือเส้น", "en": "a point or a line"}}
_TYPE_LABEL = {
    "Point": {"th": "จุด", "en": "point"},
    "MultiPoint": {"th": "หลายจุด", "en": "multipoint"},
    "Polygon": {"th": "รูปปิด (polygon)", "en": "polygon"},
    "MultiPolygon": {"th": "รูปปิดหลายรูป", "en": "multipolygon"},
    "GeometryCollection": {"th": "กลุ่มรูปเรขาคณิต", "en": "geometry collection"},
}


def _r(v):
    return None if v is None else round(float(v), 1)


def _resolve(value, names, key):
    if isinstance(value, tuple) and len(value) == 2 and value[0] in ("province", "amphoe"):
        return names.get(value) or {"th": "?", "en": "?"}
    if key in ("distance", "tolerance"):
        return _metres(value)
    if key == "share":
        return f"{value * 100:.0f}%"
    return value


def _geodesic_lengths(xy, idx, n, sgeoms):
    """Geodesic length (m) of each geometry's lines; 0 for points. Vectorised over all vertices."""
    out = np.zeros(n)
    if len(xy) < 2:
        return out
    # Segment k joins vertex k and k+1 when both belong to the same (single-line) geometry;
    # multi-lines are measured part by part below.
    same = idx[1:] == idx[:-1]
    line_mask = np.isin(shapely.get_type_id(sgeoms), [1, 5])
    seg = same & line_mask[idx[:-1]] & np.isfinite(xy[1:]).all(axis=1) & np.isfinite(xy[:-1]).all(axis=1)
    multi = np.flatnonzero(shapely.get_type_id(sgeoms) == 5)
    if len(multi):
        seg = seg.copy()
        for i in multi:  # rare: recompute these exactly, part by part
            seg[idx[:-1] == i] = False
            out[i] = sum(_GEOD.geometry_length(p) for p in shapely.get_parts(sgeoms[i]))
    k = np.flatnonzero(seg)
    if len(k):
        _az1, _az2, d = _GEOD.inv(xy[k, 0], xy[k, 1], xy[k + 1, 0], xy[k + 1, 1])
        np.add.at(out, idx[k], d)
    return out


def _preview(xy, start, end):
    if end - start == 1:
        x, y = xy[start]
        return f"{y:.6f}, {x:.6f}"
    text = "; ".join(coords.preview_of(x, y) for x, y in xy[start : min(end, start + 50)])
    return text + (f"; … ({end - start} vertices)" if end - start > 50 else "")


def _first_vertex_distance(a, b):
    (x1, y1), (x2, y2) = shapely.get_coordinates(a)[0], shapely.get_coordinates(b)[0]
    if abs(y1) > 90 or abs(y2) > 90:
        return None
    return float(_GEOD.inv(x1, y1, x2, y2)[2])


def _mistake_candidates(i, geom, hint):
    """Corrected versions of a geometry for each input mistake that its input makes plausible.

    Each detector asks whether the person could have made that mistake with what they gave:

    - ``swapped_lat_lon``: only an impossible reading (a latitude beyond ±90°) swapped back can
      land in Thailand, so this never moves a point that was possible as given (a drawn one).
    - ``utm_zone_mixup`` and ``datum_mixup``: only for UTM numbers, typed or read from a file's
      easting/northing columns (``hint["form"] == "utm"``). A drawn point, typed degrees or a
      file's own geometry carry no zone and no UTM datum to mix up: a point near a coast would
      otherwise "land" on the nearest headland (a datum shift is only some 300–700 m).
    """
    out = []
    xy = shapely.get_coordinates(geom)
    if (np.abs(xy[:, 0]) <= 90).all() and (np.abs(xy[:, 1]) > 90).any():
        swapped = shapely.set_coordinates(shapely.from_wkb(shapely.to_wkb(geom)), xy[:, ::-1].copy())
        out.append((i, "swapped_lat_lon", {}, swapped, {}))
    if not ((np.abs(xy[:, 1]) <= 90).all() and (np.abs(xy[:, 0]) <= 180).all()):
        return out
    hint = hint or {}
    if hint.get("form") != "utm":
        return out  # drawn, degrees or a file's geometry: no zone and no UTM datum to mix up
    lon0 = float(xy[0, 0])
    zone = int(hint.get("zone") or coords.zone_for_lon(lon0))
    datums = [hint["datum"]] if hint.get("datum") else [coords.WGS84, coords.INDIAN_1975]
    for datum in datums:
        out.extend(_utm_candidates(i, geom, xy, zone, datum))
    return out


def _utm_candidates(i, geom, xy, zone, datum):
    """The other zone's and the other datum's readings of the UTM numbers of ``geom``."""
    out = []
    e, nn = coords.lonlat_to_utm(xy[:, 0], xy[:, 1], zone, datum)
    other_zone = 95 - zone
    lon, lat = coords.utm_to_lonlat(e, nn, other_zone, datum)
    if np.isfinite(lon).all() and np.isfinite(lat).all():
        g = shapely.set_coordinates(shapely.from_wkb(shapely.to_wkb(geom)), np.column_stack([lon, lat]))
        out.append(
            (i, "utm_zone_mixup", {"zone": other_zone, "other": zone}, g, {"zone": other_zone, "typed_zone": zone})
        )
    other = coords.INDIAN_1975 if datum == coords.WGS84 else coords.WGS84
    lon, lat = coords.utm_to_lonlat(e, nn, zone, other)
    if np.isfinite(lon).all() and np.isfinite(lat).all():
        g = shapely.set_coordinates(shapely.from_wkb(shapely.to_wkb(geom)), np.column_stack([lon, lat]))
        out.append(
            (
                i,
                "datum_mixup",
                {"datum": coords.DATUM_LABELS[other], "other": coords.DATUM_LABELS[datum]},
                g,
                {"datum": other, "typed_datum": datum, "zone": zone},
            )
        )
    return out


# Each geometry of the batch probes the projects' GiST index for its own LAO's projects nearby
# (``organization_id + 0`` keeps the planner from AND-ing the LAO's whole B-tree bitmap into every
# probe). The planner's own choice was a merge join that sorted the whole project table for every
# batch: ~7 s per import chunk at 1,000,000 projects, against ~1 s for 50,000 rows this way.
_DUP_SQL = """
SELECT g.ord, p.id, p.name,
       CASE WHEN ST_Dimension(g.geom) = 0 THEN ST_Distance(p.geom::geography, g.geom::geography)
            ELSE ST_HausdorffDistance(ST_Transform(p.geom, 32647), ST_Transform(g.geom, 32647)) END AS d
FROM {rel} g
CROSS JOIN LATERAL (
    SELECT p.id, p.name, p.geom FROM projects_geo_project p
    WHERE ST_DWithin(p.geom, g.geom, 0.0005)
      AND p.organization_id + 0 = g.org_id AND p.kind = g.kind
      AND (g.fy IS NULL OR p.fiscal_year = g.fy)
      AND (g.exclude_id IS NULL OR p.id <> g.exclude_id)
      AND p.deleted_at IS NULL
      AND ST_Dimension(p.geom) = ST_Dimension(g.geom)
    OFFSET 0) p
WHERE CASE WHEN ST_Dimension(g.geom) = 0
           THEN ST_DWithin(p.geom::geography, g.geom::geography, {d})
           ELSE ST_HausdorffDistance(ST_Transform(p.geom, 32647), ST_Transform(g.geom, 32647)) <= {d} END
ORDER BY g.ord, d
"""


def _duplicates(batch: GeomBatch) -> dict[int, list]:
    """{index: [(project id, name, distance m)]} for projects this batch would duplicate."""
    rel, params = batch.relation()
    with lookup.lookup_cursor() as cur:
        cur.execute(_DUP_SQL.format(rel=rel, d=DUPLICATE_M), params)
        out = {}
        for ord_, pid, name, d in cur.fetchall():
            out.setdefault(ord_ - 1, []).append((pid, name, float(d) if d is not None and math.isfinite(d) else None))
    return out


__all__ = ["Finding", "ValidationResult", "validate", "validate_batch", "TambonShare"]
