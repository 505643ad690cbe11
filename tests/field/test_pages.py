"""The field page, its web app manifest and service worker as served."""

from __future__ import annotations

import json

import pytest

from tests.factories import PATONG, make_engineer

pytestmark = pytest.mark.django_db


def test_the_page_is_thai_first_and_configured(client):
    client.force_login(make_engineer(PATONG, "page-eng"))
    response = client.get("/field/", HTTP_ACCEPT_LANGUAGE="th")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ตำแหน่งนี้" in html and "บันทึกเส้นทาง" in html
    assert '<link rel="manifest" href="/field/manifest.webmanifest">' in html
    start = html.index('id="field-config"')
    config = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert config["lao"] == PATONG and config["canCreate"] is True
    assert config["goodAccuracy"] == 10 and config["maxAccuracy"] == 50


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/field/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_manifest_and_service_worker(client):
    manifest = client.get("/field/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["start_url"] == "/field/" and data["scope"] == "/field/" and data["lang"] == "th"
    worker = client.get("/field/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/field/"
    text = worker.content.decode()
    assert "/*ASSETS*/[]" not in text and "field/field.js" in text and "leaflet/leaflet.js" in text
