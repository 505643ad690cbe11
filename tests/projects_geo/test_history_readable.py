"""The history page shows what people read, in B.E. (issue 21, items 3 and 6): labels not codes, names
not ids, formatted amounts and lengths, no WKT, a link back to the project, a small map of a
geometry change; dates and times with the B.E. year."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString
from django.urls import reverse

from projects_geo.models import Kind, Project, Subtype
from projects_geo.services import save_project
from projects_geo.stages import record_stage
from tests.factories import PATONG, make_engineer, make_water_point

pytestmark = pytest.mark.django_db

CE_YEAR = re.compile(r"\b20[0-9]{2}\b")  # C.E. years of these decades; B.E. years are 25xx


def test_history_page_is_readable_and_in_be(client):
    engineer = make_engineer(PATONG)
    project = make_water_point(PATONG, 98.2967, 7.8960, fiscal_year=2568, user=engineer)
    Project.objects.filter(pk=project.pk).update(budget=Decimal("2400000"))
    project.refresh_from_db()
    record_stage(project, 1, dt.date(2024, 6, 1), user=engineer)
    project.kind, project.subtype = Kind.ROAD, Subtype.CONCRETE_ROAD
    project.geom = LineString((98.2967, 7.8960), (98.2990, 7.8990), srid=4326)
    save_project(project, user=engineer)
    client.force_login(engineer)
    body = client.get(reverse("projects_geo:project_history", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="th")
    page = body.content.decode()
    for raw in ("concrete_road", ">road<", "2400000.00", "POINT (", "LINESTRING ("):
        assert raw not in page, raw
    assert "ถนน" in page and "ทม.ป่าตอง" in page and "2,400,000" in page and "เมตร" in page
    assert re.search(r"\d[\d,.]* เมตร", page)  # the length, formatted
    assert f'href="/projects/{project.pk}/"' in page and 'class="history-map"' in page
    text = re.sub(r"<[^>]+>", " ", page.split("<main>")[1])
    assert not CE_YEAR.search(text.replace("2568", "")), CE_YEAR.search(text)
    assert "1 มิ.ย. 2567" in page  # the stage's date, in B.E.
