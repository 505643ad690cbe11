"""Cluster cells of the low-zoom project tiles, kept by statement triggers (see
``projects_geo.models.ClusterCell``).

The cell of a project is that of its centroid at zoom 9 (``gisplan_cell9``: Web Mercator x / y
divided by the zoom-9 cell of 64 tile pixels, 1222.99245256282 m); the cell at zoom z is that
shifted right by 9 - z bits, which is exactly what ``tiles.MercatorCell`` computes at zoom z
(the cell sizes differ by powers of two). Triggers append signed delta rows:

- projects: INSERT (+), DELETE (-), UPDATE (- old, + new, only for rows whose cell, LAO, fiscal
  year, kind, stage, budget or deletion changed); soft-deleted projects are not counted;
- LAOs: UPDATE of a province moves its projects' rows to the new province.

One grouping statement (``APPEND``) serves the four triggers and ``gisplan_clustercell_rebuild``.
"""

from django.db import migrations, models

ZOOMS = 10  # tiles.CLUSTER_BELOW_ZOOM

CELL9 = """
CREATE FUNCTION gisplan_cell9(g geometry) RETURNS int[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        floor(greatest(-180, least(180, ST_X(ST_Centroid(g)))) * 111319.49079327357 / 1222.99245256282)::int,
        floor(ln(tan(radians(45 + greatest(-85.0511287798, least(85.0511287798, ST_Y(ST_Centroid(g)))) / 2)))
              * 6378137.0 / 1222.99245256282)::int]
$$;
"""
# Clamped to the Web Mercator square: a geometry outside it (a stored lat/lon swap, latitude 98)
# is on no tile, and must not make the trigger fail. Inside it the value is the tiles' own.

# Grouped signed rows of a relation "r0" (sign, geom, province_id, fiscal_year, kind,
# current_stage, budget; province_id is the owning LAO's) into the cell table, one row per zoom and
# key: grouped at zoom 9 first, then the zoom-9 groups at every zoom (OFFSET 0 computes each
# project's cell once). 100,000 projects in one statement (an import) take ~4 s here.
APPEND = f"""
    INSERT INTO projects_geo_clustercell (zoom, cx, cy, province_id, fiscal_year, kind, current_stage, count, budget)
    SELECT z, g.cx >> (9 - z), g.cy >> (9 - z), g.province_id, g.fiscal_year, g.kind, g.current_stage, sum(g.n), sum(g.b)
    FROM (SELECT r.c[1] AS cx, r.c[2] AS cy, r.province_id, r.fiscal_year, r.kind, r.current_stage,
                 sum(r.sign) AS n, sum(r.sign * r.budget) AS b
          FROM (SELECT s.*, gisplan_cell9(s.geom) AS c FROM r0 s OFFSET 0) r
          WHERE r.c[1] IS NOT NULL AND r.c[2] IS NOT NULL
          GROUP BY 1, 2, 3, 4, 5, 6) g
    CROSS JOIN generate_series(0, {ZOOMS - 1}) z
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(g.n) <> 0 OR sum(g.b) <> 0
"""
COLS = "p.geom, o.province_id, p.fiscal_year, p.kind, p.current_stage, p.budget"
LAO = "JOIN layers_organization o ON o.id = p.organization_id"

TRIGGERS = f"""
CREATE FUNCTION gisplan_clustercell_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH r0 AS (SELECT 1 AS sign, {COLS} FROM new_rows p {LAO} WHERE p.deleted_at IS NULL)
    {APPEND};
    RETURN NULL;
END $$;

CREATE FUNCTION gisplan_clustercell_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH r0 AS (SELECT -1 AS sign, {COLS} FROM old_rows p {LAO} WHERE p.deleted_at IS NULL)
    {APPEND};
    RETURN NULL;
END $$;

CREATE FUNCTION gisplan_clustercell_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH changed AS (
        SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (gisplan_cell9(o.geom), o.organization_id, o.fiscal_year, o.kind, o.current_stage, o.budget, o.deleted_at IS NULL)
              IS DISTINCT FROM
              (gisplan_cell9(n.geom), n.organization_id, n.fiscal_year, n.kind, n.current_stage, n.budget, n.deleted_at IS NULL)
    ), r0 AS (
        SELECT -1 AS sign, {COLS} FROM old_rows p {LAO} WHERE p.deleted_at IS NULL AND p.id IN (SELECT id FROM changed)
        UNION ALL
        SELECT 1, {COLS} FROM new_rows p {LAO} WHERE p.deleted_at IS NULL AND p.id IN (SELECT id FROM changed)
    )
    {APPEND};
    RETURN NULL;
END $$;

CREATE FUNCTION gisplan_clustercell_lao_province() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.province_id IS DISTINCT FROM o.province_id) THEN
        RETURN NULL;  -- most LAO updates (names, registry reloads) move nothing
    END IF;
    WITH moved AS (
        SELECT o.id, o.province_id AS old_province, n.province_id AS new_province
        FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.province_id IS DISTINCT FROM o.province_id
    ), r0 AS (
        SELECT m.sign, p.geom, m.province_id, p.fiscal_year, p.kind, p.current_stage, p.budget
        FROM projects_geo_project p
        JOIN (SELECT id, -1 AS sign, old_province AS province_id FROM moved
              UNION ALL SELECT id, 1, new_province FROM moved) m ON m.id = p.organization_id
        WHERE p.deleted_at IS NULL
    )
    {APPEND};
    RETURN NULL;
END $$;

-- Every cell recomputed from the projects (clustercells.rebuild), in tile order so that a tile's
-- rows lie together on disk. Safe beside concurrent saves: it deletes only rows its snapshot sees.
CREATE FUNCTION gisplan_clustercell_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    written bigint;
BEGIN
    DELETE FROM projects_geo_clustercell;
    WITH r0 AS (SELECT 1 AS sign, {COLS} FROM projects_geo_project p {LAO} WHERE p.deleted_at IS NULL)
    {APPEND}
    ORDER BY 1, 2, 3;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

CREATE TRIGGER clustercell_insert AFTER INSERT ON projects_geo_project
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gisplan_clustercell_insert();
CREATE TRIGGER clustercell_delete AFTER DELETE ON projects_geo_project
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION gisplan_clustercell_delete();
CREATE TRIGGER clustercell_update AFTER UPDATE ON projects_geo_project
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gisplan_clustercell_update();
CREATE TRIGGER clustercell_lao_province AFTER UPDATE ON layers_organization
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gisplan_clustercell_lao_province();

SELECT gisplan_clustercell_rebuild();
ANALYZE projects_geo_clustercell;
"""

DROP = """
DROP TRIGGER IF EXISTS clustercell_insert ON projects_geo_project;
DROP TRIGGER IF EXISTS clustercell_delete ON projects_geo_project;
DROP TRIGGER IF EXISTS clustercell_update ON projects_geo_project;
DROP TRIGGER IF EXISTS clustercell_lao_province ON layers_organization;
DROP FUNCTION IF EXISTS gisplan_clustercell_insert(), gisplan_clustercell_delete(), gisplan_clustercell_update(),
    gisplan_clustercell_lao_province(), gisplan_clustercell_rebuild(), gisplan_cell9(geometry);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0002_issue3_tambonpart"),
        ("projects_geo", "0004_merge_issue8"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClusterCell",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("zoom", models.SmallIntegerField()),
                ("cx", models.IntegerField()),
                ("cy", models.IntegerField()),
                ("province_id", models.BigIntegerField()),
                ("fiscal_year", models.SmallIntegerField()),
                ("kind", models.CharField(max_length=10)),
                ("current_stage", models.SmallIntegerField(null=True)),
                ("count", models.IntegerField()),
                ("budget", models.DecimalField(decimal_places=2, max_digits=18)),
            ],
            options={
                "verbose_name": "cluster cell",
                "verbose_name_plural": "cluster cells",
                "indexes": [models.Index(fields=["zoom", "cx", "cy"], name="clustercell_tile_idx")],
            },
        ),
        migrations.RunSQL(CELL9 + TRIGGERS, DROP),
    ]
