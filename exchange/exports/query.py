"""The export query: every attribute of a selection of projects in ONE set-based SQL statement.

The caller's queryset (already limited by ``accounts.access.visible_projects`` and the filters)
becomes a sub-select of project ids; the LAO, province/amphoe/tambon and a pivot of the budget
stages (date and amount of each of the six stages) are joined to it, so the number of queries does
not depend on the number of projects. Rows are read through a server-side cursor in chunks, so
memory stays flat whatever the size of the selection.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator

import psycopg
from django.conf import settings
from django.db import connections, transaction

from common import dbconn

from .fields import FIELDS

CHUNK = 5000
log = logging.getLogger(__name__)


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
    cols.append("coalesce(max(s.funding_source) FILTER (WHERE s.stage = 3), '') AS s3_fund")
    return ", ".join(cols)


# The field photos' addresses per selected project (the field app's table, read by SQL: exchange
# does not import field): one grouped pass over the photos, not a subquery per exported row.
PHOTO_URLS = """
    SELECT ph.project_id, string_agg('/field/photos/' || ph.id || '/', ' ' ORDER BY ph.id) AS urls
    FROM field_photo ph
    WHERE ph.project_id IN (SELECT id FROM sel)
    GROUP BY ph.project_id"""


# Markers of an id range in an export statement (``attributes_sql(..., ranged=True)``), replaced
# by integers for each chunk: ``LO <= id < HI``.
RANGE_LO, RANGE_HI = "__gisplan_range_lo__", "__gisplan_range_hi__"


def attributes_sql(queryset, geometry: str = "geom", ranged: bool = False) -> tuple[str, tuple]:
    """SELECT of every export field plus geometry columns, one row per project, ordered by id.

    ``geometry``: "geom" (the geometry itself: GeoJSON, KML), "wkb" (``wkb`` bytes and
    ``gtype``), or "wkt" (``wkt``, ``lat``/``lon`` for points, ``gtype``). ``ranged``: only the
    projects with ``RANGE_LO <= id < RANGE_HI`` (markers for ``iter_export_chunks``).
    """
    sel, params = selection_sql(queryset)
    range_where = ""
    if ranged:  # on the selection and on the table itself (else each range joins the whole table)
        sel = f"SELECT s0.id FROM ({sel}) s0(id) WHERE s0.id >= {RANGE_LO} AND s0.id < {RANGE_HI}"
        range_where = f"\nWHERE p.id >= {RANGE_LO} AND p.id < {RANGE_HI}"
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
    photo_join = f"\nLEFT JOIN ({PHOTO_URLS}) phs ON phs.project_id = p.id" if "phs." in columns else ""
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
) st ON st.project_id = p.id{photo_join}{range_where}
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


def iter_chunks(
    sql: str, params, *, using: str = "default", chunk: int = CHUNK, prefetch: bool = False, text_as_bytes: bool = False
) -> Iterator[list[tuple]]:
    """Rows of ``sql`` in lists of at most ``chunk``, through a server-side cursor in a transaction.

    ``prefetch``: the next chunk is fetched in a thread while the caller works on this one, so the
    server computes and sends it meanwhile (psycopg waits for the network without the GIL). One
    chunk more is held in memory. The caller must not use the connection while iterating.
    ``text_as_bytes``: text columns come as UTF-8 bytes (``common.dbconn.text_as_bytes``)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        # Inside a transaction the named cursor is not WITH HOLD, so PostgreSQL streams it
        # instead of materialising the whole result first.
        with connection.chunked_cursor() as cur:
            if text_as_bytes:
                dbconn.text_as_bytes(cur)
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
                dbconn.raise_in_request(item, connection.alias)
            yield item
    finally:
        stop.set()
        dbconn.end_thread(thread, between=lambda: _take(ahead))  # a producer blocked on the full queue


def _take(q: queue.Queue) -> None:
    """Take what a thread waits to hand over, if anything (it then sees the stop flag)."""
    try:
        q.get_nowait()
    except queue.Empty:
        pass


# --- reading an export on several connections -----------------------------------------------------


def iter_export_chunks(
    build_sql, queryset, *, chunk: int = CHUNK, text_as_bytes: bool = False
) -> Iterator[list[tuple]]:
    """The rows of an export statement, in project-id order, in chunks of about ``chunk`` rows
    (text columns as UTF-8 bytes with ``text_as_bytes``).

    ``build_sql(queryset, ranged)`` gives the statement (``attributes_sql`` wrapped by a format).
    Where it can, the chunks are read on ``GISPLAN_EXPORT_CONNECTIONS`` extra connections at once
    (each builds the rows of one id range while the others build theirs), all in one snapshot
    exported by this transaction — what ``pg_dump --jobs`` does — so the file is as consistent as
    a single query. GeoJSON uses it: PostgreSQL turning 34 attributes into JSON is most of that
    export's time (100,000 projects here: 2.71 → 2.16 s with two). CSV and KML do not: their time
    is Python's (csv, XML escaping), which more connections do not shorten.
    Otherwise (one connection configured, a selection of one chunk or less, inside a savepoint, or
    this transaction has written: the others would not see it) it reads one server-side cursor, a
    chunk ahead.
    At most one chunk per connection waits in memory."""
    using = queryset.db
    workers = int(getattr(settings, "GISPLAN_EXPORT_CONNECTIONS", 2))
    connection = connections[using]
    # PostgreSQL exports no snapshot from a subtransaction: not inside a savepoint of an outer
    # atomic block (a web request or command is not; a test case is).
    nested = bool(connection.savepoint_ids)
    with transaction.atomic(using=using, savepoint=False):
        plan = _parallel_plan(queryset, build_sql, chunk, workers) if workers > 1 and not nested else None
        reader = _ParallelRead(connection, *plan, workers, text_as_bytes) if plan is not None else None
        if reader is None or not reader.connect():
            sql, params = build_sql(queryset, False)
            yield from iter_chunks(sql, params, using=using, chunk=chunk, prefetch=True, text_as_bytes=text_as_bytes)
            return
        yield from reader.chunks()


def _parallel_plan(queryset, build_sql, chunk, workers):
    """(snapshot, statement template, id ranges), or None when a plain cursor should read."""
    connection = connections[queryset.db]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_current_xact_id_if_assigned() IS NULL "
            "AND current_setting('transaction_isolation') = 'read committed'"
        )
        if not cur.fetchone()[0]:
            return None
        sel, params = selection_sql(queryset)
        # Every chunk-th id of the selection: the ranges' lower bounds (any snapshot will do: the
        # ranges cover every id; the rows come from the exported snapshot).
        cur.execute(
            f"SELECT id FROM (SELECT s.id, row_number() OVER (ORDER BY s.id) AS n FROM ({sel}) s(id)) x "
            f"WHERE (n - 1) %% {int(chunk)} = 0 ORDER BY id",
            params,
        )
        starts = [r[0] for r in cur.fetchall()]
        if len(starts) < 2:
            return None
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        sql, params = build_sql(queryset, True)
        template = cur.mogrify(sql, params) if params else sql.replace("%%", "%")
    bounds = [-(2**63), *starts[1:], 2**63 - 1]
    return snapshot, template, list(zip(bounds[:-1], bounds[1:]))


_DONE = object()


class _ParallelRead:
    """Worker threads, each with its own connection in the exported snapshot, reading the id
    ranges ``w, w + W, w + 2W, …``; ``chunks()`` hands them out in order. However the reader
    stops, the workers' queries are cancelled and their threads ended before it returns."""

    def __init__(self, connection, snapshot, template, ranges, workers, text_as_bytes=False):
        self.connection, self.snapshot, self.template, self.ranges = connection, snapshot, template, ranges
        self.text_as_bytes = text_as_bytes
        self.args = dbconn.connection_args(connection.alias)
        self.workers = min(workers, len(ranges))
        self.queues = [queue.Queue(maxsize=1) for _ in range(self.workers)]
        self.conns = [None] * self.workers
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._work, args=(w,), daemon=True, name="gisplan-export-read")
            for w in range(self.workers)
        ]

    def connect(self) -> bool:
        """Open the workers' connections (here, before any thread starts); False, with none left
        open, when the server refuses one (too many clients…): the caller reads on its own."""
        try:
            for w in range(self.workers):
                self.conns[w] = dbconn.connect(self.args)
        except Exception as e:  # noqa: BLE001
            log.warning(
                "Export: %d extra database connections could not be opened (%s); reading on one.", self.workers, e
            )
            for conn in self.conns:
                if conn is not None:
                    conn.close()
            return False
        return True

    def _work(self, w):
        out = self.queues[w]
        try:
            conn = self.conns[w]
            with conn:  # closed when the worker ends
                dbconn.take_role(conn, self.args)
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                conn.read_only = True
                with conn.transaction(), conn.cursor() as cur:
                    if self.text_as_bytes:
                        dbconn.text_as_bytes(cur)
                    cur.execute(
                        psycopg.sql.SQL("SET TRANSACTION SNAPSHOT {}").format(psycopg.sql.Literal(self.snapshot))
                    )
                    for k in range(w, len(self.ranges), self.workers):
                        if self.stop.is_set():
                            return
                        lo, hi = self.ranges[k]
                        cur.execute(self.template.replace(RANGE_LO, str(int(lo))).replace(RANGE_HI, str(int(hi))))
                        out.put(cur.fetchall())
            out.put(_DONE)
        except BaseException as e:  # handed to the reader
            out.put(e)

    def chunks(self) -> Iterator[list[tuple]]:
        for t in self.threads:
            t.start()
        try:
            for k in range(len(self.ranges)):
                rows = self.queues[k % self.workers].get()
                if isinstance(rows, BaseException):
                    dbconn.raise_in_request(rows, self.connection.alias)
                if rows is _DONE:  # a worker ended early: cannot happen without an error first
                    raise RuntimeError("export worker ended before its ranges were read")
                if rows:
                    yield rows
        finally:
            self._finish()

    def _finish(self):
        self.stop.set()
        for w, thread in enumerate(self.threads):  # cancel a query for a chunk nobody will read
            dbconn.end_thread(thread, lambda w=w: self.conns[w], between=lambda w=w: _take(self.queues[w]))
