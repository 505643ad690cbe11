from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("behind/", views.behind, name="behind"),
    path("behind/export/", views.behind_export, name="behind_export"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("digest/", views.digest, name="digest"),
]
