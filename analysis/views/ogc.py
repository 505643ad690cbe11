"""OGC API – Features, Part 1: Core, with GeoJSON, under ``/ogc/`` — so QGIS, GDAL (OAPIF) and
OWSLib read projects and boundaries directly.

Collections: ``projects`` (the user's visible projects; the query parameters of
``analysis.filters`` work as attribute filters), ``province``, ``amphoe``, ``tambon``
(``code`` and ``parent`` filters). Items take ``bbox``, ``limit`` (default 100, at most 10,000)
and ``offset``; pages link to the next/previous page. CRS is CRS84 (lon, lat) only.
Authentication: a session or HTTP Basic credentials (``common.httpauth``).
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.access import visible_projects
from analysis.filters import filter_projects
from common.apierrors import error_body, errors_as_list, require_GET
from common.bilingual import both
from common.features import feature_collection_bytes, fetch_feature_bytes, with_feature_json
from common.httpauth import request_user, unauthorized
from common.params import BIGINT_MAX, excerpt, keyed, parse_codes, parse_int, query_int
from layers import maplayers
from projects_geo.models import Project

GEOJSON = "application/geo+json"
JSON = "application/json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000
MAX_OFFSET = BIGINT_MAX - MAX_LIMIT - 1  # offset + limit + 1 stays within PostgreSQL's bigint
COLLECTIONS = {
    "projects": ("Water and road projects", "Projects of local administrative organisations (LAOs) you may read."),
    "province": ("Provinces", "Province boundaries (จังหวัด)."),
    "amphoe": ("Amphoe (districts)", "District boundaries (อำเภอ)."),
    "tambon": ("Tambons (subdistricts)", "Subdistrict boundaries (ตำบล)."),
}


def _json(data, status=200, content_type=JSON):
    return HttpResponse(json.dumps(data, ensure_ascii=False, default=str), status=status, content_type=content_type)


def _error(errors, code="InvalidParameterValue", status=400):
    """An OGC exception (``code``, ``description``) carrying ``errors``: [{field, message_th, message_en}]."""
    body = {"code": code, "description": "; ".join(e["message_en"] for e in errors), "errors": errors}
    return _json(body, status=status)


def authenticated(view):
    def wrapper(request, *args, **kwargs):
        user = request_user(request)
        if user is None:
            return unauthorized()
        request.ogc_user = user
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return require_GET(wrapper)


def _url(request, name, **kwargs):
    return request.build_absolute_uri(reverse(f"projects_geo:{name}", kwargs=kwargs or None))


def _collection(request, cid):
    title, description = COLLECTIONS[cid]
    minx, miny, maxx, maxy = settings.LEAFLET_CONFIG.get("SPATIAL_EXTENT", (96.0, 5.0, 106.5, 21.0))
    items = _url(request, "ogc-items", cid=cid)
    return {
        "id": cid,
        "title": title,
        "description": description,
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [[minx, miny, maxx, maxy]], "crs": CRS84}},
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": [
            {"href": _url(request, "ogc-collection", cid=cid), "rel": "self", "type": JSON, "title": title},
            {"href": items, "rel": "items", "type": GEOJSON, "title": title},
        ],
    }


@authenticated
def landing(request):
    return _json(
        {
            "title": "gisplan OGC API – Features",
            "description": "Water and road projects of Thai local administrative organisations, and boundaries.",
            "links": [
                {"href": _url(request, "ogc-landing"), "rel": "self", "type": JSON, "title": "This document"},
                {"href": _url(request, "ogc-conformance"), "rel": "conformance", "type": JSON, "title": "Conformance"},
                {"href": _url(request, "ogc-collections"), "rel": "data", "type": JSON, "title": "Collections"},
            ],
        }
    )


@authenticated
def conformance(request):
    return _json({"conformsTo": CONFORMANCE})


@authenticated
def collections(request):
    return _json(
        {
            "links": [{"href": _url(request, "ogc-collections"), "rel": "self", "type": JSON}],
            "collections": [_collection(request, cid) for cid in COLLECTIONS],
        }
    )


@authenticated
def collection(request, cid):
    if cid not in COLLECTIONS:
        raise Http404
    return _json(_collection(request, cid))


def _paging(request):
    """``limit`` (a limit above MAX_LIMIT is read as MAX_LIMIT, as the standard asks) and ``offset``."""
    limit = query_int(request.GET, "limit", default=DEFAULT_LIMIT, minimum=1)
    return min(limit, MAX_LIMIT), query_int(request.GET, "offset", default=0, minimum=0, maximum=MAX_OFFSET)


def _items_queryset(request, cid):
    """Feature JSON texts of a collection with its filters (ValidationError on bad parameters)."""
    if cid == "projects":
        qs = filter_projects(request.GET, visible_projects(request.ogc_user, Project.objects.all())).order_by("id")
        return with_feature_json(qs)
    qs = maplayers.boundary_queryset(cid, **maplayers.boundary_filters(request.GET, cid))
    return maplayers.boundary_feature_json(cid, qs, zoom=None)


@authenticated
def items(request, cid):
    if cid not in COLLECTIONS:
        raise Http404
    if request.GET.get("f") not in (None, "", "json", "geojson"):
        return _only_geojson()
    try:
        limit, offset = _paging(request)
        rows = fetch_feature_bytes(_items_queryset(request, cid)[offset : offset + limit + 1])
    except ValidationError as exc:
        return _error(errors_as_list(exc))
    has_next = len(rows) > limit
    rows = rows[:limit]
    url = request.build_absolute_uri()
    links = [
        {"href": url, "rel": "self", "type": GEOJSON, "title": "This page"},
        {"href": _url(request, "ogc-collection", cid=cid), "rel": "collection", "type": JSON},
    ]
    if has_next:
        links.append(
            {
                "href": replace_query_param(url, "offset", offset + limit),
                "rel": "next",
                "type": GEOJSON,
                "title": "Next page",
            }
        )
    if offset:
        prev = max(0, offset - limit)
        href = replace_query_param(url, "offset", prev) if prev else remove_query_param(url, "offset")
        links.append({"href": href, "rel": "prev", "type": GEOJSON, "title": "Previous page"})
    body = feature_collection_bytes(
        rows,
        links=links,
        numberReturned=len(rows),
        timeStamp=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )
    return HttpResponse(body, content_type=GEOJSON)


def _only_geojson():
    return _error(error_body("f", _("Only GeoJSON (f=json) is offered."))["errors"])


BAD_CODE = _("A code here has %(digits)s digits; got “%(bad)s”.")


def _item_queryset(request, cid, fid):
    """The feature JSON of item ``fid``: a project's id (a whole number from 1, 0–9 or ๐–๙) or a
    unit's code (its digits). Anything else is a ValidationError keyed ``featureId``."""
    if cid == "projects":
        try:
            pk = parse_int(fid, minimum=1)
        except ValidationError as exc:
            raise keyed("featureId", exc) from None
        return with_feature_json(visible_projects(request.ogc_user, Project.objects.filter(pk=pk)))
    digits = maplayers.LAYER_TABLES[cid][1]
    try:
        codes = parse_codes(fid, digits=digits, max_items=1)
    except ValidationError as exc:
        raise keyed("featureId", exc) from None
    if not codes:
        raise ValidationError({"featureId": [ValidationError(BAD_CODE, params={"digits": digits, "bad": ""})]})
    return maplayers.boundary_feature_json(cid, maplayers.boundary_queryset(cid, codes=codes), zoom=None)


@authenticated
def item(request, cid, fid):
    if cid not in COLLECTIONS:
        raise Http404
    if request.GET.get("f") not in (None, "", "json", "geojson"):
        return _only_geojson()
    try:
        qs = _item_queryset(request, cid, fid)
    except ValidationError as exc:
        return _error(errors_as_list(exc))
    text = qs.first()
    if text is None:
        message = _("No feature %(id)s in %(collection)s.")
        return _error(
            [{"field": "featureId", **both(message, id=excerpt(fid), collection=cid)}], code="NotFound", status=404
        )
    feature = json.loads(text)
    feature["links"] = [
        {"href": request.build_absolute_uri(), "rel": "self", "type": GEOJSON},
        {"href": _url(request, "ogc-collection", cid=cid), "rel": "collection", "type": JSON},
    ]
    return _json(feature, content_type=GEOJSON)
