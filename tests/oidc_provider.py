"""Test-only OpenID Connect provider: django-oauth-toolkit mounted beside the site's own URLs.

``@pytest.mark.urls("tests.oidc_provider")`` serves the gisplan site with single sign-on routes
(``/oidc/...``, mozilla-django-oidc) and a real provider under ``/o/`` (authorize, token,
userinfo, JWKS, discovery). The provider's claims for a signed-in provider account come from
``IDENTITIES`` (set by the test), like a directory would supply them.
"""

from django.urls import include, path
from oauth2_provider.oauth2_validators import OAuth2Validator

from gisplan.urls import urlpatterns as site_urlpatterns

# provider username -> claims the identity provider asserts for it
IDENTITIES: dict[str, dict] = {}


class DirectoryClaimsValidator(OAuth2Validator):
    oidc_claim_scope = None  # release every claim below, whatever the scopes

    def get_additional_claims(self, request):
        return dict(IDENTITIES.get(request.user.get_username(), {}))


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    *site_urlpatterns,
]
