"""The hostile-input suite: every routed URL, every parameter, hostile values, every role.

The URL patterns are enumerated from the resolver (as the access sweep does), so a new route is
covered as soon as it is routed — or fails ``test_every_route_has_its_parameters`` until its query
parameters are listed in ``PARAMS``. Each URL is requested as anonymous, an LAO engineer, an LAO
administrator, a provincial analyst and a DLA administrator (one shared client, a session per role):

- GET with its query parameters set to every ``payloads.CORE`` value (NUL, a Unicode digit, an
  integer beyond bigint, empty, 10 kB) and to the values of each parameter's kind (numbers,
  geometries, text, bytes that are not UTF-8 — the probe's payloads among them), those spread over
  the signed-in roles. A value goes to all the URL's parameters at once first; only when that is
  refused (4xx or worse) is it sent to one parameter at a time — by every role for anonymous and
  by one signed-in role in turn for the CORE values, so that each (parameter, value) is sent alone
  once and each role sends some of every parameter. A value every parameter accepts (an empty
  string, a flag) is thus sent once, not once per parameter (a report takes 0.1 s to make);
- GET and POST with each path parameter hostile, the others real (the role's LAO, its project,
  its province, a map tile over the project, an import of the engineer's own);
- POST as a form with every field set to each CORE value; the hostile JSON bodies (deep nesting,
  ``1e400``, ``NaN``, wrong types, not UTF-8) to every URL under ``/api/`` and two of them elsewhere;
- hostile HTTP Basic credentials (NUL, 10 kB, not UTF-8) on ``/api/``, ``/ogc/`` and ``/tiles/``.

Django's admin pages (no role here is staff: they all send to its sign-in page) get their path
parameters and a form POST only; its sign-in page is tested as a page of its own.

Asserted: never a 5xx (nor an exception), and every 4xx under ``/api/``, ``/ogc/`` and ``/tiles/``
is JSON ``{"errors": [{field, message_th, message_en}]}``. One test per (URL pattern, role); its
failure lists the role, method, URL, parameter and payload of each bad answer. The number of
requests and of 5xx answers is written to ``test-output/hostile-summary.json`` and printed at the
end of the run.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
import uuid
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve
from django.urls.exceptions import Resolver404

from accounts.models import Role
from accounts.registration import register
from analysis.filters import FILTER_PARAMS
from jobs.models import Job
from projects_geo.models import Stage
from projects_geo.stages import record_stage
from tests.accounts.test_access_sweep import GROUP_RE, PARAM_RE, routes
from tests.factories import PATONG, PHUKET, make_user, make_water_point
from tests.hostile import payloads
from tests.hostile.summary import COUNTS

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "lao_engineer": dict(role=Role.LAO_ENGINEER, lao=PATONG),
    "lao_admin": dict(role=Role.LAO_ADMIN, lao=PATONG),
    "provincial_analyst": dict(role=Role.PROVINCIAL_ANALYST, province=PHUKET),
    "dla": dict(role=Role.DLA_ADMIN),
}
SIGNED_IN = [role for role, spec in ROLES.items() if spec]
JSON_PREFIXES = ("/api/", "/ogc/", "/tiles/")

# ---------------------------------------------------------------------------------------------
# Query parameters of each URL (by URL name), with the base query the others keep.

FILTERS = tuple(FILTER_PARAMS)
PAGING = ("page", "page_size", "count")
REPORT = ("fiscal_year", "province", "kind", "digits")  # every report (reports.base.parse_params)
TABLE = (*REPORT, "format")  # the tables download as CSV / Excel
LAYER = (*REPORT, "level", "measure", "stage", "year", *FILTERS)  # the choropleth layer (budget measures filter)
OGC = ("f",)
PARAMS: dict[str, tuple[str, ...]] = {
    "projects_geo:api-projects": (*FILTERS, *PAGING, "ordering", "format"),
    "projects_geo:api-projects-summary": (*FILTERS, "format"),
    "projects_geo:api-project-detail": ("format",),
    "projects_geo:api-boundaries": ("zoom", "bbox", "parent", "code", *PAGING, "format"),
    "projects_geo:api-schema": ("format", "lang"),
    "projects_geo:api-docs": (),
    "projects_geo:validate": ("format",),
    "projects_geo:export": (*FILTERS, "format", "encoding", "background"),
    "projects_geo:tiles-projects": FILTERS,
    "projects_geo:tiles-boundaries": (),
    "projects_geo:tiles-projects-tilejson": FILTERS,  # the filters carry into the tile URL
    "projects_geo:tiles-boundaries-tilejson": (),
    "projects_geo:ogc-api": OGC,
    "projects_geo:ogc-queryables": OGC,
    "favicon": (),
    "projects_geo:analysis": (),
    "projects_geo:ogc-landing": OGC,
    "projects_geo:ogc-conformance": OGC,
    "projects_geo:ogc-collections": OGC,
    "projects_geo:ogc-collection": OGC,
    "projects_geo:ogc-items": (*FILTERS, "limit", "offset", "f", "code", "parent"),
    "projects_geo:ogc-item": OGC,
    "reports:index": ("digits",),
    "reports:budget": (*TABLE, "level", "by_kind", "measure", *FILTERS),
    "reports:completeness": TABLE,
    "reports:completeness_province": (*TABLE, "missing"),
    "reports:score": TABLE,
    "reports:choropleth": (*REPORT, "level", "measure", "stage"),
    "reports:map_frame": (*LAYER, "download"),
    "reports:layer_json": LAYER,
    "reports:dimensions": (*TABLE, "dimension", "level", *FILTERS),
    "planning:index": (),
    "planning:plans": (),
    "planning:plan": (),
    "planning:strategy": (),
    "planning:project_link": (),
    "planning:frameworks": (),
    "planning:framework": (),
    "planning:provincial": (),
    "layers:boundaries": ("zoom", "bbox", "code"),
    "projects_geo:home": ("q", "province", "all", "page", "fiscal_year", "kind", "stage"),
    "projects_geo:lao_home": ("fiscal_year", "kind", "stage"),
    "projects_geo:projects_geojson": ("lao", "exclude", "fiscal_year", "kind", "stage"),
    "projects_geo:project_create": ("lao",),
    "projects_geo:project_edit": (),
    "projects_geo:deleted_projects": ("page",),
    "projects_geo:project_history": ("page",),
    "projects_geo:project_delete": (),
    "projects_geo:project_restore": (),
    "projects_geo:jsi18n": ("language",),
    "projects_geo:import_upload": (),
    "projects_geo:import_mapping": (),
    "projects_geo:import_preview": ("page",),
    "projects_geo:import_report": (),
    "projects_geo:import_commit": (),
    "accounts:register": (),
    "accounts:register_done": (),
    "accounts:lao_search": ("q",),
    "accounts:approvals": (),
    "accounts:approve": (),
    "accounts:reject": (),
    "login": ("next",),
    "logout": ("next",),
    "password_change": (),
    "password_change_done": (),
    "password_reset": (),
    "password_reset_done": (),
    "password_reset_confirm": (),
    "password_reset_complete": (),
    "set_language": ("next", "language"),
    "healthz": (),
    "readyz": (),
    "metrics": (),
    "jobs:list": (),
    "jobs:schedule": (),
    "jobs:page": (),
    "jobs:status": (),
    "jobs:file": (),
    "jobs:import_api": ("lao", "kind", "subtype", "fiscal_year", "budget", "crs", "encoding"),
    "admin:login": ("next",),
    # issue 24
    "projects_geo:on_behalf_changes": (),
    "closures:list": (),
    "closures:delete": (),
    "monitoring:behind": ("province",),
    "monitoring:behind_export": ("province", "format"),
    "monitoring:calendar": (),
    "monitoring:calendar_delete": (),
    "monitoring:digest": ("province",),
    "messaging:threads": ("status",),
    "messaging:thread": (),
    "messaging:publish_faq": (),
    "messaging:faq": (),
    "messaging:news": (),
    "messaging:attachment": (),
    "field:capture": ("lao",),
    "field:manifest": (),
    "field:service_worker": (),
    "field:offline_data": ("lao",),
    "field:photo": (),
    "field:photo_thumb": (),
    "field:captures": (),
    "field:project_photos": (),
}
# Sensible values a URL keeps while one parameter is hostile (export needs a format to reach its filters).
BASE_QUERY = {"projects_geo:export": {"format": "geojson"}}
# Kinds of parameters: which extra payload groups they receive besides CORE.
NUMERIC = {
    "fiscal_year",
    "stage",
    "reached_stage",
    "year",
    "exclude",
    "page",
    "page_size",
    "limit",
    "offset",
    "zoom",
    "budget_min",
    "budget_max",
    "province",
    "amphoe",
    "tambon",
    "lao",
    "code",
    "parent",
    "missing",
}
GEOMETRIC = {"bbox", "polygon"}
# Switches any value of which is accepted (they get CORE only: more values would only repeat the page).
FLAGS = {"by_kind", "digits", "download", "count", "all"}
# JSON bodies sent to pages outside /api/ (which read forms, not JSON).
JSON_SAMPLE = ("nested_100k_closed", "wrong_types")

# Form fields sent in every POST besides the URL's own parameters.
FORM_FIELDS = (
    "lao",
    "name",
    "kind",
    "subtype",
    "fiscal_year",
    "budget",
    "plan_reference",
    "version",
    "geometry",
    "text",
    "datum",
    "zone",
    "stage",
    "date",
    "amount",
    "note",
    "action",
    "username",
    "password",
    "email",
    "role",
    "next",
    "language",
    "crs",
    "encoding",
    "map_name",
    "default_kind",
)


# ---------------------------------------------------------------------------------------------
# The role's own objects, and the real and hostile values of path parameters


def tile_of(point, z=14):
    lat = math.radians(point.y)
    n = 2**z
    return z, int((point.x + 180) / 360 * n), int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * n)


SAMPLE_CSV = "ชื่อโครงการ,ปีงบประมาณ,งบประมาณ,ละติจูด,ลองจิจูด\nขุดสระ หมู่ 5,2568,300000,7.896,98.296\n".encode()


def make_objects(engineer_client):
    """A project of LAO A (Patong) with a stage, a pending account there, an import of the engineer."""
    owner = make_user("hostile-owner", Role.LAO_ENGINEER, lao=PATONG)
    project = make_water_point(PATONG, 98.296, 7.896, name="บ่อบาดาล hostile", user=owner)
    record_stage(project, Stage.IN_PLAN, dt.date(2024, 11, 1), user=owner)
    pending = register(make_user("hostile-pending"), role=Role.LAO_ENGINEER, organization=project.organization)
    answer = engineer_client.post("/projects/import/", {"file": SimpleUploadedFile("p.csv", SAMPLE_CSV)})
    assert answer.status_code == 302, answer.content[:500]
    token = answer["Location"].rstrip("/").split("/")[-2]
    z, x, y = tile_of(project.geom)
    job = Job.objects.create(owner=owner, kind="export", idempotency_key="hostile", params={"format": "csv"})
    return {
        "job_id": job.pk,
        "pk": project.pk,
        "object_id": project.pk,
        "profile_id": pending.pk,
        "dla_code": PATONG,
        "code": PHUKET,
        "province_code": PHUKET,
        "level": "province",
        "cid": "projects",
        "fid": project.pk,
        "z": z,
        "x": x,
        "y": y,
        "token": token,
        "uidb64": "MQ",
        "url": "no-such-page/",  # the admin's catch-all
    }


ADMIN_PATH_VALUES = ("nul", "unicode_digit", "huge_int")


def hostile_path_values(converter: str | None, admin: bool) -> dict[str, str]:
    if converter == "uuid":
        return {"random_uuid": str(uuid.uuid4())}
    values = payloads.PATH_INT if converter == "int" else payloads.PATH_STR
    if admin:  # Django's admin sends every role here to its sign-in page: a few values show that
        return {k: v for k, v in values.items() if k in ADMIN_PATH_VALUES} or values
    return values


def url_template(route) -> tuple[str, list[tuple[str, str | None]]]:
    """The route's path with ``<name>`` for each parameter, and [(name, converter)]; a regular
    expression's groups (the admin's) become ``<name>`` with the converter ``re:<body>``."""
    text, names = "/", []
    for piece in route.pieces:
        part = str(piece)
        if piece.__class__.__name__ != "RegexPattern":
            names += [(m.group("name"), m.group("conv")) for m in PARAM_RE.finditer(part)]
            text += part
            continue
        part = part.lstrip("^").rstrip("$").replace("\\Z", "")
        for i, m in enumerate(reversed(list(GROUP_RE.finditer(part)))):
            name = m.group("name") or f"group{i}"
            names.append((name, "re:" + m.group("body")))
            part = part[: m.start()] + f"<{name}>" + part[m.end() :]
        text += re.sub(r"\\(.)", r"\1", part).replace("?", "")
    return text, names


def real_value(name: str, converter: str | None, real: dict) -> str:
    value = str(real.get(name, real["pk"]))
    if converter and converter.startswith("re:"):
        body = converter[3:]
        if not re.fullmatch(body, value):
            value = next((v for v in (body.split("|")[0], "1", "x") if re.fullmatch(body, v)), value)
    return value


def path_variants(route, real: dict) -> list[tuple[str, str, str]]:
    """(url, what is hostile, payload name): the real URL first, then one hostile path parameter at a time."""
    text, names = url_template(route)
    reals = {name: real_value(name, conv, real) for name, conv in names}

    def build(values):
        return PARAM_RE.sub(lambda m: quote(values[m.group("name")], safe=""), text)

    out = [(build(reals), "", "real")]
    for name, conv in names:
        for label, value in hostile_path_values(conv, is_admin(route)).items():
            out.append((build({**reals, name: value}), f"path {name}", label))
    return out


def is_admin(route) -> bool:
    """A page of Django's admin other than its sign-in page (no role of the suite is staff)."""
    return route.path.startswith("/admin/") and route.name != "admin:login"


def reaches_view(url: str, route) -> bool:
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return False
    callback = route.pattern.callback
    return match.func is callback or getattr(match.func, "view_class", None) is getattr(callback, "view_class", 0)


# ---------------------------------------------------------------------------------------------
# Requests


class Case(SimpleNamespace):
    """One request: method, url, data or body; ``what`` and ``payload`` name it in a failure."""


class Group(SimpleNamespace):
    """A payload in every parameter of its kind at once (``combined``) and, one parameter at a time,
    the ``single`` requests sent when the combined one is refused (4xx or worse): a value every
    parameter accepts is then sent once, not once per parameter (a report made 25 times)."""


def query_string(values: dict[str, str], raw: dict[str, str] | None = None) -> str:
    parts = [f"{quote(k)}={quote(v, safe='')}" for k, v in values.items()]
    parts += [f"{quote(k)}={v}" for k, v in (raw or {}).items()]
    return "&".join(parts)


def role_payloads(role: str) -> list[tuple[int | None, str, str, bool, str | None]]:
    """(core index, label, value, raw?, kind) the role sends: every CORE value (kind None), and its
    share of the values by kind (numbers, geometries, text, raw bytes): each of those goes to one
    signed-in role."""
    chosen = [(j, label, value, False, None) for j, (label, value) in enumerate(payloads.CORE.items())]
    if role not in SIGNED_IN:
        return chosen
    extras = [(None, label, value, False, "number") for label, value in payloads.NUMBERS.items()]
    extras += [(None, label, value, False, "geometry") for label, value in payloads.GEOMETRIES.items()]
    extras += [(None, label, value, False, "text") for label, value in payloads.TEXT.items()]
    extras += [(None, label, value, True, "text") for label, value in payloads.RAW.items()]
    return chosen + extras[SIGNED_IN.index(role) :: len(SIGNED_IN)]


def takes(route, name: str, kind: str | None) -> bool:
    """Does parameter ``name`` of ``route`` get values of ``kind`` (None: CORE, every parameter)?

    The reports hand the shared filter parameters to ``analysis.filters`` as they are: there they
    get CORE (a report run costs 0.1 s), the API's list every value of their kind."""
    if kind is None:
        return True
    if route.name.startswith("reports:") and name in FILTERS:
        return False
    if kind == "text":
        return name not in FLAGS
    return name in (NUMERIC if kind == "number" else GEOMETRIC)


def sends_single(role: str, param_index: int, core_index: int | None) -> bool:
    """Who sends a CORE value to one parameter alone (when all parameters at once were refused):
    anonymous always (a sign-in page or a public page); of the signed-in roles one, in turn, so
    that every (parameter, value) is sent alone once and every role sends some of each parameter."""
    if core_index is None or role not in SIGNED_IN:
        return True
    return (param_index + core_index) % len(SIGNED_IN) == SIGNED_IN.index(role)


def query_groups(route, url: str, role: str) -> list[Group]:
    names = [] if is_admin(route) else PARAMS.get(route.name, ())
    base = BASE_QUERY.get(route.name, {})
    plain = url + ("?" + query_string(base) if base else "")
    groups = [Group(combined=Case(method="GET", url=plain, what="base", payload=""), single=[])]
    for core_index, label, value, raw, kind in role_payloads(role):
        targets = [n for n in names if takes(route, n, kind)]
        if not targets:
            continue

        def case(params, what, label=label, value=value, raw=raw):
            given = dict.fromkeys(params, value)
            qs = query_string(base, given) if raw else query_string({**given, **base})
            return Case(method="GET", url=f"{url}?{qs}", what=what, payload=label)

        if len(targets) == 1:
            groups.append(Group(combined=case(targets, f"query {targets[0]}"), single=[]))
            continue
        single = [
            case([n], f"query {n}") for i, n in enumerate(names) if n in targets and sends_single(role, i, core_index)
        ]
        groups.append(Group(combined=case(targets, "query " + ",".join(targets)), single=single))
    return groups


def post_cases(route, url: str) -> list[Case]:
    if is_admin(route):
        return [
            Case(
                method="POST",
                url=url,
                data=dict.fromkeys(FORM_FIELDS, payloads.CORE["nul"]),
                what="form",
                payload="nul",
            )
        ]
    names = sorted(set(PARAMS.get(route.name, ())) | set(FORM_FIELDS))
    cases = [
        Case(method="POST", url=url, data=dict.fromkeys(names, value), what="form", payload=label)
        for label, value in payloads.CORE.items()
    ]
    bodies = payloads.JSON_BODIES if url.startswith("/api/") else {k: payloads.JSON_BODIES[k] for k in JSON_SAMPLE}
    cases += [
        Case(method="POST json", url=url, body=body, what="json body", payload=label) for label, body in bodies.items()
    ]
    return cases


def basic_cases(url: str) -> list[Case]:
    """Hostile HTTP Basic credentials, for the machine endpoints (sent without a session)."""
    if not url.startswith(JSON_PREFIXES):
        return []
    return [
        Case(method="GET basic", url=url, header="Basic " + base64.b64encode(raw).decode(), what="basic", payload=label)
        for label, raw in payloads.BASIC.items()
    ]


def send(client, case: Case):
    if case.method == "GET":
        return client.get(case.url)
    if case.method == "GET basic":
        return client.get(case.url, HTTP_AUTHORIZATION=case.header)
    if case.method == "POST":
        return client.post(case.url, case.data)
    return client.post(case.url, case.body, content_type="application/json")


def problem_of(case: Case, response) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"HTTP {status}"
    path = case.url.split("?")[0]
    if 400 <= status < 500 and path.startswith(JSON_PREFIXES):
        shown = response.content[:100].decode(errors="replace")
        try:
            body = json.loads(response.content)
        except ValueError:
            return f"HTTP {status} is not JSON ({response.get('Content-Type')}): {shown}"
        errors = body.get("errors") if isinstance(body, dict) else None
        if not errors or not all(
            isinstance(e, dict) and e.get("message_th") and e.get("message_en") and "field" in e for e in errors
        ):
            return f"HTTP {status} without errors [{{field, message_th, message_en}}]: {shown}"
    return None


# ---------------------------------------------------------------------------------------------
# The suite

ROUTES = routes()
CASES = [pytest.param(route, role, id=f"{route.label}-{role}") for route in ROUTES for role in ROLES]


@pytest.fixture(scope="module")
def hostile(django_db_setup, django_db_blocker, tmp_path_factory):
    """The users, their sessions on one shared client, the objects path parameters point at."""
    imports_dir = tmp_path_factory.mktemp("hostile-imports")
    with (
        override_settings(GISPLAN_IMPORT_DIR=str(imports_dir)),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        users = {role: make_user(f"hostile-{role}", **spec) if spec else None for role, spec in ROLES.items()}
        client, sessions = Client(), {}
        for role, user in users.items():
            if user:
                client.cookies.clear()
                client.force_login(user)
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        client.cookies.clear()
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions["lao_engineer"]
        real = make_objects(client)
        made = SimpleNamespace(users=users, client=client, sessions=sessions, real=real)
        with django_db_blocker.block():
            yield made
        transaction.set_rollback(True)


def client_as(hostile, role):
    client = hostile.client
    client.cookies.clear()
    if hostile.users[role]:
        client.cookies[settings.SESSION_COOKIE_NAME] = hostile.sessions[role]
    return client


class Run:
    """Sends the cases of one test as one role, each in its own savepoint (as a request has its own
    transaction under a server), and collects what is wrong."""

    def __init__(self, hostile, role):
        self.hostile, self.role = hostile, role
        self.session = hostile.sessions.get(role)
        self.client = client_as(hostile, role)
        self.problems = []

    def send(self, case: Case) -> int:
        COUNTS["requests"] += 1
        try:
            with transaction.atomic():
                response = send(self.client, case)
        except Exception as exc:  # an exception is a server error too
            COUNTS["5xx"] += 1
            self._problem(case, f"raised {exc!r:.200}")
            return 500
        if response.status_code >= 500:
            COUNTS["5xx"] += 1
        problem = problem_of(case, response)
        if problem:
            self._problem(case, problem)
        if self.session and self.client.cookies[settings.SESSION_COOKIE_NAME].value != self.session:
            self.client = client_as(self.hostile, self.role)  # signed out (logout): back to the role's session
        return response.status_code

    def _problem(self, case, text):
        self.problems.append(f"{self.role} {case.method} {case.url[:120]} [{case.what} = {case.payload}]: {text}")


@pytest.mark.parametrize("route, role", CASES)
def test_hostile_input(hostile, route, role):
    """No 5xx for any hostile value of any parameter; bilingual JSON 4xx on the API, OGC and tiles."""
    variants = path_variants(route, hostile.real)
    real_url = variants[0][0]
    assert reaches_view(real_url, route), f"cannot fill {route.path}: {real_url} reaches another view"
    run = Run(hostile, role)
    for group in query_groups(route, real_url, role):
        if run.send(group.combined) >= 400:
            for case in group.single:
                run.send(case)
    for case in post_cases(route, real_url) + (basic_cases(real_url) if role == "anonymous" else []):
        run.send(case)
    for url, what, label in variants[1:]:
        run.send(Case(method="GET", url=url, what=what, payload=label))
        if not is_admin(route):
            run.send(Case(method="POST", url=url, data={}, what=what, payload=label))
    assert not run.problems, f"{len(run.problems)} problems on {route.path} as {role}:\n" + "\n".join(run.problems)


def test_every_route_has_its_parameters():
    """Every routed URL is listed with its query parameters (the admin's pages are not: no role of the
    suite gets past its sign-in page)."""
    unknown = [f"{r.name}: {r.path}" for r in ROUTES if r.name not in PARAMS and not is_admin(r)]
    assert not unknown, "list the query parameters of these URLs in PARAMS:\n" + "\n".join(unknown)
    assert len(ROUTES) > 50
