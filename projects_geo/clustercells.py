"""The cluster-cell table behind low-zoom project tiles (``models.ClusterCell``).

Triggers (migration ``0005_clustercell``) append signed delta rows as projects change; a cell's
count and budget are the sums of its rows. ``compact`` folds the rows of each cell into one;
``rebuild`` recomputes the table from the projects; both write the rows in tile order (zoom, cx,
cy), so a tile's rows lie together on disk (scattered, a z6 tile read ~45,000 random pages:
1.7 s cold instead of ~25 ms). Both are safe while projects are being saved:
they only delete rows their own snapshot sees, so a delta committed meanwhile is neither lost nor
counted twice.

``tile_cells`` answers a cluster tile from the table when the request's filters are ones the
table is grouped by (fiscal year, kind, current stage) and the user sees the whole country or a
province; any other filter, or an LAO's own staff (a few hundred projects), goes to the projects
table as before. Both paths give the same tile.
"""

from __future__ import annotations

from django.db import connection, transaction

from .models import ClusterCell

# Cells are kept for zooms 0 … ZOOMS - 1; from ZOOMS up, tiles draw each project
# (analysis.tiles.CLUSTER_BELOW_ZOOM). The migration's triggers fill exactly these zooms (tested).
ZOOMS = 10
# Filters the cells are grouped by; a request with any other filter reads the projects.
CELL_FILTERS = frozenset({"fiscal_year", "kind", "stage", "reached_stage"})

_COLUMNS = "zoom, cx, cy, province_id, fiscal_year, kind, current_stage"


def compact() -> tuple[int, int]:
    """Fold each cell's delta rows into one row (cells that sum to nothing disappear).
    Returns (rows before, rows after)."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"""
            WITH gone AS (DELETE FROM projects_geo_clustercell RETURNING {_COLUMNS}, count, budget),
            folded AS (
                INSERT INTO projects_geo_clustercell ({_COLUMNS}, count, budget)
                SELECT {_COLUMNS}, sum(count), sum(budget) FROM gone
                GROUP BY {_COLUMNS} HAVING sum(count) <> 0 OR sum(budget) <> 0
                ORDER BY zoom, cx, cy
                RETURNING 1)
            SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM folded)
            """
        )
        counts = cur.fetchone()
        cur.execute("ANALYZE projects_geo_clustercell")
        return counts


def rebuild() -> int:
    """Recompute every cell from the projects (``gisplan_clustercell_rebuild``, the triggers' own
    grouping). Returns the number of rows written."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT gisplan_clustercell_rebuild()")
        written = cur.fetchone()[0]
        cur.execute("ANALYZE projects_geo_clustercell")
        return written


def usable(names: set[str], scope: tuple[str, int | None], z: int) -> bool:
    """Whether a cluster tile with filter parameters ``names`` and access ``scope``
    (``accounts.access.scope_of``) can be answered from the cells."""
    return z < ZOOMS and scope[0] in ("national", "province") and set(names) <= CELL_FILTERS


def tile_cells(scope: tuple[str, int | None], z: int, x: int, y: int):
    """The cells of tile z/x/y the user's scope covers, as a queryset for the shared project
    filters (``filters.filter_projects``: fiscal_year, kind, stage and reached_stage read the same
    column names here as on projects)."""
    half = 32 * 2**z  # cells from the Web Mercator origin to the map's edge
    qs = ClusterCell.objects.filter(
        zoom=z, cx__range=(64 * x - half, 64 * (x + 1) - half - 1), cy__range=(half - 64 * (y + 1), half - 64 * y - 1)
    )
    return qs.filter(province_id=scope[1]) if scope[0] == "province" else qs
