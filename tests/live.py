"""A live HTTP server that shares the test's database connection, so external clients (GDAL,
OWSLib, a browser) see the session's sample data and the test's own rows, and everything still
rolls back at the end of the test — no ``transactional_db`` flush of the session data. Tests ask
for it as the ``shared_live_server`` fixture (tests/conftest.py).

Requests are served one at a time on the test's connection (psycopg serialises use of a
connection; the clients used in tests issue requests sequentially)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIServer
from django.db import close_old_connections, connection, connections
from django.test.testcases import QuietWSGIRequestHandler


class _Handler(QuietWSGIRequestHandler):
    """A connection that sends no request within ``timeout`` seconds is closed: a browser opens
    sockets ahead of need (pre-connection), and one of them, accepted first and left idle, would
    otherwise hold the only server thread while the browser waits on another connection."""

    timeout = 2

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except TimeoutError:
            self.close_connection = True


class _SharedConnectionServer(WSGIServer):
    """Single-threaded: every request runs in the server thread, on the shared connection."""


class _ServerThread(threading.Thread):
    def __init__(self, conn):
        super().__init__(daemon=True)
        self.conn = conn
        self.is_ready = threading.Event()
        self.error = None
        self.port = 0

    def run(self):
        connections["default"] = self.conn
        try:
            self.httpd = _SharedConnectionServer(("127.0.0.1", 0), _Handler, allow_reuse_address=False)
            self.port = self.httpd.server_address[1]
            self.httpd.set_app(StaticFilesHandler(WSGIHandler()))
            self.is_ready.set()
            self.httpd.serve_forever(poll_interval=0.05)
        except Exception as exc:  # reported to the test
            self.error = exc
            self.is_ready.set()

    def terminate(self):
        if hasattr(self, "httpd"):
            self.httpd.shutdown()
            self.httpd.server_close()
        self.join(timeout=10)


@contextmanager
def live_server_on_test_connection():
    """Base URL of a live server on the test's connection and transaction (needs the ``db`` fixture)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    connection.inc_thread_sharing()
    thread = _ServerThread(connections["default"])
    thread.start()
    thread.is_ready.wait(10)
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        connection.dec_thread_sharing()
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
