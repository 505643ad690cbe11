"""URLs of jobs. ``urlpatterns`` (namespace ``jobs``) are the job pages and the status API;
``projects_urlpatterns`` take over the export download and the import commit in the
``projects_geo`` namespace (the names and paths they always had; gisplan/urls.py puts them first)."""

from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("jobs/", views.job_list, name="list"),
    path("jobs/schedule/", views.schedule, name="schedule"),
    path("jobs/<uuid:job_id>/", views.job_page, name="page"),
    path("api/jobs/<uuid:job_id>/", views.job_status, name="status"),
    path("api/jobs/<uuid:job_id>/file", views.job_file, name="file"),
    path("api/imports/", views.import_api, name="import_api"),
]

projects_urlpatterns = [
    path("projects/import/<uuid:token>/commit/", views.commit_import, name="import_commit"),
    # Before the REST API's /api/projects/<pk>/ routes so "export" is never taken for a project id.
    path("api/projects/export/", views.export, name="export"),
]
