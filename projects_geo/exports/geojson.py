"""GeoJSON (RFC 7946) streamed row by row from PostGIS.

PostGIS builds each Feature (``ST_AsGeoJSON(t.*)``: geometry in WGS84 lon/lat, every export field
as a property); Python only joins the text, chunk by chunk, from a server-side cursor. Memory stays
flat whatever the size of the selection, and the first bytes leave as soon as the first chunk is
read, so a web download never waits for the whole export.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from . import query
from .query import attributes_sql, iter_export_chunks

HEAD = b'{"type":"FeatureCollection","features":[\n'
TAIL = b"\n]}\n"


def geojson_sql(queryset, ranged: bool = False) -> tuple[str, tuple]:
    sql, params = attributes_sql(queryset, geometry="geom", ranged=ranged)
    return f"SELECT ST_AsGeoJSON(t.*, 'geom', 9) FROM ({sql}) t", params


def stream_geojson(queryset, *, progress: Callable[[int], None] | None = None, chunk: int | None = None) -> Iterator[bytes]:
    yield HEAD
    first = True
    for rows in iter_export_chunks(geojson_sql, queryset, chunk=chunk or query.CHUNK):
        text = ",\n".join(r[0] for r in rows)
        yield (text if first else ",\n" + text).encode("utf-8")
        first = False
        if progress:
            progress(len(rows))
    yield TAIL
