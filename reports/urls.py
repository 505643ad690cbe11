"""URLs of the reports, included under ``/reports/`` (namespace ``reports``)."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("budget/", views.budget_view, name="budget"),
    path("completeness/", views.completeness_view, name="completeness"),
    path("completeness/<str:code>/", views.completeness_province_view, name="completeness_province"),
    path("score/", views.score_view, name="score"),
    path("dimensions/", views.dimensions_view, name="dimensions"),
    path("map/", views.choropleth_view, name="choropleth"),
    path("map/frame/", views.map_view, name="map_frame"),
    path("layers.json", views.layer_json, name="layer_json"),
]
