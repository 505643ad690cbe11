"""What the OGC API collections hold (no request here): the collections, their querysets through
the access rules, the shared filter set, CQL2 and ``datetime``; their extents; the query parameters
each accepts (anything else is refused).

Collections: ``projects`` (points and lines), ``projects-points``, ``projects-lines`` (typed, so
that QGIS draws each as one layer), ``province``, ``amphoe``, ``tambon``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils.translation import gettext_lazy as _

from accounts.access import visible_projects
from analysis import ogccrs
from analysis.filters import FILTER_PARAMS, filter_projects
from analysis.queryables import cql2_filter
from common.features import PROJECT_PROPERTIES, with_feature_json
from common.params import excerpt
from layers import maplayers
from projects_geo.models import Project


@dataclass(frozen=True)
class Collection:
    id: str
    title: object
    description: object
    geometry_types: tuple[str, ...] = ()  # projects: GeometryType() values kept; () = all
    item_type: str = "feature"

    @property
    def is_projects(self) -> bool:
        return self.id.startswith("projects")


COLLECTIONS = {
    c.id: c
    for c in (
        Collection(
            "projects",
            _("Water and road projects"),
            _("Projects of local administrative organisations (LAOs) you may read: points and lines."),
        ),
        Collection(
            "projects-points",
            _("Water and road projects (points)"),
            _("The projects you may read that are points (wells, ponds, …)."),
            ("POINT", "MULTIPOINT"),
        ),
        Collection(
            "projects-lines",
            _("Water and road projects (lines)"),
            _("The projects you may read that are lines (roads, canals, pipes, …)."),
            ("LINESTRING", "MULTILINESTRING"),
        ),
        Collection("province", _("Provinces"), _("Province boundaries (จังหวัด).")),
        Collection("amphoe", _("Amphoe (districts)"), _("District boundaries (อำเภอ).")),
        Collection("tambon", _("Tambons (subdistricts)"), _("Subdistrict boundaries (ตำบล).")),
    )
}

PAGING_PARAMS = ("limit", "offset")
COMMON_ITEM_PARAMS = ("f", "bbox", "bbox-crs", "crs", "datetime", *PAGING_PARAMS)
PROJECT_ITEM_PARAMS = (*COMMON_ITEM_PARAMS, *FILTER_PARAMS, "filter", "filter-lang", "filter-crs")
BOUNDARY_ITEM_PARAMS = (*COMMON_ITEM_PARAMS, "code", "parent")
ITEM_PARAMS = ("f", "crs")
DOCUMENT_PARAMS = ("f",)
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000
THAILAND = (97.3, 5.6, 105.7, 20.5)

UNKNOWN_PARAMETER = _("Unknown query parameter “%(name)s”; this URL takes: %(known)s.")
BAD_DATETIME = _(
    "datetime must be an RFC 3339 date-time or date, or an interval start/end with “..” for an open end; "
    "got “%(value)s”."
)
BAD_FILTER_CRS = _("filter-crs must be CRS84 (lon, lat); got “%(value)s”.")


def item_params(collection: Collection) -> tuple[str, ...]:
    return PROJECT_ITEM_PARAMS if collection.is_projects else BOUNDARY_ITEM_PARAMS


def check_params(params, allowed) -> None:
    """ValidationError for each query parameter not in ``allowed``."""
    unknown = [name for name in params if name not in allowed]
    if unknown:
        raise ValidationError(
            {
                name: [ValidationError(UNKNOWN_PARAMETER, params={"name": excerpt(name), "known": ", ".join(allowed)})]
                for name in unknown
            }
        )


def _instant(text: str, *, end: bool) -> dt.datetime | None:
    if text in ("", ".."):
        return None
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            value = dt.datetime.combine(day, dt.time.max if end else dt.time.min, tzinfo=dt.UTC)
        else:
            if "T" not in text.upper() or len(text) > 40:
                raise ValueError(text)
            value = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            if value.tzinfo is None:
                raise ValueError(text)
    except ValueError:
        raise ValidationError({"datetime": [ValidationError(BAD_DATETIME, params={"value": excerpt(text)})]}) from None
    return value


def parse_datetime(value) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """``datetime`` as (start, end), either open; ``None`` when absent."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 2 or parts == ["..", ".."] or parts == ["", ""]:
            raise ValidationError({"datetime": [ValidationError(BAD_DATETIME, params={"value": excerpt(text)})]})
        start, end = _instant(parts[0], end=False), _instant(parts[1], end=True)
        if start and end and start > end:
            raise ValidationError({"datetime": [ValidationError(BAD_DATETIME, params={"value": excerpt(text)})]})
        return start, end
    if text == "..":
        raise ValidationError({"datetime": [ValidationError(BAD_DATETIME, params={"value": excerpt(text)})]})
    if len(text) == 10:
        return _instant(text, end=False), _instant(text, end=True)
    moment = _instant(text, end=False)
    return moment, moment


def project_queryset(user, collection: Collection, params):
    """The projects of ``collection`` the user may read, filtered by ``params`` (the shared filter
    set, ``filter``/``filter-lang`` in CQL2, ``datetime`` on the time of the last change)."""
    qs = visible_projects(user, Project.objects.all())
    if collection.geometry_types:
        qs = qs.filter(geom__geometry_type_in=collection.geometry_types)
    qs = filter_projects(params, qs)
    if params.get("filter-crs") not in (None, "") and ogccrs.parse_crs(params["filter-crs"], "filter-crs").code:
        raise ValidationError(
            {"filter-crs": [ValidationError(BAD_FILTER_CRS, params={"value": excerpt(params["filter-crs"])})]}
        )
    if params.get("filter") not in (None, ""):
        qs = qs.filter(cql2_filter(params["filter"], params.get("filter-lang")))
    when = parse_datetime(params.get("datetime"))
    if when:
        start, end = when
        if start:
            qs = qs.filter(updated_at__gte=start)
        if end:
            qs = qs.filter(updated_at__lte=end)
    return qs.order_by("id")


def boundary_queryset(collection: Collection, params):
    parse_datetime(params.get("datetime"))  # checked; boundaries carry no time
    return maplayers.boundary_queryset(collection.id, **maplayers.boundary_filters(params, collection.id))


def feature_json(collection: Collection, queryset, crs: ogccrs.Crs):
    """Feature JSON texts of ``queryset`` with geometries in ``crs``."""
    geometry = ogccrs.geometry_expression(crs)
    precision = ogccrs.precision_of(crs)
    if collection.is_projects:
        return with_feature_json(queryset, properties=PROJECT_PROPERTIES, geometry=geometry, precision=precision)
    return with_feature_json(
        queryset,
        properties=maplayers.boundary_properties(collection.id),
        id_field="code",
        geometry=geometry,
        precision=precision,
        polygons=True,
    )


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def extent(user, collection: Collection) -> dict:
    """``extent`` of a collection: the box of what the user may see (CRS84) and, for projects, the
    interval of the last changes."""
    if collection.is_projects:
        qs = visible_projects(user, Project.objects.all())
        if collection.geometry_types:
            qs = qs.filter(geom__geometry_type_in=collection.geometry_types)
        agg = qs.aggregate(box=Extent("geom"), start=Min("updated_at"), end=Max("updated_at"))
    else:
        agg = maplayers.LEVELS[collection.id].objects.aggregate(box=Extent("geom"))
    box = agg["box"] or THAILAND
    out = {"spatial": {"bbox": [[round(v, 7) for v in box]], "crs": ogccrs.CRS84}}
    if collection.is_projects:
        out["temporal"] = {
            "interval": [[_iso(agg["start"]), _iso(agg["end"])]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    return out
