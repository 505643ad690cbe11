"""The production server for real: gunicorn with deploy/gunicorn.conf.py, DEBUG off and the
connection pool on, against the test database. When every pooled connection is busy, a request
that waits past DB_POOL_TIMEOUT gets 503 with Retry-After and a bilingual message, not a 500."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn_server():
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gisplan.settings",  # production settings, not the tests'
        "DEBUG": "false",
        "SECRET_KEY": "test-only-" + "x" * 40,
        "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}",
        "DB_POOL": "true",
        "DB_POOL_MIN_SIZE": "1",
        "DB_POOL_MAX_SIZE": "1",
        "DB_POOL_TIMEOUT": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "ERROR",
    }
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:  # the port is open before the worker has loaded Django
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise AssertionError(proc.stdout.read1().decode() if proc.poll() is not None else "gunicorn did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_production_server_answers_503_with_retry_after_when_the_pool_is_exhausted(gunicorn_server):
    base = gunicorn_server
    assert requests.get(f"{base}/readyz", timeout=5).json()["checks"]["pool"]["max"] == 1
    # A static file through WhiteNoise, compressed and with a hashed name (collected by make test).
    page = requests.get(f"{base}/accounts/login/", timeout=5)
    assert page.status_code == 200 and "/static/gisplan/base." in page.text

    db = connection.settings_dict
    locker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        autocommit=False,
    )
    results = {}
    try:
        # Every session lookup now waits for this lock, holding the pool's only connection.
        locker.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        cookie = {"sessionid": "x" * 32}

        def first():
            results["first"] = requests.get(f"{base}/analysis/", cookies=cookie, timeout=30, allow_redirects=False)

        holder = threading.Thread(target=first)
        holder.start()
        time.sleep(0.5)  # the first request has taken the connection and waits on the lock
        busy = requests.get(f"{base}/analysis/", cookies=cookie, timeout=30, allow_redirects=False)
        busy_api = requests.get(f"{base}/api/projects/", cookies=cookie, timeout=30)
    finally:
        locker.rollback()
        locker.close()
    holder.join(timeout=30)

    assert busy.status_code == 503, busy.text[:500]
    assert busy.headers["Retry-After"] == "5"
    assert "ลองใหม่" in busy.text and "try again" in busy.text
    assert busy_api.status_code == 503
    assert busy_api.headers["Retry-After"] == "5"
    error = busy_api.json()["errors"][0]
    assert error["message_th"] and "busy" in error["message_en"]
    # Once the lock is gone the first request finishes normally (a redirect to sign in).
    assert results["first"].status_code == 302
    assert requests.get(f"{base}/readyz", timeout=5).status_code == 200
