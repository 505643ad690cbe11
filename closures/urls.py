from django.urls import path

from . import views

app_name = "closures"
urlpatterns = [
    path("", views.closure_list, name="list"),
    path("<int:pk>/delete/", views.closure_delete, name="delete"),
]
