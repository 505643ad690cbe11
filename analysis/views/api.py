"""Views of the analysts' REST API; thin: access rules, filters and SQL live elsewhere."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import visible_projects
from analysis.filters import ProjectFilterSet, errors_as_list
from analysis.rest.filtering import ProjectFilterBackend, bad_request, parse_ordering
from analysis.rest.pagination import FeatureCollectionPagination
from analysis.rest.renderers import FeatureCollectionJSONRenderer, GeoJSONRenderer
from analysis.rest.schema import FeaturePageSchema, FilteredSchema, ref, responses
from analysis.rest.serializers import (
    BoundaryFeatureSerializer,
    ProjectDetailSerializer,
    ProjectFeatureSerializer,
    SummarySerializer,
)
from analysis.summary import summarise
from common.apierrors import ApiError
from common.features import with_feature_json
from common.params import parse_int
from layers import maplayers
from projects_geo.models import Project, ProjectStage, ProjectTambon

ORDERING_PARAM = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    description="Comma-separated: id, name, fiscal_year, budget, current_stage, created_at, updated_at; "
    "prefix - for descending. Default id.",
)


class VisibleProjectsMixin:
    filter_backends = [ProjectFilterBackend]
    filterset_class = ProjectFilterSet

    def get_queryset(self):
        return visible_projects(self.request.user, Project.objects.all())


class ProjectListView(VisibleProjectsMixin, generics.ListAPIView):
    """Projects the user may read, filtered, as a GeoJSON FeatureCollection page."""

    serializer_class = ProjectFeatureSerializer
    pagination_class = FeatureCollectionPagination
    renderer_classes = [FeatureCollectionJSONRenderer, GeoJSONRenderer, BrowsableAPIRenderer]

    @extend_schema(parameters=[ORDERING_PARAM], responses=responses(ref("ProjectFeature"), 400, 403, 404, 429))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset()).order_by(*parse_ordering(request.query_params.get("ordering")))
        page = self.paginate_queryset(with_feature_json(qs))
        return self.get_paginated_response(page)


@extend_schema(
    parameters=[OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH)],
    responses=responses(ref("ProjectDetailFeature"), 403, 404, 429),
)
class ProjectDetailView(generics.RetrieveAPIView):
    """One project the user may read, as a GeoJSON Feature with its stages and tambons."""

    serializer_class = ProjectDetailSerializer

    def get_queryset(self):
        return (
            visible_projects(self.request.user, Project.objects.all())
            .select_related("organization", "province", "amphoe", "tambon")
            .prefetch_related(
                Prefetch("stages", queryset=ProjectStage.objects.order_by("stage")),
                Prefetch("tambon_shares", queryset=ProjectTambon.objects.select_related("tambon").order_by("-share")),
            )
        )


class ProjectSummaryView(VisibleProjectsMixin, APIView):
    """Count and budget totals (overall, by kind, by current stage) of the filtered projects."""

    schema = FilteredSchema()  # documents the filters of filter_backends

    @extend_schema(responses=responses(SummarySerializer, 400, 403, 404, 429))
    def get(self, request):
        qs = self.get_queryset()
        for backend in self.filter_backends:
            qs = backend().filter_queryset(request, qs, self)
        return Response(SummarySerializer(summarise(qs)).data)


def _zoom(request):
    try:
        return parse_int(request.query_params.get("zoom"), minimum=maplayers.MIN_ZOOM, maximum=maplayers.MAX_ZOOM)
    except DjangoValidationError:
        raise bad_request("zoom", "zoom is a whole number from 0 to 22.", "zoom ต้องเป็นจำนวนเต็ม 0 ถึง 22") from None


class BoundaryListView(generics.GenericAPIView):
    """Province / amphoe / tambon boundaries simplified for ``zoom`` (omit it for full detail)."""

    pagination_class = FeatureCollectionPagination
    renderer_classes = [FeatureCollectionJSONRenderer, GeoJSONRenderer, BrowsableAPIRenderer]
    serializer_class = BoundaryFeatureSerializer
    schema = FeaturePageSchema()  # a FeatureCollection page of BoundaryFeature

    @extend_schema(
        responses=responses(ref("BoundaryFeature"), 400, 403, 404, 429),
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(maplayers.LEVELS)),
            OpenApiParameter(
                "zoom",
                {"type": "integer", "minimum": 0, "maximum": 22},
                description="Web-map zoom 0-22; simplified to one pixel.",
            ),
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy (WGS84)"),
            OpenApiParameter(
                "parent", OpenApiTypes.STR, description="Parent codes (province for amphoe, amphoe for tambon)"
            ),
            OpenApiParameter("code", OpenApiTypes.STR, description="Codes of the units themselves"),
        ],
    )
    def get(self, request, level):
        if level not in maplayers.LEVELS:
            raise Http404
        if level == "province" and request.query_params.get("parent", "").strip(", "):
            raise bad_request("parent", "Provinces have no parent unit.", "จังหวัดไม่มีหน่วยการปกครองระดับบน")
        try:
            where = maplayers.boundary_filters(request.query_params, level)
        except DjangoValidationError as exc:
            raise ApiError(errors_as_list(exc)) from exc
        qs = maplayers.boundary_queryset(level, **where)
        page = self.paginate_queryset(maplayers.boundary_feature_json(level, qs, zoom=_zoom(request)))
        return self.get_paginated_response(page)
