"""Boundary lookup: which province, amphoe and tambon(s) a geometry lies in, answered in PostGIS.

Set-based: ``units_for_geometries`` takes a batch of geometries and answers in one query.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection


@dataclass
class TambonShare:
    tambon_id: int
    amphoe_id: int
    province_id: int
    share: float


@dataclass
class Units:
    """The units one geometry lies in, largest share first."""

    tambons: list[TambonShare] = field(default_factory=list)

    @property
    def main(self) -> TambonShare | None:
        return self.tambons[0] if self.tambons else None

    @property
    def province_ids(self) -> list[int]:
        return list(dict.fromkeys(t.province_id for t in self.tambons))

    @property
    def amphoe_ids(self) -> list[int]:
        return list(dict.fromkeys(t.amphoe_id for t in self.tambons))


UNITS_SQL = """
WITH g AS (
    SELECT ord, ST_GeomFromEWKB(wkb) AS geom
    FROM unnest(%s::bytea[]) WITH ORDINALITY AS u(wkb, ord)
), hits AS (
    SELECT g.ord, t.id AS tambon_id, t.amphoe_id, a.province_id,
           CASE WHEN ST_Dimension(g.geom) = 0
                THEN ST_NPoints(ST_Intersection(g.geom, t.geom))::float8 / GREATEST(ST_NPoints(g.geom), 1)
                ELSE ST_Length(ST_Intersection(g.geom, t.geom)::geography)
                     / NULLIF(ST_Length(g.geom::geography), 0)
           END AS share
    FROM g
    JOIN layers_tambon t ON ST_Intersects(t.geom, g.geom)
    JOIN layers_amphoe a ON a.id = t.amphoe_id
)
SELECT ord, tambon_id, amphoe_id, province_id, COALESCE(share, 1.0)
FROM hits
ORDER BY ord, share DESC NULLS LAST, tambon_id
"""


def units_for_geometries(geoms) -> list[Units]:
    """For each GEOS geometry (EPSG:4326), the tambons it lies in with their share. One query."""
    results = [Units() for _ in geoms]
    if not geoms:
        return results
    wkbs = [bytes(g.ewkb) for g in geoms]
    with connection.cursor() as cur:
        cur.execute(UNITS_SQL, [wkbs])
        for ord_, tambon_id, amphoe_id, province_id, share in cur.fetchall():
            if share and share > 0:
                results[ord_ - 1].tambons.append(
                    TambonShare(tambon_id, amphoe_id, province_id, min(float(share), 1.0))
                )
    return results
