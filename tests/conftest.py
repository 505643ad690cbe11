"""Shared fixtures: a real PostGIS test database (pytest-django, migrations on) loaded once per
session with what `make run` loads — the full-resolution Phuket/Phang Nga sample, the rest of the
country (simplified), the LAO registry and the sample projects. Tests run in transactions that
roll back, so each sees exactly this data."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.live import live_server_on_test_connection

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_BOUNDARIES = ROOT / "sample_shapefiles" / "boundaries"
COUNTRY_GPKG = ROOT / "data" / "boundaries" / "thailand_adm_simplified.gpkg"
REGISTRY_CSV = ROOT / "data" / "lao" / "dla_lao_registry.csv"
TEST_OUTPUT = ROOT / "test-output"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_sample_data", verbosity=0)


@pytest.fixture
def test_output_dir():
    TEST_OUTPUT.mkdir(exist_ok=True)
    return TEST_OUTPUT


@pytest.fixture
def lao(db):
    """Helper to fetch an organisation of the registry by DLA code."""
    from layers.models import Organization

    return lambda code: Organization.objects.select_related("province", "amphoe").get(dla_code=code)


@pytest.fixture
def shared_live_server(db):
    """Base URL of a live server on the test's connection: it sees the session's sample data and the
    test's own rows, and everything rolls back at the end of the test (tests/live.py)."""
    with live_server_on_test_connection() as url:
        yield url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ``make test`` (GISPLAN_NO_SKIPS=1) the set-up has installed every client and server a
    test needs (QGIS, ogctests, the read replica), so a test skipped for a missing one is a failure,
    not a silent pass. No test of the suite is skipped there."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("GISPLAN_NO_SKIPS") == "1" and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped although make test installed everything (GISPLAN_NO_SKIPS=1): {reason}"
