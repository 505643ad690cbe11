"""URLs of the reference geography (boundary map layers)."""

from django.urls import path

from . import views

app_name = "layers"

urlpatterns = [
    path("layers/boundaries/<str:level>.geojson", views.boundaries_geojson, name="boundaries"),
]
