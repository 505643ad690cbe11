"""Read replicas, on the real streaming replica of scripts/replica.sh (the Debian cluster 15/replica
on port 5433, replicating the whole local cluster and so the test database): analysts' GET reads
are served by it, a write is read back at once by its writer (read-your-writes), and reads fall
back to the primary when the replica lags too far or cannot be reached.

The replica sees only committed WAL, so these tests are transactional (their rows are committed,
the tables flushed afterwards; the sample data is loaded again if an earlier flush took it).
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from layers.models import Organization
from ops import replicas
from projects_geo.models import Project
from tests.factories import PATONG, PHUKET, make_analyst, make_engineer, make_water_point

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica_1"])

REPLICA_PORT = int(connections["replica_1"].settings_dict["PORT"] or 5433)  # TEST_REPLICA_URL, tests/settings.py


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    raise AssertionError("timed out")


def _replica_psql(sql: str) -> str:
    """As the project's role on the replica (a superuser of the local cluster, which may pause WAL
    replay), on a connection of its own outside the test's transaction."""
    conf = connections["replica_1"].settings_dict
    with psycopg.connect(
        host=conf["HOST"] or "127.0.0.1",
        port=REPLICA_PORT,
        user=conf["USER"],
        password=conf["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        row = conn.execute(sql).fetchone()
    return "" if row is None or row[0] is None else str(row[0])


@pytest.fixture
def replica(settings):
    """replica_1 (tests/settings.py: the replica's port, a test mirror of the primary's test
    database, so it reads the test database as replicated), the router and the replica paths on."""
    conn = connections["replica_1"]
    conn.close()
    saved = dict(conn.settings_dict)
    assert conn.settings_dict["NAME"] == connections["default"].settings_dict["NAME"]
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_is_in_recovery(), inet_server_port()")
            in_recovery, port = cur.fetchone()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"no replica on port {REPLICA_PORT} ({type(exc).__name__}): run scripts/replica.sh")
    assert in_recovery and port == REPLICA_PORT
    settings.DATABASE_ROUTERS = [replicas.ROUTER]
    settings.GISPLAN_REPLICA_PATHS = ["/api/", "/tiles/", "/ogc/"]
    settings.GISPLAN_REPLICA_STICKY_SECONDS = 30
    replicas.forget_health()
    if not Organization.objects.filter(dla_code=PATONG).exists():
        call_command("load_sample_data", verbosity=0)
    yield conn
    replicas.forget_health()
    conn.close()
    conn.settings_dict.update(saved)


def _on_replica(model, **lookup) -> bool:
    return model.objects.using("replica_1").filter(**lookup).exists()


def test_an_analysts_reads_are_served_by_the_replica(client, replica, settings):
    analyst = make_analyst(PHUKET)
    _wait(lambda: _on_replica(type(analyst), pk=analyst.pk))  # the account has reached the replica
    client.force_login(analyst)
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_primary:
        response = client.get("/api/projects/", {"province": PHUKET})
    assert response.status_code == 200 and response.json()["features"]
    assert response["X-Gisplan-Read"] == "replica_1"
    assert any("projects_geo_project" in q["sql"] for q in on_replica.captured_queries)
    assert not any("projects_geo_project" in q["sql"] for q in on_primary.captured_queries)
    # the connection those reads used is a standby, on the replica's port
    with replica.cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        assert cur.fetchone() == (True, REPLICA_PORT)
    # tiles (raw SQL on the routed connection), the OGC API and reports too
    settings.GISPLAN_REPLICA_PATHS = ["/api/", "/tiles/", "/ogc/", "/reports/"]
    with CaptureQueriesContext(replica) as on_replica:
        tile = client.get("/tiles/projects/10/791/489.pbf")  # Phuket
        items = client.get("/ogc/collections/projects/items", {"limit": 2})
        report = client.get("/reports/budget/", {"fiscal_year": 2568, "format": "csv"})
    assert tile.status_code == items.status_code == report.status_code == 200
    assert tile["X-Gisplan-Read"] == items["X-Gisplan-Read"] == report["X-Gisplan-Read"] == "replica_1"
    assert any("ST_AsMVT" in q["sql"] for q in on_replica.captured_queries)
    # pages outside the replica paths read the primary
    assert client.get("/jobs/")["X-Gisplan-Read"] == "default"


def test_lag_is_measured_and_shown_in_readyz_and_metrics(client, replica):
    status = replicas.replica_status("replica_1")
    assert status["ok"] and status["in_recovery"] is True and 0 <= status["lag_seconds"] < 30
    ready = client.get("/readyz").json()
    assert ready["checks"]["replicas"]["replica_1"]["in_recovery"] is True
    metrics = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'gisplan_replica_lag_seconds{alias="replica_1"}' in metrics


def test_a_write_is_read_back_by_its_writer_and_a_lagging_replica_is_not_used(client, replica, settings):
    engineer = make_engineer(PATONG)
    project = make_water_point(PATONG, 98.296, 7.896, user=engineer)
    analyst = make_analyst(PHUKET)
    _wait(lambda: _on_replica(Project, pk=project.pk) and _on_replica(type(analyst), pk=analyst.pk))
    _replica_psql("SELECT pg_wal_replay_pause()")
    try:
        client.force_login(engineer)
        response = client.post(f"/projects/{project.pk}/delete/", {"version": project.version})
        assert response.status_code == 302 and Project.objects.filter(pk=project.pk).count() == 0
        # the writer reads its own write at once: from the primary, for the sticky seconds
        read = client.get(f"/api/projects/{project.pk}/")
        assert read.status_code == 404 and read["X-Gisplan-Read"] == "default"
        # someone else's read goes to the replica, which has not replayed the delete yet
        other = client.__class__()
        other.force_login(analyst)
        stale = other.get(f"/api/projects/{project.pk}/")
        assert stale.status_code == 200 and stale["X-Gisplan-Read"] == "replica_1"
        # a replica further behind than the limit is not used: the primary answers
        settings.GISPLAN_REPLICA_MAX_LAG_SECONDS = 0.5
        time.sleep(1.0)
        replicas.forget_health()
        assert replicas.replica_status("replica_1")["ok"] is False
        fresh = other.get(f"/api/projects/{project.pk}/")
        assert fresh.status_code == 404 and fresh["X-Gisplan-Read"] == "default"
    finally:
        _replica_psql("SELECT pg_wal_replay_resume()")


def test_a_replica_that_is_down_is_not_used(client, replica):
    replica.close()
    replica.settings_dict["PORT"] = 1  # nothing listens there
    replicas.forget_health()
    client.force_login(make_analyst(PHUKET))
    response = client.get("/api/projects/", {"province": PHUKET})
    assert response.status_code == 200 and response["X-Gisplan-Read"] == "default"
    assert replicas.replica_status("replica_1")["ok"] is False
