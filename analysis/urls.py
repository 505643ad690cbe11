"""URLs of analysis: the REST API (``/api/``), vector tiles, the analysis map and the OGC API.
Mounted at the site root in the ``projects_geo`` namespace by ``gisplan/urls.py`` (the names they
had before the app split)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views import api, map, ogc, tiles

urlpatterns = [
    path("api/projects/", api.ProjectListView.as_view(), name="api-projects"),
    path("api/projects/summary/", api.ProjectSummaryView.as_view(), name="api-projects-summary"),
    path("api/projects/<int:pk>/", api.ProjectDetailView.as_view(), name="api-project-detail"),
    path("api/boundaries/<str:level>/", api.BoundaryListView.as_view(), name="api-boundaries"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="projects_geo:api-schema"), name="api-docs"),
    path("tiles/projects.json", tiles.projects_tilejson, name="tiles-projects-tilejson"),
    path("tiles/boundaries/<str:level>.json", tiles.boundaries_tilejson, name="tiles-boundaries-tilejson"),
    path("tiles/projects/<int:z>/<int:x>/<int:y>.pbf", tiles.projects_tile, name="tiles-projects"),
    path("tiles/boundaries/<str:level>/<int:z>/<int:x>/<int:y>.pbf", tiles.boundaries_tile, name="tiles-boundaries"),
    path("analysis/", map.analysis_map, name="analysis"),
    path("ogc/", ogc.landing, name="ogc-landing"),
    path("ogc/api", ogc.api, name="ogc-api"),
    path("ogc/conformance", ogc.conformance, name="ogc-conformance"),
    path("ogc/collections", ogc.collections, name="ogc-collections"),
    path("ogc/collections/<str:cid>", ogc.collection, name="ogc-collection"),
    path("ogc/collections/<str:cid>/queryables", ogc.queryables, name="ogc-queryables"),
    path("ogc/collections/<str:cid>/items", ogc.items, name="ogc-items"),
    path("ogc/collections/<str:cid>/items/<str:fid>", ogc.item, name="ogc-item"),
]
