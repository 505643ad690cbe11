"""URLs of projects_geo (included at the site root by gisplan/urls.py)."""
from django.urls import path

from . import export_views

app_name = "projects_geo"

urlpatterns = [
    # Before any /api/projects/<pk>/ route so "export" is never taken for a project id.
    path("api/projects/export/", export_views.export_projects, name="export"),
]
