"""GeoJSON features of projects built by PostgreSQL (``json_build_object`` + ``ST_AsGeoJSON``).

At a 2,000-feature page the cost of turning rows into GeoJSON in Python (GEOS → GeoJSON per
geometry, a dict per row, one big ``json.dumps``) is several times the query itself; asking
PostGIS for each feature as JSON text keeps the API within a small factor of raw SQL. The API
list, the OGC API items and anything else that streams features use ``with_feature_json``.
"""
from __future__ import annotations

from django.db.models import F, Func, TextField, Value

# GeoJSON property name → ORM path (joins are LEFT/INNER as the ORM decides; no N+1).
PROJECT_PROPERTIES = {
    "name": "name",
    "kind": "kind",
    "subtype": "subtype",
    "fiscal_year": "fiscal_year",
    "budget": "budget",
    "current_stage": "current_stage",
    "lao_code": "organization__dla_code",
    "lao_name": "organization__name_th",
    "province": "province__code",
    "amphoe": "amphoe__code",
    "tambon": "tambon__code",
    "length_m": "length_m",
}


class JSONBuildObject(Func):
    function = "json_build_object"
    output_field = TextField()  # never read in Python: always wrapped


class GeomAsJSON(Func):
    """``ST_AsGeoJSON(geom, precision)::json`` (7 decimals ≈ 1 cm)."""

    template = "ST_AsGeoJSON(%(expressions)s, %(precision)s)::json"
    output_field = TextField()

    def __init__(self, expression, precision=7, **extra):
        super().__init__(expression, precision=int(precision), **extra)


class AsText(Func):
    template = "(%(expressions)s)::text"
    output_field = TextField()


def feature_expression(properties=PROJECT_PROPERTIES, *, precision=7, id_field="id", geometry=None):
    """The ORM expression for one GeoJSON Feature as text (``geometry`` defaults to ``geom``)."""
    props = []
    for name, path in properties.items():
        props += [Value(name), F(path)]
    return AsText(
        JSONBuildObject(
            Value("type"), Value("Feature"),
            Value("id"), F(id_field),
            Value("geometry"), GeomAsJSON(geometry if geometry is not None else F("geom"), precision=precision),
            Value("properties"), JSONBuildObject(*props),
        )
    )


def with_feature_json(queryset, **kwargs):
    """``queryset`` as a values list of GeoJSON Feature texts (keeps its filters and ordering)."""
    return queryset.annotate(_feature=feature_expression(**kwargs)).values_list("_feature", flat=True)


def feature_collection_text(features, **members) -> str:
    """A FeatureCollection JSON text around feature JSON texts, with extra top-level members."""
    import json

    head = json.dumps({"type": "FeatureCollection", **members}, ensure_ascii=False, separators=(",", ":"), default=str)
    return head[:-1] + ',"features":[' + ",".join(features) + "]}"
