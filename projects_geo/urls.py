"""URLs of projects_geo (included at the site root by gisplan/urls.py)."""
from django.urls import path

from . import export_views, import_views

app_name = "projects_geo"

urlpatterns = [
    # Before any /api/projects/<pk>/ route so "export" is never taken for a project id.
    path("api/projects/export/", export_views.export_projects, name="export"),
    path("projects/import/", import_views.upload, name="import_upload"),
    path("projects/import/<uuid:token>/mapping/", import_views.mapping, name="import_mapping"),
    path("projects/import/<uuid:token>/preview/", import_views.preview, name="import_preview"),
    path("projects/import/<uuid:token>/report.csv", import_views.report, name="import_report"),
    path("projects/import/<uuid:token>/commit/", import_views.commit, name="import_commit"),
]
