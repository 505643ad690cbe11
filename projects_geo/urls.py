"""URLs of the projects app: home and LAO pages, project entry, map data, validation."""
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import views
from .validate_api import ValidateView

app_name = "projects_geo"

urlpatterns = [
    path("", views.home, name="home"),
    path("lao/<str:dla_code>/", views.lao_home, name="lao_home"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_edit, name="project_edit"),
    path("projects/map.geojson", views.projects_geojson, name="projects_geojson"),
    path("api/validate/", ValidateView.as_view(), name="validate"),
    path("jsi18n/projects_geo/", JavaScriptCatalog.as_view(packages=["projects_geo"]), name="jsi18n"),
]
