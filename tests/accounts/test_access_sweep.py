"""The access sweep: every URL pattern of the site, as every role, on another LAO's objects.

The URL patterns are enumerated from ``get_resolver()`` recursively, so a new page or endpoint is
swept as soon as it is routed. Path parameters are filled with objects of ANOTHER LAO (LAO B,
Phuket) — project ids, stage ids, pending accounts, DLA codes, unit codes, map tiles over its
project — and query strings/forms point at it too. Each URL is requested as LAO A's engineer,
planner, finance officer and administrator, as the analyst and office administrator of ANOTHER
province (Phang Nga) and anonymously, with GET, POST (form and JSON), PATCH and DELETE.

Asserted: never a server error; a URL about an object answers 401/403/404/405 or sends to a login
page; no response carries another LAO's data (the names and markers of projects the user may
not read, unzipping exports); and afterwards LAO B's rows are exactly as before (nothing edited,
deleted, restored, created or approved; no message added to its thread). Public URLs are listed
in ``PUBLIC`` with the reason; they are still checked for leaks and writes.

Since issue 24 a provincial office enters data on behalf of the LAOs of its own province; the
provincial roles here are of another province (Phang Nga), so for them LAO B stays out of reach
for writing as for reading (tests/projects_geo/test_on_behalf.py covers their own province).

One test per (URL pattern, role), named after the pattern (its URL name, or its path when it has
none) and the role, e.g. ``test_url_as_role[projects_geo:project_edit-lao_engineer]``; it sends
every method to every URL the pattern is filled into. LAO B's objects and one user per role are
made once for the module (``sweep``, in a transaction rolled back at its end); each test runs in
a savepoint of it, so LAO B's rows are compared after every test.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import uuid
import zipfile
from collections import Counter
from decimal import Decimal
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from PIL import Image

from accounts.models import Profile, ProfileStatus, Role
from accounts.registration import register
from field.models import Photo
from field.photos import attach_photo
from jobs.models import Job
from layers.models import Organization, Province
from messaging.models import Message, NewsAttachment, NewsItem, Thread
from planning.models import DevelopmentPlan, Framework, PlanStrategy, ProjectPlanLink
from projects_geo.deletion import soft_delete_project
from projects_geo.models import Kind, Project, ProjectStage, Stage, Subtype
from projects_geo.services import save_project
from projects_geo.stages import record_stage
from tests.factories import PATONG, PHANG_NGA, PHUKET_CITY, make_engineer, make_user

pytestmark = pytest.mark.django_db

LAO_A = PATONG  # the users' LAO
LAO_B = PHUKET_CITY  # Phuket city municipality: the other LAO, in the same province (Phuket, 83)
PROVINCE_X = PHANG_NGA  # the provincial roles' province (LAO B is in another province, Phuket)
MARK = "ZZLEAKB"

# URL name (namespace:name) → why anyone may use it. These are still checked for leaks and writes.
PUBLIC = {
    "login": "the local sign-in page",
    "logout": "signing out concerns only the caller's own session",
    "password_reset": "Django's reset form (answers the same whatever the email)",
    "password_reset_done": "static confirmation page",
    "password_reset_confirm": "needs a valid token from an email",
    "password_reset_complete": "static confirmation page",
    "set_language": "language switch of the caller's own session",
    "accounts:register": "anyone may ask for an account (it is pending until approved)",
    "accounts:register_done": "static confirmation page",
    "accounts:lao_search": "the public DLA registry (code, name, province) for the registration form",
    "oidc_authentication_init": "starts single sign-on",
    "oidc_authentication_callback": "single sign-on callback (state-checked)",
    "oidc_logout": "signing out",
    "jsi18n": "JavaScript translation catalogue",
    "projects_geo:jsi18n": "JavaScript translation catalogue",
    "django.views.static.serve": "static and media files in DEBUG",
    "projects_geo:ogc-api": "the OGC API's OpenAPI definition: no data; validators read it without credentials",
    "favicon": "the site's icon: a redirect to a static file",
    "messaging:faq": "the public FAQ: questions DLA published (no names)",
    "field:manifest": "the field app's web app manifest (no data)",
    "field:service_worker": "the field app's service worker script (no data)",
}
# Patterns that need no request to be allowed: password change of the caller's own account.
OWN_ACCOUNT = {"password_change", "password_change_done"}

# role label → make_user's role and place (None: anonymous)
ROLES = {
    "lao_engineer": dict(role=Role.LAO_ENGINEER, lao=LAO_A),
    "lao_planner": dict(role=Role.LAO_PLANNER, lao=LAO_A),
    "lao_finance": dict(role=Role.LAO_FINANCE, lao=LAO_A),
    "lao_admin": dict(role=Role.LAO_ADMIN, lao=LAO_A),
    "provincial_analyst": dict(role=Role.PROVINCIAL_ANALYST, province=PROVINCE_X),
    "provincial_admin": dict(role=Role.PROVINCIAL_ADMIN, province=PROVINCE_X),
    "anonymous": None,
}
METHODS = ("GET", "POST", "POST json", "PATCH", "DELETE")
LOGIN_PREFIXES = ("/accounts/login/", "/admin/login/")

PROVINCIAL = {"provincial_analyst", "provincial_admin"}


def must_refuse(role_label: str, kinds) -> bool:
    """Does a URL filled with values of these kinds name something the role may not read?

    LAO B's objects: always. A unit of LAO B's province: for the other province's roles (for LAO
    A's roles it is their own province, answered with their own LAO's data only). A map tile,
    level or format: never (it must still carry no data the role may not read).
    """
    return "object" in kinds or ("unit" in kinds and role_label in PROVINCIAL)


# ---------------------------------------------------------------------------------------------
# LAO B's objects


def make_targets():
    b = Organization.objects.select_related("province", "amphoe").get(dla_code=LAO_B)
    owner = make_engineer(LAO_B, "b-engineer")
    project = save_project(
        Project(
            organization=b,
            kind=Kind.WATER,
            subtype=Subtype.POND,
            name=f"{MARK} pond of LAO B",
            plan_reference=f"{MARK}-plan",
            fiscal_year=2568,
            budget=Decimal("765432.10"),
            geom=Point(98.3383, 8.0302, srid=4326),
        ),
        user=owner,
    )
    record_stage(project, Stage.IN_PLAN, dt.date(2024, 11, 1), user=owner, note=f"{MARK}-stage")
    deleted = save_project(
        Project(
            organization=b,
            kind=Kind.ROAD,
            subtype=Subtype.CONCRETE_ROAD,
            name=f"{MARK} deleted road of LAO B",
            fiscal_year=2568,
            budget=Decimal("1000"),
            geom=LineString((98.3390, 8.0310), (98.3400, 8.0315), srid=4326),
        ),
        user=owner,
    )
    soft_delete_project(deleted, user=owner)
    pending_user = make_user(f"{MARK.lower()}-pending")
    pending_user.email = f"{MARK.lower()}@b.example"
    pending_user.save()
    pending = register(pending_user, role=Role.LAO_ENGINEER, organization=b)
    photo, _ = attach_photo(project, _jpeg_upload(), user=owner, note=f"{MARK}-photo")
    project.refresh_from_db()
    plan = DevelopmentPlan.objects.create(organization=b, start_year=2566, end_year=2570, vision=f"{MARK} vision")
    strategy = PlanStrategy.objects.create(plan=plan, code="1", name_th=f"{MARK} strategy of LAO B")
    ProjectPlanLink.objects.create(project=project, plan=plan, strategy=strategy, years=[2568])
    framework = Framework.objects.create(kind="sdg", code="SWEEP-SDG", name_th="SDG", start_year=2559, end_year=2573)
    # LAO B's message thread and a news item of a third province (Krabi) with an attachment; their
    # ids are the project's, so the sweep's ``pk`` values reach them too (no other pk is in use).
    thread = Thread.objects.create(
        pk=project.pk, organization=b, province=b.province, subject=f"{MARK} question of LAO B", created_by=owner
    )
    Message.objects.create(thread=thread, author=owner, body=f"{MARK} body")
    news = NewsItem.objects.create(title=f"{MARK} Krabi news", body=MARK, province=Province.objects.get(code="81"))
    NewsAttachment.objects.create(pk=project.pk, item=news, file="news/krabi.txt", name=f"{MARK}.txt")
    job = Job.objects.create(  # a background export of LAO B's person (jobs app)
        owner=owner,
        kind="export",
        state="done",
        idempotency_key=MARK,
        params={"format": "csv"},
        file_name=f"{MARK}.csv",
    )
    return {
        "job": job,
        "plan": plan,
        "strategy": strategy,
        "framework": framework,
        "photo": photo,
        "org": b,
        "project": project,
        "deleted": deleted,
        "stage": project.stages.get(),
        "pending": pending,
        "owner": owner,
    }


def _jpeg_upload():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG")
    return SimpleUploadedFile("b-photo.jpg", out.getvalue(), content_type="image/jpeg")


def tile_of(point, z=14):
    lat = math.radians(point.y)
    n = 2**z
    return z, int((point.x + 180) / 360 * n), int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * n)


def parameter_values(name: str, targets) -> list[tuple[str, str]]:
    """(value, kind) of LAO B's objects for a path parameter called ``name``.

    kind: "object" (LAO B's project, stage, account, the LAO itself: always refused), "unit" (an
    administrative unit of LAO B's province: refused to the other province's roles) or "window"
    (a tile, level, format: answered without others' data). Ambiguous names get every reading.
    """
    t = targets
    n = name.lower()
    z, x, y = tile_of(t["project"].geom)
    org = t["org"]
    province = org.province.code
    amphoe = org.amphoe.code if org.amphoe else province + "03"
    tambon = t["project"].tambon.code if t["project"].tambon else amphoe + "01"
    obj, unit, win = "object", "unit", "window"
    table = {
        ("pk", "id", "project_id", "project", "project_pk", "object_id", "feature_id", "featureid"): [
            (t["project"].pk, obj),
            (t["deleted"].pk, obj),
        ],
        ("stage_id", "stage_pk", "projectstage_id"): [(t["stage"].pk, obj)],
        ("plan_id",): [(t["plan"].pk, obj)],
        ("strategy_id",): [(t["strategy"].pk, obj)],
        ("framework_id",): [(t["framework"].pk, win)],
        ("photo_id",): [(t["photo"].pk, obj)],
        ("profile_id", "account_id", "registration_id"): [(t["pending"].pk, obj)],
        ("user_id", "user"): [(t["pending"].user_id, obj), (t["owner"].pk, obj)],
        ("dla_code", "lao", "lao_code", "organization", "org"): [(org.dla_code, obj)],
        ("organization_id", "org_id", "lao_id"): [(org.pk, obj)],
        ("code", "unit", "unit_code"): [(org.dla_code, obj), (province, unit), (amphoe, unit), (tambon, unit)],
        ("province", "province_code"): [(province, unit)],
        ("amphoe", "amphoe_code"): [(amphoe, unit)],
        ("tambon", "tambon_code"): [(tambon, unit)],
        ("fiscal_year", "year", "fy"): [(t["project"].fiscal_year, win)],
        ("z", "zoom"): [(z, win)],
        ("x",): [(x, win)],
        ("y",): [(y, win)],
        ("token", "uuid", "session"): [(uuid.uuid4(), obj)],
        ("job_id",): [(t["job"].pk, obj)],
        ("app_label",): [("projects_geo", win)],
        ("model_name",): [("project", win)],
        ("kind",): [("water", win)],
        ("stage",): [(1, win)],
        ("format", "ext", "fmt"): [("geojson", win)],
        ("level",): [("province", win), ("amphoe", win), ("tambon", win)],
        ("layer", "layer_name", "collection", "collection_id", "collectionid"): [("projects", win)],
    }
    for names, values in table.items():
        if n in names:
            return [(str(v), kind) for v, kind in values]
    return [(str(t["project"].pk), obj), (org.dla_code, obj), ("projects", win)]


# ---------------------------------------------------------------------------------------------
# URL enumeration

PARAM_RE = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
GROUP_RE = re.compile(r"\((?:\?P<(?P<name>\w+)>)?(?P<body>[^?()][^()]*(?:\([^()]*\)[^()]*)*)\)")


def iter_patterns(resolver=None, prefix=(), namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) if p.namespace else namespace
            yield from iter_patterns(p, (*prefix, p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or p.lookup_str)
            yield (*prefix, p.pattern), name, p


def fill(pieces, targets):
    """Concrete URLs for a pattern: [(url, kinds of the values put in)], one per candidate value."""
    urls = [("", frozenset())]
    for piece in pieces:
        text = str(piece)
        is_regex = piece.__class__.__name__ == "RegexPattern"
        if is_regex:
            text = text.lstrip("^").rstrip("$").replace("\\Z", "")
            matches = list(GROUP_RE.finditer(text))
        else:
            matches = list(PARAM_RE.finditer(text))
        variants = [(text, frozenset())]
        for m in reversed(matches):
            name = m.group("name") or "pk"  # an unnamed group: an object id
            candidates = parameter_values(name, targets)
            if is_regex:
                body = m.group("body")
                ok = [c for c in candidates if re.fullmatch(body, c[0])]
                if not ok and re.fullmatch(r"[\w|]+", body):
                    ok = [(body.split("|")[0], "window")]
                if not ok and re.fullmatch(body, "x"):
                    ok = [("x", "window")]
                candidates = ok or candidates
            variants = [
                (v[: m.start()] + value + v[m.end() :], kinds | {kind})
                for v, kinds in variants
                for value, kind in candidates
            ]
        if is_regex:
            variants = [(re.sub(r"\\(.)", r"\1", v).replace("?", ""), kinds) for v, kinds in variants]
        urls = [(u + v, ku | kv) for u, ku in urls for v, kv in variants]
    return [("/" + u, kinds) for u, kinds in dict.fromkeys(urls)]


class Route(NamedTuple):
    label: str  # the test id: the URL name, or the path when the pattern has no name of its own
    name: str  # namespace:name, or the view's lookup string for an unnamed pattern
    path: str  # the pattern as routed, e.g. /projects/<int:pk>/
    pieces: tuple  # the patterns of the resolvers down to this one, and its own
    pattern: URLPattern


def routes() -> list[Route]:
    found = list(iter_patterns())
    names = Counter(name for _, name, _ in found)
    out = []
    for pieces, name, pattern in found:
        path = "/" + "".join(str(piece) for piece in pieces)
        out.append(Route(name if pattern.name and names[name] == 1 else path, name, path, pieces, pattern))
    return out


def usable_urls(route: Route, targets) -> list[tuple[str, frozenset]]:
    """The URLs the route is filled into that reach its own view: [(url, kinds of the values put in)]."""
    usable = []
    for url, kinds in fill(route.pieces, targets):
        try:
            match = resolve(url)
        except Resolver404:
            continue
        callback = route.pattern.callback
        if match.func is callback or getattr(match.func, "view_class", None) is getattr(callback, "view_class", 0):
            usable.append((url, kinds))
    return usable


# ---------------------------------------------------------------------------------------------
# Snapshots and leak checks


def snapshot(org):
    projects = list(
        Project.all_objects.filter(organization=org)
        .order_by("pk")
        .values(
            "pk",
            "name",
            "kind",
            "subtype",
            "fiscal_year",
            "budget",
            "plan_reference",
            "version",
            "deleted_at",
            "current_stage",
            "organization_id",
        )
    )
    geoms = [p.geom.wkt for p in Project.all_objects.filter(organization=org).order_by("pk")]
    stages = list(ProjectStage.objects.filter(project__organization=org).order_by("pk").values())
    profiles = list(
        Profile.objects.filter(organization=org).order_by("pk").values("pk", "status", "role", "organization_id")
    )
    users = list(Profile.objects.filter(organization=org).order_by("pk").values_list("user__is_active", flat=True))
    project_ids = Project.all_objects.filter(organization=org).values("pk")
    history = (
        Project.history.filter(organization_id=org.pk).count(),
        ProjectStage.history.filter(project_id__in=project_ids).count(),
    )
    photos = list(Photo.objects.filter(project__organization=org).order_by("pk").values())
    plans = list(DevelopmentPlan.objects.filter(organization=org).order_by("pk").values())
    strategies = list(PlanStrategy.objects.filter(plan__organization=org).order_by("pk").values())
    links = list(ProjectPlanLink.objects.filter(plan__organization=org).order_by("pk").values())
    threads = list(
        Thread.objects.filter(organization=org).order_by("pk").values("pk", "status", "subject", "faq_published")
    )
    thread_messages = Message.objects.filter(thread__organization=org).count()
    return projects, geoms, stages, profiles, users, history, plans, strategies, links, threads, thread_messages, photos


def body_texts(response) -> list[bytes]:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    texts = [content]
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            texts += [zf.read(n) for n in zf.namelist()]
    return texts


def forbidden_markers(user):
    """Strings of data the user may not read: LAO B's markers and the names of invisible projects."""
    visible = set(Project.objects.visible_to(user).values_list("pk", flat=True)) if user else set()
    names = Project.all_objects.exclude(pk__in=visible).values_list("name", flat=True)
    markers = {MARK.encode()} | {n.encode() for n in names if len(n) >= 10}
    return markers


def is_refusal(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        return response["Location"].split("?")[0].startswith(LOGIN_PREFIXES) or any(
            response["Location"].startswith(f"http://testserver{p}") for p in LOGIN_PREFIXES
        )
    return False


def send(client, method, url, query, data):
    if method == "GET":
        return client.get(url, query)
    if method == "POST":
        return client.post(url, data)
    if method == "POST json":
        return client.post(url, json.dumps(data), content_type="application/json")
    if method == "PATCH":
        return client.patch(url, json.dumps(data), content_type="application/json")
    return client.delete(url)


def response_problems(response, role, route, kinds, markers) -> list[str]:
    """What is wrong with one answer: a server error, another LAO's data, or no refusal."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}"]
    problems = []
    leaked = [m.decode(errors="replace") for text in body_texts(response) for m in markers if m in text]
    if leaked:
        problems.append(f"HTTP {response.status_code} shows another LAO's data {leaked[:3]}")
    if must_refuse(role, kinds) and route.name not in PUBLIC and not is_refusal(response):
        problems.append(f"HTTP {response.status_code} — expected 401/403/404/405 or login")
    return problems


# ---------------------------------------------------------------------------------------------
# The sweep: one test per (URL pattern, role)

ROUTES = routes()
CASES = [
    pytest.param(route, role, id=f"{route.label}-{role}")
    for route in ROUTES
    for role, spec in ROLES.items()
    if not (route.name in OWN_ACCOUNT and spec is not None)
]


def request_data(targets):
    """The query string and the form/JSON body sent with every request: they point at LAO B."""
    b = targets["org"]
    query = {
        "lao": b.dla_code,
        "organization": b.pk,
        "province": b.province.code,
        "project": targets["project"].pk,
        "project_id": targets["project"].pk,
        "id": targets["project"].pk,
        "q": "pond",
    }
    post_data = {
        **query,
        "name": "hacked",
        "budget": "1",
        "fiscal_year": "2568",
        "kind": "road",
        "subtype": "bridge",
        "version": str(targets["project"].version),
        "stage": "2",
        "date": "2024-12-01",
        "amount": "1",
        "geometry": json.dumps({"type": "Point", "coordinates": [98.34, 8.03]}),
        "text": "8.03, 98.34",
        "decision": "approve",
        "action": "approve",
        "dla_code": b.dla_code,
    }
    return query, post_data


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker):
    """LAO B's objects, a user per role signed in once (with the markers of what each may not read),
    every route's URLs and LAO B's rows before the sweep. Made once for the module, in a transaction
    rolled back after its last test; each test runs in a savepoint of it.

    One test client serves every test: a client loads the middleware on its first request, and
    WhiteNoise's reads the static files (~0.1 s), which would double the sweep's time."""
    with django_db_blocker.unblock(), transaction.atomic():
        targets = make_targets()
        users = {role: make_user(f"sweep-{role}", **spec) if spec else None for role, spec in ROLES.items()}
        client, sessions = Client(), {}
        for role, user in users.items():
            if user:
                client.cookies.clear()  # a session of its own (signing in over another would end it)
                client.force_login(user)
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        query, post_data = request_data(targets)
        made = SimpleNamespace(
            targets=targets,
            users=users,
            client=client,
            sessions=sessions,
            markers={role: forbidden_markers(user) for role, user in users.items()},
            urls={route.label: usable_urls(route, targets) for route in ROUTES},
            query=query,
            post_data=post_data,
            before=snapshot(targets["org"]),
        )
        with django_db_blocker.block():  # the tests reach the database through their own ``db``
            yield made
        transaction.set_rollback(True)


def client_as(sweep, role):
    """The sweep's client with the role's session only (no cookie a previous test left)."""
    client = sweep.client
    client.cookies.clear()
    user = sweep.users[role]
    if user:
        client.cookies[settings.SESSION_COOKIE_NAME] = sweep.sessions[role]
        assert client.session.get("_auth_user_id") == str(user.pk), f"{role} is not signed in"
    return client


@pytest.mark.parametrize("route, role", CASES)
def test_url_as_role(sweep, route, role):
    """Every method on every URL of the route, as the role: no server error, no other LAO's data,
    a refusal where the URL is about LAO B's objects, and LAO B's rows untouched."""
    urls = sweep.urls[route.label]
    assert urls, f"the sweep cannot fill {route.name}: {route.path} (teach parameter_values its parameters)"
    user = sweep.users[role]
    client = client_as(sweep, role)
    problems = []
    for url, kinds in urls:
        for method in METHODS:
            where = f"{role} {method} {url} ({route.name})"
            try:
                response = send(client, method, url, sweep.query, sweep.post_data)
            except Exception as exc:  # a server error is a failure too
                problems.append(f"{where}: raised {exc.__class__.__name__}: {exc}")
                continue
            problems += [
                f"{where}: {problem}"
                for problem in response_problems(response, role, route, kinds, sweep.markers[role])
            ]
            if user and not client.session.get("_auth_user_id"):
                client.force_login(user)  # a logout URL signed us out: sign in again
    assert snapshot(sweep.targets["org"]) == sweep.before, f"{role} on {route.name}: another LAO's data changed"
    assert Profile.objects.get(pk=sweep.targets["pending"].pk).status == ProfileStatus.PENDING
    assert not problems, f"{len(problems)} access problems:\n" + "\n".join(problems)


def test_every_route_is_swept(sweep):
    """Every routed URL pattern is a case of the sweep, filled with LAO B's values."""
    assert [route.label for route in routes()] == [route.label for route in ROUTES]
    assert len({route.label for route in ROUTES}) == len(ROUTES), "two routes with one test id"
    unfillable = [f"{route.name}: {route.path}" for route in ROUTES if not sweep.urls[route.label]]
    assert not unfillable, (
        "URL patterns the sweep cannot fill (teach parameter_values their parameters):\n" + "\n".join(unfillable)
    )
    assert sum(len(urls) for urls in sweep.urls.values()) > 10


def test_sweep_enumerates_every_route_including_new_ones():
    """The sweep sees the project's own routes (a new one would be in this list too)."""
    names = {name for _, name, _ in iter_patterns()}
    for expected in ("projects_geo:project_history", "projects_geo:project_restore", "accounts:approve", "admin:index"):
        assert expected in names
