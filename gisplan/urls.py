"""Root URL configuration: admin, language switching and each app's URLs.

The URLs of projects_geo, exchange and analysis share the ``projects_geo`` namespace they had
before those capabilities moved into apps of their own, so every name (``projects_geo:export``,
``projects_geo:ogc-items``, …) and path is unchanged. Exchange comes before analysis so that
``api/projects/export/`` is matched before the REST API's ``api/projects/<pk>/``.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

import analysis.urls
import exchange.urls
import projects_geo.urls

PROJECTS_GEO_URLS = (
    projects_geo.urls.urlpatterns + exchange.urls.urlpatterns + analysis.urls.urlpatterns,
    "projects_geo",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    path("reports/", include("reports.urls")),
    path("", include("ops.urls")),
    path("", include("layers.urls")),
    path("", include(PROJECTS_GEO_URLS)),
]
handler500 = "ops.views.server_error"  # a busy database is a 503 with Retry-After, not a 500
handler404 = "common.apierrors.page_not_found"  # JSON under /api/, /ogc/, /tiles/

if settings.OIDC_ENABLED:  # single sign-on, configured by the OIDC_* settings
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
