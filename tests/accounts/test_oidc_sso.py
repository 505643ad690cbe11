"""Single sign-on end to end against a real OpenID Connect provider started by the test.

django-oauth-toolkit's OIDC provider runs on pytest-django's live server (tests/oidc_provider.py)
with an RS256 key made here and a registered confidential client whose redirect URI is the live
server's /oidc/callback/. ``requests`` plays the browser: gisplan's /oidc/authenticate/ →
provider's /o/authorize/ → provider login page → code → /oidc/callback/ (token request, ID-token
signature check against the provider's JWKS, userinfo) → a signed-in gisplan session whose user
has the profile mapped from the identity's claims. Nothing is mocked.
"""

import re

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail

from accounts import access, registration
from accounts.models import Profile, ProfileStatus, Role
from layers.models import Organization, OrganizationType, Province
from tests import oidc_provider
from tests.factories import PATONG, PHUKET, UNKNOWN_LAO

pytestmark = [pytest.mark.urls("tests.oidc_provider"), pytest.mark.django_db(transaction=True)]

CLIENT_ID = "gisplan-test-client"
CLIENT_SECRET = "s3cret-of-the-test-client"
PROVIDER_PASSWORD = "idp-pass-8462"


def _organization():
    """Patong, from the session's sample data or (after a flushing test) made minimal here."""
    org = Organization.objects.filter(dla_code=PATONG).first()
    if org:
        return org
    square = MultiPolygon(Polygon.from_bbox((98.25, 7.85, 98.35, 7.95)), srid=4326)
    province, _ = Province.objects.get_or_create(
        code=PHUKET, defaults={"name_th": "ภูเก็ต", "name_en": "Phuket", "geom": square}
    )
    return Organization.objects.create(
        dla_code=PATONG, name_th="เทศบาลเมืองป่าตอง", type=OrganizationType.values[0], province=province
    )


@pytest.fixture
def provider(live_server, settings):
    from oauth2_provider.models import get_application_model

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.OAUTH2_PROVIDER = {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": pem,
        "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.DirectoryClaimsValidator",
        "SCOPES": {"openid": "OpenID Connect", "email": "email", "profile": "profile"},
        "PKCE_REQUIRED": True,
    }
    Application = get_application_model()
    Application.objects.create(
        name="gisplan",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=f"{live_server.url}/oidc/callback/",
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    base = f"{live_server.url}/o"
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "accounts.oidc.GisplanOIDCBackend"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{base}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{base}/.well-known/jwks.json"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_USE_PKCE = True
    oidc_provider.IDENTITIES.clear()
    yield live_server
    oidc_provider.IDENTITIES.clear()


def provider_account(username, claims):
    """An account at the identity provider, with the claims its directory asserts."""
    get_user_model().objects.create_user(username=username, password=PROVIDER_PASSWORD)
    oidc_provider.IDENTITIES[username] = claims


def sso_sign_in(server, username):
    """Drive the authorization-code flow like a browser; return (final response, session)."""
    browser = requests.Session()
    r = browser.get(f"{server.url}/oidc/authenticate/", allow_redirects=True, timeout=30)
    # the provider asks who we are: its login page, with the authorize request as ?next=
    assert r.url.startswith(f"{server.url}/accounts/login/") and "next=" in r.url, r.url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text).group(1)
    next_url = re.search(r'name="next" value="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    assert next_url.startswith("/o/authorize/") and "code_challenge=" in next_url
    r = browser.post(
        f"{server.url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PROVIDER_PASSWORD, "next": next_url},
        headers={"Referer": r.url},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302 and r.headers["Location"].startswith("/o/authorize/"), r.text[:500]
    r = browser.get(f"{server.url}{r.headers['Location']}", allow_redirects=False, timeout=30)
    # skip_authorization: straight back to the relying party with a code
    assert r.status_code == 302 and r.headers["Location"].startswith(f"{server.url}/oidc/callback/?"), r.headers.get(
        "Location"
    )
    assert "code=" in r.headers["Location"]
    r = browser.get(r.headers["Location"], allow_redirects=False, timeout=60)
    return r, browser


def session_user(browser):
    key = browser.cookies.get("sessionid")
    if not key:
        return None
    user_id = SessionStore(session_key=key).get("_auth_user_id")
    return (
        get_user_model().objects.filter(pk=user_id).select_related("profile__organization").first() if user_id else None
    )


def test_first_sso_sign_in_asks_for_an_account_that_waits_for_approval(provider, settings):
    """The role claims pre-fill the request; they never skip the approval of the claimed LAO's
    administrator (who is e-mailed). Once approved, single sign-on signs the person in."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org = _organization()
    User = get_user_model()
    lao_admin = User.objects.create_user("patong-admin", email="admin@patong.go.th", password="x-local-pass-9")
    Profile.objects.create(user=lao_admin, role=Role.LAO_ADMIN, organization=org)
    provider_account(
        "idp-somchai",
        {
            "email": "somchai@patong.go.th",
            "preferred_username": "somchai.p",
            "given_name": "สมชาย",
            "family_name": "ใจดี",
            "dla_code": PATONG,
            "gisplan_role": "lao_admin",  # even an administrator's role claim waits for approval
        },
    )
    response, browser = sso_sign_in(provider, "idp-somchai")
    assert response.headers["Location"].startswith("/accounts/login/?sso=failed"), response.headers.get("Location")
    user = User.objects.get(username="somchai.p")
    assert session_user(browser) != user  # (the provider's own sign-in shares the cookie name)
    assert user.email == "somchai@patong.go.th" and user.first_name == "สมชาย"
    assert not user.is_active and not user.has_usable_password()
    assert user.profile.role == Role.LAO_ADMIN and user.profile.organization == org
    assert user.profile.status == ProfileStatus.PENDING
    assert not access.can_create_project(user, org)
    assert [m.to for m in mail.outbox] == [["admin@patong.go.th"]]  # the claimed LAO's administrator
    assert "somchai.p" in mail.outbox[0].body

    # a second attempt before approval: still refused, still pending, still one account
    response, browser = sso_sign_in(provider, "idp-somchai")
    assert response.headers["Location"].startswith("/accounts/login/?sso=failed")
    assert User.objects.filter(email="somchai@patong.go.th").count() == 1

    registration.approve(user.profile, by=lao_admin)
    assert mail.outbox[-1].to == ["somchai@patong.go.th"]  # the approval e-mail
    response, browser = sso_sign_in(provider, "idp-somchai")
    assert response.status_code == 302 and response.headers["Location"] == "/", response.headers.get("Location")
    assert session_user(browser) == user
    assert access.can_create_project(User.objects.get(pk=user.pk), org)
    # the session really is signed in: a login-required page answers instead of redirecting
    page = browser.get(f"{provider.url}/projects/deleted/", allow_redirects=False, timeout=30)
    assert page.status_code == 200


def test_sso_maps_an_existing_approved_user_by_email_and_refuses_pending_or_unknown(provider):
    org = _organization()
    User = get_user_model()
    existing = User.objects.create_user("malee", email="Malee@Patong.go.th", password="x-local-pass-9")
    Profile.objects.create(user=existing, role=Role.LAO_FINANCE, organization=org)
    provider_account("idp-malee", {"email": "malee@patong.go.th"})  # no gisplan claims: account decides
    response, browser = sso_sign_in(provider, "idp-malee")
    assert response.headers["Location"] == "/"
    assert session_user(browser) == existing
    assert Profile.objects.get(user=existing).role == Role.LAO_FINANCE

    # a role claim never changes an existing account's role (no approval skipped)
    existing.email = "malee2@patong.go.th"
    existing.save()
    provider_account("idp-malee2", {"email": "malee2@patong.go.th", "dla_code": PATONG, "gisplan_role": "lao_admin"})
    response, browser = sso_sign_in(provider, "idp-malee2")
    assert response.headers["Location"] == "/"
    assert Profile.objects.get(user=existing).role == Role.LAO_FINANCE

    pending = User.objects.create_user("wait", email="wait@patong.go.th", is_active=False)
    Profile.objects.create(user=pending, role=Role.LAO_ENGINEER, organization=org, status=ProfileStatus.PENDING)
    provider_account("idp-wait", {"email": "wait@patong.go.th"})
    response, browser = sso_sign_in(provider, "idp-wait")
    assert response.headers["Location"].startswith("/accounts/login/?sso=failed")
    assert session_user(browser) is None or session_user(browser).username != "wait"

    provider_account("idp-stranger", {"email": "stranger@example.org"})  # no role, no account
    response, browser = sso_sign_in(provider, "idp-stranger")
    assert response.headers["Location"].startswith("/accounts/login/?sso=failed")
    assert not User.objects.filter(email="stranger@example.org").exists()

    provider_account("idp-bad", {"email": "bad@example.org", "dla_code": UNKNOWN_LAO, "gisplan_role": "lao_admin"})
    response, _ = sso_sign_in(provider, "idp-bad")
    assert response.headers["Location"].startswith("/accounts/login/?sso=failed")
    assert not User.objects.filter(email="bad@example.org").exists()
