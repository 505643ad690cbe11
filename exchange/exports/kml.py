"""KML 2.2 streamed from PostGIS: one Placemark per project, attributes as ExtendedData.

PostGIS writes the geometry (``ST_AsKML``); Python escapes the attributes. Streamed chunk by chunk
like GeoJSON (GDAL's KML driver cannot append, so it would need the whole selection at once).
Folders are not used; every placemark carries its kind, so Google Earth / QGIS can style by it.
The project name is the placemark's ``<name>`` (read back as ``Name``); it is not repeated in
ExtendedData, where GDAL would see two fields called "name".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from xml.sax.saxutils import escape

from .fields import FIELDS
from .query import attributes_sql, iter_chunks

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>gisplan projects</name>\n'
    '<Schema name="project" id="project">'
    + "".join(
        f'<SimpleField name="{fld.key}" type="{ {"integer": "int", "real": "double"}.get(fld.type, "string") }"/>'
        for fld in FIELDS
        if fld.key != "name"
    )
    + "</Schema>\n"
)
TAIL = "</Document></kml>\n"
NAME_INDEX = [fld.key for fld in FIELDS].index("name")


def kml_sql(queryset) -> tuple[str, tuple]:
    sql, params = attributes_sql(queryset, geometry="geom")
    cols = ", ".join(f't."{fld.key}"' for fld in FIELDS)
    return f"SELECT {cols}, ST_AsKML(t.geom, 9) FROM ({sql}) t", params


def _placemark(row) -> str:
    data = "".join(
        f'<SimpleData name="{fld.key}">{escape(str(v))}</SimpleData>'
        for fld, v in zip(FIELDS, row)
        if v is not None and v != "" and fld.key != "name"
    )
    return (
        f"<Placemark><name>{escape(row[NAME_INDEX] or '')}</name>"
        f'<ExtendedData><SchemaData schemaUrl="#project">{data}</SchemaData></ExtendedData>'
        f"{row[-1]}</Placemark>\n"
    )


def stream_kml(queryset, *, progress: Callable[[int], None] | None = None, chunk: int = 5000) -> Iterator[bytes]:
    sql, params = kml_sql(queryset)
    yield HEAD.encode("utf-8")
    for rows in iter_chunks(sql, params, using=queryset.db, chunk=chunk, prefetch=True):
        yield "".join(_placemark(r) for r in rows).encode("utf-8")
        if progress:
            progress(len(rows))
    yield TAIL.encode("utf-8")
