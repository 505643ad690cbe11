"""URLs of projects_geo (included at the site root by gisplan/urls.py)."""
from django.urls import path

from . import audit_views

app_name = "projects_geo"

urlpatterns = [
    path("projects/deleted/", audit_views.deleted_projects, name="deleted_projects"),
    path("projects/<int:pk>/history/", audit_views.project_history, name="project_history"),
    path("projects/<int:pk>/delete/", audit_views.project_delete, name="project_delete"),
    path("projects/<int:pk>/restore/", audit_views.project_restore, name="project_restore"),
]
