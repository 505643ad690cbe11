"""Which projects an export holds: the shared query filters applied to an access-checked queryset.

The query-API issue defines the shared filters (``projects_geo.filters.filter_projects``). Until
that module is in the tree, a minimal stand-in understands ``fiscal_year``, ``province``, ``lao``
and ``kind`` (comma-separated lists) with the same meaning and error style.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError

from ..models import Kind


def _list(params, name):
    raw = params.get(name)
    if raw in (None, ""):
        return []
    if isinstance(raw, (list, tuple)):
        raw = ",".join(str(v) for v in raw)
    return [v.strip() for v in str(raw).split(",") if v.strip()]


def _basic_filter(params, queryset):
    errors = {}
    years = _list(params, "fiscal_year")
    if years:
        if not all(y.isdigit() for y in years):
            errors["fiscal_year"] = "fiscal_year: ปีงบประมาณต้องเป็นตัวเลข พ.ศ. / fiscal_year must be B.E. years, e.g. 2567,2568"
        else:
            queryset = queryset.filter(fiscal_year__in=[int(y) for y in years])
    provinces = _list(params, "province")
    if provinces:
        if not all(p.isdigit() and len(p) == 2 for p in provinces):
            errors["province"] = "province: รหัสจังหวัด 2 หลัก / province codes have 2 digits, e.g. 83,82"
        else:
            queryset = queryset.filter(province__code__in=provinces)
    laos = _list(params, "lao")
    if laos:
        if not all(c.isdigit() and len(c) == 7 for c in laos):
            errors["lao"] = "lao: รหัส อปท. 7 หลัก / LAO codes have 7 digits, e.g. 4830201"
        else:
            queryset = queryset.filter(organization__dla_code__in=laos)
    kinds = _list(params, "kind")
    if kinds:
        if not set(kinds) <= set(Kind.values):
            errors["kind"] = "kind: water หรือ road / kind is water or road"
        else:
            queryset = queryset.filter(kind__in=kinds)
    if errors:
        raise ValidationError(errors)
    return queryset


def filter_selection(params, queryset):
    """Apply the query filters in ``params`` (a dict or QueryDict) to ``queryset``."""
    try:
        from ..filters import filter_projects
    except ImportError:
        return _basic_filter(params, queryset)
    return filter_projects(params, queryset)
