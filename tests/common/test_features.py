"""Feature JSON built by concatenation in PostgreSQL (``common.features``): each value's JSON
text is exactly what ``to_json`` writes, shortcuts hold only where the database guarantees them,
and pages are read as UTF-8 bytes with the Thai intact."""

import json

import pytest
from django.db import IntegrityError, connection, transaction

from common.features import (
    PROJECT_PROPERTIES,
    feature_collection_bytes,
    fetch_feature_bytes,
    json_safe_text,
    property_json_sql,
    with_feature_json,
)
from layers.models import Amphoe, Organization, Province, Tambon
from projects_geo.models import Project

pytestmark = pytest.mark.django_db

FIELD = {
    "float": Project._meta.get_field("length_m"),
    "decimal": Project._meta.get_field("budget"),
    "integer": Project._meta.get_field("fiscal_year"),
    "text": Project._meta.get_field("name"),
    "code": Organization._meta.get_field("dla_code"),
}
VALUES = {
    "float": [
        "1.5::float8",
        "0.1::float8",
        "1e20::float8",
        "-2.5e-7::float8",
        "'NaN'::float8",
        "'Infinity'::float8",
        "'-Infinity'::float8",
        "NULL::float8",
        "123456.789012345::float8",
    ],
    "decimal": [
        "1897000.00::numeric(14,2)",
        "0.05::numeric(14,2)",
        "'NaN'::numeric(14,2)",
        "NULL::numeric(14,2)",
        "'Infinity'::numeric",
        "'-Infinity'::numeric",
        "1e-20::numeric",
    ],
    "integer": ["2568", "-1", "NULL::int"],
    "text": ["'ถนน \"คสล.\" หมู่ 3'", "E'back\\\\slash\\nnew line\\ttab'", "E'\\x01 control'", "''", "NULL::text"],
    "code": ["'8310105'", "NULL::varchar"],
}


@pytest.mark.parametrize("kind", list(VALUES))
def test_each_value_is_written_exactly_as_to_json_writes_it(kind):
    expr = property_json_sql("v", FIELD[kind])
    rows = " UNION ALL ".join(f"SELECT {i} AS n, {v} AS v" for i, v in enumerate(VALUES[kind]))
    with connection.cursor() as cur:
        cur.execute(f"SELECT {expr}, COALESCE(to_json(v)::text, 'null') FROM ({rows}) t ORDER BY n")
        pairs = cur.fetchall()
    assert len(pairs) == len(VALUES[kind])
    for ours, reference in pairs:
        assert ours == reference
        json.loads(ours)  # valid JSON, NaN and infinities included (quoted)


def test_the_quoting_shortcut_follows_the_database_constraints():
    assert json_safe_text(Organization, "dla_code")
    assert json_safe_text(Province, "code") and json_safe_text(Amphoe, "code") and json_safe_text(Tambon, "code")
    assert json_safe_text(Project, "kind")
    # Free text, or text no constraint limits: escaped by to_json.
    assert not json_safe_text(Project, "name")
    assert not json_safe_text(Project, "subtype")
    assert not json_safe_text(Organization, "name_th")
    assert "'\"' ||" in property_json_sql("x", FIELD["code"])
    assert "to_json" in property_json_sql("x", FIELD["text"])


@pytest.mark.parametrize(
    "table, column",
    [
        ("layers_organization", "dla_code"),
        ("layers_province", "code"),
        ("layers_amphoe", "code"),
        ("layers_tambon", "code"),
        ("projects_geo_project", "kind"),
    ],
)
def test_the_database_refuses_a_quote_in_every_column_quoted_without_escaping(table, column):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET {column} = %s WHERE id = (SELECT min(id) FROM {table})", ['1"'])


def test_features_match_json_build_object_on_the_sample():
    """Every sample project's feature against PostgreSQL's own json_build_object of the same columns."""
    qs = Project.objects.order_by("id")
    features = [json.loads(text) for text in with_feature_json(qs)]
    assert len(features) == Project.objects.count() > 0
    args = ", ".join(
        f"'{name}', {path}"
        for name, path in (
            ("name", "p.name"),
            ("kind", "p.kind"),
            ("subtype", "p.subtype"),
            ("fiscal_year", "p.fiscal_year"),
            ("budget", "p.budget"),
            ("current_stage", "p.current_stage"),
            ("lao_code", "o.dla_code"),
            ("lao_name", "o.name_th"),
            ("province", "pv.code"),
            ("amphoe", "am.code"),
            ("tambon", "tb.code"),
            ("length_m", "p.length_m"),
            ("funding_source", "p.funding_source"),
        )
    )
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT p.id, json_build_object({args})::text, ST_AsGeoJSON(p.geom, 7)
            FROM projects_geo_project p JOIN layers_organization o ON o.id = p.organization_id
            LEFT JOIN layers_province pv ON pv.id = p.province_id LEFT JOIN layers_amphoe am ON am.id = p.amphoe_id
            LEFT JOIN layers_tambon tb ON tb.id = p.tambon_id ORDER BY p.id""")
        expected = cur.fetchall()
    assert list(PROJECT_PROPERTIES) == list(features[0]["properties"])
    for feature, (pid, props, geometry) in zip(features, expected):
        assert feature["type"] == "Feature" and feature["id"] == pid
        assert feature["properties"] == json.loads(props)
        assert feature["geometry"] == json.loads(geometry)
    assert any(f["properties"]["length_m"] is None for f in features)  # points: a JSON null
    assert any(isinstance(f["properties"]["length_m"], float) for f in features)


def test_a_page_is_read_as_utf8_bytes_with_the_thai_intact():
    project = Project.objects.order_by("id").first()
    project.name = 'ถนน "คสล." สายบ้านนา\nหมู่ 3'
    project.save(update_fields=["name"])
    rows = fetch_feature_bytes(with_feature_json(Project.objects.order_by("id"))[:3])
    assert len(rows) == 3 and all(isinstance(r, bytes) for r in rows)
    assert json.loads(rows[0])["properties"]["name"] == project.name
    body = json.loads(feature_collection_bytes(rows, numberReturned=3, title="ทดสอบ"))
    assert body["type"] == "FeatureCollection" and body["title"] == "ทดสอบ"
    assert [f["id"] for f in body["features"]] == list(Project.objects.order_by("id").values_list("id", flat=True)[:3])
    assert fetch_feature_bytes(with_feature_json(Project.objects.none())) == []
    assert json.loads(feature_collection_bytes([])) == {"type": "FeatureCollection", "features": []}
