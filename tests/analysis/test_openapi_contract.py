"""The API answers as its OpenAPI schema (``/api/schema/``, ``analysis/rest/schema.py``) says.

1. schemathesis generates requests for every operation of the schema — values that fit it and
   values that do not — sends them as an LAO engineer with HTTP Basic, and checks every answer: no
   5xx, a documented status code and content type, a body that fits the documented schema.
   Bounded and derandomized (the same requests on every run), a few seconds per operation.
2. Real answers replayed: a list page with features, one project, boundary layers, totals,
   validation results and each documented 4xx, each validated with jsonschema against the
   schema's response for its status and content type.
"""

import base64
import json
from collections import Counter
from functools import partial

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.http import HttpResponse
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from analysis.rest.pagination import FeatureCollectionPagination
from projects_geo.models import Project
from tests.factories import PASSWORD, PATONG, PHUKET, PHUKET_CITY, make_engineer

pytestmark = pytest.mark.django_db

ENGINEER = "contract-eng"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def engineer():
    """An engineer of Phuket city (two sample projects are its own: a road and a pond)."""
    return make_engineer(PHUKET_CITY, username=ENGINEER)


@pytest.fixture
def engineer_auth(engineer):
    return {"Authorization": basic(ENGINEER, PASSWORD)}


@pytest.fixture
def api_schema(db, engineer):
    """The schema read from /api/schema/ through Django's WSGI handler, on the test's connection:
    like Django's test client, requests must not close the connection that holds the test's
    transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
        schema.config.generation.update(with_security_parameters=False)  # the engineer's own credentials
        yield schema
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# ``schemathesis.pytest.from_fixture`` does not run under this pytest (it sets ``Node._nodeid``,
# gone in pytest 9), so each operation's strategy is run with Hypothesis here.
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same requests on every run
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def own_project(case, project_id):
    case.path_parameters["id"] = project_id
    return case


def own_lao(case, project_id):
    if isinstance(case.body, dict):
        case.body["lao"] = PHUKET_CITY
    return case


# Random ids and DLA codes name nothing the engineer may see (404, 400): one more positive round
# of these operations asks about the engineer's own project and LAO, so the answers that get
# checked include the 200s (a Feature with stages; the findings of a fuzzed geometry).
STEERED = {"GET /api/projects/{id}/": own_project, "POST /api/validate/": own_lao}


def run_operation(operation, mode, headers, steer=None) -> Counter:
    """Hypothesis's examples of ``operation`` in ``mode`` (``steer``: applied to each), each sent and
    checked; the statuses of the answers. An operation with nothing to get wrong (no parameters, no
    body) has no negative examples."""
    statuses = Counter()
    strategy = operation.as_strategy(generation_mode=mode)

    @given(case=strategy.map(steer) if steer else strategy)
    @EXAMPLES
    def check(case):
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        check()
    except Unsatisfiable:
        assert mode is schemathesis.GenerationMode.NEGATIVE, f"{operation.label}: no request could be made"
    finally:  # shown with -s, or with a failure
        print(f"{operation.label} ({mode.value}{', steered' if steer else ''}): {dict(sorted(statuses.items()))}")
    return statuses


def test_api_answers_as_its_schema_says(api_schema, engineer_auth):
    project_id = Project.objects.get(source_ref="sample:1").pk  # Phuket city's
    operations, failures, statuses = [], [], Counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)
        rounds = [(mode, None) for mode in schemathesis.GenerationMode]
        if operation.label in STEERED:
            rounds.append(
                (schemathesis.GenerationMode.POSITIVE, partial(STEERED[operation.label], project_id=project_id))
            )
        for mode, steer in rounds:
            try:
                statuses += run_operation(operation, mode, engineer_auth, steer)
            except (Exception, FailureGroup) as exc:  # the operation's failures, reported together below
                failures.append(f"{operation.label} ({mode.value}{', steered' if steer else ''}):\n{exc}")
    print(f"{statuses.total()} requests: {dict(sorted(statuses.items()))}")
    assert {"GET /api/projects/", "GET /api/projects/{id}/", "POST /api/validate/"} <= set(operations)
    assert not failures, "\n\n".join(failures)


# --- real answers, replayed against the schema --------------------------------------------------


def _json_schema(node):
    """OpenAPI 3.0 schema → JSON Schema 2020-12: ``nullable`` becomes a null alternative."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Contract:
    """The schema of /api/schema/; ``check(response, path, method)`` validates a real response."""

    def __init__(self, document):
        self.document = document
        self.registry = Registry().with_resource("urn:api", DRAFT202012.create_resource(_json_schema(document)))

    def check(self, response, path, method="get"):
        operation = self.document["paths"][path][method]
        status = str(response.status_code)
        assert status in operation["responses"], f"{method.upper()} {path}: {status} is not documented"
        content = operation["responses"][status].get("content", {})
        media_type = response["Content-Type"].split(";")[0].strip()
        assert media_type in content, f"{method.upper()} {path} {status}: {media_type} is not documented"
        if not media_type.endswith("json"):
            return None
        where = ("paths", path, method, "responses", status, "content", media_type, "schema")
        pointer = "/".join(part.replace("~", "~0").replace("/", "~1") for part in where)
        validator = Draft202012Validator(
            {"$ref": f"urn:api#/{pointer}"},
            registry=self.registry,
            format_checker=FormatChecker(),
        )
        body = json.loads(response.content)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, f"{method.upper()} {path} {status}: " + "; ".join(
            f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:5]
        )
        return body


@pytest.fixture
def contract():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return Contract(json.loads(response.content))


@pytest.fixture
def client(engineer):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=basic(ENGINEER, PASSWORD))
    return c


def test_project_pages_fit_the_schema(client, contract):
    first = contract.check(client.get("/api/projects/", {"page_size": 1, "count": "true"}), "/api/projects/")
    assert first["type"] == "FeatureCollection" and first["count"] == 2 and first["next"]
    second = client.get("/api/projects/", {"page_size": 1, "page": 2}, HTTP_ACCEPT="application/geo+json")
    assert second["Content-Type"].startswith("application/geo+json")
    second = contract.check(second, "/api/projects/")
    assert second["previous"] and not second["next"]
    assert {f["geometry"]["type"] for f in first["features"] + second["features"]} == {"LineString", "Point"}
    assert contract.check(client.get("/api/projects/", {"fiscal_year": "2599"}), "/api/projects/")["features"] == []


def test_one_project_fits_the_schema(client, contract):
    project = Project.objects.get(source_ref="sample:1")
    feature = contract.check(client.get(f"/api/projects/{project.id}/"), "/api/projects/{id}/")
    assert feature["properties"]["stages"] and feature["properties"]["tambons"]


def test_boundaries_and_totals_fit_the_schema(client, contract):
    path = "/api/boundaries/{level}/"
    amphoes = contract.check(client.get("/api/boundaries/amphoe/", {"parent": PHUKET, "page_size": 2}), path)
    assert len(amphoes["features"]) == 2 and amphoes["features"][0]["properties"]["parent_code"] == PHUKET
    provinces = contract.check(client.get("/api/boundaries/province/", {"code": PHUKET, "zoom": 6}), path)
    assert provinces["features"][0]["id"] == PHUKET
    assert contract.check(client.get("/api/projects/summary/"), "/api/projects/summary/")["count"] == 2


def test_validation_results_fit_the_schema(client, contract):
    def validate(**body):
        return client.post("/api/validate/", {"lao": PHUKET_CITY, **body}, format="json")

    point = {"type": "Point", "coordinates": [98.39, 7.88]}
    assert contract.check(validate(kind="water", geometry=point), "/api/validate/", "post")["ok"] is True
    wrong = contract.check(validate(kind="road", text="7.88, 98.39"), "/api/validate/", "post")
    assert wrong["ok"] is False and wrong["findings"][0]["severity"] == "error"


def test_each_documented_error_fits_the_schema(client, contract, engineer):
    other = Project.objects.get(source_ref="sample:3")  # Patong's
    cases = [
        (client.get("/api/projects/", {"page": 0}), "/api/projects/", 400),
        (client.get("/api/projects/", {"kind": "bridge"}), "/api/projects/", 400),
        (client.get("/api/projects/", {"ordering": "password"}), "/api/projects/", 400),
        (client.get("/api/projects/summary/", {"fiscal_year": "abc"}), "/api/projects/summary/", 400),
        (client.get("/api/boundaries/province/", {"zoom": 99}), "/api/boundaries/{level}/", 400),
        (client.post("/api/validate/", {"lao": "1"}, format="json"), "/api/validate/", 400),
        (client.post("/api/validate/", "[1,", content_type="application/json"), "/api/validate/", 400),
        (APIClient().get("/api/projects/"), "/api/projects/", 403),
        (
            client.post(
                "/api/validate/",
                {"lao": PATONG, "kind": "water", "geometry": {"type": "Point", "coordinates": [98.3, 7.9]}},
                format="json",
            ),
            "/api/validate/",
            403,
        ),
        (client.get(f"/api/projects/{other.id}/"), "/api/projects/{id}/", 404),
        (client.get("/api/projects/999999999999/"), "/api/projects/{id}/", 404),
        (client.get("/api/boundaries/village/"), "/api/boundaries/{level}/", 404),
        (client.get("/api/projects/", {"format": "xml"}), "/api/projects/", 404),
    ]
    for response, path, status in cases:
        assert response.status_code == status, (path, response.status_code, response.content[:300])
        contract.check(response, path, "post" if path == "/api/validate/" else "get")


def test_wrong_credentials_fit_the_schema(contract, engineer):
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION=basic(ENGINEER, "not-the-password"))
    response = wrong.get("/api/projects/")
    assert response.status_code in (401, 403)
    contract.check(response, "/api/projects/")


def test_page_size_has_a_documented_maximum(client, contract):
    maximum = FeatureCollectionPagination.max_page_size
    operation = contract.document["paths"]["/api/projects/"]["get"]
    (page_size,) = [p for p in operation["parameters"] if p["name"] == "page_size"]
    assert page_size["schema"]["maximum"] == maximum
    assert client.get("/api/projects/", {"page_size": maximum}).status_code == 200
    contract.check(client.get("/api/projects/", {"page_size": maximum + 1}), "/api/projects/")
    assert client.get("/api/projects/", {"page_size": maximum + 1}).status_code == 400


def materialised(response):
    """A streamed answer (the export) as a plain one, for ``Contract.check``."""
    if not response.streaming:
        return response
    out = HttpResponse(b"".join(response.streaming_content), status=response.status_code)
    out["Content-Type"] = response["Content-Type"]
    return out


def test_export_and_tiles_fit_the_schema(client, contract):
    """The plain Django views the schema also describes (``analysis.rest.schema.extra_paths``)."""
    export = "/api/projects/export/"
    body = contract.check(materialised(client.get(export, {"format": "geojson"})), export)
    assert body["type"] == "FeatureCollection" and body["features"]
    contract.check(materialised(client.get(export, {"format": "csv"})), export)
    contract.check(client.get("/api/projects/export/", {"format": "xls"}), "/api/projects/export/")  # 400
    contract.check(APIClient().get("/api/projects/export/", {"format": "csv"}), "/api/projects/export/")  # 401
    tilejson = contract.check(client.get("/tiles/projects.json", {"kind": "road"}), "/tiles/projects.json")
    assert tilejson["vector_layers"][0]["id"] == "projects"
    contract.check(client.get("/tiles/boundaries/amphoe.json"), "/tiles/boundaries/{level}.json")
    contract.check(client.get("/tiles/boundaries/village.json"), "/tiles/boundaries/{level}.json")  # 404
    tile = "/tiles/projects/{z}/{x}/{y}.pbf"
    contract.check(client.get("/tiles/projects/6/49/30.pbf"), tile)
    contract.check(client.get("/tiles/projects/14/0/0.pbf"), tile)  # 204
    contract.check(client.get("/tiles/projects/3/9/0.pbf"), tile)  # 404
    contract.check(client.get("/tiles/projects/6/49/30.pbf", {"bbox": "x"}), tile)  # 400
    contract.check(client.get("/tiles/boundaries/province/6/49/30.pbf"), "/tiles/boundaries/{level}/{z}/{x}/{y}.pbf")
