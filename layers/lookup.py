"""Boundary lookup: which province, amphoe and tambon(s) a geometry lies in, answered in PostGIS.

Every lookup runs against ``layers_tambonpart`` — the tambon polygons cut by ``ST_Subdivide`` into
pieces of at most ``SUBDIVIDE_MAX_VERTICES`` vertices, GiST-indexed — so a test touches a few
hundred vertices even on full-resolution boundaries. The boundary loader keeps it in step
(``refresh_tambon_parts``).

Everything is set-based: each function takes a whole batch and answers in one query (two for the
shares of a large batch: points, then the other geometries).

- ``GeomBatch`` — a batch of geometries as a SQL relation ``(ord, geom, …)``: an ``unnest`` of
  EWKB arrays for small batches, a GiST-indexed temporary table for large ones (the tambon-driven
  ``LATERAL`` join then probes that index once per tambon part, which is much faster than probing
  the parts' index once per geometry).
- ``tambon_shares`` — the tambons each geometry lies in, with the share of a line's length. For
  a table batch the points' and the lines' shares are two queries: the lines' runs on a second
  connection at the same time as the points' when the batch asks for it and it is safe
  (``_LinesElsewhere``), else after it in a background thread on this connection; either way
  the caller works on the points meanwhile (``meanwhile``).
- ``edge_distances`` — how far a geometry lies outside a province / amphoe (metres), and the
  nearest tambon, for the few geometries that are not inside.
- ``lands_in_area`` — whether candidate geometries (a suggested correction) fall in a unit.
- ``attach_names`` — codes and names of the units, one query.
"""

from __future__ import annotations

import logging
import operator
import threading
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from common import dbconn

log = logging.getLogger(__name__)

SUBDIVIDE_MAX_VERTICES = 256
# Above this many geometries a batch is copied into an indexed temporary table.
TABLE_MODE_MIN = 2000
# Join order of the shares query for a large batch: False = the planner's default join (each
# geometry probes the parts' GiST index), True = tambon-driven LATERAL (each part probes the
# batch's index). benchmarks/validation times both; at 120,000 geometries LATERAL was faster.
SHARES_LATERAL = True
# A share at least this large counts as "the whole geometry".
FULL_SHARE = 0.999


@contextmanager
def lookup_cursor():
    """A cursor in a transaction with PostgreSQL's JIT off: these queries have high estimated
    costs (KNN sub-plans, geography distances) but run in milliseconds, and JIT compilation
    alone took ~1 s per query. ``SET LOCAL`` ends with the (outer) transaction; it is skipped
    (a round trip per query) when the connection has JIT off already."""
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        dbconn.jit_off_here(cur)
        yield cur


# --- the subdivided copy ------------------------------------------------------------------------


def refresh_tambon_parts(tambon_ids=None, *, cursor=None) -> int:
    """Rebuild the subdivided parts of the given tambons (all when None) and of any tambon that
    has none. Returns how many parts were written. Runs in the caller's transaction."""
    own = cursor is None
    cur = connection.cursor() if own else cursor
    try:
        if tambon_ids is None:
            cur.execute("DELETE FROM layers_tambonpart")
            where = "TRUE"
            params = []
        else:
            ids = [int(i) for i in tambon_ids]
            cur.execute("DELETE FROM layers_tambonpart WHERE tambon_id = ANY(%s)", [ids])
            where = "t.id = ANY(%s) OR NOT EXISTS (SELECT 1 FROM layers_tambonpart x WHERE x.tambon_id = t.id)"
            params = [ids]
        cur.execute(
            f"""
            INSERT INTO layers_tambonpart (tambon_id, amphoe_id, province_id, geom)
            SELECT t.id, t.amphoe_id, a.province_id, ST_Subdivide(t.geom, {SUBDIVIDE_MAX_VERTICES})
            FROM layers_tambon t JOIN layers_amphoe a ON a.id = t.amphoe_id
            WHERE {where}
            """,
            params,
        )
        written = cur.rowcount
        cur.execute("ANALYZE layers_tambonpart")
        return written
    finally:
        if own:
            cur.close()


def sync_tambon_part_provinces(*, cursor=None) -> None:
    """After an amphoe level loads: copy a changed amphoe → province link onto the parts."""
    own = cursor is None
    cur = connection.cursor() if own else cursor
    try:
        cur.execute(
            """
            UPDATE layers_tambonpart p SET province_id = a.province_id
            FROM layers_amphoe a WHERE a.id = p.amphoe_id AND p.province_id <> a.province_id
            """
        )
    finally:
        if own:
            cur.close()


# --- results ------------------------------------------------------------------------------------


@dataclass(slots=True)
class TambonShare:
    tambon_id: int
    amphoe_id: int
    province_id: int
    share: float


@dataclass
class UnitRef:
    """A unit with its code and names (and, for a line, the share of its length inside)."""

    id: int
    code: str
    name_th: str
    name_en: str
    share: float | None = None

    def as_dict(self, with_share=False) -> dict:
        out = {"code": self.code, "name_th": self.name_th, "name_en": self.name_en}
        if with_share:
            out["share"] = round(self.share, 4) if self.share is not None else None
        return out


@dataclass(slots=True)
class Units:
    """The units one geometry lies in, largest share first.

    ``nearest`` is set when the geometry touches no tambon and the tambons were taken from the
    nearest one within the boundary-edge tolerance (a point digitised just off the coast).
    ``provinces`` / ``amphoes`` / ``tambon_refs`` carry codes and names once ``attach_names`` gave
    the names; they are built when first read (saving a project or an import needs only the ids).
    """

    tambons: list[TambonShare] = field(default_factory=list)
    nearest: bool = False
    names: dict | None = field(default=None, repr=False, compare=False)

    @property
    def main(self) -> TambonShare | None:
        return self.tambons[0] if self.tambons else None

    @property
    def province_ids(self) -> list[int]:
        return list(dict.fromkeys(t.province_id for t in self.tambons))

    @property
    def amphoe_ids(self) -> list[int]:
        return list(dict.fromkeys(t.amphoe_id for t in self.tambons))

    def province_share(self, province_id) -> float:
        return min(1.0, sum(t.share for t in self.tambons if t.province_id == province_id))

    def amphoe_share(self, amphoe_id) -> float:
        return min(1.0, sum(t.share for t in self.tambons if t.amphoe_id == amphoe_id))

    def _refs(self, level, key) -> list[UnitRef]:
        shares = {}
        for t in self.tambons:
            uid = getattr(t, key)
            shares[uid] = shares.get(uid, 0.0) + t.share
        names = self.names or {}
        return [
            UnitRef(r.id, r.code, r.name_th, r.name_en, min(1.0, share))
            for uid, share in shares.items()
            if (r := names.get((level, uid)))
        ]

    @property
    def provinces(self) -> list[UnitRef]:
        return self._refs("province", "province_id")

    @property
    def amphoes(self) -> list[UnitRef]:
        return self._refs("amphoe", "amphoe_id")

    @property
    def tambon_refs(self) -> list[UnitRef]:
        return self._refs("tambon", "tambon_id")

    def as_dict(self) -> dict:
        return {
            "province": [u.as_dict(True) for u in self.provinces],
            "amphoe": [u.as_dict(True) for u in self.amphoes],
            "tambons": [u.as_dict(True) for u in self.tambon_refs],
            "from_nearest": self.nearest,
        }


# --- a batch of geometries as a relation --------------------------------------------------------


class GeomBatch:
    """Geometries (EWKB, EPSG:4326; None = skip) plus optional per-row columns, usable in SQL as
    ``{relation}`` with columns ``ord`` (1-based), ``geom``, ``pt`` (a point?), ``total`` (a line's
    geodesic length, a multipoint's number of points) and the extra columns.

    Small batches are an ``unnest`` of arrays; large ones a temporary table with a GiST index
    (``table`` is then True). Use as a context manager: the table is dropped on exit.

    ``pt`` and ``total`` are computed by PostgreSQL unless the caller passes them as extra columns
    (``validate_batch`` has them already: computing them while copying 120,000 rows in cost the
    server ~0.15 s).
    """

    def __init__(self, ewkbs, extra: dict | None = None, *, table: bool | None = None, lines_elsewhere: bool = False):
        self.ewkbs = list(ewkbs)
        self.extra = extra or {}  # name -> (sql type, list of values)
        self.table = len(self.ewkbs) >= TABLE_MODE_MIN if table is None else table
        self.name = None
        # A table batch whose ``pt`` and ``total`` are given may have its lines' shares computed
        # on a second connection (``_LinesElsewhere``), started before this one copies the rows.
        self._want_elsewhere = lines_elsewhere
        self.elsewhere: _LinesElsewhere | None = None

    def __enter__(self):
        if self.table:
            if self._want_elsewhere:
                self.elsewhere = _LinesElsewhere.start_for(self)
            self.name = f"_geoms_{uuid.uuid4().hex[:12]}"
            cols = "".join(f", {n} {t}" for n, (t, _v) in self.extra.items())
            cols += "".join(
                f", {n} {t} GENERATED ALWAYS AS ({expr.format(g='geom')}) STORED"
                for n, (t, expr) in _COMPUTED.items()
                if n not in self.extra
            )
            with connection.cursor() as cur:
                cur.execute(f"CREATE TEMP TABLE {self.name} (ord int, geom geometry(Geometry, 4326){cols})")
                names = ["ord", "geom", *self.extra]
                with cur.copy(f"COPY {self.name} ({', '.join(names)}) FROM STDIN") as copy:
                    for chunk in _copy_chunks(self.ewkbs, list(self.extra.values())):
                        copy.write(chunk)
                # No ANALYZE (~0.12 s per 100,000 rows): the planner sizes an unanalysed table
                # from its pages, and the shares' LATERAL join order is fixed anyway; the
                # duplicate and share plans were the same with and without statistics.
                cur.execute(f"CREATE INDEX ON {self.name} USING gist (geom)")
        return self

    def __exit__(self, exc_type, *exc):
        elsewhere, self.elsewhere = self.elsewhere, None
        if elsewhere is not None:  # whatever happened: its connection is closed when it ends
            elsewhere.join(cancel=exc_type is not None)
        name, self.name = self.name, None
        if not name:
            return
        try:
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {name}")
        except Exception:
            if exc_type is None:
                raise
            # A query of the batch failed, so the transaction did: its rollback drops the table,
            # and the first error is the one to report.

    def relation(self) -> tuple[str, list]:
        """SQL for the relation and its parameters."""
        if self.table:
            return self.name, []
        cols = ["wkb", *self.extra]
        types = ["bytea", *(t for t, _v in self.extra.values())]
        arrays = [f"%s::{t}[]" for t in types]
        extra_sel = "".join(f", {n}" for n in self.extra)
        computed = "".join(
            f", {expr.format(g='geom')} AS {n}" for n, (_t, expr) in _COMPUTED.items() if n not in self.extra
        )
        sql = (
            f"(SELECT ord, geom{extra_sel}{computed} "
            f"FROM (SELECT ord::int AS ord, ST_GeomFromEWKB(wkb) AS geom{extra_sel} "
            f"FROM unnest({', '.join(arrays)}) WITH ORDINALITY AS u({', '.join(cols)}, ord) WHERE wkb IS NOT NULL) u0)"
        )
        return sql, [self.ewkbs, *(list(v) for _t, v in self.extra.values())]


def _copy_column(values, sql_type: str = "") -> list[str]:
    """One column in COPY text format. A batch's extra columns mostly repeat a few values (its
    LAOs, kinds, fiscal years): each distinct value is formatted once. Floats (lengths) rarely
    repeat and are written as they are (``repr`` round-trips; PostgreSQL reads ``nan``/``inf``)."""
    if sql_type == "float8":
        return ["\\N" if v is None else repr(float(v)) for v in values]

    def fmt(v):
        if v is None:
            return "\\N"
        if isinstance(v, int):
            return str(v)
        return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    try:
        memo = {v: fmt(v) for v in set(values)}
    except TypeError:  # an unhashable value
        return [fmt(v) for v in values]
    return list(map(memo.__getitem__, values))


# Rows per COPY chunk: the server stores one chunk while the next is formatted.
COPY_CHUNK = 16384


def _copy_chunks(ewkbs, extra_columns, keep=None):
    """The rows of a batch in COPY text format, in chunks of ``COPY_CHUNK`` rows, each built in
    one go (psycopg's ``write_row`` per row cost about as much as the server's whole COPY).
    ``extra_columns``: (sql type, values) per extra column; ``keep``: the indices of the rows to
    write (default: every row with a geometry). ``ord`` is the index + 1."""
    if keep is None:
        keep = [i for i, wkb in enumerate(ewkbs) if wkb is not None]
    extra = [_copy_column(values, sql_type) for sql_type, values in extra_columns]
    if len(keep) < len(ewkbs) and keep:
        pick = operator.itemgetter(*keep)
        extra = [list(pick(col)) if len(keep) > 1 else [pick(col)] for col in extra]
    for start in range(0, len(keep), COPY_CHUNK):
        part = keep[start : start + COPY_CHUNK]
        columns = [
            [str(i + 1) for i in part],
            [ewkbs[i].hex() for i in part],
            *(col[start : start + COPY_CHUNK] for col in extra),
        ]
        yield "\n".join(map("\t".join, zip(*columns))) + "\n"


# --- tambon shares ------------------------------------------------------------------------------

# A point lies in every tambon it touches (share 1). Any other geometry's share is the fraction of
# its geodesic length (a line) or of its points (a multipoint) inside the tambon; ``total`` — that
# length or number of points — is a column of the batch, computed once per geometry. Points need
# no intersection and no grouping, so they go through a branch of their own.
_IS_POINT = "GeometryType({g}) = 'POINT'"
_TOTAL = "CASE WHEN ST_Dimension({g}) = 1 THEN ST_Length({g}::geography) ELSE ST_NPoints({g})::float8 END"
_COMPUTED = {"pt": ("boolean", _IS_POINT), "total": ("float8", _TOTAL)}
_AMOUNT = """CASE WHEN ST_Dimension(v.geom) = 1 THEN ST_Length(ST_Intersection(v.geom, p.geom)::geography)
                  ELSE ST_NPoints(ST_Intersection(v.geom, p.geom))::float8 END"""


def _shares_sql(relation: str, lateral: bool, part: str = "all") -> str:
    """Rows ``(ord, tambon_id, amphoe_id, province_id, share)`` — of the points, of the other
    geometries, or of all (``part``). A point on the seam of two parts of one tambon comes twice
    (``tambon_shares`` keeps one)."""
    if lateral:
        # Tambon-driven: for each part, probe the batch's GiST index (OFFSET 0 keeps the planner
        # from flattening the LATERAL subquery back into its default join order).
        def source(cond, cols):
            return f"""layers_tambonpart p
            CROSS JOIN LATERAL (SELECT {cols} FROM {relation} v
                                WHERE {cond} AND ST_Intersects(v.geom, p.geom) OFFSET 0) g"""

        with_ = ""
    else:

        def source(cond, cols):
            return (
                f"(SELECT {cols}, v.geom FROM b v WHERE {cond}) g "
                "JOIN layers_tambonpart p ON ST_Intersects(p.geom, g.geom)"
            )

        with_ = f"WITH b AS MATERIALIZED (SELECT * FROM {relation} r)"
    # The line's amount inside the part: in the LATERAL subquery (where the part is fixed) or
    # in the aggregate of the plain join.
    line_cols = f"v.ord, v.total, {_AMOUNT} AS amount" if lateral else "v.ord, v.total"
    line_amount = "g.amount" if lateral else _AMOUNT.replace("v.geom", "g.geom")
    points = f"""
        SELECT g.ord, p.tambon_id, p.amphoe_id, p.province_id, 1.0::float8 AS share
        FROM {source("v.pt", "v.ord")}"""
    others = f"""
        SELECT g.ord, p.tambon_id, p.amphoe_id, p.province_id,
               LEAST(1.0, COALESCE(sum({line_amount}) / NULLIF(max(g.total), 0), 1.0))::float8 AS share
        FROM {source("NOT v.pt", line_cols)}
        GROUP BY g.ord, p.tambon_id, p.amphoe_id, p.province_id"""
    body = {"points": points, "lines": others, "all": points + "\n        UNION ALL" + others}[part]
    return with_ + body


class _InBackground:
    """Runs one query on this thread's database connection in another thread, so that Python
    work here overlaps the server's. Nothing else may use the connection until ``rows()``; the
    context manager waits for the query on exit whatever happens."""

    def __init__(self, sql, params=None):
        self._raw = connection.connection  # the psycopg connection (Django's wrapper is per thread)
        self._sql, self._params = sql, params
        self._rows = self._error = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            with self._raw.cursor() as cur:
                cur.execute(self._sql, self._params)
                self._rows = cur.fetchall()
        except BaseException as e:  # handed to the caller by rows()
            self._error = e

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._thread.join()

    def rows(self):
        self._thread.join()
        if self._error is not None:
            dbconn.raise_in_request(self._error)
        return self._rows


class _Cancelled(Exception):
    """The batch no longer wants the second connection's answer."""


class _LinesElsewhere:
    """The shares of a table batch's lines (every geometry that is not a point), computed on a
    second connection to the same database while this one computes the points': two server
    processes instead of one. On the benchmark the lines' query is ~3/4 of the shares' server
    time, so running it beside the points' (and beside this connection's other queries) takes most
    of it off the batch's critical path.

    The second connection has its own temporary table of just the lines (``ON COMMIT DROP``, in one
    transaction), and sees only committed boundaries. So it is used only when
    ``GISPLAN_VALIDATION_SECOND_CONNECTION`` is on, this transaction is READ COMMITTED and has not
    written to ``layers_tambonpart``, and the batch carries ``pt`` and ``total`` (what the lines'
    query needs). If the connection cannot be opened, ``rows()`` returns None and the caller runs
    the query here; an error of the query itself is raised as Django's database error."""

    _CHECK = """SELECT current_setting('transaction_isolation') = 'read committed'
                      AND current_setting('track_counts')::bool
                      AND COALESCE((SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables
                                    WHERE relid = 'layers_tambonpart'::regclass), 0) = 0"""

    def __init__(self, ewkbs, totals, keep):
        # Read here: Django's connection objects are per thread.
        self._args, self._jit_off = dbconn.connection_args(), dbconn.jit_off_by_connection()
        self._ewkbs, self._totals, self._keep = ewkbs, totals, keep
        self._rows = self._error = self._connect_error = self._conn = None
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="gisplan-lines-shares")

    @classmethod
    def start_for(cls, batch) -> _LinesElsewhere | None:
        if not getattr(settings, "GISPLAN_VALIDATION_SECOND_CONNECTION", True):
            return None
        if "pt" not in batch.extra or "total" not in batch.extra:
            return None
        pts = batch.extra["pt"][1]
        keep = [i for i, wkb in enumerate(batch.ewkbs) if wkb is not None and not pts[i]]
        if not keep:
            return None
        with connection.cursor() as cur:
            cur.execute(cls._CHECK)
            if not cur.fetchone()[0]:
                return None
        helper = cls(batch.ewkbs, batch.extra["total"][1], keep)
        helper._thread.start()
        return helper

    def _run(self):
        try:
            conn = self._conn = dbconn.connect(self._args)
        except Exception as e:  # noqa: BLE001 — no second connection: the caller works without it
            self._connect_error = e
            return
        try:
            with conn:  # closed on exit
                dbconn.take_role(conn, self._args)
                with conn.transaction(), conn.cursor() as cur:  # the commit drops the table

                    def execute(sql):
                        if self._cancelled.is_set():
                            raise _Cancelled
                        cur.execute(sql)

                    name = f"_lines_{uuid.uuid4().hex[:12]}"
                    if not self._jit_off:
                        execute("SET LOCAL jit = off")
                    execute(
                        f"CREATE TEMP TABLE {name} (ord int, geom geometry(Geometry, 4326), "
                        "pt boolean, total float8) ON COMMIT DROP"
                    )
                    with cur.copy(f"COPY {name} (ord, geom, pt, total) FROM STDIN") as copy:
                        for chunk in _copy_chunks(
                            self._ewkbs, [("boolean", [False] * len(self._ewkbs)), ("float8", self._totals)], self._keep
                        ):
                            copy.write(chunk)
                    execute(f"CREATE INDEX ON {name} USING gist (geom)")
                    execute(_shares_sql(name, SHARES_LATERAL, "lines"))
                    self._rows = cur.fetchall()
        except BaseException as e:  # handed to the caller by rows()
            self._error = e

    def join(self, cancel: bool = False):
        """Wait for the thread. ``cancel`` (the batch failed, the answer is not wanted): no
        further statement starts, and the server is asked to stop the running one — again every
        50 ms until the thread ends, in case a statement started just as it was asked."""
        if cancel:
            self._cancelled.set()
            dbconn.end_thread(self._thread, lambda: self._conn)
        self._thread.join()

    def rows(self):
        """The lines' share rows; None when the second connection could not be opened."""
        self._thread.join()
        if self._connect_error is not None:
            log.warning(
                "Second database connection for the lines' shares failed (%s); running them on this connection.",
                self._connect_error,
            )
            return None
        if self._error is not None:
            dbconn.raise_in_request(self._error)
        return self._rows


def _file_shares(results, rows, ids) -> None:
    """Add share rows to the batch's ``Units``; a tambon met twice (a point on a seam between two
    parts of one tambon) is kept once; the largest share first."""
    if ids is not None and rows:
        cols = list(zip(*rows))
        for level, col in (("tambon", 1), ("amphoe", 2), ("province", 3)):
            ids.setdefault(level, set()).update(cols[col])
    many = set()
    for ord_, tambon_id, amphoe_id, province_id, share in rows:
        if share > 0:
            tambons = results[ord_ - 1].tambons
            if tambons:
                many.add(ord_ - 1)
            tambons.append(TambonShare(tambon_id, amphoe_id, province_id, share))
    for i in many:
        units = results[i]
        seen = {}
        for t in units.tambons:
            if t.tambon_id not in seen or t.share > seen[t.tambon_id].share:
                seen[t.tambon_id] = t
        units.tambons = sorted(seen.values(), key=lambda t: (-t.share, t.tambon_id))


def tambon_shares(batch: GeomBatch, ids: dict | None = None, *, meanwhile=None) -> list[Units]:
    """For each geometry of the batch, the tambons it touches with their share: a list of
    ``Units``, one per geometry. ``ids``, when given, gets the sets of province, amphoe and tambon
    ids met (for ``unit_names``).

    ``meanwhile``, when given, is called with that list once the points' units are in it. For a
    table batch that happens while the server computes the lines' shares: on a second connection
    when the batch has one (``batch.elsewhere``; this connection is then free for ``meanwhile``'s
    own queries), else in a background thread on this connection (``meanwhile`` must not use
    it). Either way Python work on the points overlaps the lines' query."""
    relation, params = batch.relation()
    results = [Units() for _ in batch.ewkbs]
    with lookup_cursor() as cur:
        if not batch.table:  # one query for everything
            cur.execute(_shares_sql(relation, lateral=False), params)
            first, later = cur.fetchall(), nullcontext()
        else:  # the points now; the lines on the second connection, or here in the background
            lines_sql = _shares_sql(relation, SHARES_LATERAL, "lines")
            cur.execute(_shares_sql(relation, SHARES_LATERAL, "points"))
            first = cur.fetchall()
            later = nullcontext(batch.elsewhere) if batch.elsewhere is not None else _InBackground(lines_sql)
        with later as lines:
            _file_shares(results, first, ids)
            if meanwhile is not None:
                meanwhile(results)
            if lines is not None:
                line_rows = lines.rows()
                if line_rows is None:  # the second connection could not be opened
                    cur.execute(lines_sql)
                    line_rows = cur.fetchall()
                _file_shares(results, line_rows, ids)
    return results


def units_for_geometries(geoms) -> list[Units]:
    """For each GEOS geometry (EPSG:4326), the tambons it lies in with their share. One query."""
    if not geoms:
        return []
    with GeomBatch([bytes(g.ewkb) for g in geoms]) as batch:
        return tambon_shares(batch)


# --- distance outside a unit --------------------------------------------------------------------


@dataclass
class EdgeInfo:
    """How far a geometry lies outside its LAO's province / amphoe (metres, geodesic).

    ``*_dist`` is the shortest distance from the geometry to the unit (0 when they touch);
    ``*_reach`` the farthest any vertex lies outside it (for a line partly inside).
    ``nearest`` is the closest tambon and ``nearest_dist`` its distance.
    """

    province_dist: float | None = None
    province_reach: float | None = None
    amphoe_dist: float | None = None
    amphoe_reach: float | None = None
    nearest: TambonShare | None = None
    nearest_dist: float | None = None
    closest_point_ewkb: bytes | None = None  # on the LAO's area unit, nearest to the geometry


# The two nearest parts of the unit (KNN on the GiST index), then the distance in a local metric
# frame: longitude and latitude scaled by the WGS 84 metres per degree at the geometry's latitude
# (kx, ky). Within 0.05 % of the UTM distance at the distances that matter here (checked against
# WGS 84 / UTM on 1,800 lines), and an affine scale of a 256-vertex part costs a fraction of a
# map projection.
_UNIT_DIST = """(SELECT min(ST_Distance(ST_Scale(x.geom, s.kx, s.ky), ST_Scale({g}, s.kx, s.ky))) FROM (
        SELECT p.geom FROM layers_tambonpart p WHERE p.{col} = {uid}
        ORDER BY p.geom <-> {g} LIMIT 2) x)"""

# The farthest any vertex lies from the unit, for a line that touches it (partly outside): every
# vertex is then within the line's bounding-box diagonal of the unit (of the line's points inside
# it), so the unit's parts in the line's box grown by that diagonal (× 1.1 for the degree/metre
# anisotropy) hold each vertex's nearest part: one index scan and one scaled collection per line
# instead of a KNN search per vertex (~3× faster). Falls back to the per-vertex search when no
# part is that close (a geometry that does not touch the unit).
_UNIT_REACH = (
    """COALESCE(
    (SELECT max(ST_Distance(ST_Scale(v.geom, s.kx, s.ky), n.scaled)) FROM ST_DumpPoints(s.geom) v,
        (SELECT ST_Scale(ST_Collect(p.geom), s.kx, s.ky) AS scaled FROM layers_tambonpart p
         WHERE p.{col} = {uid} AND p.geom && ST_Expand(s.geom, 1.1 * s.diag)) n
     WHERE n.scaled IS NOT NULL),
    (SELECT max("""
    + _UNIT_DIST.replace("{g}", "v.geom")
    + """) FROM ST_DumpPoints(s.geom) v))"""
)

# What to measure per geometry: DIST (how far the whole geometry is from the unit: it lies outside)
# and/or REACH (how far its farthest vertex is: a line partly outside). Each costs index searches
# and distances, so the caller asks only for what it will use.
DIST, REACH = 1, 2

_EDGE_SQL = f"""
WITH s AS (
    SELECT u.*, l.diag,
        radians(1) * 6378137.0 * cos(radians(l.lat)) / sqrt(1 - 0.00669437999014 * sin(radians(l.lat)) ^ 2) AS kx,
        radians(1) * 6378137.0 * (1 - 0.00669437999014) / (1 - 0.00669437999014 * sin(radians(l.lat)) ^ 2) ^ 1.5 AS ky
    FROM (SELECT ord, ST_GeomFromEWKB(wkb) AS geom, pid, aid, pmode, amode, want_nearest, want_closest
          FROM unnest(%s::int[], %s::bytea[], %s::bigint[], %s::bigint[], %s::int[], %s::int[], %s::bool[], %s::bool[])
               AS u(ord, wkb, pid, aid, pmode, amode, want_nearest, want_closest)) u,
         LATERAL (SELECT (ST_YMin(u.geom) + ST_YMax(u.geom)) / 2 AS lat,
                         sqrt((ST_XMax(u.geom) - ST_XMin(u.geom)) ^ 2
                              + (ST_YMax(u.geom) - ST_YMin(u.geom)) ^ 2) AS diag) l
)
SELECT s.ord,
    CASE WHEN s.pmode & {DIST} > 0 THEN {_UNIT_DIST.format(g="s.geom", col="province_id", uid="s.pid")} END,
    CASE WHEN s.pmode & {REACH} > 0 THEN {_UNIT_REACH.format(col="province_id", uid="s.pid")} END,
    CASE WHEN s.aid IS NOT NULL AND s.amode & {DIST} > 0
         THEN {_UNIT_DIST.format(g="s.geom", col="amphoe_id", uid="s.aid")} END,
    CASE WHEN s.aid IS NOT NULL AND s.amode & {REACH} > 0 THEN {_UNIT_REACH.format(col="amphoe_id", uid="s.aid")} END,
    n.tambon_id, n.amphoe_id, n.province_id, ST_Distance(ST_Scale(n.geom, s.kx, s.ky), ST_Scale(s.geom, s.kx, s.ky)),
    CASE WHEN s.want_closest THEN (SELECT ST_AsEWKB(ST_ClosestPoint(x.geom, s.geom)) FROM layers_tambonpart x
      WHERE x.province_id = s.pid AND (s.aid IS NULL OR x.amphoe_id = s.aid)
      ORDER BY x.geom <-> s.geom LIMIT 1) END
FROM s
LEFT JOIN LATERAL (
    SELECT p.tambon_id, p.amphoe_id, p.province_id, p.geom FROM layers_tambonpart p
    WHERE s.want_nearest ORDER BY p.geom <-> s.geom LIMIT 1
) n ON TRUE
"""


def edge_distances(items) -> dict[int, EdgeInfo]:
    """``items``: (key, ewkb, province_id, amphoe_id or None) — everything is measured — or with
    four more: (…, province mode, amphoe mode, nearest tambon?, closest point?), the modes being
    ``DIST | REACH`` bits. One query for all of them."""
    items = [tuple(i) if len(i) == 8 else (*i, DIST | REACH, DIST | REACH, True, True) for i in items]
    if not items:
        return {}
    columns = list(zip(*items))
    with lookup_cursor() as cur:
        cur.execute(_EDGE_SQL, [[int(k) for k in columns[0]], [bytes(w) for w in columns[1]], *map(list, columns[2:])])
        rows = cur.fetchall()
    out = {}
    for ord_, pd, pr, ad, ar, tid, aid, pid, ndist, closest in rows:
        out[ord_] = EdgeInfo(
            province_dist=pd,
            province_reach=pr,
            amphoe_dist=ad,
            amphoe_reach=ar,
            nearest=TambonShare(tid, aid, pid, 1.0) if tid else None,
            nearest_dist=ndist,
            closest_point_ewkb=bytes(closest) if closest is not None else None,
        )
    return out


def lands_in_area(candidates) -> list[bool]:
    """``candidates``: (ewkb, province_id, amphoe_id or None). Whether each touches that unit."""
    candidates = list(candidates)
    if not candidates:
        return []
    with lookup_cursor() as cur:
        cur.execute(
            """
            SELECT c.ord FROM unnest(%s::bytea[], %s::bigint[], %s::bigint[]) WITH ORDINALITY AS c(wkb, pid, aid, ord)
            CROSS JOIN LATERAL (
                SELECT 1 FROM layers_tambonpart p
                WHERE ST_Intersects(p.geom, ST_GeomFromEWKB(c.wkb))
                  AND p.province_id = c.pid AND (c.aid IS NULL OR p.amphoe_id = c.aid)
                LIMIT 1) hit
            """,
            [[bytes(c[0]) for c in candidates], [c[1] for c in candidates], [c[2] for c in candidates]],
        )
        hits = {r[0] for r in cur.fetchall()}
    return [i + 1 in hits for i in range(len(candidates))]


# --- names --------------------------------------------------------------------------------------


def unit_names(province_ids=(), amphoe_ids=(), tambon_ids=()) -> dict:
    """{("province"|"amphoe"|"tambon", id): UnitRef} for the given ids. One query."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT 'province', id, code, name_th, name_en FROM layers_province WHERE id = ANY(%s)
            UNION ALL SELECT 'amphoe', id, code, name_th, name_en FROM layers_amphoe WHERE id = ANY(%s)
            UNION ALL SELECT 'tambon', id, code, name_th, name_en FROM layers_tambon WHERE id = ANY(%s)
            """,
            [sorted(set(province_ids)), sorted(set(amphoe_ids)), sorted(set(tambon_ids))],
        )
        return {(lvl, i): UnitRef(i, code, th, en) for lvl, i, code, th, en in cur.fetchall()}


def attach_names(units_list, names: dict) -> None:
    """Give each ``Units`` the names from ``unit_names`` (its refs are built when read)."""
    for units in units_list:
        units.names = names
