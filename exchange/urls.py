"""URLs of exchange: the import flow and the export download. Mounted at the site root in the
``projects_geo`` namespace by ``gisplan/urls.py`` (the names they had before the app split)."""

from django.urls import path

from .views import exports, imports

urlpatterns = [
    path("projects/import/", imports.upload, name="import_upload"),
    path("projects/import/<uuid:token>/mapping/", imports.mapping, name="import_mapping"),
    path("projects/import/<uuid:token>/preview/", imports.preview, name="import_preview"),
    path("projects/import/<uuid:token>/report.csv", imports.report, name="import_report"),
    path("projects/import/<uuid:token>/commit/", imports.commit, name="import_commit"),
    # Before the REST API's /api/projects/<pk>/ routes so "export" is never taken for a project id.
    path("api/projects/export/", exports.export_projects, name="export"),
]
