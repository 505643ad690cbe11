"""What the phone keeps for working offline: the LAO's area (its amphoe; a PAO's province — the
area boundary validation checks against) and its projects' outlines and attributes, as one JSON
text built by PostGIS (geometries simplified to about a metre, 6 decimals)."""

from __future__ import annotations

import json

from django.db import connection

AREA_SQL = """
SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.00001), 6) FROM {table} WHERE id = %s
"""
PROJECTS_SQL = """
SELECT coalesce(json_agg(json_build_object(
    'type', 'Feature',
    'geometry', ST_AsGeoJSON(geom, 7)::json,
    'properties', json_build_object(
        'id', id, 'version', version, 'name', name, 'kind', kind, 'subtype', subtype,
        'fiscal_year', fiscal_year, 'budget', budget::text, 'plan_reference', plan_reference,
        'current_stage', current_stage)
) ORDER BY id), '[]'::json)::text
FROM projects_geo_project WHERE id IN ({ids})
"""
MAX_PROJECTS = 5000


def offline_data(organization, projects, *, editable: bool) -> bytes:
    """JSON: ``{lao, area (GeoJSON geometry), projects (FeatureCollection), editable}``."""
    table, key = (
        ("layers_amphoe", organization.amphoe_id)
        if organization.amphoe_id
        else ("layers_province", organization.province_id)
    )
    ids = list(projects.order_by("-pk").values_list("pk", flat=True)[:MAX_PROJECTS])
    with connection.cursor() as cur:
        cur.execute(AREA_SQL.format(table=table), [key])
        row = cur.fetchone()
        area = row[0] if row else "null"
        features = "[]"
        if ids:
            cur.execute(PROJECTS_SQL.format(ids=",".join(["%s"] * len(ids))), ids)
            features = cur.fetchone()[0]
    head = json.dumps(
        {"lao": organization.dla_code, "name": organization.name_th, "editable": editable}, ensure_ascii=False
    )[:-1]
    return f'{head}, "area": {area}, "projects": {{"type": "FeatureCollection", "features": {features}}}}}'.encode()
