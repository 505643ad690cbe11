"""URLs of the projects app (JSON endpoints for the map pages)."""
from django.urls import path

from .validate_api import ValidateView

app_name = "projects_geo"

urlpatterns = [
    path("api/validate/", ValidateView.as_view(), name="validate"),
]
