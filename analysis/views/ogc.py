"""OGC API – Features under ``/ogc/``: Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0), Part 2 (CRS) and
Part 3 (queryables, CQL2 filter) — so QGIS, GDAL (OAPIF) and OWSLib read projects and boundaries.

Collections and what they accept: ``analysis.ogcdata``; the API definition (``service-desc``):
``analysis.ogcdoc``; CRS: ``analysis.ogccrs``; queryables and CQL2: ``analysis.queryables``.
Every refusal is JSON (``{code, description, errors: [{field, message_th, message_en}]}``); an
unknown query parameter or a bad ``datetime`` is a 400. ``f=html`` (or a browser's
``Accept: text/html``) gives an HTML page with a small map.
Authentication: a session or HTTP Basic credentials (``common.httpauth``).
"""

from __future__ import annotations

import datetime as dt
import json

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.utils.urls import remove_query_param, replace_query_param

from analysis import ogccrs, ogcdata, ogcdoc
from analysis.queryables import queryables_schema
from common.apierrors import errors_as_list, require_GET
from common.bilingual import both
from common.features import feature_collection_bytes, fetch_feature_bytes
from common.httpauth import request_user, unauthorized
from common.params import BIGINT_MAX, excerpt, keyed, parse_codes, parse_int, query_int
from layers import maplayers

GEOJSON = ogcdoc.GEOJSON
JSON = ogcdoc.JSON
HTML = ogcdoc.HTML
CRS84 = ogccrs.CRS84
OGC = "http://www.opengis.net/spec/"
CONFORMANCE = [
    OGC + "ogcapi-features-1/1.0/conf/core",
    OGC + "ogcapi-features-1/1.0/conf/geojson",
    OGC + "ogcapi-features-1/1.0/conf/html",
    OGC + "ogcapi-features-1/1.0/conf/oas30",
    OGC + "ogcapi-features-2/1.0/conf/crs",
    OGC + "ogcapi-features-3/1.0/conf/queryables",
    OGC + "ogcapi-features-3/1.0/conf/queryables-query-parameters",
    OGC + "ogcapi-features-3/1.0/conf/filter",
    OGC + "ogcapi-features-3/1.0/conf/features-filter",
    OGC + "cql2/1.0/conf/cql2-text",
    OGC + "cql2/1.0/conf/cql2-json",
    OGC + "cql2/1.0/conf/basic-cql2",
    OGC + "cql2/1.0/conf/advanced-comparison-operators",
    OGC + "cql2/1.0/conf/basic-spatial-functions",
    OGC + "cql2/1.0/conf/basic-spatial-functions-plus",
    OGC + "cql2/1.0/conf/spatial-functions",
]
REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
MAX_OFFSET = BIGINT_MAX - ogcdata.MAX_LIMIT - 1  # offset + limit + 1 stays within PostgreSQL's bigint
BAD_FORMAT = _("The format f=%(value)s is not offered here; use f=json or f=html.")
NOT_FOUND_COLLECTION = _("No collection %(id)s; the collections are: %(ids)s.")
NOT_FOUND_FEATURE = _("No feature %(id)s in %(collection)s.")
BAD_CODE = _("A code here has %(digits)s digits; got “%(bad)s”.")


def _json(data, status=200, content_type=JSON, headers=None):
    response = HttpResponse(json.dumps(data, ensure_ascii=False, default=str), status=status, content_type=content_type)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(errors, code="InvalidParameterValue", status=400):
    """An OGC exception (``code``, ``description``) carrying ``errors``: [{field, message_th, message_en}]."""
    body = {"code": code, "description": "; ".join(e["message_en"] for e in errors), "errors": errors}
    return _json(body, status=status)


def _one_error(field, message, code="InvalidParameterValue", status=400, **params):
    return _error([{"field": field, **both(message, **params)}], code=code, status=status)


def _wants_html(request) -> bool:
    f = request.GET.get("f")
    if f:
        return f == "html"
    accept = request.headers.get("Accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first in ("text/html", "application/xhtml+xml")


def ogc_view(allowed_params, *, public=False):
    """Signs the user in (session or HTTP Basic; ``public``: not needed), refuses unknown query
    parameters and unknown formats (400), and routes ``ValidationError`` to a JSON 400."""

    def decorate(view):
        def wrapper(request, *args, **kwargs):
            user = request_user(request)
            if user is None and not public:
                return unauthorized()
            request.ogc_user = user
            if "cid" in kwargs and kwargs["cid"] not in ogcdata.COLLECTIONS:  # a 404 before any 400
                return _collection_or_404(kwargs["cid"])[1]
            allowed = allowed_params(kwargs) if callable(allowed_params) else allowed_params
            try:
                if allowed is not None:  # None: the view checks them itself
                    ogcdata.check_params(request.GET, allowed)
                if request.GET.get("f") not in (None, "", "json", "geojson", "html", "yaml"):
                    raise ValidationError(
                        {"f": [ValidationError(BAD_FORMAT, params={"value": excerpt(request.GET["f"])})]}
                    )
                return view(request, *args, **kwargs)
            except ValidationError as exc:
                return _error(errors_as_list(exc))

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return require_GET(wrapper)

    return decorate


def _url(request, name, **kwargs):
    return request.build_absolute_uri(reverse(f"projects_geo:{name}", kwargs=kwargs or None))


def _alternates(url: str, media: str) -> list[dict]:
    return [
        {"href": url, "rel": "self", "type": media, "title": "This document"},
        {"href": replace_query_param(url, "f", "html"), "rel": "alternate", "type": HTML, "title": "HTML"},
    ]


def _html(request, template_context: dict, status=200):
    context = {
        "json_url": replace_query_param(request.build_absolute_uri(), "f", "json"),
        "basemap_url": settings.BASEMAP_URL,
        "basemap_attribution": settings.BASEMAP_ATTRIBUTION,
        "matched": None,
        **template_context,
    }
    return render(request, "analysis/ogc_page.html", context, status=status)


def _collection(request, collection: ogcdata.Collection) -> dict:
    url = _url(request, "ogc-collection", cid=collection.id)
    items = _url(request, "ogc-items", cid=collection.id)
    links = [
        *_alternates(url, JSON),
        {"href": items, "rel": "items", "type": GEOJSON, "title": str(collection.title)},
        {"href": replace_query_param(items, "f", "html"), "rel": "items", "type": HTML, "title": str(collection.title)},
    ]
    links += _queryables_links(request, collection)
    return {
        "id": collection.id,
        "title": str(collection.title),
        "description": str(collection.description),
        "itemType": collection.item_type,
        "extent": ogcdata.extent(request.ogc_user, collection),
        "crs": ogccrs.CRS_URIS,
        "storageCrs": CRS84,
        "links": links,
    }


def _queryables_links(request, collection) -> list[dict]:
    if not collection.is_projects:
        return []
    href = _url(request, "ogc-queryables", cid=collection.id)
    return [{"href": href, "rel": REL_QUERYABLES, "type": "application/schema+json", "title": "Queryables"}]


def _collection_or_404(cid):
    collection = ogcdata.COLLECTIONS.get(cid)
    if collection is None:
        return None, _one_error(
            "collectionId",
            NOT_FOUND_COLLECTION,
            code="NotFound",
            status=404,
            id=excerpt(cid),
            ids=", ".join(ogcdata.COLLECTIONS),
        )
    return collection, None


@ogc_view(ogcdata.DOCUMENT_PARAMS)
def landing(request):
    url = _url(request, "ogc-landing")
    api = _url(request, "ogc-api")
    body = {
        "title": "gisplan OGC API – Features",
        "description": "Water and road projects of Thai local administrative organisations, and boundaries.",
        "links": [
            *_alternates(url, JSON),
            {"href": api, "rel": "service-desc", "type": ogcdoc.OPENAPI_JSON, "title": "API definition (JSON)"},
            {
                "href": replace_query_param(api, "f", "yaml"),
                "rel": "service-desc",
                "type": ogcdoc.OPENAPI_YAML,
                "title": "API definition (YAML)",
            },
            {"href": replace_query_param(api, "f", "html"), "rel": "service-doc", "type": HTML, "title": "API docs"},
            {"href": _url(request, "ogc-conformance"), "rel": "conformance", "type": JSON, "title": "Conformance"},
            {"href": _url(request, "ogc-collections"), "rel": "data", "type": JSON, "title": "Collections"},
        ],
    }
    if _wants_html(request):
        return _html(request, {"title": body["title"], "description": body["description"], "links": body["links"]})
    return _json(body)


@ogc_view(ogcdata.DOCUMENT_PARAMS, public=True)
def api(request):
    """The OpenAPI 3.0 definition: JSON, ``f=yaml``, or ``f=html`` (the service-doc page). Public:
    it holds no data, and validators (ogctests) read it without credentials."""
    doc = ogcdoc.document(_url(request, "ogc-landing"))
    f = request.GET.get("f")
    if f == "yaml":
        return HttpResponse(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), content_type=ogcdoc.OPENAPI_YAML)
    if f == "html" or (not f and _wants_html(request)):
        operations = [
            {"path": path, "summary": spec["get"]["summary"], "parameters": spec["get"]["parameters"]}
            for path, spec in doc["paths"].items()
        ]
        return _html(
            request,
            {"title": doc["info"]["title"], "description": doc["info"]["description"], "operations": operations},
        )
    return _json(doc, content_type=ogcdoc.OPENAPI_JSON)


@ogc_view(ogcdata.DOCUMENT_PARAMS)
def conformance(request):
    if _wants_html(request):
        return _html(request, {"title": "Conformance", "conforms_to": CONFORMANCE})
    return _json({"links": _alternates(request.build_absolute_uri(), JSON), "conformsTo": CONFORMANCE})


@ogc_view(ogcdata.DOCUMENT_PARAMS)
def collections(request):
    body = {
        "links": _alternates(_url(request, "ogc-collections"), JSON),
        "collections": [_collection(request, c) for c in ogcdata.COLLECTIONS.values()],
    }
    if _wants_html(request):
        return _html(request, {"title": "Collections", "collections": body["collections"]})
    return _json(body)


@ogc_view(ogcdata.DOCUMENT_PARAMS)
def collection(request, cid):
    found, missing = _collection_or_404(cid)
    if missing:
        return missing
    body = _collection(request, found)
    if _wants_html(request):
        return _html(request, {"title": body["title"], "description": body["description"], "collections": [body]})
    return _json(body)


@ogc_view(ogcdata.DOCUMENT_PARAMS)
def queryables(request, cid):
    found, missing = _collection_or_404(cid)
    if missing:
        return missing
    if not found.is_projects:
        schema = queryables_schema(_url(request, "ogc-collection", cid=cid), [])
    else:
        schema = queryables_schema(_url(request, "ogc-collection", cid=cid))
    if _wants_html(request):
        return _html(request, {"title": schema["title"], "queryables": schema["properties"]})
    return _json(schema, content_type="application/schema+json")


def _paging(params):
    """``limit`` (a limit above MAX_LIMIT is read as MAX_LIMIT, as the standard asks) and ``offset``."""
    limit = query_int(params, "limit", default=ogcdata.DEFAULT_LIMIT, minimum=1)
    return min(limit, ogcdata.MAX_LIMIT), query_int(params, "offset", default=0, minimum=0, maximum=MAX_OFFSET)


def _crs_params(request):
    """(params with ``bbox`` in CRS84, the output CRS)."""
    params = request.GET.copy()
    crs = ogccrs.parse_crs(params.get("crs"), "crs")
    bbox_crs = ogccrs.parse_crs(params.get("bbox-crs"), "bbox-crs")
    if params.get("bbox"):
        params["bbox"] = ogccrs.bbox_as_crs84(params.getlist("bbox"), bbox_crs)
    return params, crs


def _page_links(request, cid, offset, limit, has_next):
    url = request.build_absolute_uri()
    links = [
        {"href": url, "rel": "self", "type": GEOJSON, "title": "This page"},
        {"href": replace_query_param(url, "f", "html"), "rel": "alternate", "type": HTML, "title": "HTML"},
        {"href": _url(request, "ogc-collection", cid=cid), "rel": "collection", "type": JSON},
    ]
    if has_next:
        href = replace_query_param(url, "offset", offset + limit)
        links.append({"href": href, "rel": "next", "type": GEOJSON, "title": "Next page"})
    if offset:
        prev = max(0, offset - limit)
        href = replace_query_param(url, "offset", prev) if prev else remove_query_param(url, "offset")
        links.append({"href": href, "rel": "prev", "type": GEOJSON, "title": "Previous page"})
    return links


def _items_allowed(kwargs):
    found = ogcdata.COLLECTIONS.get(kwargs.get("cid"))
    return ogcdata.item_params(found) if found else ogcdata.PROJECT_ITEM_PARAMS + ("code", "parent")


@ogc_view(_items_allowed)
def items(request, cid):
    found, missing = _collection_or_404(cid)
    if missing:
        return missing
    params, crs = _crs_params(request)
    limit, offset = _paging(params)
    if found.is_projects:
        qs = ogcdata.project_queryset(request.ogc_user, found, params)
    else:
        qs = ogcdata.boundary_queryset(found, params)
    rows = fetch_feature_bytes(ogcdata.feature_json(found, qs, crs)[offset : offset + limit + 1])
    has_next = len(rows) > limit
    rows = rows[:limit]
    # numberMatched: free when this page reaches the end; otherwise counted on the first page
    # only (what QGIS reads as the layer's feature count) — a count of every visible project costs
    # as much as the page itself, and clients paging on follow the next links without it.
    if not has_next and (rows or not offset):
        matched = offset + len(rows)
    else:
        matched = qs.count() if offset == 0 else None
    if _wants_html(request):
        features = [json.loads(r) for r in rows]
        return _html(
            request,
            {
                "title": str(found.title),
                "features": features,
                "matched": matched,
                "links": _page_links(request, cid, offset, limit, has_next),
                "map_url": replace_query_param(
                    replace_query_param(request.build_absolute_uri(), "f", "json"), "crs", CRS84
                ),
            },
        )
    links = _page_links(request, cid, offset, limit, has_next)
    body = _feature_collection(rows, links, matched)
    header_links = links + _queryables_links(request, found)
    return HttpResponse(
        body, content_type=GEOJSON, headers={"Content-Crs": crs.header, "Link": _link_header(header_links)}
    )


def _link_header(links) -> str:
    """The links as an HTTP ``Link`` header (RFC 8288); commas and semicolons in URLs escaped."""
    parts = []
    for link in links:
        href = link["href"].replace(",", "%2C").replace(";", "%3B")
        parts.append(f'<{href}>; rel="{link["rel"]}"; type="{link["type"]}"')
    return ", ".join(parts)


def _feature_collection(rows, links, matched) -> bytes:
    counts = (
        {"numberReturned": len(rows)} if matched is None else {"numberMatched": matched, "numberReturned": len(rows)}
    )
    return feature_collection_bytes(
        rows,
        links=links,
        **counts,
        timeStamp=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )


def _item_queryset(request, collection, fid):
    """The projects/units queryset of item ``fid``: a project's id (a whole number from 1) or a
    unit's code (its digits). Anything else is a ValidationError keyed ``featureId``."""
    if collection.is_projects:
        try:
            pk = parse_int(fid, minimum=1)
        except ValidationError as exc:
            raise keyed("featureId", exc) from None
        return ogcdata.project_queryset(request.ogc_user, collection, QueryDict()).filter(pk=pk)
    digits = maplayers.LAYER_TABLES[collection.id][1]
    try:
        codes = parse_codes(fid, digits=digits, max_items=1)
    except ValidationError as exc:
        raise keyed("featureId", exc) from None
    if not codes:
        raise ValidationError({"featureId": [ValidationError(BAD_CODE, params={"digits": digits, "bad": ""})]})
    return maplayers.boundary_queryset(collection.id, codes=codes)


@ogc_view(None)
def item(request, cid, fid):
    """One feature; a feature the user may not see is a 404 whatever the query parameters."""
    found, missing = _collection_or_404(cid)
    if missing:
        return missing
    qs = _item_queryset(request, found, fid)
    if not qs.exists():
        return _one_error(
            "featureId", NOT_FOUND_FEATURE, code="NotFound", status=404, id=excerpt(fid), collection=found.id
        )
    ogcdata.check_params(request.GET, ogcdata.ITEM_PARAMS)
    crs = ogccrs.parse_crs(request.GET.get("crs"), "crs")
    text = ogcdata.feature_json(found, qs, crs).first()
    feature = json.loads(text)
    feature["links"] = [
        {"href": request.build_absolute_uri(), "rel": "self", "type": GEOJSON},
        {"href": replace_query_param(request.build_absolute_uri(), "f", "html"), "rel": "alternate", "type": HTML},
        {"href": _url(request, "ogc-collection", cid=cid), "rel": "collection", "type": JSON},
    ]
    if _wants_html(request):
        return _html(
            request,
            {
                "title": feature["properties"].get("name") or feature["properties"].get("name_th") or fid,
                "features": [feature],
                "links": feature["links"],
                "map_url": replace_query_param(
                    replace_query_param(request.build_absolute_uri(), "f", "json"), "crs", CRS84
                ),
            },
        )
    return _json(feature, content_type=GEOJSON, headers={"Content-Crs": crs.header})
