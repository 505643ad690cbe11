"""Root URL configuration: admin, language switching and the apps' URLs."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("reports/", include("projects_geo.reports.urls")),
    path("", include("layers.urls")),
    path("", include("projects_geo.urls")),
]
