"""Boundary lookup: which province, amphoe and tambon(s) a geometry lies in, answered in PostGIS.

Every lookup runs against ``layers_tambonpart`` — the tambon polygons cut by ``ST_Subdivide`` into
pieces of at most ``SUBDIVIDE_MAX_VERTICES`` vertices, GiST-indexed — so a test touches a few
hundred vertices even on full-resolution boundaries. The boundary loader keeps it in step
(``refresh_tambon_parts``).

Everything is set-based: each function takes a whole batch and answers in one query.

- ``GeomBatch`` — a batch of geometries as a SQL relation ``(ord, geom, …)``: an ``unnest`` of
  EWKB arrays for small batches, a GiST-indexed temporary table for large ones (the tambon-driven
  ``LATERAL`` join then probes that index once per tambon part, which is much faster than probing
  the parts' index once per geometry).
- ``tambon_shares`` — the tambons each geometry lies in, with the share of a line's length.
- ``edge_distances`` — how far a geometry lies outside a province / amphoe (metres), and the
  nearest tambon, for the few geometries that are not inside.
- ``lands_in_area`` — whether candidate geometries (a suggested correction) fall in a unit.
- ``attach_names`` — codes and names of the units, one query.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

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
    alone took ~1 s per query. ``SET LOCAL`` ends with the (outer) transaction."""
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
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


@dataclass
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


@dataclass
class Units:
    """The units one geometry lies in, largest share first.

    ``nearest`` is set when the geometry touches no tambon and the tambons were taken from the
    nearest one within the boundary-edge tolerance (a point digitised just off the coast).
    ``provinces`` / ``amphoes`` / ``tambon_refs`` carry codes and names once ``attach_names`` ran.
    """

    tambons: list[TambonShare] = field(default_factory=list)
    nearest: bool = False
    provinces: list[UnitRef] = field(default_factory=list)
    amphoes: list[UnitRef] = field(default_factory=list)
    tambon_refs: list[UnitRef] = field(default_factory=list)

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
    ``{relation}`` with columns ``ord`` (1-based) and ``geom`` (and the extra columns).

    Small batches are an ``unnest`` of arrays; large ones a temporary table with a GiST index
    (``table`` is then True). Use as a context manager: the table is dropped on exit.
    """

    def __init__(self, ewkbs, extra: dict | None = None, *, table: bool | None = None):
        self.ewkbs = list(ewkbs)
        self.extra = extra or {}  # name -> (sql type, list of values)
        self.table = len(self.ewkbs) >= TABLE_MODE_MIN if table is None else table
        self.name = None

    def __enter__(self):
        if self.table:
            self.name = f"_geoms_{uuid.uuid4().hex[:12]}"
            cols = "".join(f", {n} {t}" for n, (t, _v) in self.extra.items())
            with connection.cursor() as cur:
                cur.execute(f"CREATE TEMP TABLE {self.name} (ord int, geom geometry(Geometry, 4326){cols})")
                names = ["ord", "geom", *self.extra]
                extra_vals = [v for (_t, v) in self.extra.values()]
                with cur.copy(f"COPY {self.name} ({', '.join(names)}) FROM STDIN") as copy:
                    for i, wkb in enumerate(self.ewkbs):
                        if wkb is None:
                            continue
                        copy.write_row((i + 1, wkb.hex(), *(v[i] for v in extra_vals)))
                cur.execute(f"CREATE INDEX ON {self.name} USING gist (geom)")
                cur.execute(f"ANALYZE {self.name}")
        return self

    def __exit__(self, *exc):
        if self.name:
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {self.name}")
            self.name = None

    def relation(self) -> tuple[str, list]:
        """SQL for the relation and its parameters."""
        if self.table:
            return self.name, []
        cols = ["wkb", *self.extra]
        types = ["bytea", *(t for t, _v in self.extra.values())]
        arrays = [f"%s::{t}[]" for t in types]
        extra_sel = "".join(f", {n}" for n in self.extra)
        sql = (
            f"(SELECT ord::int AS ord, ST_GeomFromEWKB(wkb) AS geom{extra_sel} "
            f"FROM unnest({', '.join(arrays)}) WITH ORDINALITY AS u({', '.join(cols)}, ord) WHERE wkb IS NOT NULL)"
        )
        return sql, [self.ewkbs, *(list(v) for _t, v in self.extra.values())]


# --- tambon shares ------------------------------------------------------------------------------

# A point's share is the fraction of its points inside; a line's, the fraction of its geodesic
# length. A geometry on the seam of two parts of one tambon is counted once (LEAST(1, …)).
_AMOUNT = """
    CASE WHEN ST_Dimension(g.geom) = 1
         THEN ST_Length(ST_Intersection(g.geom, p.geom)::geography)
         WHEN GeometryType(g.geom) = 'POINT' THEN 1.0
         ELSE ST_NPoints(ST_Intersection(g.geom, p.geom))::float8
    END"""

_TOTAL = """
    CASE WHEN ST_Dimension(g.geom) = 1 THEN ST_Length(g.geom::geography)
         ELSE ST_NPoints(g.geom)::float8 END"""


def _shares_sql(relation: str, lateral: bool) -> str:
    if lateral:
        # Tambon-driven: for each part, probe the batch's GiST index (OFFSET 0 keeps the planner
        # from flattening the LATERAL subquery back into its default join order).
        source = f"""
        layers_tambonpart p
        CROSS JOIN LATERAL (SELECT v.ord, v.geom FROM {relation} v
                            WHERE ST_Intersects(v.geom, p.geom) OFFSET 0) g"""
    else:
        source = f"{relation} g JOIN layers_tambonpart p ON ST_Intersects(p.geom, g.geom)"
    return f"""
        SELECT g.ord, p.tambon_id, p.amphoe_id, p.province_id,
               LEAST(1.0, COALESCE(sum({_AMOUNT}) / NULLIF(max({_TOTAL}), 0), 1.0)) AS share
        FROM {source}
        GROUP BY g.ord, p.tambon_id, p.amphoe_id, p.province_id
    """


def tambon_shares(batch: GeomBatch) -> list[Units]:
    """For each geometry of the batch, the tambons it touches with their share. One query."""
    results = [Units() for _ in batch.ewkbs]
    relation, params = batch.relation()
    with lookup_cursor() as cur:
        cur.execute(_shares_sql(relation, lateral=SHARES_LATERAL and batch.table), params)
        rows = cur.fetchall()
    for ord_, tambon_id, amphoe_id, province_id, share in rows:
        if share is not None and share > 0:
            results[ord_ - 1].tambons.append(TambonShare(tambon_id, amphoe_id, province_id, float(share)))
    for units in results:
        if len(units.tambons) > 1:
            units.tambons.sort(key=lambda t: (-t.share, t.tambon_id))
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


# The two nearest parts of the unit (KNN on the GiST index), then the distance measured in the
# geometry's own UTM zone (WGS 84 / UTM 47N or 48N; within 0.1 % of the geodesic distance in
# Thailand, and far cheaper than geography distances to 256-vertex polygons).
_UNIT_DIST = """(SELECT min(ST_Distance(ST_Transform(x.geom, s.utm), ST_Transform({g}, s.utm))) FROM (
        SELECT p.geom FROM layers_tambonpart p WHERE p.{col} = {uid}
        ORDER BY p.geom <-> {g} LIMIT 2) x)"""

_EDGE_SQL = f"""
WITH s AS (
    SELECT ord, geom, pid, aid, CASE WHEN ST_XMin(geom) >= 102 THEN 32648 ELSE 32647 END AS utm
    FROM (SELECT ord, ST_GeomFromEWKB(wkb) AS geom, pid, aid
          FROM unnest(%s::int[], %s::bytea[], %s::bigint[], %s::bigint[]) AS u(ord, wkb, pid, aid)) u
)
SELECT s.ord,
    {_UNIT_DIST.format(g="s.geom", col="province_id", uid="s.pid")} AS province_dist,
    (SELECT max({_UNIT_DIST.format(g="v.geom", col="province_id", uid="s.pid")})
       FROM ST_DumpPoints(s.geom) v) AS province_reach,
    CASE WHEN s.aid IS NOT NULL THEN {_UNIT_DIST.format(g="s.geom", col="amphoe_id", uid="s.aid")} END AS amphoe_dist,
    CASE WHEN s.aid IS NOT NULL THEN (SELECT max({_UNIT_DIST.format(g="v.geom", col="amphoe_id", uid="s.aid")})
       FROM ST_DumpPoints(s.geom) v) END AS amphoe_reach,
    n.tambon_id, n.amphoe_id, n.province_id, ST_Distance(ST_Transform(n.geom, s.utm), ST_Transform(s.geom, s.utm)),
    (SELECT ST_AsEWKB(ST_ClosestPoint(x.geom, s.geom)) FROM layers_tambonpart x
      WHERE x.province_id = s.pid AND (s.aid IS NULL OR x.amphoe_id = s.aid)
      ORDER BY x.geom <-> s.geom LIMIT 1)
FROM s
LEFT JOIN LATERAL (
    SELECT p.tambon_id, p.amphoe_id, p.province_id, p.geom FROM layers_tambonpart p
    ORDER BY p.geom <-> s.geom LIMIT 1
) n ON TRUE
"""


def edge_distances(items) -> dict[int, EdgeInfo]:
    """``items``: (key, ewkb, province_id, amphoe_id or None). One query for all of them."""
    items = list(items)
    if not items:
        return {}
    keys = [int(k) for k, *_ in items]
    with lookup_cursor() as cur:
        cur.execute(
            _EDGE_SQL,
            [keys, [bytes(i[1]) for i in items], [i[2] for i in items], [i[3] for i in items]],
        )
        rows = cur.fetchall()
    out = {}
    for ord_, pd, pr, ad, ar, tid, aid, pid, ndist, closest in rows:
        out[ord_] = EdgeInfo(
            province_dist=pd, province_reach=pr, amphoe_dist=ad, amphoe_reach=ar,
            nearest=TambonShare(tid, aid, pid, 1.0) if tid else None, nearest_dist=ndist,
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
            WHERE EXISTS (
                SELECT 1 FROM layers_tambonpart p
                WHERE ST_Intersects(p.geom, ST_GeomFromEWKB(c.wkb))
                  AND p.province_id = c.pid AND (c.aid IS NULL OR p.amphoe_id = c.aid))
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
    """Fill ``provinces`` / ``amphoes`` / ``tambon_refs`` (with shares) from ``unit_names``."""
    whole = {}  # (level, id) -> UnitRef with share 1.0, shared by every geometry wholly inside
    for units in units_list:
        if len(units.tambons) == 1 and units.tambons[0].share >= FULL_SHARE:
            t = units.tambons[0]
            refs = []
            for level, uid in (("tambon", t.tambon_id), ("amphoe", t.amphoe_id), ("province", t.province_id)):
                ref = whole.get((level, uid))
                if ref is None and (r := names.get((level, uid))):
                    ref = whole[(level, uid)] = UnitRef(r.id, r.code, r.name_th, r.name_en, 1.0)
                refs.append([ref] if ref else [])
            units.tambon_refs, units.amphoes, units.provinces = refs
            continue
        prov, amph = {}, {}
        refs = []
        for t in units.tambons:
            prov[t.province_id] = prov.get(t.province_id, 0.0) + t.share
            amph[t.amphoe_id] = amph.get(t.amphoe_id, 0.0) + t.share
            ref = names.get(("tambon", t.tambon_id))
            if ref:
                refs.append(UnitRef(ref.id, ref.code, ref.name_th, ref.name_en, t.share))
        units.tambon_refs = refs
        units.provinces = [
            UnitRef(r.id, r.code, r.name_th, r.name_en, min(1.0, s))
            for pid, s in prov.items() if (r := names.get(("province", pid)))
        ]
        units.amphoes = [
            UnitRef(r.id, r.code, r.name_th, r.name_en, min(1.0, s))
            for aid, s in amph.items() if (r := names.get(("amphoe", aid)))
        ]
