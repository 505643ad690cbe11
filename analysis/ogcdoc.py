"""The OpenAPI 3.0 definition of the OGC API (``/ogc/api``, the landing page's ``service-desc``):
every path with its parameters (``limit`` with its default and maximum, which GDAL and QGIS read
as their page size) and the shapes of the answers, errors included."""

from __future__ import annotations

from analysis import ogccrs, ogcdata
from analysis.filters import FILTER_PARAMS
from analysis.queryables import FILTER_LANGS

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
OPENAPI_YAML = "application/vnd.oai.openapi;version=3.0"

_REF = "#/components/"


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"{_REF}{kind}/{name}"}


def _param(name, description, schema, *, style=None, explode=None) -> dict:
    out = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if style:
        out.update(style=style, explode=explode)
    return out


PARAMETERS = {
    "f": _param("f", "Output format: json (GeoJSON/JSON) or html.", {"type": "string", "enum": ["json", "html"]}),
    "limit": _param(
        "limit",
        "Features per page (a larger value is served as the maximum).",
        {"type": "integer", "minimum": 1, "maximum": ogcdata.MAX_LIMIT, "default": ogcdata.DEFAULT_LIMIT},
        style="form",
        explode=False,
    ),
    "offset": _param("offset", "Features to skip (next links carry it).", {"type": "integer", "minimum": 0}),
    "bbox": _param(
        "bbox",
        "minx,miny,maxx,maxy in bbox-crs (CRS84 lon/lat by default): features intersecting the box.",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        style="form",
        explode=False,
    ),
    "bbox-crs": _param("bbox-crs", "CRS of bbox.", {"type": "string", "format": "uri", "enum": ogccrs.CRS_URIS}),
    "crs": _param(
        "crs", "CRS of the geometries returned.", {"type": "string", "format": "uri", "enum": ogccrs.CRS_URIS}
    ),
    "datetime": _param(
        "datetime",
        "RFC 3339 date-time, date, or interval (start/end, '..' open); projects: the time of the last change.",
        {"type": "string"},
        style="form",
        explode=False,
    ),
    "filter": _param("filter", "A CQL2 filter over the queryables.", {"type": "string"}),
    "filter-lang": _param(
        "filter-lang", "cql2-text (default) or cql2-json.", {"type": "string", "enum": list(FILTER_LANGS)}
    ),
    "filter-crs": _param("filter-crs", "CRS of geometries in filter (CRS84 only).", {"type": "string"}),
    "code": _param("code", "Official codes of units, comma-separated.", {"type": "string"}),
    "parent": _param("parent", "Codes of the parent units, comma-separated.", {"type": "string"}),
}
PARAMETERS.update(
    {
        name: _param(name, f"Project filter {name} (see docs/api.md).", {"type": "string"})
        for name in FILTER_PARAMS
        if name not in PARAMETERS  # bbox: above, with bbox-crs
    }
)

LINK = {
    "type": "object",
    "required": ["href", "rel"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
    },
}
ERROR_ITEM = {
    "type": "object",
    "required": ["field", "message_th", "message_en"],
    "properties": {
        "field": {"type": "string", "nullable": True},
        "message_th": {"type": "string"},
        "message_en": {"type": "string"},
        "message": {"type": "string"},
    },
}
SCHEMAS = {
    "link": LINK,
    "exception": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "code": {"type": "string"},
            "description": {"type": "string"},
            "errors": {"type": "array", "items": ERROR_ITEM},
        },
    },
    "landingPage": {
        "type": "object",
        "required": ["links"],
        "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": {"type": "array", "items": _ref("schemas", "link")},
        },
    },
    "confClasses": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
    },
    "extent": {
        "type": "object",
        "properties": {
            "spatial": {
                "type": "object",
                "properties": {
                    "bbox": {
                        "type": "array",
                        "items": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
                    },
                    "crs": {"type": "string"},
                },
            },
            "temporal": {
                "type": "object",
                "properties": {
                    "interval": {
                        "type": "array",
                        "items": {
                            "type": "array",
                            "minItems": 2,
                            "maxItems": 2,
                            "items": {"type": "string", "format": "date-time", "nullable": True},
                        },
                    },
                    "trs": {"type": "string"},
                },
            },
        },
    },
    "collection": {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": {"type": "array", "items": _ref("schemas", "link")},
            "extent": _ref("schemas", "extent"),
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
            "storageCrs": {"type": "string"},
        },
    },
    "collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {
            "links": {"type": "array", "items": _ref("schemas", "link")},
            "collections": {"type": "array", "items": _ref("schemas", "collection")},
        },
    },
    "geometryGeoJSON": {
        "type": "object",
        "nullable": True,
        "required": ["type"],
        "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
    },
    "featureGeoJSON": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": _ref("schemas", "geometryGeoJSON"),
            "properties": {"type": "object", "nullable": True},
            "links": {"type": "array", "items": _ref("schemas", "link")},
        },
    },
    "featureCollectionGeoJSON": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": _ref("schemas", "featureGeoJSON")},
            "links": {"type": "array", "items": _ref("schemas", "link")},
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    },
    "queryables": {
        "type": "object",
        "required": ["type", "properties"],
        "properties": {
            "$schema": {"type": "string"},
            "$id": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
            "properties": {"type": "object", "additionalProperties": {"type": "object"}},
        },
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": _ref("schemas", "exception")}}}


RESPONSES = {
    "400": _error("A bad query parameter (Thai and English messages)."),
    "401": _error("Sign in or send HTTP Basic credentials."),
    "404": _error("No such collection or feature."),
    "405": _error("Only GET and HEAD."),
}


def _ok(schema: str, media: str = JSON, description: str = "OK") -> dict:
    return {
        "description": description,
        "content": {media: {"schema": _ref("schemas", schema)}, HTML: {"schema": {"type": "string"}}},
    }


def _get(op_id: str, summary: str, ok: dict, params: list, *, found=True) -> dict:
    responses = {"200": ok, "400": RESPONSES["400"], "401": RESPONSES["401"], "405": RESPONSES["405"]}
    if found:
        responses["404"] = RESPONSES["404"]
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "tags": ["OGC API – Features"],
            "parameters": params,
            "responses": responses,
        }
    }


def _path_param(name, description) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _items_params(names) -> list:
    return [_ref("parameters", n) for n in names]


def document(server_url: str) -> dict:
    """The OpenAPI 3.0 document; ``server_url`` is the landing page's URL."""
    cid = _path_param("collectionId", "A collection id: " + ", ".join(ogcdata.COLLECTIONS))
    fid = _path_param("featureId", "A project's id or a unit's code.")
    f = [_ref("parameters", "f")]
    paths = {
        "/": _get("getLandingPage", "Landing page", _ok("landingPage"), f, found=False),
        "/conformance": _get("getConformance", "Conformance classes", _ok("confClasses"), f, found=False),
        "/collections": _get("getCollections", "Collections", _ok("collections"), f, found=False),
        "/collections/{collectionId}": _get("describeCollection", "A collection", _ok("collection"), [cid, *f]),
        "/collections/{collectionId}/queryables": _get(
            "getQueryables",
            "Filterable attributes (JSON Schema)",
            _ok("queryables", "application/schema+json"),
            [cid, *f],
        ),
        "/collections/{collectionId}/items": _get(
            "getFeatures",
            "Features of a collection",
            _ok("featureCollectionGeoJSON", GEOJSON),
            [cid, *_items_params(ogcdata.PROJECT_ITEM_PARAMS + ("code", "parent"))],
        ),
        "/collections/{collectionId}/items/{featureId}": _get(
            "getFeature", "One feature", _ok("featureGeoJSON", GEOJSON), [cid, fid, *_items_params(ogcdata.ITEM_PARAMS)]
        ),
    }
    for collection in ogcdata.COLLECTIONS.values():
        paths[f"/collections/{collection.id}/items"] = _get(
            f"getFeatures-{collection.id}",
            f"Features of {collection.id}",
            _ok("featureCollectionGeoJSON", GEOJSON),
            _items_params(ogcdata.item_params(collection)),
            found=False,
        )
    api_response = {
        "description": "This document",
        "content": {OPENAPI_JSON: {"schema": {"type": "object"}}, OPENAPI_YAML: {"schema": {"type": "string"}}},
    }
    paths["/api"] = {
        "get": {
            "operationId": "getAPI",
            "summary": "This API definition (f=json or f=yaml)",
            "tags": ["OGC API – Features"],
            "parameters": [_param("f", "json (default) or yaml", {"type": "string", "enum": ["json", "yaml", "html"]})],
            "responses": {"200": api_response, "400": RESPONSES["400"], "401": RESPONSES["401"]},
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "gisplan OGC API – Features",
            "version": "1.0.0",
            "description": (
                "Water and road projects of Thai local administrative organisations, and boundaries. "
                "Parts 1 (Core, GeoJSON, HTML, OpenAPI 3.0), 2 (CRS) and 3 (queryables, CQL2 filter). "
                "Authentication: a session or HTTP Basic."
            ),
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "security": [{"basicAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}},
            "parameters": PARAMETERS,
            "schemas": SCHEMAS,
            "responses": RESPONSES,
        },
    }
