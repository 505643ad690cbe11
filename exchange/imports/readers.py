"""Reading engineers' files into one neutral table: column names, attribute records, geometries.

Formats: GPX (waypoints → points; routes and tracks → lines), KML, GeoJSON, zipped shapefile
(CRS from the ``.prj`` — asked for when missing — and text encoding from the ``.cpg``), CSV and
Excel ``.xlsx`` (geometry built later from mapped lat/lon, UTM or WKT columns; read row by row,
limits enforced while reading, in ``tables``). GIS formats are read with pyogrio (GDAL), at most one
feature more than may be imported, and reprojected to EPSG:4326 with pyproj. Everything that makes
the whole file unreadable raises ``ImportFileError`` with a Thai and English message, naming only
the uploaded file's own name or its ZIP members' (never a path on the server, nor GDAL's words).
"""

from __future__ import annotations

import math
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.utils.translation import gettext_lazy as _

from . import limits, safezip, tables
from .errors import ImportFileError

GIS_EXTENSIONS = {
    ".gpx": "gpx",
    ".kml": "kml",
    ".geojson": "geojson",
    ".json": "geojson",
    ".zip": "shapefile",
    ".shp": "shapefile",
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass
class SourceTable:
    """What a file holds, before mapping. ``geometries`` are shapely (EPSG:4326) or None; for
    CSV/Excel they are all None (built from mapped columns)."""

    format: str
    columns: list[str]
    records: list[dict]  # or tables.TableRecords (CSV, Excel): the same read-only sequence of dicts
    geometries: list = field(default_factory=list)
    has_geometry: bool = True
    crs: str | None = None
    encoding: str | None = None
    layers: list[str] = field(default_factory=list)

    def __len__(self):
        return len(self.records)


def detect_format(path: Path, filename: str | None = None) -> str:
    ext = Path(filename or path.name).suffix.lower()
    if ext in GIS_EXTENSIONS:
        return GIS_EXTENSIONS[ext]
    with path.open("rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK"):
        with safezip.open_zip(path) as zf:
            return "xlsx" if "[Content_Types].xml" in zf.namelist() else "shapefile"
    if head.startswith(b"{"):
        return "geojson"
    if head.startswith(b"<"):
        return "gpx" if b"<gpx" in head else "kml"
    return "csv"


def read_source(
    path, *, filename: str | None = None, crs: str | None = None, encoding: str | None = None
) -> SourceTable:
    """Read ``path`` (its format from ``filename``'s extension or its first bytes)."""
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_upload_bytes():
        raise ImportFileError(
            "too_large",
            _("The file is %(size)s MB; at most %(max)s MB can be imported at once."),
            size=round(size / 1048576, 1),
            max=limits.max_upload_bytes() // 1048576,
        )
    if size == 0:
        raise ImportFileError("empty_file", _("The file is empty."))
    fmt = detect_format(path, filename)
    if fmt == "shapefile":
        table = _read_shapefile(path, tables.ReadBudget(), crs=crs, encoding=encoding)
    elif fmt == "csv":
        table = _table("csv", tables.read_csv(path, encoding=encoding), encoding=encoding or "UTF-8")
    elif fmt == "xlsx":
        table = _table("xlsx", tables.read_xlsx(path))
    else:
        name = Path(filename or path.name).name
        table = _read_ogr(path, fmt, tables.ReadBudget(), name=name, crs=crs, encoding=encoding)
    if not table.records:
        raise ImportFileError("no_rows", _("The file holds no rows to import."))
    if len(table.records) > limits.max_features():  # GIS layers are read up to one feature more
        raise tables.too_many_rows()
    return table


# --- GIS formats -----------------------------------------------------------------------------


def _to_wgs84(geoms: np.ndarray, crs: str | None) -> np.ndarray:
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        src = CRS.from_user_input(crs)
    except CRSError:
        raise ImportFileError(
            "unknown_crs",
            _(
                "The coordinate reference system “%(crs)s” is not known; "
                "choose one (e.g. EPSG:4326, EPSG:32647, EPSG:24047)."
            ),
            crs=str(crs)[:80],
        ) from None
    if src.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return geoms
    transformer = Transformer.from_crs(src, 4326, always_xy=True)
    return shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _plain(value):
    """numpy scalars, NaN and NaT as plain Python values / None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value)[:10]
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value


def _column(col: np.ndarray) -> list:
    """A column read by GDAL as plain Python values, NaN/NaT as None (whole column at once)."""
    if col.dtype.kind == "f":
        return [None if v != v else v for v in col.tolist()]
    if col.dtype.kind == "M":
        return [None if np.isnat(v) else str(v)[:10] for v in col]
    if col.dtype.kind in "iub":
        return col.tolist()
    return [_plain(v) for v in col.tolist()]


def _unreadable(name: str, fmt: str) -> ImportFileError:
    """The file (or the ZIP's member) ``name`` is not readable as ``fmt``; GDAL's own words, which
    name our temporary paths, are not shown."""
    return ImportFileError(
        "unreadable",
        _("%(name)s cannot be read as %(format)s: it is damaged or not in this format."),
        name=name,
        format=fmt,
    )


def _read_layer(path: Path, layer, budget, *, name, driver, encoding=None, crs=None, fallback_crs=None):
    """One layer of ``path`` (``name``: the file's or ZIP member's own name, for messages), at most
    one feature more than may be imported altogether."""
    import pyogrio.raw

    budget.check_time()
    try:
        meta, _fids, wkb, field_data = pyogrio.raw.read(
            str(path), layer=layer, encoding=encoding, max_features=budget.max_rows - budget.data + 1
        )
    except UnicodeDecodeError:
        raise tables.undecodable(encoding) from None
    except RuntimeError:  # pyogrio's DataSourceError, DataLayerError, FieldError, GeometryError, …
        raise _unreadable(name, driver) from None
    budget.data += len(wkb)
    budget.check_time()
    if len(meta["fields"]) > budget.max_columns:
        raise tables.too_many_columns(len(meta["fields"]))
    fields = [str(f) for f in meta["fields"]]
    columns = [_column(np.asarray(col)) for col in field_data]
    records = [dict(zip(fields, values)) for values in zip(*columns)] if columns else [{} for _ in range(len(wkb))]
    geoms = shapely.force_2d(shapely.from_wkb(np.asarray(wkb, dtype=object)))
    layer_crs = crs or meta.get("crs") or fallback_crs
    if layer_crs is None and len(geoms):
        raise ImportFileError(
            "no_crs",
            _(
                "The file does not say which coordinate reference system it uses (no .prj); "
                "choose it (e.g. EPSG:4326, EPSG:32647 or EPSG:24047) and upload again."
            ),
        )
    if len(geoms):
        geoms = _to_wgs84(geoms, layer_crs)
    return fields, records, list(geoms), layer_crs, meta.get("encoding")


def _read_ogr(path: Path, fmt: str, budget, *, name: str, crs=None, encoding=None) -> SourceTable:
    import pyogrio

    driver = {"gpx": "GPX", "kml": "KML", "geojson": "GeoJSON"}[fmt]
    try:
        layers = [str(layer) for layer in pyogrio.list_layers(str(path))[:, 0]]
    except (RuntimeError, ValueError):
        raise _unreadable(name, driver) from None
    if fmt == "gpx":
        layers = [name for name in ("waypoints", "routes", "tracks") if name in layers]
    table = SourceTable(format=fmt, columns=[], records=[], crs=crs)
    for layer in layers:
        if budget.data > budget.max_rows:
            break
        fields, records, geoms, used_crs, enc = _read_layer(
            path,
            layer,
            budget,
            name=name,
            driver=driver,
            encoding=encoding,
            crs=crs,
            fallback_crs="EPSG:4326" if fmt != "geojson" else None,
        )
        if fmt == "gpx":
            # a one-segment track is a line, not a multi-line
            geoms = [
                g.geoms[0] if g is not None and g.geom_type == "MultiLineString" and len(g.geoms) == 1 else g
                for g in geoms
            ]
        for f in fields:
            if f not in table.columns:
                table.columns.append(f)
        for r in records:
            r["_layer"] = layer
        table.records += records
        table.geometries += geoms
        table.layers.append(layer)
        table.crs, table.encoding = used_crs, enc
    return table


def _read_shapefile(path: Path, budget, *, crs=None, encoding=None) -> SourceTable:
    with tempfile.TemporaryDirectory(prefix="gisplan-import-") as tmp:
        tmpdir = Path(tmp)
        if not zipfile.is_zipfile(path) and path.suffix.lower() == ".shp":
            shps = [path]  # a shapefile on disk (command line): read beside its sibling parts
        else:
            files = safezip.extract(path, tmpdir, suffixes=SHAPEFILE_PARTS)
            shps = sorted(p for p in files if p.suffix.lower() == ".shp")
            if not shps:
                raise ImportFileError("no_shapefile", _("The ZIP holds no shapefile (.shp)."))
        table = SourceTable(format="shapefile", columns=[], records=[], crs=crs)
        for shp in shps:
            siblings = {p.suffix.lower() for p in shp.parent.glob(shp.stem + ".*")}
            missing = [ext for ext in (".shx", ".dbf") if ext not in siblings]
            if missing:
                raise ImportFileError(
                    "shapefile_incomplete",
                    _(
                        "The shapefile %(name)s is incomplete: %(missing)s missing. "
                        "A shapefile needs its .shp, .shx and .dbf (and a .prj)."
                    ),
                    name=shp.name,
                    missing=", ".join(missing),
                )
            has_cpg = ".cpg" in siblings
            enc = encoding or (None if has_cpg else "UTF-8")
            if budget.data > budget.max_rows:
                break
            fields, records, geoms, used_crs, used_enc = _read_layer(
                shp, None, budget, name=shp.name, driver="Shapefile", encoding=enc, crs=crs
            )
            for f in fields:
                if f not in table.columns:
                    table.columns.append(f)
            for r in records:
                r["_layer"] = shp.stem
            table.records += records
            table.geometries += geoms
            table.layers.append(shp.stem)
            table.crs, table.encoding = str(used_crs), used_enc or enc
        return table


# --- tabular formats (read row by row in ``tables``) ------------------------------------------


def _table(fmt: str, records, *, encoding=None) -> SourceTable:
    if records is None:
        raise ImportFileError("no_rows", _("The file holds no rows to import."))
    return SourceTable(
        format=fmt,
        columns=records.columns,
        records=records,
        geometries=[None] * len(records),
        has_geometry=False,
        encoding=encoding,
    )
