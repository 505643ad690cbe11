"""The Content-Security-Policy (django-csp, gisplan/settings.py) on every kind of page.

Every HTML page carries the header, with no 'unsafe-inline' or 'unsafe-eval'; our own pages have
no inline code at all (no nonce in their header, no inline <script>/<style>, no style="" or on…=
attributes); the pages we cannot change (the folium map frame, Swagger UI) run their inline code
under the response's nonce, and only the map frame may be framed (by our own pages). The same page
list drives the browser test (tests/browser/test_csp.py), which checks that nothing is blocked.
"""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts.models import Profile, ProfileStatus, Role
from gisplan.settings import _csp_origin
from projects_geo.models import Project
from reports import maps
from tests.conftest import ROOT
from tests.factories import PATONG, PHUKET, make_user

pytestmark = pytest.mark.django_db

MAP_FRAME_QUERY = "level=province&measure=planned_budget&fiscal_year=2568"


def page_urls() -> dict[str, str]:
    """Every kind of page a user of the site opens (needs the sample data), by name."""
    project = Project.objects.get(source_ref="sample:3")
    return {
        "home": reverse("projects_geo:home"),
        "lao_home": reverse("projects_geo:lao_home", args=[PATONG]),
        "project_new": reverse("projects_geo:project_create") + f"?lao={PATONG}",
        "project_edit": reverse("projects_geo:project_edit", args=[project.pk]),
        "project_history": reverse("projects_geo:project_history", args=[project.pk]),
        "deleted_projects": reverse("projects_geo:deleted_projects"),
        "analysis": reverse("projects_geo:analysis"),
        "reports": reverse("reports:index"),
        "report_budget": reverse("reports:budget") + "?fiscal_year=2568",
        "report_completeness": reverse("reports:completeness") + "?fiscal_year=2568",
        "report_completeness_province": reverse("reports:completeness_province", args=[PHUKET]) + "?fiscal_year=2568",
        "report_score": reverse("reports:score"),
        "report_dimensions": reverse("reports:dimensions") + "?dimension=sdg",
        "planning_plans": reverse("planning:plans", args=[PATONG]),
        "planning_frameworks": reverse("planning:frameworks"),
        "report_map": reverse("reports:choropleth") + "?" + MAP_FRAME_QUERY,
        "report_map_frame": reverse("reports:map_frame") + "?" + MAP_FRAME_QUERY,
        "import_upload": reverse("projects_geo:import_upload"),
        "approvals": reverse("accounts:approvals"),
        "api_docs": reverse("projects_geo:api-docs"),
        "admin": reverse("admin:index"),
        "admin_projects": reverse("admin:projects_geo_project_changelist"),
        "admin_project": reverse("admin:projects_geo_project_change", args=[project.pk]),
        "admin_project_history": reverse("admin:projects_geo_project_history", args=[project.pk]),
        "field_capture": reverse("field:capture") + f"?lao={PATONG}",
    }


ANONYMOUS_PAGES = {"login": "login", "register": "accounts:register"}
# Third-party output we cannot change: its inline code carries the response's nonce.
NONCED_PAGES = {"report_map_frame", "api_docs"}


def make_site_admin():
    """A superuser who is also a DLA administrator: every page of the site and the admin open for them."""
    user = make_user("cspadmin", superuser=True)
    Profile.objects.create(user=user, role=Role.DLA_ADMIN, status=ProfileStatus.ACTIVE)
    return user


def directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


class InlineCode(HTMLParser):
    """Inline scripts and styles of a page: executable <script> without src, <style>, style="", on…=."""

    def __init__(self):
        super().__init__()
        self.found = []  # (what, nonce or None)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and "src" not in a and a.get("type") not in ("application/json", "text/template"):
            self.found.append(("<script>", a.get("nonce")))
        if tag == "style":
            self.found.append(("<style>", a.get("nonce")))
        for name in a:
            if name == "style" or name.startswith("on"):
                self.found.append((f"{tag} {name}=", None))


def inline_code(html: str):
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("text/html"), url
    return response


def assert_strict(name, response):
    header = response.get("Content-Security-Policy")
    assert header, f"{name}: no Content-Security-Policy header"
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, (name, header)
    d = directives(header)
    assert d["default-src"] == ["'self'"] and d["object-src"] == ["'none'"] and d["base-uri"] == ["'self'"]
    assert d["connect-src"] == ["'self'"], name
    assert d["form-action"][0] == "'self'", name
    for kind in ("script-src", "style-src"):
        sources = [s for s in d[kind] if not s.startswith("'nonce-")]
        assert sources == ["'self'"], (name, kind, d[kind])
    return d


def test_every_html_page_carries_a_strict_policy(client):
    client.force_login(make_site_admin())
    for name, url in page_urls().items():
        response = fetch(client, url)
        d = assert_strict(name, response)
        html = response.content.decode()
        nonces = [s for s in d["script-src"] if s.startswith("'nonce-")]
        if name in NONCED_PAGES:
            assert len(nonces) == 1, f"{name}: its inline code needs the response's nonce"
            nonce = nonces[0][len("'nonce-") : -1]
            assert f"'nonce-{nonce}'" in d["style-src"], name
            found = inline_code(html)
            assert found and all(n == nonce for _what, n in found), (name, found)
        else:
            # our own pages: no inline code at all, so no nonce is ever handed out
            assert nonces == [] and not any(s.startswith("'nonce-") for s in d["style-src"]), name
            assert inline_code(html) == [], (name, inline_code(html))
        frame_ancestors = ["'self'"] if name == "report_map_frame" else ["'none'"]
        assert d["frame-ancestors"] == frame_ancestors, name


def test_anonymous_pages_carry_the_policy(client):
    for name, url_name in ANONYMOUS_PAGES.items():
        response = fetch(client, reverse(url_name))
        assert_strict(name, response)
        assert inline_code(response.content.decode()) == [], name


def test_each_response_has_its_own_nonce(client):
    client.force_login(make_site_admin())
    url = reverse("reports:map_frame") + "?" + MAP_FRAME_QUERY
    first, second = (directives(fetch(client, url)["Content-Security-Policy"])["script-src"] for _ in range(2))
    assert first != second


def test_the_offline_map_download_has_no_nonce(client):
    client.force_login(make_site_admin())
    response = client.get(reverse("reports:map_frame") + "?" + MAP_FRAME_QUERY + "&download=1")
    assert response.status_code == 200
    assert "nonce" not in response.content.decode()
    assert "'nonce-" not in response["Content-Security-Policy"]


def test_with_nonce_marks_elements_not_their_text():
    html = (
        '<head><style>.a{}</style><script src="/x.js"></script></head>'
        '<body><script>var s = "<script>" + "<style>";</script><STYLE media="print">b{}</STYLE></body>'
    )
    marked = maps.with_nonce(html, "abc")
    assert marked == (
        '<head><style nonce="abc">.a{}</style><script nonce="abc" src="/x.js"></script></head>'
        '<body><script nonce="abc">var s = "<script>" + "<style>";</script>'
        '<STYLE nonce="abc" media="print">b{}</STYLE></body>'
    )


def test_legend_colours_are_classes_not_style_attributes():
    legend = {
        "title": "งบประมาณ",
        "classes": [{"color": "#ffffcc", "min": 1, "max": 2}, {"color": "red;}body{x:1", "min": 3, "max": 4}],
        "none": {"color": "#e0e0e0", "label": "ไม่มี"},
    }
    html = maps.legend_html(legend, str)
    assert "style=" not in html
    assert ".swatch-0 { background: #ffffcc; }" in html and ".swatch-2 { background: #e0e0e0; }" in html
    assert "body{x:1" not in html  # only hex colours reach the CSS


@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://tile.example.org/{z}/{x}/{y}.png", ["https://tile.example.org"]),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", ["https://*.tile.example.org"]),
        ("http://maps.example.org:8080/wmts/{z}/{x}/{y}.png?key=1", ["http://maps.example.org:8080"]),
        ("https://sso.example.org/realms/dla/protocol/openid-connect/auth", ["https://sso.example.org"]),
        ("/tiles/base/{z}/{x}/{y}.png", []),
        ("", []),
    ],
)
def test_csp_origin_of_a_base_map_or_provider_url(url, origin):
    assert _csp_origin(url) == origin


def test_base_map_and_single_sign_on_origins_join_the_policy():
    """The settings as a server with a base map and SSO reads them (a fresh interpreter)."""
    env = {
        **os.environ,
        "DEBUG": "true",
        "BASEMAP_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
        "OIDC_RP_CLIENT_ID": "gisplan",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://sso.example.org/auth",
        "OIDC_OP_TOKEN_ENDPOINT": "https://sso.example.org/token",
    }
    code = "import json, gisplan.settings as s; print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES'], default=str))"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    d = json.loads(out.stdout)
    assert d["img-src"] == ["'self'", "data:", "blob:", "https://*.tile.example.org"]
    assert d["form-action"] == ["'self'", "https://sso.example.org"]
    assert d["frame-ancestors"] == ["'none'"] and d["object-src"] == ["'none'"]
