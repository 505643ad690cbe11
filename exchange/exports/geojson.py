"""GeoJSON (RFC 7946) streamed row by row from PostGIS.

PostgreSQL builds each Feature as text (geometry in WGS84 lon/lat by ``ST_AsGeoJSON``, every export
field as a property); Python only joins the text, chunk by chunk, from a server-side cursor. Memory
stays flat whatever the size of the selection, and the first bytes leave as soon as the first chunk
is read, so a web download never waits for the whole export.

The Feature is concatenated from each value's cheapest exact JSON form (``ExportField.json_sql``)
rather than by ``ST_AsGeoJSON(t.*)``, which converts every attribute through the generic JSON path:
the same JSON without its spaces, and 100,000 projects exported in-process in 1.70 s instead of
1.87 s (medians of five interleaved runs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from common.features import feature_text_sql

from . import query
from .fields import FIELDS
from .query import attributes_sql, iter_export_chunks

HEAD = b'{"type":"FeatureCollection","features":[\n'
TAIL = b"\n]}\n"


FEATURE_SQL = feature_text_sql("t.geom", [(fld.key, fld.json_sql(f't."{fld.key}"')) for fld in FIELDS], precision=9)


def geojson_sql(queryset, ranged: bool = False) -> tuple[str, tuple]:
    """One GeoJSON Feature text per project, in id order. (Keeping the export query a sub-select
    of its own with ``OFFSET 0``, so that a number's expression is not computed again for its
    finiteness test, measured slower than letting PostgreSQL flatten it.)"""
    sql, params = attributes_sql(queryset, geometry="geom", ranged=ranged)
    return f"SELECT {FEATURE_SQL} FROM ({sql}) t", params


def stream_geojson(
    queryset, *, progress: Callable[[int], None] | None = None, chunk: int | None = None
) -> Iterator[bytes]:
    yield HEAD
    first = True
    # The Features come as the UTF-8 bytes PostgreSQL sent: no decoding and encoding back.
    for rows in iter_export_chunks(geojson_sql, queryset, chunk=chunk or query.CHUNK, text_as_bytes=True):
        text = b",\n".join(r[0] for r in rows)
        yield text if first else b",\n" + text
        first = False
        if progress:
            progress(len(rows))
    yield TAIL
