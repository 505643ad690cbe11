"""Reading engineers' files into one neutral table: column names, attribute records, geometries.

Formats: GPX (waypoints → points; routes and tracks → lines), KML, GeoJSON, zipped shapefile
(CRS from the ``.prj`` — asked for when missing — and text encoding from the ``.cpg``), CSV and
Excel ``.xlsx`` (geometry built later from mapped lat/lon, UTM or WKT columns). GIS formats are
read with pyogrio (GDAL) and reprojected to EPSG:4326 with pyproj. Everything that makes the
whole file unreadable raises ``ImportFileError`` with a Thai and English message.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.utils.translation import gettext_lazy as _

from . import limits, safezip
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
    records: list[dict]
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
    head = path.open("rb").read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK"):
        with zipfile.ZipFile(path) as zf:
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
        table = _read_shapefile(path, crs=crs, encoding=encoding)
    elif fmt == "csv":
        table = _read_csv(path, encoding=encoding)
    elif fmt == "xlsx":
        table = _read_xlsx(path)
    else:
        table = _read_ogr(path, fmt, crs=crs, encoding=encoding)
    if not table.records:
        raise ImportFileError("no_rows", _("The file holds no rows to import."))
    if len(table.records) > limits.max_features():
        raise ImportFileError(
            "too_many_rows",
            _("The file holds %(n)s rows; at most %(max)s can be imported at once."),
            n=len(table.records),
            max=limits.max_features(),
        )
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


def _read_layer(path: Path, layer, *, driver=None, encoding=None, crs=None, fallback_crs=None):
    import pyogrio.raw
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        meta, _fids, wkb, field_data = pyogrio.raw.read(str(path), layer=layer, encoding=encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            "undecodable",
            _(
                "The text in the file is not in the expected encoding (%(encoding)s); "
                "choose the file's encoding (e.g. cp874 for older Thai files)."
            ),
            encoding=encoding or "UTF-8",
        ) from None
    except (DataSourceError, DataLayerError, RuntimeError) as exc:
        raise ImportFileError(
            "unreadable",
            _("The file cannot be read as %(format)s: %(detail)s"),
            format=driver or path.suffix,
            detail=str(exc)[:200],
        ) from None
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


def _read_ogr(path: Path, fmt: str, *, crs=None, encoding=None) -> SourceTable:
    import pyogrio
    from pyogrio.errors import DataSourceError

    driver = {"gpx": "GPX", "kml": "LIBKML", "geojson": "GeoJSON"}[fmt]
    try:
        layers = [str(name) for name in pyogrio.list_layers(str(path))[:, 0]]
    except (DataSourceError, RuntimeError, ValueError):
        raise ImportFileError(
            "unreadable",
            _("The file cannot be read as %(format)s: %(detail)s"),
            format=fmt.upper(),
            detail=_("damaged or not this format"),
        ) from None
    if fmt == "gpx":
        layers = [name for name in ("waypoints", "routes", "tracks") if name in layers]
    table = SourceTable(format=fmt, columns=[], records=[], crs=crs)
    for layer in layers:
        fields, records, geoms, used_crs, enc = _read_layer(
            path,
            layer,
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


def _read_shapefile(path: Path, *, crs=None, encoding=None) -> SourceTable:
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
            fields, records, geoms, used_crs, used_enc = _read_layer(
                shp, None, driver="ESRI Shapefile", encoding=enc, crs=crs
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


# --- tabular formats -------------------------------------------------------------------------


def _decode(raw: bytes, encoding: str | None) -> str:
    enc = encoding or "utf-8-sig"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError:
        raise ImportFileError(
            "undecodable",
            _(
                "The text in the file is not in the expected encoding (%(encoding)s); "
                "choose the file's encoding (e.g. cp874 for older Thai files)."
            ),
            encoding=encoding or "UTF-8",
        ) from None
    except LookupError:
        raise ImportFileError(
            "unknown_encoding", _("Unknown text encoding “%(encoding)s”."), encoding=encoding
        ) from None
    return text.lstrip("\ufeff")


def _read_csv(path: Path, *, encoding=None) -> SourceTable:
    text = _decode(path.read_bytes(), encoding)
    if "\x00" in text:
        raise ImportFileError(
            "unreadable",
            _("The file cannot be read as %(format)s: %(detail)s"),
            format="CSV",
            detail=_("it contains binary data"),
        )
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise ImportFileError("no_rows", _("The file holds no rows to import."))
    header = _header(rows[0])
    records = [
        {h: (r[i].strip() if i < len(r) and r[i].strip() != "" else None) for i, h in enumerate(header)}
        for r in rows[1:]
    ]
    return SourceTable(
        format="csv",
        columns=header,
        records=records,
        geometries=[None] * len(records),
        has_geometry=False,
        encoding=encoding or "UTF-8",
    )


def _header(cells) -> list[str]:
    out = []
    for i, c in enumerate(cells):
        name = str(c).strip() if c is not None and str(c).strip() else f"column_{i + 1}"
        while name in out:
            name += "_"
        out.append(name)
    return out


def _read_xlsx(path: Path) -> SourceTable:
    safezip.check(path)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged workbook
        raise ImportFileError(
            "unreadable",
            _("The file cannot be read as %(format)s: %(detail)s"),
            format="Excel (.xlsx)",
            detail=_("damaged or not this format"),
        ) from None
    try:
        ws = wb.worksheets[0]
        rows = [r for r in ws.iter_rows(values_only=True) if any(c is not None and str(c).strip() for c in r)]
    finally:
        wb.close()
    if not rows:
        raise ImportFileError("no_rows", _("The file holds no rows to import."))
    header = _header(rows[0])
    records = []
    for r in rows[1:]:
        rec = {}
        for i, h in enumerate(header):
            v = r[i] if i < len(r) else None
            if hasattr(v, "isoformat"):
                v = v.isoformat()[:10]
            elif isinstance(v, str):
                v = v.strip() or None
            rec[h] = v
        records.append(rec)
    return SourceTable(
        format="xlsx", columns=header, records=records, geometries=[None] * len(records), has_geometry=False
    )
