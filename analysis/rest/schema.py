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

from analysis.filters import FILTER_PARAMS
from projects_geo import fiscal
from projects_geo.models import FundingSource, Kind, Stage, Subtype


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
    "funding_source": {
        "type": "string",
        "enum": ["", *FundingSource.values],
        "description": "Funding source code; empty: not recorded.",
    },
}
# The detail (analysis.rest.serializers.ProjectDetailSerializer): money as decimal strings.
PROJECT_DETAIL_PROPERTIES = {
    **PROJECT_PROPERTIES,
    "budget": {**DECIMAL, "description": "THB"},
    "kind_label": STRING,
    "subtype_label": STRING,
    "current_stage_label": _nullable(STRING),
    "funding_source_label": STRING,
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
        "typed_as": _nullable(
            {"type": "object", "description": "How the geometry was typed (a preview's typed_as); none when drawn"}
        ),
        "lao": {"type": "string", "pattern": "^[0-9]{7}$", "description": "DLA code of an LAO the user may see"},
        "kind": {"type": "string", "enum": list(Kind.values)},
        "fiscal_year": _nullable(
            {"type": "integer", "minimum": fiscal.MIN_FISCAL_YEAR, "maximum": fiscal.MAX_FISCAL_YEAR}
        ),
        "project_id": _nullable(
            {"type": "integer", "minimum": 1, "maximum": 2**62, "description": "The project being edited"}
        ),
    },
    optional=("geometry", "text", "datum", "zone", "typed_as", "fiscal_year", "project_id"),
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
            "funding_source": {
                "type": "string",
                "enum": ["", *FundingSource.values],
                "description": "The approved budget's funding source when it differs from the project's.",
            },
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
            "typed_as": _nullable({"type": "object", "description": "How typed text was read (form, zone, datum)"}),
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


def _errors(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref("Errors")}}}


def _int_path(name: str, description: str, maximum: int) -> dict:
    schema = {"type": "integer", "minimum": 0, "maximum": maximum}
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


LEVEL_PARAMETER = {
    "name": "level",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": ["province", "amphoe", "tambon"]},
}
TILE_PARAMETERS = [
    _int_path("z", "zoom 0-22", 22),
    _int_path("x", "column, below 2^z", 2**22 - 1),
    _int_path("y", "row, below 2^z", 2**22 - 1),
]
TILEJSON = _object(
    {
        "tilejson": _const("3.0.0"),
        "name": STRING,
        "scheme": _const("xyz"),
        "tiles": _array(STRING, minItems=1),
        "minzoom": {"type": "integer"},
        "maxzoom": {"type": "integer"},
        "bounds": _array({"type": "number"}, minItems=4, maxItems=4),
        "center": _array({"type": "number"}, minItems=3, maxItems=3),
        "vector_layers": _array(
            _object(
                {
                    "id": STRING,
                    "description": STRING,
                    "fields": {"type": "object", "additionalProperties": STRING},
                    "minzoom": {"type": "integer"},
                    "maxzoom": {"type": "integer"},
                },
                optional=("description",),
            )
        ),
    }
)
EXPORT_TYPES = {
    "geojson": "application/geo+json",
    "shp": "application/zip",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "text/csv",
    "kml": "application/vnd.google-earth.kml+xml",
}
NOT_SIGNED_IN = _errors("Not signed in: send HTTP Basic credentials or a session (WWW-Authenticate: Basic).")
BAD_REQUEST = _errors(DESCRIPTIONS[400])
NOT_FOUND = _errors("No such tile (outside the zoom range or grid) or level.")
METHOD = _errors("Only GET and HEAD.")
BINARY = {"type": "string", "format": "binary"}


def _get(op_id, summary, parameters, ok: dict, *, tags, not_found=False) -> dict:
    responses_ = {"200": ok, "400": BAD_REQUEST, "401": NOT_SIGNED_IN, "405": METHOD}
    if not_found:
        responses_["404"] = NOT_FOUND
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "tags": tags,
            "parameters": parameters,
            "responses": responses_,
        }
    }


def extra_paths(filter_parameters: list, security: list) -> dict:
    """The plain Django views that are no DRF views: the export and the vector tiles (with their
    TileJSON). ``filter_parameters``: the filter parameters as the project list declares them."""
    tile = {
        "description": "A Mapbox vector tile",
        "content": {"application/vnd.mapbox-vector-tile": {"schema": BINARY}},
    }
    tilejson = {"description": "TileJSON 3.0.0", "content": {"application/json": {"schema": ref("TileJSON")}}}
    fmt = {
        "name": "format",
        "in": "query",
        "required": True,
        "schema": {"type": "string", "enum": list(EXPORT_TYPES)},
    }
    encoding = {
        "name": "encoding",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["utf-8", "cp874"]},
    }
    export = {
        "description": "The export file (streamed; Content-Disposition: attachment)",
        "content": {
            media: {"schema": ref("ProjectExport") if media.endswith("json") else BINARY}
            for media in EXPORT_TYPES.values()
        },
    }
    paths = {
        "/api/projects/export/": _get(
            "export_projects", "Export the selection", [fmt, encoding, *filter_parameters], export, tags=["export"]
        ),
        "/tiles/projects.json": _get(
            "tiles_projects_tilejson", "TileJSON of the project tiles", filter_parameters, tilejson, tags=["tiles"]
        ),
        "/tiles/boundaries/{level}.json": _get(
            "tiles_boundaries_tilejson",
            "TileJSON of a boundary level",
            [LEVEL_PARAMETER],
            tilejson,
            tags=["tiles"],
            not_found=True,
        ),
        "/tiles/projects/{z}/{x}/{y}.pbf": _get(
            "tiles_projects",
            "A project tile",
            [*TILE_PARAMETERS, *filter_parameters],
            tile,
            tags=["tiles"],
            not_found=True,
        ),
        "/tiles/boundaries/{level}/{z}/{x}/{y}.pbf": _get(
            "tiles_boundaries",
            "A boundary tile",
            [LEVEL_PARAMETER, *TILE_PARAMETERS],
            tile,
            tags=["tiles"],
            not_found=True,
        ),
    }
    for path in ("/tiles/projects/{z}/{x}/{y}.pbf", "/tiles/boundaries/{level}/{z}/{x}/{y}.pbf"):
        paths[path]["get"]["responses"]["204"] = {
            "description": "An empty tile (no body)",
            "content": {"application/vnd.mapbox-vector-tile": {"schema": {**BINARY, "maxLength": 0}}},
        }
    for item in paths.values():
        item["get"]["security"] = security
    return paths


def add_components(result, generator, request, public):
    """drf-spectacular postprocessing hook: the components above; a request body that is one of
    them with required members is itself required (``extend_schema`` cannot say so of a raw schema);
    the export and tile paths (``extra_paths``)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(COMPONENTS)
    schemas["TileJSON"] = TILEJSON
    schemas["ProjectExport"] = _object(
        {"type": _const("FeatureCollection"), "features": _array({"type": "object"})}, closed=False
    )
    listing = result.get("paths", {}).get("/api/projects/", {}).get("get", {})
    filters = [p for p in listing.get("parameters", []) if p.get("in") == "query" and p["name"] in FILTER_PARAMS]
    result.setdefault("paths", {}).update(extra_paths(filters, listing.get("security", [])))
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            refs = [media.get("schema", {}).get("$ref", "") for media in content.values()]
            if refs and all(schemas.get(r.rpartition("/")[2], {}).get("required") for r in refs):
                operation["requestBody"]["required"] = True
    return result
