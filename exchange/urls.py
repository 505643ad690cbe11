"""URLs of exchange: the import flow up to the preview. Mounted at the site root in the
``projects_geo`` namespace by ``gisplan/urls.py`` (the names they had before the app split). The
import's commit and the export download (``import_commit``, ``export``) are the ``jobs`` app's:
they run as background jobs (a large export, every commit), a small export through
``exchange.views.exports.export_projects`` at once."""

from django.urls import path

from .views import imports

urlpatterns = [
    path("projects/import/", imports.upload, name="import_upload"),
    path("projects/import/<uuid:token>/mapping/", imports.mapping, name="import_mapping"),
    path("projects/import/<uuid:token>/preview/", imports.preview, name="import_preview"),
    path("projects/import/<uuid:token>/report.csv", imports.report, name="import_report"),
]
