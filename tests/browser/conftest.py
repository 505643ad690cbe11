"""Browser-test fixtures: Debian's Chromium (one headless instance for the session, driven by
Playwright) against a live server that shares the test's database connection (the
``shared_live_server`` fixture, tests/live.py): the pages see the session's sample data and the
test's own rows, and everything rolls back at the end of the test — no ``transactional_db`` flush,
no reload.
"""

import os
import time
from types import SimpleNamespace

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def sample_site(shared_live_server):
    """The live server (``.url``) over the session's sample data."""
    return SimpleNamespace(url=shared_live_server)


@pytest.fixture
def page(chromium, sample_site):
    """A Thai-speaking browser tab (Accept-Language th-TH), 1400×900; ``.errors`` collects its
    JavaScript errors and what the Content-Security-Policy blocked."""
    context = chromium.new_context(locale="th-TH", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15000)
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.on("console", lambda msg: tab.errors.append(msg.text) if is_csp_violation(msg) else None)
    yield tab
    context.close()


def is_csp_violation(message) -> bool:
    """A console message of Chromium about something the Content-Security-Policy blocked."""
    return "Content Security Policy" in message.text


def sign_in(page, base_url, user, password=PASSWORD):
    """Sign ``user`` (made by tests.factories) in through the login form."""
    page.goto(f"{base_url}/accounts/login/?next=/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def wait_until(page, predicate, arg=None, timeout=15000):
    """Wait until the JavaScript ``predicate`` (an expression or a function) is truthy in the page.

    Playwright's ``wait_for_function`` re-evaluates its predicate with ``eval()`` from a timer, which
    the site's Content-Security-Policy (no 'unsafe-eval') refuses; this polls ``page.evaluate``.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(predicate, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise PlaywrightTimeoutError(f"not true after {timeout} ms: {predicate}")
        page.wait_for_timeout(100)


def wait_for_map(page, selector="[data-gisplan-ready]"):
    page.wait_for_selector(selector, state="attached")


def click_map_at(page, map_id, lon, lat):
    """Click the map ``map_id`` (container id) at a longitude/latitude."""
    page.evaluate(
        "([id, lat, lon]) => { const m = window.GisplanMap.maps[id]; m.setView([lat, lon], 16, {animate: false}); }",
        [map_id, lat, lon],
    )
    point = page.evaluate(
        "([id, lat, lon]) => {"
        " const p = window.GisplanMap.maps[id].latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [map_id, lat, lon],
    )
    # Let the layers the new view asks for (boundary outlines) arrive first, and move the pointer
    # there before clicking, as a person would: a click racing those requests was sometimes lost.
    page.wait_for_load_state("networkidle")
    box = page.locator(f"#{map_id}").bounding_box()
    x, y = box["x"] + point[0], box["y"] + point[1]
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y, steps=3)
    page.mouse.click(x, y)
