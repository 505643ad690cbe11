"""Loading reference geography into PostGIS: boundary layers and the DLA LAO registry.

Plain functions called by the management commands and the tests. Both loaders are safe to re-run:
rows are matched by official code and only rows whose attributes or geometry differ are written,
so a second run reports everything as unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import shapely
from django.db import connection, transaction

from .lookup import refresh_tambon_parts, sync_tambon_part_provinces
from .models import Amphoe, Organization, OrganizationType, Province, Tambon

LEVELS = ("province", "amphoe", "tambon")
LEVEL_MODELS = {"province": Province, "amphoe": Amphoe, "tambon": Tambon}
CODE_LENGTHS = {"province": 2, "amphoe": 4, "tambon": 6}
PARENT = {"amphoe": ("province", Province, "province_id"), "tambon": ("amphoe", Amphoe, "amphoe_id")}

# COD-AB (OCHA / RTSD) field names, the defaults for each level.
DEFAULT_FIELDS = {
    "province": {"code": "ADM1_PCODE", "name_th": "ADM1_TH", "name_en": "ADM1_EN", "parent": None},
    "amphoe": {"code": "ADM2_PCODE", "name_th": "ADM2_TH", "name_en": "ADM2_EN", "parent": "ADM1_PCODE"},
    "tambon": {"code": "ADM3_PCODE", "name_th": "ADM3_TH", "name_en": "ADM3_EN", "parent": "ADM2_PCODE"},
}


class LoadError(Exception):
    """A source that cannot be loaded; the message says what is wrong and how to fix it."""


@dataclass
class LoadReport:
    level: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_existing: int = 0
    repaired: int = 0
    dropped_empty: list[str] = field(default_factory=list)

    def __str__(self):
        parts = [
            f"{self.level}: {self.read} read",
            f"{self.created} created",
            f"{self.updated} updated",
            f"{self.unchanged} unchanged",
            f"{self.repaired} invalid geometries repaired",
        ]
        if self.skipped_existing:
            parts.append(f"{self.skipped_existing} already present (kept)")
        if self.dropped_empty:
            parts.append(f"{len(self.dropped_empty)} dropped with empty geometry: {', '.join(self.dropped_empty[:10])}")
        return ", ".join(parts)


def normalise_code(value, level: str, prefix: str = "TH") -> str:
    """``TH8301`` → ``8301``; checks the length for the level."""
    text = str(value).strip() if value is not None else ""
    if prefix and text.upper().startswith(prefix.upper()):
        text = text[len(prefix) :]
    if text.endswith(".0"):  # numeric codes read from a DBF as floats
        text = text[:-2]
    expected = CODE_LENGTHS[level]
    if not re.fullmatch(r"\d+", text) or len(text) != expected:
        raise LoadError(
            f"{level} code {value!r} is not {expected} digits (after removing the prefix {prefix!r}); "
            f"check --code-field / --code-prefix."
        )
    return text


def list_layers(path: Path) -> list[str]:
    import pyogrio

    try:
        return [name for name, _geom in pyogrio.list_layers(str(path))]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise LoadError(f"{path}: not a readable vector file ({exc})") from exc


def resolve_sources(source: Path, level: str | None, layer: str | None) -> list[tuple[str, Path, str | None]]:
    """Work out which (level, path, layer) triples a source stands for.

    - a directory: ``province.*``, ``amphoe.*``, ``tambon.*`` shapefiles/GeoJSON inside it;
    - a multi-layer file (GeoPackage): the layers named ``province``, ``amphoe``, ``tambon``;
    - any file with ``--level`` (and optionally ``--layer``): that one layer.
    """
    source = Path(source)
    if not source.exists():
        raise LoadError(f"{source}: no such file or directory.")
    if source.is_dir():
        found = []
        for lvl in LEVELS if level is None else (level,):
            candidates = [
                p
                for p in sorted(source.iterdir())
                if p.stem.lower() == lvl and p.suffix.lower() in (".shp", ".geojson", ".json", ".gpkg")
            ]
            if candidates:
                found.append((lvl, candidates[0], None))
        if not found:
            raise LoadError(f"{source}: no province/amphoe/tambon file in this directory.")
        return found
    layers = list_layers(source)
    if level:
        if layer is None and len(layers) > 1:
            layer = level if level in layers else None
            if layer is None:
                raise LoadError(f"{source} has several layers ({', '.join(layers)}); choose one with --layer.")
        if layer is not None and layer not in layers:
            raise LoadError(f"{source} has no layer {layer!r}; it has: {', '.join(layers)}.")
        return [(level, source, layer)]
    found = [(lvl, source, lvl) for lvl in LEVELS if lvl in layers]
    if not found:
        raise LoadError(f"{source}: cannot tell which level its layers ({', '.join(layers)}) are; pass --level.")
    return found


def read_boundary_frame(path: Path, layer: str | None, encoding: str | None, source_srs: str | None):
    """Read a layer into a GeoDataFrame in EPSG:4326."""
    import pyogrio

    try:
        gdf = pyogrio.read_dataframe(str(path), layer=layer, encoding=encoding)
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path}: text is not in the expected encoding ({exc}); pass --encoding (e.g. cp874).") from exc
    except Exception as exc:
        raise LoadError(f"{path}: cannot read ({exc}).") from exc
    if gdf.geometry is None or len(gdf) == 0:
        raise LoadError(f"{path}: the layer has no features.")
    if source_srs:
        gdf = gdf.set_crs(source_srs, allow_override=True)
    elif gdf.crs is None:
        raise LoadError(f"{path}: the layer has no coordinate reference system; pass --source-srs (e.g. EPSG:32647).")
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


def to_valid_multipolygons(geoms: np.ndarray) -> tuple[np.ndarray, int]:
    """Repair invalid geometries (shapely ``make_valid``), keep the polygonal part, force Multi.

    Returns the MultiPolygons (None where nothing polygonal is left) and how many were repaired.
    """
    geoms = shapely.force_2d(np.asarray(geoms, dtype=object))
    invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    repaired = int(invalid.sum())
    if repaired:
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    out = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            out[i] = None
            continue
        if geom.geom_type == "Polygon":
            out[i] = shapely.MultiPolygon([geom])
        elif geom.geom_type == "MultiPolygon":
            out[i] = geom
        else:  # GeometryCollection from make_valid: keep polygons only
            polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
            parts = [p for g in polys for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
            out[i] = shapely.MultiPolygon(parts) if parts else None
    return out, repaired


def load_level(
    level: str,
    path: Path,
    layer: str | None = None,
    *,
    fields: dict | None = None,
    code_prefix: str = "TH",
    encoding: str | None = None,
    source_srs: str | None = None,
    only_missing: bool = False,
    progress=None,
) -> LoadReport:
    """Upsert one boundary level from a vector source. Atomic: all rows or none.

    Steps: read the source (reprojected to EPSG:4326) → map its fields → repair the geometries →
    upsert through a staging table → report the counts."""
    mapping = {**DEFAULT_FIELDS[level], **{k: v for k, v in (fields or {}).items() if v}}
    gdf = read_boundary_frame(path, layer, encoding, source_srs)
    _check_fields(path, level, mapping, gdf)
    report = LoadReport(level=level, read=len(gdf))
    geoms, report.repaired = to_valid_multipolygons(gdf.geometry.values)
    rows = _boundary_rows(path, level, gdf, geoms, mapping, code_prefix, report)
    results = _upsert_boundaries(level, rows, only_missing=only_missing, progress=progress, report=report)
    report.created = sum(1 for r in results if r)
    report.updated = len(results) - report.created
    report.unchanged = len(rows) - report.skipped_existing - len(results)
    return report


def _check_fields(path: Path, level: str, mapping: dict, gdf) -> None:
    """Refuse a source without the mapped code and Thai name fields."""
    missing = [mapping[k] for k in ("code", "name_th") if mapping[k] not in gdf.columns]
    if missing:
        raise LoadError(
            f"{path}: field(s) {', '.join(missing)} not found for the {level} level; "
            f"available: {', '.join(c for c in gdf.columns if c != 'geometry')}. "
            "Map them with --code-field / --name-th-field / --name-en-field."
        )


def _boundary_rows(path: Path, level: str, gdf, geoms, mapping: dict, code_prefix: str, report: LoadReport) -> list:
    """Staging rows (code, name_th, name_en, parent_code, wkb); empty geometries dropped, repeated codes refused."""
    rows = []
    seen = set()
    for i, rec in enumerate(gdf.itertuples(index=False)):
        values = rec._asdict()
        code = normalise_code(values[mapping["code"]], level, code_prefix)
        if code in seen:
            raise LoadError(f"{path}: {level} code {code} appears more than once.")
        seen.add(code)
        if geoms[i] is None:
            report.dropped_empty.append(code)
            continue
        name_en = values.get(mapping["name_en"]) if mapping["name_en"] else ""
        parent_code = _parent_code(level, code, values, mapping, code_prefix)
        rows.append(
            (
                code,
                str(values[mapping["name_th"]] or "").strip(),
                str(name_en or "").strip(),
                parent_code,
                shapely.to_wkb(geoms[i], include_srid=False),
            )
        )
    return rows


def _parent_code(level: str, code: str, values: dict, mapping: dict, code_prefix: str) -> str | None:
    """The parent unit's code: the mapped parent field, else the leading digits of the code."""
    if level not in PARENT:
        return None
    parent_level = PARENT[level][0]
    raw_parent = values.get(mapping["parent"]) if mapping["parent"] and mapping["parent"] in values else None
    if raw_parent not in (None, ""):
        return normalise_code(raw_parent, parent_level, code_prefix)
    return code[: CODE_LENGTHS[parent_level]]


BOUNDARY_STAGE = (
    "CREATE TEMP TABLE _boundary_stage "
    "(code text, name_th text, name_en text, parent_code text, wkb bytea) ON COMMIT DROP"
)


def _upsert_boundaries(level: str, rows: list, *, only_missing: bool, progress, report: LoadReport) -> list[bool]:
    """Stage the rows, check their parents, write new and changed ones; an ``inserted`` flag per written row."""
    table = LEVEL_MODELS[level]._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        _stage_boundaries(cur, rows, progress)
        if level in PARENT:
            _check_parents(cur, level)
        if only_missing:
            cur.execute(f"DELETE FROM _boundary_stage s USING {table} t WHERE t.code = s.code")
            report.skipped_existing = cur.rowcount
        cur.execute(_boundary_upsert_sql(level, table))
        fetched = cur.fetchall()
        # Keep the subdivided copy used by boundary lookups in step (same transaction).
        if level == "tambon":
            refresh_tambon_parts([r[1] for r in fetched], cursor=cur)
        elif level == "amphoe":
            sync_tambon_part_provinces(cursor=cur)
    return [r[0] for r in fetched]


def _stage_boundaries(cur, rows: list, progress) -> None:
    """COPY the rows into a fresh temporary staging table."""
    if progress is not None:
        progress.reset(total=len(rows))
    # Dropped first: inside an outer transaction (several levels, tests) ON COMMIT has not run yet.
    cur.execute("DROP TABLE IF EXISTS pg_temp._boundary_stage")
    cur.execute(BOUNDARY_STAGE)
    with cur.copy("COPY _boundary_stage (code, name_th, name_en, parent_code, wkb) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            if progress is not None:
                progress.update(1)


def _check_parents(cur, level: str) -> None:
    """Refuse staged units whose parent unit is not loaded."""
    ptable = PARENT[level][1]._meta.db_table
    cur.execute(
        f"SELECT s.code, s.parent_code FROM _boundary_stage s LEFT JOIN {ptable} p ON p.code = s.parent_code "
        "WHERE p.id IS NULL ORDER BY s.code"
    )
    orphans = cur.fetchall()
    if orphans:
        sample = ", ".join(f"{c} (parent {p})" for c, p in orphans[:10])
        raise LoadError(
            f"{len(orphans)} {level} unit(s) whose parent is not loaded: {sample}. "
            f"Load the {PARENT[level][0]} level first."
        )


def _boundary_upsert_sql(level: str, table: str) -> str:
    """INSERT … ON CONFLICT from the staging table, writing only rows that differ."""
    cols = select_parent = update_parent = distinct_parent = ""
    if level in PARENT:
        _plevel, pmodel, parent_sql = PARENT[level]
        ptable = pmodel._meta.db_table
        cols = f", {parent_sql}"
        select_parent = f", (SELECT p.id FROM {ptable} p WHERE p.code = s.parent_code)"
        update_parent = f", {parent_sql} = EXCLUDED.{parent_sql}"
        distinct_parent = f" OR t.{parent_sql} IS DISTINCT FROM EXCLUDED.{parent_sql}"
    return f"""
            INSERT INTO {table} AS t (code, name_th, name_en, geom{cols})
            SELECT s.code, s.name_th, s.name_en, ST_SetSRID(ST_GeomFromWKB(s.wkb), 4326){select_parent}
            FROM _boundary_stage s
            ON CONFLICT (code) DO UPDATE SET
                name_th = EXCLUDED.name_th, name_en = EXCLUDED.name_en, geom = EXCLUDED.geom{update_parent}
            WHERE t.name_th IS DISTINCT FROM EXCLUDED.name_th
               OR t.name_en IS DISTINCT FROM EXCLUDED.name_en
               OR ST_AsBinary(t.geom) IS DISTINCT FROM ST_AsBinary(EXCLUDED.geom){distinct_parent}
            RETURNING (xmax = 0) AS inserted, t.id
            """


# --- LAO registry ------------------------------------------------------------------------------

AMPHOE_PREFIXES = ("กิ่งอำเภอ", "อำเภอ", "เขต", "อ.")


def normalise_district_name(name: str) -> str:
    text = re.sub(r"\s+", "", (name or "").strip())
    for prefix in AMPHOE_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text


@dataclass
class RegistryReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    amphoe_by_name: int = 0
    amphoe_by_code: int = 0
    amphoe_unresolved: list[str] = field(default_factory=list)
    province_unresolved: list[str] = field(default_factory=list)
    without_location: int = 0
    partial_location: list[str] = field(default_factory=list)

    @property
    def amphoe_resolved(self):
        return self.amphoe_by_name + self.amphoe_by_code

    def __str__(self):
        lines = [
            f"LAO registry: {self.read} rows read, {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged.",
            f"amphoe resolved for {self.amphoe_resolved} organisations ({self.amphoe_by_name} by district name, "
            f"{self.amphoe_by_code} by the amphoe digits of the DLA code); {len(self.amphoe_unresolved)} not resolved.",
            f"{self.without_location} organisations have no office location in the registry (left empty).",
        ]
        if self.partial_location:
            lines.append(
                f"{len(self.partial_location)} rows have only one of centerLat/centerLon (location left empty): "
                + ", ".join(self.partial_location[:20])
            )
        if self.amphoe_unresolved:
            lines.append(
                "amphoe not resolved: "
                + "; ".join(self.amphoe_unresolved[:20])
                + (" …" if len(self.amphoe_unresolved) > 20 else "")
            )
        if self.province_unresolved:
            lines.append(
                f"{len(self.province_unresolved)} rows skipped, province not loaded: "
                + "; ".join(self.province_unresolved[:20])
            )
        return "\n".join(lines)


REGISTRY_COLUMNS = ("dlaCode", "nameTh", "type", "provinceCode", "districtNameTh")


def _decimal_or_none(text):
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _area_or_none(text):
    value = _decimal_or_none(text)
    return value.quantize(Decimal("0.01")) if value is not None else None


REGISTRY_FIELDS = (
    "name_th",
    "name_en",
    "type",
    "province_id",
    "amphoe_id",
    "district_name_th",
    "office_location",
    "area_km2",
)


@dataclass
class _RegistryLookups:
    """What registry rows are matched against: loaded units, the valid types, the organisations."""

    provinces: dict
    amphoes_by_name: dict
    amphoe_codes: dict
    valid_types: set
    existing: dict


def load_lao_registry(path: Path, encoding: str = "utf-8-sig", progress=None) -> RegistryReport:
    """Upsert the DLA LAO registry (``dlads_05_01`` CSV). Atomic; matched by DLA code.

    Steps: read the CSV → per row: check the code and type, resolve province and amphoe, read the
    office location, compare with the stored organisation → write the new and changed → report."""
    path = Path(path)
    reader = _read_registry(path, encoding)
    lookups = _registry_lookups()
    report = RegistryReport()
    to_create, to_update = [], []
    seen = set()
    for lineno, row in enumerate(reader, start=2):
        report.read += 1
        if progress is not None:
            progress.update(1)
        parsed = _registry_values(path, lineno, row, lookups, seen, report)
        if parsed is None:
            continue
        code, values = parsed
        obj = lookups.existing.get(code)
        if obj is None:
            to_create.append(Organization(dla_code=code, **values))
        elif _apply_changes(obj, values):
            to_update.append(obj)
        else:
            report.unchanged += 1
    with transaction.atomic():
        Organization.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            Organization.objects.bulk_update(to_update, REGISTRY_FIELDS, batch_size=500)
    report.created, report.updated = len(to_create), len(to_update)
    return report


def _read_registry(path: Path, encoding: str) -> csv.DictReader:
    """The CSV's rows, after checking the file, its encoding and its columns."""
    if not path.is_file():
        raise LoadError(f"{path}: no such file.")
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path}: not {encoding} text ({exc}); pass --encoding.") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REGISTRY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise LoadError(f"{path}: missing column(s) {', '.join(missing)}; expected the DLA dlads_05_01 layout.")
    return reader


def _registry_lookups() -> _RegistryLookups:
    """Provinces by code, amphoes by (province, district name) and by code, organisations by DLA code."""
    provinces = {p.code: p.id for p in Province.objects.only("id", "code")}
    amphoes_by_name = {}
    amphoe_codes = {}
    for a in Amphoe.objects.only("id", "code", "name_th", "province_id").select_related(None):
        amphoes_by_name[(a.code[:2], normalise_district_name(a.name_th))] = a.id
        amphoe_codes[a.code] = a.id
    valid_types = set(OrganizationType.values)
    existing = {o.dla_code: o for o in Organization.objects.all()}
    return _RegistryLookups(provinces, amphoes_by_name, amphoe_codes, valid_types, existing)


def _registry_values(path: Path, lineno: int, row: dict, lookups: _RegistryLookups, seen: set, report: RegistryReport):
    """``(code, field values)`` of one registry row; None when its province is not loaded (reported)."""
    code = _registry_code(path, lineno, row, seen)
    org_type = (row.get("type") or "").strip()
    if org_type not in lookups.valid_types:
        raise LoadError(
            f"{path} line {lineno}: unknown type {org_type!r}; "
            f"expected one of {', '.join(sorted(lookups.valid_types))}."
        )
    pcode = (row.get("provinceCode") or "").strip().zfill(2)
    province_id = lookups.provinces.get(pcode)
    if province_id is None:
        report.province_unresolved.append(f"{code} (province {pcode})")
        return None
    district = (row.get("districtNameTh") or "").strip()
    return code, {
        "name_th": (row.get("nameTh") or "").strip(),
        "name_en": (row.get("nameEn") or "").strip(),
        "type": org_type,
        "province_id": province_id,
        "amphoe_id": _resolve_amphoe(code, pcode, district, row, lookups, report),
        "district_name_th": district,
        "office_location": _office_location(code, row, report),
        "area_km2": _area_or_none(row.get("areaKm2")),
    }


def _registry_code(path: Path, lineno: int, row: dict, seen: set) -> str:
    """The row's DLA code: 7 digits, not seen before in the file."""
    code = (row.get("dlaCode") or "").strip()
    if not re.fullmatch(r"\d{7}", code):
        raise LoadError(f"{path} line {lineno}: dlaCode {code!r} is not 7 digits.")
    if code in seen:
        raise LoadError(f"{path} line {lineno}: dlaCode {code} appears twice.")
    seen.add(code)
    return code


def _resolve_amphoe(code: str, pcode: str, district: str, row: dict, lookups: _RegistryLookups, report: RegistryReport):
    """The amphoe by district name within the province, else by the amphoe digits of the DLA code."""
    amphoe_id = lookups.amphoes_by_name.get((pcode, normalise_district_name(district)))
    if amphoe_id is not None:
        report.amphoe_by_name += 1
        return amphoe_id
    amphoe_id = lookups.amphoe_codes.get(code[1:5]) if code[1:3] == pcode else None
    if amphoe_id is not None:
        report.amphoe_by_code += 1
    else:
        report.amphoe_unresolved.append(
            f"{code} {row.get('nameTh', '').strip()} (district {district!r}, province {pcode})"
        )
    return amphoe_id


def _office_location(code: str, row: dict, report: RegistryReport):
    """The office point from centerLat/centerLon; None (counted) when either is missing."""
    from django.contrib.gis.geos import Point

    lat, lon = _decimal_or_none(row.get("centerLat")), _decimal_or_none(row.get("centerLon"))
    location = Point(float(lon), float(lat), srid=4326) if lat is not None and lon is not None else None
    if location is None:
        report.without_location += 1
        if (lat is None) != (lon is None):
            report.partial_location.append(code)
    return location


def _same_value(name: str, current, value) -> bool:
    """Whether a stored field already holds the registry value (points and decimals compared by value)."""
    if name == "office_location":
        return (current is None and value is None) or (
            current is not None and value is not None and current.equals_exact(value, 1e-9)
        )
    if name == "area_km2":
        return (current is None and value is None) or (
            current is not None and value is not None and Decimal(current) == value
        )
    return current == value


def _apply_changes(obj: Organization, values: dict) -> bool:
    """Set the fields that differ on ``obj``; whether any did."""
    changed = False
    for name, value in values.items():
        if not _same_value(name, getattr(obj, name), value):
            setattr(obj, name, value)
            changed = True
    return changed
