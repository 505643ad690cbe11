"""Root URL configuration: admin, language switching and each app's URLs.

The URLs of projects_geo, exchange and analysis share the ``projects_geo`` namespace they had
before those capabilities moved into apps of their own, so every name (``projects_geo:export``,
``projects_geo:ogc-items``, …) and path is unchanged. Exchange comes before analysis so that
``api/projects/export/`` is matched before the REST API's ``api/projects/<pk>/``.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.contrib.auth.views import LoginView
from django.urls import include, path

import analysis.urls
import exchange.urls
import jobs.urls
import projects_geo.urls
from accounts.forms import SignInForm

PROJECTS_GEO_URLS = (
    projects_geo.urls.urlpatterns
    + jobs.urls.projects_urlpatterns  # the export download and the import commit, as jobs (issue 19)
    + exchange.urls.urlpatterns
    + analysis.urls.urlpatterns,
    "projects_geo",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The sign-in page tells an account awaiting approval why it cannot sign in yet (accounts.forms).
    path("accounts/login/", LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/", include([p for p in auth_urls.urlpatterns if p.name != "login"])),  # login: above
    path("accounts/", include("accounts.urls")),
    path("reports/", include("reports.urls")),
    path("planning/", include("planning.urls")),
    path("closures/", include("closures.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("", include("messaging.urls")),
    path("", include("ops.urls")),
    path("", include("layers.urls")),
    path("", include("jobs.urls")),  # before the REST API's api/ routes
    path("", include(PROJECTS_GEO_URLS)),
    path("", include("field.urls")),  # field capture on a phone (/field/, /api/field/)
]
handler500 = "ops.views.server_error"  # a busy database is a 503 with Retry-After, not a 500
handler404 = "common.apierrors.page_not_found"  # JSON under /api/, /ogc/, /tiles/
handler403 = "common.apierrors.permission_denied"  # JSON there too; the styled bilingual 403.html elsewhere

if settings.OIDC_ENABLED:  # single sign-on, configured by the OIDC_* settings
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
