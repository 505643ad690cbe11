"""Writing a selection to an OGR data source (shapefile, GeoPackage) in chunks, with pyogrio.

Rows come from ``query.iter_chunks`` (server-side cursor); each chunk becomes an Arrow table
(pyarrow, one typed column per export field, nulls as nulls) and is appended to the layer of its
geometry family through GDAL's Arrow interface (``pyogrio.raw.write_arrow``), so memory is bounded
by the chunk size, not the selection. Geometry travels as WKB from PostGIS to GDAL without a
Python geometry object. The Arrow path wrote the same files (schema and every value, UTF-8 and
CP874) as the per-feature ``pyogrio.raw.write`` it replaced, in about two thirds of the time.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
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


_WKB = "__wkb__"  # the geometry column of a chunk's table (GDAL writes it as the geometry)


def _schema(field_names: list[str], widths: bool):
    """The Arrow schema of a chunk: export fields + WKB. With ``widths``, string fields carry their
    dBASE width (``ExportField.width``) as GDAL field metadata, so a shapefile's code columns are as
    wide as a code and not GDAL's default 80 bytes. pyarrow is imported here, not with the module:
    it adds ~40 MB to a process, and only these exports use it."""
    import pyarrow as pa

    types = {"integer": pa.int64(), "real": pa.float64(), "date": pa.date32(), "string": pa.string()}
    fields = [
        pa.field(
            name,
            types[fld.type],
            metadata={"GDAL:OGR:width": str(fld.width)} if widths and fld.type == "string" and fld.width else None,
        )
        for name, fld in zip(field_names, FIELDS)
    ]
    return pa.schema([*fields, pa.field(_WKB, pa.binary())])


def _table(rows: list[tuple], schema):
    """A chunk as an Arrow table of ``schema`` and its geometry-type array."""
    import pyarrow as pa

    cols = list(zip(*rows))
    n = len(FIELDS)
    arrays = [pa.array(cols[i], type=schema.field(i).type) for i in range(n + 1)]
    return pa.Table.from_arrays(arrays, schema=schema), np.array(cols[n + 1], dtype=object)


# The layers every file has, even when the selection has none of their geometries (an empty
# selection gives these layers with their schema and no feature); "multipoints" only when present.
ALWAYS = ("points", "lines")


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
    ``layer_names(family)`` its layer name (for multi-layer containers such as GeoPackage). The
    ``ALWAYS`` families get their layer even with no rows (so an empty selection is a valid file).
    """
    import pyarrow as pa

    # A shapefile's lines are LineString whatever they hold; a GeoPackage layer declares its type,
    # so only there the selection's geometry types are read first (one more query).
    types = summary(queryset) if driver != "ESRI Shapefile" else None
    schema = _schema([fld.shp if shapefile_names else fld.key for fld in FIELDS], widths=driver == "ESRI Shapefile")
    target = _Target(directory, driver, names, layer_names, encoding, _line_type(driver, types))
    written: dict[str, int] = {}
    sql, params = attributes_sql(queryset, geometry="wkb")
    # The next chunk is fetched while GDAL writes this one.
    for rows in iter_chunks(sql, params, using=queryset.db, chunk=chunk, prefetch=True):
        table, gtypes = _table(rows, schema)
        for family in sorted({FAMILIES[t] for t in set(gtypes) if t in FAMILIES}):
            sel = np.isin(gtypes, [t for t, f in FAMILIES.items() if f == family])
            target.write(table.filter(pa.array(sel)), family, append=family in written)
            written[family] = written.get(family, 0) + int(sel.sum())
        if progress:
            progress(len(rows))
    for family in ALWAYS:
        if family not in written:
            target.write(schema.empty_table(), family, append=False)
            written[family] = 0
    return written


def _line_type(driver: str, types) -> str:
    """The geometry type of the lines' layer: a shapefile's is LineString whatever it holds; a
    GeoPackage's is what the selection holds (Unknown when it mixes single and multi lines)."""
    if driver == "ESRI Shapefile" or not types:
        return "LineString"
    if "LINESTRING" in types and "MULTILINESTRING" in types:
        return "Unknown"
    return "MultiLineString" if "MULTILINESTRING" in types else "LineString"


@dataclass(frozen=True)
class _Target:
    """Where and how ``write_layers`` writes each family's layer."""

    directory: Path
    driver: str
    names: Callable[[str], str]
    layer_names: Callable[[str], str] | None
    encoding: str | None
    line_type: str

    def write(self, table, family: str, *, append: bool) -> None:
        import pyogrio.raw

        path = self.directory / self.names(family)
        options = {}
        if self.driver == "GPKG" and not path.exists():
            # GeoPackage 1.2: readable by the GDAL 3.x / QGIS 3 still common in LAO offices.
            options["dataset_options"] = {"VERSION": "1.2"}
        if self.layer_names is not None:
            options["layer"] = self.layer_names(family)
        with warnings.catch_warnings():
            # GDAL truncates dBASE strings at 254 bytes (on a character boundary) and says so.
            warnings.filterwarnings("ignore", message=".*has been truncated to 254.*")
            pyogrio.raw.write_arrow(
                table,
                str(path),
                driver=self.driver,
                geometry_name=_WKB,
                geometry_type=self.line_type if family == "lines" else FAMILY_TYPES[family],
                crs="EPSG:4326",
                encoding=self.encoding,
                append=append,
                **options,
            )
