"""URLs of field capture (``field:`` namespace), mounted at the site root by gisplan/urls.py."""

from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("field/", views.capture_page, name="capture"),
    path("field/manifest.webmanifest", views.manifest, name="manifest"),
    path("field/sw.js", views.service_worker, name="service_worker"),
    path("field/data.json", views.offline_data, name="offline_data"),
    path("field/photos/<int:photo_id>/", views.photo_file, name="photo"),
    path("field/photos/<int:photo_id>/thumb/", views.photo_thumb, name="photo_thumb"),
    path("api/field/captures/", views.captures, name="captures"),
    path("api/field/projects/<int:pk>/photos/", views.project_photos, name="project_photos"),
]
