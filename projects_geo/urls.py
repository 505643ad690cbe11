"""URLs of projects_geo (``app_name = "projects_geo"``), included at the site root."""
from django.urls import include, path

from . import ogc, views_analysis, views_tiles

app_name = "projects_geo"

urlpatterns = [
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
