"""CSV export: every field, the geometry as WKT, and lat/lon for points; UTF-8 with a BOM.

The BOM makes Excel open the file as UTF-8 so the Thai shows; text that a spreadsheet would read as
a formula is quoted (``common.csvsafe``). Streamed chunk by chunk from a
server-side cursor like GeoJSON.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from common import csvsafe

from .fields import FIELDS
from .query import attributes_sql, iter_chunks

HEADER = [fld.key for fld in FIELDS] + ["wkt", "lat", "lon", "geometry_type"]


def stream_csv(queryset, *, progress: Callable[[int], None] | None = None, chunk: int = 5000) -> Iterator[bytes]:
    sql, params = attributes_sql(queryset, geometry="wkt")
    buf = io.StringIO()
    writer = csvsafe.writer(buf)  # no formula cells (common/csvsafe.py)
    writer.writerow(HEADER)
    yield ("\ufeff" + buf.getvalue()).encode("utf-8")
    for rows in iter_chunks(sql, params, using=queryset.db, chunk=chunk, prefetch=True):
        buf.seek(0)
        buf.truncate()
        writer.writerows(rows)
        yield buf.getvalue().encode("utf-8")
        if progress:
            progress(len(rows))
