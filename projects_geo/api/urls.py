"""URLs of the analysts' REST API (included under ``/api/``)."""
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="api-projects"),
    path("projects/summary/", views.ProjectSummaryView.as_view(), name="api-projects-summary"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="api-project-detail"),
    path("boundaries/<str:level>/", views.BoundaryListView.as_view(), name="api-boundaries"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="projects_geo:api-schema"), name="api-docs"),
]
