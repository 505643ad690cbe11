"""What the OpenAPI schema at ``/api/schema/`` says the API answers, written out as JSON Schema.

The project list and the boundary layers are FeatureCollection pages whose features PostgreSQL
writes as text (``common.features``), and ``POST /api/validate/`` reads and answers plain JSON, so
no serializer describes them; the components below do, and the views refer to them with
``extend_schema(responses=responses(...))``. ``add_components`` (a drf-spectacular postprocessing
hook, ``SPECTACULAR_SETTINGS``) puts them into the schema. ``tests/analysis/test_openapi_contract.py``
holds the real answers to them (schemathesis, and replayed responses).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from projects_geo import fiscal
from projects_geo.models import Kind, Stage, Subtype


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


def _object(properties: dict, *, optional=(), closed=True, **extra) -> dict:
    """An object with these properties, all required but ``optional``; ``closed``: no others."""
    schema = {"type": "object", "required": [p for p in properties if p not in optional], "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return {**schema, **extra}


def _const(value) -> dict:
    return {"type": "string", "enum": [value]}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


STRING = {"type": "string"}
DECIMAL = {"type": "string", "format": "decimal", "pattern": "^-?[0-9]+([.][0-9]+)?$"}
STAGE = {"type": "integer", "enum": list(Stage.values)}

# --- GeoJSON geometries (RFC 7946), EPSG:4326 ------------------------------------------------------

POSITION = _array({"type": "number"}, minItems=2, maxItems=3)
LINE = _array(POSITION, minItems=2)
RING = _array(POSITION, minItems=4)
COORDINATES = {
    "Point": POSITION,
    "MultiPoint": _array(POSITION),
    "LineString": LINE,
    "MultiLineString": _array(LINE),
    "Polygon": _array(RING),
    "MultiPolygon": _array(_array(RING)),
}
GEOMETRIES = {
    f"GeoJSON{name}": _object({"type": _const(name), "coordinates": coordinates}, closed=False)
    for name, coordinates in COORDINATES.items()
}


def _one_of(*names) -> dict:
    return {"oneOf": [ref(f"GeoJSON{name}") for name in names]}


ANY_GEOMETRY = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string", "enum": [*COORDINATES, "GeometryCollection"]}},
    "description": "A GeoJSON geometry (RFC 7946), WGS84 longitude/latitude.",
}

# --- projects ----------------------------------------------------------------------------------------

# The properties of a project in a list page: common.features.PROJECT_PROPERTIES, written by PostgreSQL.
PROJECT_PROPERTIES = {
    "name": STRING,
    "kind": {"type": "string", "enum": list(Kind.values)},
    "subtype": {"type": "string", "enum": list(Subtype.values)},
    "fiscal_year": {"type": "integer", "minimum": fiscal.MIN_FISCAL_YEAR, "maximum": fiscal.MAX_FISCAL_YEAR},
    "budget": {"type": "number", "minimum": 0, "description": "THB"},
    "current_stage": _nullable({**STAGE, "description": "Latest budget stage reached, null: none recorded."}),
    "lao_code": {"type": "string", "description": "DLA code of the LAO"},
    "lao_name": STRING,
    "province": _nullable(STRING),
    "amphoe": _nullable(STRING),
    "tambon": _nullable({**STRING, "description": "The covering tambon (a line: the one with the largest share)."}),
    "length_m": _nullable({"type": "number", "description": "Geodesic length of a line (m); null for points."}),
}
# The detail (analysis.rest.serializers.ProjectDetailSerializer): money as decimal strings.
PROJECT_DETAIL_PROPERTIES = {
    **PROJECT_PROPERTIES,
    "budget": {**DECIMAL, "description": "THB"},
    "kind_label": STRING,
    "subtype_label": STRING,
    "current_stage_label": _nullable(STRING),
    "plan_reference": STRING,
    "source_ref": {**STRING, "description": "Key of the imported row; empty for projects entered on the map."},
    "stages": _array(ref("Stage")),
    "tambons": _array(ref("TambonShare")),
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
}


def _feature(id_schema, geometry, properties) -> dict:
    return _object({"type": _const("Feature"), "id": id_schema, "geometry": geometry, "properties": properties})


PROJECT_GEOMETRY = _one_of("Point", "MultiPoint", "LineString", "MultiLineString")

# --- POST /api/validate/ (projects_geo/views/validate.py) --------------------------------------------

UNIT = _object({"code": STRING, "name_th": STRING, "name_en": STRING, "share": _nullable({"type": "number"})})
FINDING = _object(
    {
        "code": {**STRING, "description": "e.g. outside_lao, duplicate_nearby, line_too_short"},
        "severity": {"type": "string", "enum": ["error", "warning"]},
        "message_th": STRING,
        "message_en": STRING,
        "message": {**STRING, "description": "message_th or message_en, in the language of the request"},
        "suggestion": _nullable({**ANY_GEOMETRY, "description": "A corrected geometry, when one is suggested."}),
        "data": {"type": "object", "additionalProperties": True},
    }
)
VALIDATE_REQUEST = _object(
    {
        "geometry": {**_one_of(*COORDINATES), "description": "The drawn location (or text)."},
        "text": {
            **STRING,
            "minLength": 1,
            "description": "Typed coordinates: decimal degrees, DMS or UTM (or geometry).",
        },
        "datum": _nullable({"type": "string", "enum": ["wgs84", "indian1975"], "description": "of typed UTM"}),
        "zone": _nullable({"type": "integer", "enum": [47, 48], "description": "UTM zone of typed coordinates"}),
        "lao": {"type": "string", "pattern": "^[0-9]{7}$", "description": "DLA code of an LAO the user may see"},
        "kind": {"type": "string", "enum": list(Kind.values)},
        "fiscal_year": _nullable(
            {"type": "integer", "minimum": fiscal.MIN_FISCAL_YEAR, "maximum": fiscal.MAX_FISCAL_YEAR}
        ),
        "project_id": _nullable(
            {"type": "integer", "minimum": 1, "maximum": 2**62, "description": "The project being edited"}
        ),
    },
    optional=("geometry", "text", "datum", "zone", "fiscal_year", "project_id"),
    closed=False,
    oneOf=[{"required": ["geometry"]}, {"required": ["text"]}],  # one of the two, not both
)

# --- errors ------------------------------------------------------------------------------------------

ERROR = _object(
    {
        "field": _nullable({**STRING, "description": "The parameter or body member at fault, if one is."}),
        "message_th": STRING,
        "message_en": STRING,
        "message": STRING,
    },
    optional=("message",),
)

COMPONENTS = {
    **GEOMETRIES,
    "ProjectFeature": _feature({"type": "integer"}, PROJECT_GEOMETRY, _object(PROJECT_PROPERTIES)),
    "ProjectDetailFeature": _feature({"type": "integer"}, PROJECT_GEOMETRY, _object(PROJECT_DETAIL_PROPERTIES)),
    "Stage": _object(
        {
            "stage": STAGE,
            "label": STRING,
            "date": {"type": "string", "format": "date"},
            "amount": _nullable(DECIMAL),
            "note": STRING,
        }
    ),
    "TambonShare": _object({"code": STRING, "name_th": STRING, "name_en": STRING, "share": {"type": "number"}}),
    "BoundaryFeature": _feature(
        {"type": "string", "description": "official code"},
        _one_of("Polygon", "MultiPolygon"),
        _object(
            {"code": STRING, "name_th": STRING, "name_en": STRING, "parent_code": _nullable(STRING)},
            optional=("parent_code",),
        ),
    ),
    "ValidateRequest": VALIDATE_REQUEST,
    "ValidationResult": _object(
        {
            "geometry": _nullable({**ANY_GEOMETRY, "description": "The cleaned geometry; null if unreadable."}),
            "preview": {**STRING, "description": "Its coordinates as text"},
            "units": _object(
                {
                    "province": _array(UNIT),
                    "amphoe": _array(UNIT),
                    "tambons": _array(UNIT),
                    "from_nearest": {"type": "boolean"},
                }
            ),
            "findings": _array(FINDING),
            "ok": {"type": "boolean", "description": "No finding is an error."},
        }
    ),
    "Error": ERROR,
    "Errors": _object({"errors": _array(ref("Error"), minItems=1)}),
}

DESCRIPTIONS = {
    400: "A parameter or the body is not acceptable: what and why, in Thai and English.",
    403: "Not signed in, or not allowed (an LAO the user may not see).",
    404: "No such object, or one the user may not see (the same answer for both).",
    415: "The body is not sent as JSON (Content-Type: application/json).",
    429: "Sign-in locked after too many failed attempts (Retry-After says how long).",
}


def responses(ok, *errors: int) -> dict:
    """``extend_schema(responses=...)``: ``ok`` (a schema or serializer) for 200, then each error
    status, all ``Errors`` (``common.apierrors`` gives every refusal under ``/api/`` that shape,
    a 404 of the URL resolver included)."""
    out = {200: ok}
    for code in errors:
        out[code] = OpenApiResponse(ref("Errors"), description=DESCRIPTIONS[code])
    return out


class FeaturePageSchema(AutoSchema):
    """A view that answers a FeatureCollection page (``FeatureCollectionPagination``) without being
    a ``ListAPIView``: its 200 is a page of the given feature, with the page parameters. Its own
    parameters are declared on the view (no filter backends)."""

    def _is_list_view(self, serializer=None) -> bool:
        return True

    def get_filter_backends(self) -> list:
        return []


class FilteredSchema(AutoSchema):
    """A view that is not a list but takes the project filters (``ProjectFilterBackend``)."""

    def get_filter_backends(self) -> list:
        return list(getattr(self.view, "filter_backends", []))


class BasicScheme(OpenApiAuthenticationExtension):
    """``common.httpauth.BasicAuthentication`` is HTTP Basic (with the sign-in throttle)."""

    target_class = "common.httpauth.BasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}


def add_components(result, generator, request, public):
    """drf-spectacular postprocessing hook: the components above; a request body that is one of
    them with required members is itself required (``extend_schema`` cannot say so of a raw schema)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(COMPONENTS)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            refs = [media.get("schema", {}).get("$ref", "") for media in content.values()]
            if refs and all(schemas.get(r.rpartition("/")[2], {}).get("required") for r in refs):
                operation["requestBody"]["required"] = True
    return result
