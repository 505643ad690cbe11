"""Styled bilingual 403/404/500 pages, JSON kept under the machine prefixes, a menu that shows only
what the role may do, and /favicon.ico (issue 21, items 10 and 11)."""

import pytest
from django.test import RequestFactory

from accounts.models import Role
from ops.views import server_error
from tests.factories import PATONG, PHANG_NGA, PHUKET, make_analyst, make_engineer, make_user

pytestmark = pytest.mark.django_db


def thai(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="th")


def test_the_menu_shows_import_and_deleted_projects_only_to_roles_that_use_them(client):
    client.force_login(make_user("finance", Role.LAO_FINANCE, lao=PATONG))  # records amounts, imports nothing
    page = thai(client, "/").content.decode()
    assert "/projects/import/" not in page and "/projects/deleted/" not in page
    client.force_login(make_analyst(PHUKET))  # imports on behalf of the province's LAOs, restores nothing
    page = thai(client, "/").content.decode()
    assert "/projects/import/" in page and "/projects/deleted/" not in page
    client.force_login(make_engineer(PATONG))
    assert "/projects/import/" in thai(client, "/").content.decode()


def test_a_role_opening_import_or_a_new_project_it_may_not_gets_the_styled_bilingual_403(client):
    finance = make_user("finance", Role.LAO_FINANCE, lao=PATONG)
    for user, url in ((finance, "/projects/import/"), (finance, f"/projects/new/?lao={PATONG}")):
        client.force_login(user)
        response = thai(client, url)
        page = response.content.decode()
        assert response.status_code == 403, url
        assert 'id="error-403"' in page and "ท่านไม่มีสิทธิ์เปิดหน้านี้" in page and "You may not open this page" in page
        assert "gisplan/base.css" in page and "site-header" in page
    client.force_login(make_analyst(PHANG_NGA))  # Patong is in Phuket: not even shown to another province
    response = thai(client, f"/projects/new/?lao={PATONG}")
    assert response.status_code == 404 and "ไม่พบหน้าที่ต้องการ" in response.content.decode()


def test_the_404_page_is_styled_and_bilingual_and_json_under_the_api(client):
    client.force_login(make_engineer(PATONG))
    response = thai(client, "/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404 and "ไม่พบหน้าที่ต้องการ" in page and "Page not found" in page
    api = client.get("/api/no-such-thing/")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")
    assert "message_th" in api.json()["errors"][0]


def test_the_500_page_is_bilingual():
    request = RequestFactory().get("/x/")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "เกิดข้อผิดพลาดที่ระบบของเรา" in page and "Something went wrong on our side" in page


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("gisplan/favicon.svg")
