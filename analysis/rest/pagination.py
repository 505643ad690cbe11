"""Page-number pagination that keeps the GeoJSON FeatureCollection shape, over a queryset of
feature JSON texts (``common.features.with_feature_json``) read as UTF-8 bytes.

``page`` (1-based) and ``page_size`` (default 500, at most 5,000: more is a 400). ``next`` is known by reading one
row more than the page, so a page costs no ``COUNT(*)`` over a million rows; ``count=true`` adds
the number of matching features (``count``) when a client wants it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from common.apierrors import ApiError, errors_as_list
from common.features import fetch_feature_bytes
from common.params import BIGINT_MAX, query_int

from .renderers import RawFeatures


def _query_int(request, name, default, maximum):
    try:
        return query_int(request.query_params, name, default=default, minimum=1, maximum=maximum)
    except ValidationError as exc:
        raise ApiError(errors_as_list(exc)) from None


class FeatureCollectionPagination(BasePagination):
    page_size = 500
    max_page_size = 5000
    max_page = BIGINT_MAX // max_page_size  # the row offset stays within PostgreSQL's bigint

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = _query_int(request, "page_size", self.page_size, self.max_page_size)
        self.page = _query_int(request, "page", 1, self.max_page)
        offset = (self.page - 1) * self.size
        rows = fetch_feature_bytes(queryset[offset : offset + self.size + 1])
        self.has_next = len(rows) > self.size
        self.count = queryset.count() if request.query_params.get("count") in ("true", "1", "yes") else None
        return rows[: self.size]

    def _link(self, page):
        url = self.request.build_absolute_uri()
        if page == 1:
            return remove_query_param(url, "page")
        return replace_query_param(url, "page", page)

    def get_paginated_response(self, data):
        body = {
            "type": "FeatureCollection",
            "page": self.page,
            "page_size": self.size,
            "numberReturned": len(data),
        }
        if self.count is not None:
            body["count"] = self.count
        body["next"] = self._link(self.page + 1) if self.has_next else None
        body["previous"] = self._link(self.page - 1) if self.page > 1 else None
        body["features"] = RawFeatures(data)
        return Response(body)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "page": {"type": "integer", "example": 1},
                "page_size": {"type": "integer", "example": 500},
                "numberReturned": {"type": "integer"},
                "count": {"type": "integer", "description": "Only with count=true."},
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "features": schema.get("properties", {}).get("features", schema)
                if isinstance(schema, dict)
                else schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size},
            },
            {
                "name": "count",
                "required": False,
                "in": "query",
                "schema": {"type": "boolean"},
                "description": "Add the number of matching features (costs a COUNT over the selection).",
            },
        ]
