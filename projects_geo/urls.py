"""URLs of projects_geo: home and LAO pages, project entry, history, delete/restore, the LAO map's
data and live validation. Mounted at the site root in the ``projects_geo`` namespace by
``gisplan/urls.py`` (together with the analysis and exchange apps' URLs, which kept that namespace
when they moved out of this app: their names are part of the contract)."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from .views import audit, entry, home, mapdata
from .views.validate import ValidateView

urlpatterns = [
    path("", home.home, name="home"),
    path("lao/<str:dla_code>/", home.lao_home, name="lao_home"),
    path("projects/new/", entry.project_create, name="project_create"),
    path("projects/<int:pk>/", entry.project_edit, name="project_edit"),
    path("projects/deleted/", audit.deleted_projects, name="deleted_projects"),
    path("projects/on-behalf/", audit.on_behalf_changes, name="on_behalf_changes"),
    path("projects/<int:pk>/history/", audit.project_history, name="project_history"),
    path("projects/<int:pk>/delete/", audit.project_delete, name="project_delete"),
    path("projects/<int:pk>/restore/", audit.project_restore, name="project_restore"),
    path("projects/map.geojson", mapdata.projects_geojson, name="projects_geojson"),
    path("api/validate/", ValidateView.as_view(), name="validate"),
    path("jsi18n/projects_geo/", JavaScriptCatalog.as_view(packages=["projects_geo"]), name="jsi18n"),
]
