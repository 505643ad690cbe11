"""URLs of the planning app, included under ``/planning/`` (namespace ``planning``)."""

from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("", views.index, name="index"),
    path("lao/<str:dla_code>/", views.plans, name="plans"),
    path("plans/<int:plan_id>/", views.plan_page, name="plan"),
    path("strategies/<int:strategy_id>/", views.strategy_page, name="strategy"),
    path("projects/<int:pk>/", views.project_link, name="project_link"),
    path("frameworks/", views.frameworks, name="frameworks"),
    path("frameworks/<int:framework_id>/", views.framework_page, name="framework"),
    path("province/<str:province_code>/", views.provincial_strategies, name="provincial"),
]
