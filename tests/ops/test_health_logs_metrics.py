"""Health and readiness, the request id, JSON logs, slow-query logging, /metrics and the bound
on extra connections — against the real test database."""

import io
import json
import logging

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from common import dbconn
from ops.logs import GisplanJsonFormatter, RequestIdFilter, request_id_var

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["migrations_pending"] == 0
    assert ready.json()["checks"]["cache"] == "ok"


def test_readyz_is_503_when_the_database_cannot_be_reached(client, monkeypatch):
    from ops import views

    def unreachable():
        raise OSError("connection refused")

    monkeypatch.setattr(views, "_database_check", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_every_response_carries_a_request_id(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert given["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="not a token; <script>")
    assert len(made["X-Request-ID"]) == 32 and made["X-Request-ID"] != "abc-123"


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("gisplan.test", logging.WARNING, __file__, 1, "hello %s", ("ไทย",), None)
    token = request_id_var.set("req-42")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(GisplanJsonFormatter().format(record))
    assert line["message"] == "hello ไทย"
    assert line["request_id"] == "req-42"
    assert line["levelname"] == "WARNING" and "timestamp" in line


def test_slow_statements_are_logged(caplog):
    connection.ensure_connection()
    with override_settings(GISPLAN_SLOW_QUERY_MS=5), caplog.at_level(logging.WARNING, logger="gisplan.slow_query"):
        with connection.cursor() as cur:
            cur.execute("SELECT pg_sleep(0.02)")
            cur.execute("SELECT 1")
    slow = [r for r in caplog.records if r.name == "gisplan.slow_query"]
    assert len(slow) == 1
    assert "pg_sleep" in slow[0].sql and slow[0].duration_ms >= 20


def test_metrics_are_served_to_the_monitoring_hosts_only(client):
    client.get("/healthz")
    metrics = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert metrics.status_code == 200
    text = metrics.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert "gisplan_db_extra_connections_in_use" in text
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403


@override_settings(GISPLAN_EXTRA_CONNECTIONS=1)
def test_extra_connections_are_bounded_per_process():
    args = dbconn.connection_args()
    first = dbconn.connect(args)
    try:
        assert dbconn.extra_connections_in_use() == 1
        with pytest.raises(dbconn.NoSpareConnection):
            dbconn.connect(args)
        assert first.execute("SELECT 1").fetchone() == (1,)
    finally:
        first.close()
    assert dbconn.extra_connections_in_use() == 0
    with dbconn.connect(args) as again:  # the slot is free again once the first is closed
        assert again.execute("SELECT 2").fetchone() == (2,)
    assert dbconn.extra_connections_in_use() == 0


def test_sessions_are_read_from_the_cache_and_can_be_revoked(client, django_user_model, django_assert_num_queries):
    user = django_user_model.objects.create_user("sessions-test", password="x-long-password-1")
    client.force_login(user)
    key = client.session.session_key
    store = SessionStore(key)
    assert cache.get(store.cache_key) is not None  # cached_db: written through to Redis
    with django_assert_num_queries(0):  # read back without a session query
        assert SessionStore(key).load()["_auth_user_id"] == str(user.pk)
    assert client.get("/analysis/").status_code == 200

    call_command("revoke_sessions", "sessions-test", stdout=io.StringIO())

    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get(store.cache_key) is None
    response = client.get("/analysis/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_export_and_import_durations_are_recorded(client, django_user_model):
    from prometheus_client import REGISTRY

    def count(**labels):
        return REGISTRY.get_sample_value("gisplan_export_seconds_count", labels) or 0

    user = django_user_model.objects.create_superuser("metrics-dla", password="x-long-password-1")
    client.force_login(user)
    before = count(format="geojson", outcome="done")
    response = client.get("/api/projects/export/?format=geojson")
    assert response.status_code == 200
    assert len(json.loads(b"".join(response.streaming_content))["features"]) == 10
    assert count(format="geojson", outcome="done") == before + 1
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'gisplan_export_seconds_count{format="geojson",outcome="done"}' in text
    assert "gisplan_import_seconds" in text
