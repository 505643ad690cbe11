"""Root URL configuration: admin, language switching and the apps' URLs."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    path("reports/", include("projects_geo.reports.urls")),
    path("", include("layers.urls")),
    path("", include("projects_geo.urls")),
]
if settings.OIDC_ENABLED:  # single sign-on, configured by the OIDC_* settings
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
