"""Writing a selection to an OGR data source (shapefile, GeoPackage) in chunks, with pyogrio.

Rows come from ``query.iter_chunks`` (server-side cursor); each chunk is turned into column
arrays and appended to the layer of its geometry family, so memory is bounded by the chunk size,
not the selection. Geometry travels as WKB from PostGIS to GDAL without a Python geometry object.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .fields import FIELDS
from .query import attributes_sql, iter_chunks, summary

# Geometry families: each gets its own layer / shapefile.
FAMILIES = {
    "POINT": "points",
    "MULTIPOINT": "multipoints",
    "LINESTRING": "lines",
    "MULTILINESTRING": "lines",
}
FAMILY_TYPES = {"points": "Point", "multipoints": "MultiPoint", "lines": "LineString"}


def _columns(rows: list[tuple]) -> tuple[list[np.ndarray], list[np.ndarray | None], np.ndarray, np.ndarray]:
    """Column arrays (values, null masks), WKB array and geometry-type array of a chunk."""
    cols = list(zip(*rows))
    n = len(FIELDS)
    values, masks = [], []
    for i, fld in enumerate(FIELDS):
        col = cols[i]
        if fld.type == "integer":
            mask = np.fromiter((v is None for v in col), dtype=bool, count=len(col))
            arr = np.fromiter((0 if v is None else v for v in col), dtype=np.int64, count=len(col))
            values.append(arr)
            masks.append(mask if mask.any() else None)
        elif fld.type == "real":
            values.append(np.array(col, dtype=np.float64))  # None -> NaN -> null
            masks.append(None)
        elif fld.type == "date":
            values.append(np.array(col, dtype="datetime64[D]"))  # None -> NaT -> null
            masks.append(None)
        else:
            values.append(np.array(col, dtype=object))
            masks.append(None)
    wkb = np.array(cols[n], dtype=object)
    gtypes = np.array(cols[n + 1], dtype=object)
    return values, masks, wkb, gtypes


def write_layers(
    queryset,
    directory: Path,
    *,
    driver: str,
    names: Callable[[str], str],
    layer_names: Callable[[str], str] | None = None,
    encoding: str | None = None,
    shapefile_names: bool = False,
    progress: Callable[[int], None] | None = None,
    chunk: int = 5000,
) -> dict[str, int]:
    """Write the selection as one layer per geometry family; returns rows written per family.

    ``names(family)`` gives the file path (relative to ``directory``) of a family's layer,
    ``layer_names(family)`` its layer name (for multi-layer containers such as GeoPackage).
    """
    import pyogrio.raw

    types = summary(queryset)
    families_present = {FAMILIES[t] for t in types if t in FAMILIES}
    mixed_lines = "LINESTRING" in types and "MULTILINESTRING" in types
    field_names = [fld.shp if shapefile_names else fld.key for fld in FIELDS]
    written: dict[str, int] = {}
    sql, params = attributes_sql(queryset, geometry="wkb")
    for rows in iter_chunks(sql, params, using=queryset.db, chunk=chunk):
        values, masks, wkb, gtypes = _columns(rows)
        for family in sorted(families_present):
            wanted = [t for t, f in FAMILIES.items() if f == family]
            sel = np.isin(gtypes, wanted)
            if not sel.any():
                continue
            gtype = FAMILY_TYPES[family]
            if family == "lines" and driver != "ESRI Shapefile":
                gtype = "Unknown" if mixed_lines else ("MultiLineString" if "MULTILINESTRING" in types else "LineString")
            path = directory / names(family)
            options = {}
            if driver == "GPKG" and not path.exists():
                # GeoPackage 1.2: readable by the GDAL 3.x / QGIS 3 still common in LAO offices.
                options["dataset_options"] = {"VERSION": "1.2"}
            if layer_names is not None:
                options["layer"] = layer_names(family)
            with warnings.catch_warnings():
                # GDAL truncates dBASE strings at 254 bytes (on a character boundary) and says so.
                warnings.filterwarnings("ignore", message=".*has been truncated to 254.*")
                pyogrio.raw.write(
                    str(path), wkb[sel], [v[sel] for v in values], field_names,
                    field_mask=[None if m is None else m[sel] for m in masks] if any(m is not None for m in masks) else None,
                    driver=driver, geometry_type=gtype, crs="EPSG:4326", encoding=encoding,
                    append=family in written, **options,
                )
            written[family] = written.get(family, 0) + int(sel.sum())
        if progress:
            progress(len(rows))
    return written
