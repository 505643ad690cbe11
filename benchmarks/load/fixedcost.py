"""The fixed cost per request on the running server: one client, one keep-alive connection, ``n``
requests after a warm-up, of

- ``/healthz``: no session, no database (Django's middleware and a JSON answer);
- ``/ogc/conformance`` anonymous: the same plus URL routing to a view that answers 401 at once;
- ``/ogc/conformance`` signed in: + the session row and the user (and its profile) looked up;
- ``/ogc/conformance`` with HTTP Basic: + the remembered password check and the user row.

The view itself is a constant JSON document, so the differences are what a session and a user
cost on every request of a signed-in page.
"""

from __future__ import annotations

import base64
import http.client
import json
import statistics
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import loadcfg


class Conn:
    """One keep-alive HTTP connection with a cookie jar (enough for Django's sign-in)."""

    def __init__(self, hostport: str):
        self.http = http.client.HTTPConnection(hostport, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.http.request(method, path, body=body, headers=headers)
        response = self.http.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response.status, data

    def login(self, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        body = urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        )
        status, _ = self.request(
            "POST", "/accounts/login/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in of {username} failed (HTTP {status})")


def _time(conn: Conn, path: str, n: int, expect: int, headers=None) -> dict:
    for _ in range(min(50, n)):
        conn.request("GET", path, headers=headers)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        status, _ = conn.request("GET", path, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        if status != expect:
            raise RuntimeError(f"{path}: HTTP {status}, expected {expect}")
    times.sort()
    return {
        "n": n,
        "mean_ms": round(statistics.fmean(times), 2),
        "p50_ms": round(times[len(times) // 2], 2),
        "p95_ms": round(times[int(0.95 * len(times))], 2),
        "per_s": round(1000 / statistics.fmean(times), 1),
    }


def measure(hostport: str, n: int = 300) -> dict:
    fixtures = json.loads(loadcfg.FIXTURES.read_text())
    analyst = fixtures["analysts"][0]["username"]
    anonymous, session, basic = Conn(hostport), Conn(hostport), Conn(hostport)
    session.login(analyst, fixtures["password"])
    auth = {"Authorization": "Basic " + base64.b64encode(f"{analyst}:{fixtures['password']}".encode()).decode()}
    out = {
        "healthz (no session)": _time(anonymous, "/healthz", n, 200),
        "ogc conformance, anonymous (401)": _time(anonymous, "/ogc/conformance", n, 401),
        "ogc conformance, signed in": _time(session, "/ogc/conformance", n, 200),
        "ogc conformance, HTTP Basic": _time(basic, "/ogc/conformance", n, 200, auth),
    }
    base = out["healthz (no session)"]["p50_ms"]
    for entry in out.values():
        entry["over_healthz_ms"] = round(entry["p50_ms"] - base, 2)
    return out
