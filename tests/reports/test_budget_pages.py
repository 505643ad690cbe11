"""The budget report by LAO is paginated on the page (7,849 LAO rows were 1.9 MB of HTML); its
downloads hold every row (issue 21, item 12)."""

import csv
import io
import re

import pytest

from reports import views
from tests.factories import make_dla_admin

pytestmark = pytest.mark.django_db


def test_the_lao_table_is_shown_a_page_at_a_time_and_downloaded_whole(client, report_data, monkeypatch):
    monkeypatch.setattr(views, "BUDGET_PAGE_ROWS", 2)
    client.force_login(make_dla_admin())
    url = "/reports/budget/?fiscal_year=2568&level=lao"
    full = list(csv.DictReader(io.StringIO(client.get(url + "&format=csv").content.decode("utf-8-sig"))))
    assert len(full) > 3  # LAO rows and the total
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="th").content.decode()
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr") == 2 and 'id="budget-pager"' in page and "หน้าถัดไป" in page
    assert re.search(r"แถวที่ 1–2 จาก \d+", page)
    last = client.get(url + "&page=999").content.decode()  # past the end: the last page
    assert 'rel="prev"' in last and 'rel="next"' not in last
