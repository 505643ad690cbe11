"""The "photos" layer of the GeoPackage export: one point per photo of the selected projects that
carries a position (from its EXIF), with the project's id and name, the photo's address and
thumbnail, when it was taken, its distance from the project and its warnings. Read by SQL from
the field app's table (exchange does not import field)."""

from __future__ import annotations

from pathlib import Path

from .query import iter_chunks, selection_sql

LAYER = "photos"
COLUMNS = [
    ("photo_id", "integer"),
    ("project_id", "integer"),
    ("project_name", "string"),
    ("stage", "integer"),
    ("photo_url", "string"),
    ("thumbnail_url", "string"),
    ("taken_at", "string"),
    ("distance_m", "real"),
    ("warnings", "string"),
]


def photos_sql(queryset) -> tuple[str, tuple]:
    sel, params = selection_sql(queryset)
    sql = f"""
WITH sel(id) AS MATERIALIZED ({sel})
SELECT ph.id, ph.project_id, p.name, s.stage,
       '/field/photos/' || ph.id || '/', '/field/photos/' || ph.id || '/thumb/',
       to_char(ph.taken_at AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM-DD"T"HH24:MI:SS'),
       round(ph.distance_m::numeric, 1)::float8,
       (SELECT string_agg(f->>'code', ' ') FROM jsonb_array_elements(ph.findings) f),
       ST_AsBinary(ph.location)
FROM field_photo ph
JOIN sel ON sel.id = ph.project_id
JOIN projects_geo_project p ON p.id = ph.project_id
LEFT JOIN projects_geo_projectstage s ON s.id = ph.stage_id
WHERE ph.location IS NOT NULL
ORDER BY ph.id"""
    return sql, params


def write_photos_layer(queryset, path: Path) -> int:
    """Add the photos layer to the GeoPackage at ``path``; returns the number of photos written."""
    import pyarrow as pa
    import pyogrio.raw

    types = {"integer": pa.int64(), "real": pa.float64(), "string": pa.string()}
    schema = pa.schema([*(pa.field(n, types[t]) for n, t in COLUMNS), pa.field("__wkb__", pa.binary())])
    sql, params = photos_sql(queryset)
    rows = [row for chunk in iter_chunks(sql, params, using=queryset.db) for row in chunk]
    cols = list(zip(*rows)) if rows else [[] for _ in range(len(COLUMNS) + 1)]
    table = pa.Table.from_arrays(
        [
            pa.array([bytes(v) if isinstance(v, memoryview) else v for v in col], type=schema.field(i).type)
            for i, col in enumerate(cols)
        ],
        schema=schema,
    )
    pyogrio.raw.write_arrow(
        table,
        str(path),
        driver="GPKG",
        layer=LAYER,
        geometry_name="__wkb__",
        geometry_type="Point",
        crs="EPSG:4326",
        append=path.exists(),
    )
    return len(rows)
