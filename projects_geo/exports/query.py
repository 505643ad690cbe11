"""The export query: every attribute of a selection of projects in ONE set-based SQL statement.

The caller's queryset (already limited by ``accounts.access.visible_projects`` and the filters)
becomes a sub-select of project ids; the LAO, province/amphoe/tambon and a pivot of the budget
stages (date and amount of each of the six stages) are joined to it, so the number of queries does
not depend on the number of projects. Rows are read through a server-side cursor in chunks, so
memory stays flat whatever the size of the selection.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from django.db import connections, transaction

from .fields import FIELDS

CHUNK = 5000


def selection_sql(queryset) -> tuple[str, tuple]:
    """SQL (and params) selecting the ids of the queryset's projects."""
    qs = queryset.order_by().values("pk")
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, tuple(params)


def _stage_pivot() -> str:
    cols = []
    for n in range(1, 7):
        cols.append(f"max(s.date) FILTER (WHERE s.stage = {n}) AS s{n}_date")
        cols.append(f"max(s.amount) FILTER (WHERE s.stage = {n}) AS s{n}_amt")
    return ", ".join(cols)


def attributes_sql(queryset, geometry: str = "geom") -> tuple[str, tuple]:
    """SELECT of every export field plus geometry columns, one row per project, ordered by id.

    ``geometry``: "geom" (the geometry itself, for ST_AsGeoJSON(t.*)), "wkb" (``wkb`` bytes and
    ``gtype``), or "wkt" (``wkt``, ``lat``/``lon`` for points, ``gtype``).
    """
    sel, params = selection_sql(queryset)
    columns = ", ".join(f'{fld.sql} AS "{fld.key}"' for fld in FIELDS)
    if geometry == "geom":
        geo = "p.geom AS geom"
    elif geometry == "wkb":
        geo = "ST_AsBinary(p.geom) AS wkb, GeometryType(p.geom) AS gtype"
    elif geometry == "wkt":
        geo = (
            "ST_AsText(p.geom, 9) AS wkt, "
            "CASE WHEN GeometryType(p.geom) = 'POINT' THEN ST_Y(p.geom) END AS lat, "
            "CASE WHEN GeometryType(p.geom) = 'POINT' THEN ST_X(p.geom) END AS lon, "
            "GeometryType(p.geom) AS gtype"
        )
    else:  # pragma: no cover - programming error
        raise ValueError(geometry)
    sql = f"""
WITH sel(id) AS MATERIALIZED ({sel})
SELECT {columns}, {geo}
FROM projects_geo_project p
JOIN sel ON sel.id = p.id
JOIN layers_organization o ON o.id = p.organization_id
LEFT JOIN layers_province pv ON pv.id = p.province_id
LEFT JOIN layers_amphoe am ON am.id = p.amphoe_id
LEFT JOIN layers_tambon tb ON tb.id = p.tambon_id
LEFT JOIN (
    SELECT s.project_id, {_stage_pivot()}
    FROM projects_geo_projectstage s
    WHERE s.project_id IN (SELECT id FROM sel)
    GROUP BY s.project_id
) st ON st.project_id = p.id
ORDER BY p.id"""
    return sql, params


def summary(queryset) -> dict[str, int]:
    """How many projects of each geometry type the selection holds (one query)."""
    sel, params = selection_sql(queryset)
    with connections[queryset.db].cursor() as cur:
        cur.execute(
            f"SELECT GeometryType(p.geom), count(*) FROM projects_geo_project p WHERE p.id IN ({sel}) GROUP BY 1",
            params,
        )
        return {gtype: n for gtype, n in cur.fetchall()}


def iter_chunks(sql: str, params, *, using: str = "default", chunk: int = CHUNK,
                prefetch: bool = False) -> Iterator[list[tuple]]:
    """Rows of ``sql`` in lists of at most ``chunk``, through a server-side cursor in a transaction.

    ``prefetch``: the next chunk is fetched in a thread while the caller works on this one, so the
    server computes and sends it meanwhile (psycopg waits for the network without the GIL). One
    chunk more is held in memory. The caller must not use the connection while iterating."""
    connection = connections[using]
    with transaction.atomic(using=using):
        # Inside a transaction the named cursor is not WITH HOLD, so PostgreSQL streams it
        # instead of materialising the whole result first.
        with connection.chunked_cursor() as cur:
            cur.execute(sql, params)
            if prefetch:
                yield from _prefetched(cur.cursor, chunk, connection)
                return
            while True:
                rows = cur.fetchmany(chunk)
                if not rows:
                    break
                yield rows


_END = object()


def _prefetched(raw_cursor, chunk: int, connection) -> Iterator[list[tuple]]:
    """Chunks of ``raw_cursor`` (psycopg) fetched one ahead in a thread. However the caller stops
    (end, error, generator closed), the thread has finished before this returns."""
    ahead: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce():
        try:
            while not stop.is_set():
                rows = raw_cursor.fetchmany(chunk)
                ahead.put(rows if rows else _END)
                if not rows:
                    return
        except BaseException as e:  # handed to the caller
            ahead.put(e)

    thread = threading.Thread(target=produce, daemon=True, name="gisplan-export-fetch")
    thread.start()
    try:
        while True:
            item = ahead.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                with connection.wrap_database_errors:  # as Django's own cursor would raise it
                    raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # a producer blocked on the full queue: let it finish
            try:
                ahead.get_nowait()
            except queue.Empty:
                pass
            thread.join(timeout=0.05)
