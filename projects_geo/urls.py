"""URLs of projects_geo (``app_name = "projects_geo"``), included at the site root."""
from django.urls import include, path

app_name = "projects_geo"

urlpatterns = [
    path("api/", include("projects_geo.api.urls")),
]
