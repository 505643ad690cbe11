"""DRF glue for the shared filters: ``ProjectFilterBackend`` (and its OpenAPI parameters) and the
``ordering`` parameter of project lists."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.filters import BaseFilterBackend

from analysis.filters import ProjectFilterSet, errors_as_list, filter_projects
from common.apierrors import ApiError
from common.params import excerpt
from projects_geo.models import FundingSource, Kind, Subtype

ORDERING_FIELDS = ("id", "name", "fiscal_year", "budget", "current_stage", "created_at", "updated_at")
DEFAULT_ORDERING = ("id",)


def bad_request(field, message_en, message_th):
    return ApiError([{"field": field, "message_en": message_en, "message_th": message_th}])


SCHEMA_TYPES = {
    "bbox": ({"type": "string", "example": "98.2,7.7,98.5,8.2"}, False),
    "polygon": ({"type": "string", "example": "POLYGON((98.3 7.8,98.4 7.8,98.4 7.9,98.3 7.8))"}, False),
    "province": ({"type": "string", "example": "83,82"}, False),
    "amphoe": ({"type": "string", "example": "8301"}, False),
    "tambon": ({"type": "string", "example": "830101"}, False),
    "lao": ({"type": "string", "example": "4830201"}, False),
    "fiscal_year": ({"type": "string", "example": "2567,2568"}, False),
    "kind": ({"type": "string", "enum": Kind.values}, True),
    "subtype": ({"type": "string", "enum": Subtype.values}, True),
    "stage": ({"type": "string", "example": "3"}, False),
    "reached_stage": ({"type": "integer", "minimum": 1, "maximum": 6}, False),
    "budget_min": ({"type": "number", "minimum": 0}, False),
    "budget_max": ({"type": "number", "minimum": 0}, False),
    "q": ({"type": "string"}, False),
    "funding_source": ({"type": "string", "enum": [*FundingSource.values, "none"]}, True),
    "national_strategy": ({"type": "string", "example": "2"}, False),
    "nesdp": ({"type": "string", "example": "8"}, False),
    "sdg": ({"type": "string", "example": "6,11"}, False),
}


class ProjectFilterBackend(BaseFilterBackend):
    """Applies ``analysis.filters.filter_projects``; bad parameters answer 400 in Thai and English."""

    def filter_queryset(self, request, queryset, view):
        try:
            return filter_projects(request.query_params, queryset)
        except DjangoValidationError as exc:
            raise ApiError(errors_as_list(exc)) from exc

    def get_schema_operation_parameters(self, view):
        params = []
        for name, flt in ProjectFilterSet.base_filters.items():
            schema, is_list = SCHEMA_TYPES[name]
            if is_list:
                schema = {"type": "array", "items": schema}
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": str(flt.label),
                    "schema": schema,
                    **({"style": "form", "explode": False} if is_list else {}),
                }
            )
        return params


def parse_ordering(value) -> list[str]:
    """``ordering=-budget,name`` → ORM order_by terms, always ending with a unique ``id``."""
    terms = [t.strip() for t in (value or "").split(",") if t.strip()]
    if not terms:
        return list(DEFAULT_ORDERING)
    bad = [t for t in terms if t.lstrip("-") not in ORDERING_FIELDS]
    if bad:
        allowed, shown = ", ".join(ORDERING_FIELDS), excerpt(", ".join(bad))
        raise bad_request(
            "ordering",
            f"Cannot order by {shown}; use {allowed} (prefix - for descending).",
            f"เรียงตาม {shown} ไม่ได้ ใช้ {allowed} (ใส่ - ข้างหน้าเพื่อเรียงจากมากไปน้อย)",
        )
    if not any(t.lstrip("-") == "id" for t in terms):
        terms.append("id")
    return terms
