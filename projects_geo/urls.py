"""URLs of projects_geo (``app_name = "projects_geo"``), included at the site root: home and LAO
pages, project entry, history, delete/restore, map data, validation, exports and imports, the API, vector tiles, the
analysis map and OGC API."""
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from . import audit_views, export_views, import_views, ogc, views, views_analysis, views_tiles
from .validate_api import ValidateView

app_name = "projects_geo"

urlpatterns = [
    path("", views.home, name="home"),
    path("lao/<str:dla_code>/", views.lao_home, name="lao_home"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_edit, name="project_edit"),
    path("projects/deleted/", audit_views.deleted_projects, name="deleted_projects"),
    path("projects/<int:pk>/history/", audit_views.project_history, name="project_history"),
    path("projects/<int:pk>/delete/", audit_views.project_delete, name="project_delete"),
    path("projects/<int:pk>/restore/", audit_views.project_restore, name="project_restore"),
    path("projects/map.geojson", views.projects_geojson, name="projects_geojson"),
    path("projects/import/", import_views.upload, name="import_upload"),
    path("projects/import/<uuid:token>/mapping/", import_views.mapping, name="import_mapping"),
    path("projects/import/<uuid:token>/preview/", import_views.preview, name="import_preview"),
    path("projects/import/<uuid:token>/report.csv", import_views.report, name="import_report"),
    path("projects/import/<uuid:token>/commit/", import_views.commit, name="import_commit"),
    path("api/validate/", ValidateView.as_view(), name="validate"),
    # Before the API's /api/projects/<pk>/ routes so "export" is never taken for a project id.
    path("api/projects/export/", export_views.export_projects, name="export"),
    path("jsi18n/projects_geo/", JavaScriptCatalog.as_view(packages=["projects_geo"]), name="jsi18n"),
    path("api/", include("projects_geo.api.urls")),
    path("tiles/projects/<int:z>/<int:x>/<int:y>.pbf", views_tiles.projects_tile, name="tiles-projects"),
    path("tiles/boundaries/<str:level>/<int:z>/<int:x>/<int:y>.pbf", views_tiles.boundaries_tile,
         name="tiles-boundaries"),
    path("analysis/", views_analysis.analysis_map, name="analysis"),
    path("ogc/", ogc.landing, name="ogc-landing"),
    path("ogc/conformance", ogc.conformance, name="ogc-conformance"),
    path("ogc/collections", ogc.collections, name="ogc-collections"),
    path("ogc/collections/<str:cid>", ogc.collection, name="ogc-collection"),
    path("ogc/collections/<str:cid>/items", ogc.items, name="ogc-items"),
    path("ogc/collections/<str:cid>/items/<str:fid>", ogc.item, name="ogc-item"),
]
