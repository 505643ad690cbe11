"""Turning mapped source records into import rows: parsed attributes, a checked geometry, the
row's stable key (``source_ref``) and its own findings (parse errors, bad geometry).

Row key (how a re-import recognises a row, so it creates no duplicates): the value of the column
mapped to ``ref`` (the file's own id, e.g. gisplan's ``source_ref``/``src_ref`` export column or a
LAO's ``รหัสโครงการ``) when the row has one; otherwise ``sha1:`` + a hash of the row's normalised
attributes (name, kind, subtype, fiscal year, plan reference, budget) and geometry (WKT rounded
to 7 decimals, ~1 cm). Keys are unique per LAO (database constraint).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
import shapely
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common import thai_format
from common.bilingual import both
from projects_geo import coords, fiscal
from projects_geo.models import SUBTYPES_BY_KIND, FundingSource, Kind, Subtype

from . import limits

ALLOWED = {"Point", "LineString", "MultiPoint", "MultiLineString"}


@dataclass
class ImportRow:
    number: int  # 1-based data row of the file
    values: dict = field(default_factory=dict)
    geometry: object = None  # shapely, EPSG:4326
    source_ref: str = ""
    findings: list[dict] = field(default_factory=list)
    project_id: int | None = None
    project_version: int | None = None  # of the matched project, when the file was checked
    action: str = "create"  # create | update | unchanged
    units: object = None  # layers.lookup.Units from boundary validation
    hint: dict | None = None  # how the coordinates were given (validation's input mistakes): UTM / lat-lon columns

    def add(self, code, severity, message, /, **params):
        """A finding; its own arguments are positional-only, so a message may take any parameter
        name (``code=`` of the LAO in "another LAO (%(code)s)")."""
        self.findings.append({"code": code, "severity": severity, **both(message, **params)})

    @property
    def status(self) -> str:
        severities = {f["severity"] for f in self.findings}
        return "error" if "error" in severities else "warning" if "warning" in severities else "ok"


def _label_index(choices) -> dict[str, str]:
    out = {}
    for value, label in choices:
        out[value.lower()] = value
        for lang in ("th", "en"):
            with translation.override(lang):
                out[str(label).strip().lower()] = value
    return out


@functools.cache
def _kind_index():
    return _label_index(Kind.choices)


@functools.cache
def _subtype_index():
    return _label_index(Subtype.choices)


@functools.cache
def _funding_index():
    return _label_index(FundingSource.choices)


# Short forms of the funding sources as LAO spreadsheets write them.
FUNDING_WORDS = {
    "รายได้": "own_revenue",
    "เงินรายได้": "own_revenue",
    "รายได้ของอปท.": "own_revenue",
    "อุดหนุนทั่วไป": "general_subsidy",
    "อุดหนุนเฉพาะกิจ": "specific_subsidy",
    "สะสม": "reserves",
    "กู้": "loan",
    "อื่นๆ": "other",
}


def parse_funding_source(value):
    """A funding source code from its code or Thai / English label (None: not recognised)."""
    if value is None:
        return None
    key = str(value).strip().lower()
    return _funding_index().get(key) or FUNDING_WORDS.get(key.replace(" ", ""))


KIND_WORDS = {"น้ำ": "water", "แหล่งน้ำ": "water", "ถนน": "road", "ทาง": "road"}


def parse_kind(value):
    if value is None:
        return None
    key = str(value).strip().lower()
    return KIND_WORDS.get(key) or _kind_index().get(key)


def parse_subtype(value):
    if value is None:
        return None
    return _subtype_index().get(str(value).strip().lower())


def parse_decimal(value):
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidOperation
        return Decimal(str(value)).quantize(Decimal("0.01"))
    amount = thai_format.parse_amount(value)  # "1,250,000", "250000 บาท", "฿ 1 500"
    if amount is not None and not amount.is_finite():  # "NaN", "Infinity" are not amounts
        raise InvalidOperation
    return None if amount is None else amount.quantize(Decimal("0.01"))


def parse_float(value):
    if value is None or value == "":
        return None
    f = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    if not math.isfinite(f):
        raise ValueError(value)
    return f


def parse_zone(value):
    if value is None or value == "":
        return None
    m = re.match(r"^\s*(4[78])\s*[nNpPqQ]?\s*$", str(value).split(".")[0])
    return int(m.group(1)) if m else "bad"


def parse_datum(value):
    """The datum of a UTM column (the spellings ``coords`` accepts); "bad" when unknown."""
    try:
        return coords.normalise_datum(value)
    except coords.CoordinateParseError:
        return "bad"


def _table_geometry(row: ImportRow, rec: dict, mapping: dict, defaults: dict):
    """Geometry of a CSV/Excel row from its WKT, lat/lon or UTM columns."""
    get = lambda t: rec.get(mapping[t]) if t in mapping else None  # noqa: E731
    wkt = get("wkt")
    try:
        if wkt:
            return shapely.from_wkt(str(wkt))
        lat, lon = parse_float(get("lat")), parse_float(get("lon"))
        if lat is not None or lon is not None:
            if lat is None or lon is None:
                row.add("coordinates_incomplete", "error", _("Only one of latitude/longitude is filled in."))
                return None
            row.hint = {"form": "decimal"}
            return shapely.Point(lon, lat)
        e, n = parse_float(get("easting")), parse_float(get("northing"))
        if e is not None or n is not None:
            if e is None or n is None:
                row.add("coordinates_incomplete", "error", _("Only one of easting/northing is filled in."))
                return None
            zone = parse_zone(get("zone")) or defaults.get("zone")
            datum = parse_datum(get("datum")) or defaults.get("datum") or "wgs84"
            if zone in (None, "bad") or datum == "bad":
                row.add(
                    "utm_zone", "error", _("UTM coordinates need a zone (47 or 48) and a datum (WGS84 or Indian 1975).")
                )
                return None
            # the same explicit transformations as typed coordinates (Indian 1975: EPSG:1812)
            x, y = coords.utm_to_lonlat(e, n, int(zone), datum)
            row.hint = {"form": "utm", "zone": int(zone), "datum": datum}
            return shapely.Point(x, y)
    except (ValueError, shapely.errors.GEOSException):
        row.add("coordinates_unreadable", "error", _("The coordinates cannot be read."))
        return None
    return None


TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


def check_geometries(rows: list[ImportRow], geoms: list) -> None:
    """Refuse empty, NaN, out-of-range, wrong-type and oversized geometries (row errors), with
    the measures computed for all geometries at once (shapely's vectorised functions)."""
    arr = np.array([g for g in geoms] + [None], dtype=object)[:-1]
    # a one-part GeometryCollection is taken as its part
    gc = shapely.get_type_id(arr) == 7
    if gc.any():
        one = gc & (shapely.get_num_geometries(arr) == 1)
        arr[one] = shapely.get_geometry(arr[one], 0)
    missing = np.array([g is None for g in arr], dtype=bool)
    empty = missing | shapely.is_empty(arr)
    types = shapely.get_type_id(arr)
    ncoords = shapely.get_num_coordinates(arr)
    bounds = shapely.bounds(arr)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(bounds).all(axis=1)
        lonlat = (np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1) & (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1)
        latlon = (np.abs(bounds[:, [1, 3]]) <= 180).all(axis=1) & (np.abs(bounds[:, [0, 2]]) <= 90).all(axis=1)
    lengths = shapely.length(arr)
    max_vertices = limits.max_vertices()
    for i, row in enumerate(rows):
        if empty[i]:
            row.add("no_geometry", "error", _("The row has no location (empty geometry)."))
        elif TYPE_NAMES.get(int(types[i])) not in ALLOWED:
            row.add(
                "geometry_type",
                "error",
                _("A project is a point or a line; this row holds a %(type)s."),
                type=TYPE_NAMES.get(int(types[i]), "?"),
            )
        elif ncoords[i] > max_vertices:
            row.add(
                "too_many_vertices",
                "error",
                _("The line has %(n)s vertices; at most %(max)s are accepted (simplify it first)."),
                n=f"{int(ncoords[i]):,}",
                max=f"{max_vertices:,}",
            )
        elif not finite[i] or not np.isfinite(shapely.get_coordinates(arr[i])).all():
            row.add("nan_coordinates", "error", _("The geometry has missing (NaN) or infinite coordinates."))
        elif not lonlat[i] and latlon[i]:
            row.add(
                "swapped_lat_lon",
                "error",
                _(
                    "Latitude and longitude look swapped: a latitude is beyond ±90°. "
                    "Swap the two columns (or the x/y of the geometry) and import again."
                ),
            )
        elif not lonlat[i]:
            row.add(
                "not_lonlat",
                "error",
                _("The coordinates are not longitude/latitude; check the coordinate reference system of the file."),
            )
        elif types[i] in (1, 5) and lengths[i] == 0:
            row.add("zero_length", "error", _("The line has no length (all its points are the same)."))
        else:
            row.geometry = arr[i]


def row_key(values: dict, geom) -> str:
    payload = json.dumps(
        [
            values.get("name"),
            values.get("kind"),
            values.get("subtype"),
            values.get("fiscal_year"),
            values.get("plan_reference") or "",
            str(values.get("budget")),
            *([values["funding_source"]] if values.get("funding_source") else []),
            shapely.to_wkt(geom, rounding_precision=7, trim=True) if geom is not None else None,
        ],
        ensure_ascii=False,
    )
    return "sha1:" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:32]


def build_rows(table, mapping: dict, organization, defaults: dict | None = None) -> list[ImportRow]:
    """Parse every record of ``table`` with ``mapping`` (target → column) and ``defaults``
    (values for targets the file lacks: kind, subtype, fiscal_year, budget, zone, datum).

    Per row: read the attributes (each checked) → read the geometry → its key; then the
    geometries are checked all at once and duplicate keys refused."""
    defaults = defaults or {}
    rows: list[ImportRow] = []
    geoms: list = []
    checked: list[ImportRow] = []
    for i, rec in enumerate(table.records):
        row = ImportRow(number=i + 1)
        get = _getter(rec, mapping)
        _read_attributes(row, get, defaults, organization)
        to_check, geom = _read_geometry(row, table, i, rec, mapping, defaults)
        if to_check:
            geoms.append(geom)
            checked.append(row)
        ref = get("ref")
        row.source_ref = str(ref).strip()[:200] if ref not in (None, "") else ""
        rows.append(row)
    check_geometries(checked, geoms)
    _key_rows(rows)
    return rows


def _getter(rec: dict, mapping: dict):
    """``get(target)``: the record's value in the column mapped to ``target`` (None if unmapped)."""
    return lambda t: rec.get(mapping[t]) if t in mapping else None


def _read_attributes(row: ImportRow, get, defaults: dict, organization) -> None:
    """Name, kind, subtype, fiscal year, plan reference and budget into ``row.values``, each checked."""
    _read_name(row, get)
    _read_kind(row, get, defaults)
    _read_subtype(row, get, defaults)
    row.values["fiscal_year"] = _read_fiscal_year(row, get, defaults)
    plan = get("plan_reference")
    row.values["plan_reference"] = str(plan).strip()[:100] if plan not in (None, "") else ""
    row.values["budget"] = _read_budget(row, get, defaults)
    _read_funding_source(row, get, defaults)
    _check_lao(row, get, organization)


def _read_name(row: ImportRow, get) -> None:
    """The project name: present, at most 300 characters."""
    name = get("name")
    row.values["name"] = str(name).strip() if name not in (None, "") else None
    if not row.values["name"]:
        row.add("name_missing", "error", _("The project name is missing."))
    elif len(row.values["name"]) > 300:
        row.add("name_too_long", "error", _("The project name is longer than 300 characters."))


def _read_kind(row: ImportRow, get, defaults: dict) -> None:
    """The kind (water / road, Thai or English words), else the default."""
    raw_kind = get("kind")
    row.values["kind"] = parse_kind(raw_kind) if raw_kind not in (None, "") else defaults.get("kind")
    if not row.values["kind"]:
        row.add(
            "kind_missing" if raw_kind in (None, "") else "kind_unknown",
            "error",
            _("The kind is missing or unknown (water / แหล่งน้ำ or road / ถนน)."),
        )


def _read_subtype(row: ImportRow, get, defaults: dict) -> None:
    """The subtype, else the default; it must belong to the kind."""
    v = row.values
    raw_sub = get("subtype")
    v["subtype"] = parse_subtype(raw_sub) if raw_sub not in (None, "") else defaults.get("subtype")
    if not v["subtype"]:
        row.add("subtype_missing", "error", _("The subtype is missing or unknown (“%(value)s”)."), value=raw_sub or "")
    elif v["kind"] and v["subtype"] not in SUBTYPES_BY_KIND.get(v["kind"], []):
        row.add(
            "subtype_kind",
            "error",
            _("The subtype “%(subtype)s” is not a subtype of “%(kind)s”."),
            subtype=v["subtype"],
            kind=v["kind"],
        )


def _read_fiscal_year(row: ImportRow, get, defaults: dict) -> int | None:
    """The fiscal year in B.E. (a Christian-Era year is converted, with a warning), in range."""
    raw_fy = get("fiscal_year")
    try:
        fy = int(float(str(raw_fy).strip())) if raw_fy not in (None, "") else defaults.get("fiscal_year")
    except (ValueError, OverflowError):  # "2568x", "inf", "1e400"
        fy = None
        row.add("fiscal_year_unreadable", "error", _("The fiscal year “%(value)s” is not a year."), value=raw_fy)
    if fy is not None and 1900 <= fy <= 2100:
        row.add(
            "fiscal_year_ce",
            "warning",
            _("Fiscal year %(ce)s looks like a Christian-Era year; read as B.E. %(be)s."),
            ce=fy,
            be=fy + fiscal.BE_OFFSET,
        )
        fy += fiscal.BE_OFFSET
    if fy is None:
        if raw_fy in (None, ""):
            row.add("fiscal_year_missing", "error", _("The fiscal year is missing."))
    elif not fiscal.is_valid_fiscal_year(fy):
        row.add(
            "fiscal_year_range",
            "error",
            _("The fiscal year %(fy)s is outside %(min)s–%(max)s."),
            fy=fy,
            min=fiscal.MIN_FISCAL_YEAR,
            max=fiscal.MAX_FISCAL_YEAR,
        )
    return fy


def _read_funding_source(row: ImportRow, get, defaults: dict) -> None:
    """The funding source (code or Thai / English label), else the default, else not recorded."""
    raw = get("funding_source")
    if raw in (None, ""):
        row.values["funding_source"] = defaults.get("funding_source") or ""
        return
    row.values["funding_source"] = parse_funding_source(raw) or ""
    if not row.values["funding_source"]:
        row.add(
            "funding_source_unknown",
            "error",
            _("The funding source “%(value)s” is unknown (e.g. เงินอุดหนุนทั่วไป / general subsidy)."),
            value=str(raw)[:100],
        )


def _read_budget(row: ImportRow, get, defaults: dict) -> Decimal | None:
    """The budget in THB, else the default; present and within 0–999,999,999,999.99."""
    raw_budget = get("budget")
    try:
        budget = parse_decimal(raw_budget) if raw_budget not in (None, "") else defaults.get("budget")
        if budget is not None:
            budget = Decimal(budget)
    except (InvalidOperation, ValueError):
        row.add("budget_unreadable", "error", _("The budget “%(value)s” is not an amount."), value=raw_budget)
        return None
    if budget is None:
        row.add("budget_missing", "error", _("The budget is missing."))
    elif budget < 0 or budget >= Decimal("1e12"):
        row.add("budget_range", "error", _("The budget must be between 0 and 999,999,999,999.99 THB."))
        return None
    return budget


def _check_lao(row: ImportRow, get, organization) -> None:
    """Refuse a row whose LAO code column names another LAO."""
    lao_code = get("lao_code")
    if lao_code not in (None, "") and str(lao_code).strip() != organization.dla_code:
        row.add(
            "other_lao",
            "error",
            _("The row belongs to another LAO (%(code)s), not %(lao)s."),
            code=lao_code,
            lao=organization.dla_code,
        )


def _read_geometry(row: ImportRow, table, i: int, rec: dict, mapping: dict, defaults: dict) -> tuple[bool, object]:
    """``(to_check, geometry)``: the file's own geometry or one built from the mapped columns."""
    if table.has_geometry:
        return True, table.geometries[i]
    geom = _table_geometry(row, rec, mapping, defaults)
    if geom is not None:
        return True, geom
    if not any(f["code"].startswith(("coordinates", "utm")) for f in row.findings):
        row.add("no_geometry", "error", _("The row has no location (map latitude/longitude, UTM or WKT columns)."))
    return False, None


def _key_rows(rows: list[ImportRow]) -> None:
    """Give rows without their own reference a content key; refuse rows sharing a key."""
    seen: dict[str, int] = {}
    for row in rows:
        if not row.source_ref:
            row.source_ref = row_key(row.values, row.geometry)
        if row.source_ref in seen:
            row.add(
                "duplicate_row",
                "error",
                _("Same row key as row %(other)s of the file (a duplicate)."),
                other=seen[row.source_ref],
            )
        else:
            seen[row.source_ref] = row.number
