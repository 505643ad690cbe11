"""Closure windows (issue 24): while DLA has closed the system every write — entry form, stage
panel, delete, import upload and commit, the API — is refused with a bilingual 503 and Retry-After
and nothing is written; reads, reports and exports keep working; DLA still writes; a banner
announces a closure days before; an import that straddles the start writes nothing."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from closures.models import Closure
from closures.services import SystemClosed, check_open
from exchange import imports
from exchange.imports.commit import CommitConflict, commit_rows
from layers.models import Organization, Province
from projects_geo.models import Project, ProjectStage, Stage
from projects_geo.stages import record_stage
from tests.exchange.test_import_views import CSV
from tests.factories import (
    PATONG,
    PHANG_NGA,
    PHUKET,
    make_analyst,
    make_dla_admin,
    make_engineer,
    make_user,
    make_water_point,
)

pytestmark = pytest.mark.django_db

WELL = {"type": "Point", "coordinates": [98.2960, 7.8960]}


def close(province=None, *, starts_in=dt.timedelta(hours=-1), hours=50, announce_days=7):
    start = timezone.now() + starts_in
    return Closure.objects.create(
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        reason_th="เปลี่ยนปีงบประมาณ",
        reason_en="fiscal-year switch",
        province=Province.objects.get(code=province) if province else None,
        announce_days=announce_days,
    )


def new_post(**overrides):
    data = {
        "action": "save",
        "name": "บ่อบาดาลช่วงปิดระบบ",
        "kind": "water",
        "subtype": "well",
        "fiscal_year": "2568",
        "plan_reference": "",
        "budget": "100000",
        "geom": json.dumps(WELL),
    }
    data.update(overrides)
    return data


def snapshot():
    return (
        Project.all_objects.count(),
        ProjectStage.objects.count(),
        Project.history.count(),
        list(Project.all_objects.order_by("pk").values_list("pk", "version", "name", "deleted_at")),
    )


def assert_closed_page(response):
    assert response.status_code == 503
    assert 0 < int(response["Retry-After"]) <= 50 * 3600
    page = response.content.decode()
    assert "fiscal-year switch" in page and "เปลี่ยนปีงบประมาณ" in page


def test_every_kind_of_write_is_refused_and_nothing_written(client, settings, tmp_path):
    settings.GISPLAN_IMPORT_DIR = str(tmp_path / "imports")
    engineer = make_user("patong-admin", "lao_admin", lao=PATONG)
    project = make_water_point(PATONG, 98.2960, 7.8960, user=engineer)
    client.force_login(engineer)
    close()
    before = snapshot()
    edit = reverse("projects_geo:project_edit", args=[project.pk])
    writes = {
        "create": client.post(reverse("projects_geo:project_create"), new_post()),
        "edit": client.post(edit, new_post(version=project.version)),
        "stage": client.post(
            edit, {"action": "stage", "stage": "1", "date": "1/11/2567", "amount": "", "version": project.version}
        ),
        "delete": client.post(reverse("projects_geo:project_delete", args=[project.pk]), {"version": project.version}),
        "import upload": client.post("/projects/import/", {"file": SimpleUploadedFile("p.csv", CSV)}),
    }
    for what, response in writes.items():
        assert response.status_code == 503, what
        assert_closed_page(response)
    # the API: JSON in the API's error shape, 503 + Retry-After
    api = client.post(
        reverse("projects_geo:validate"),
        json.dumps({"lao": PATONG, "kind": "water", "geometry": WELL}),
        content_type="application/json",
    )
    assert api.status_code == 503 and int(api["Retry-After"]) > 0
    error = api.json()["errors"][0]
    assert "fiscal-year switch" in error["message_en"] and "เปลี่ยนปีงบประมาณ" in error["message_th"]
    assert snapshot() == before
    # reads, reports and exports keep working
    assert client.get(edit).status_code == 200
    assert client.get(reverse("projects_geo:home")).status_code == 200
    assert client.get(reverse("projects_geo:export"), {"format": "csv", "lao": PATONG}).status_code == 200
    assert client.get(reverse("reports:index")).status_code == 200
    # signing out and in still work
    assert client.post(reverse("logout")).status_code == 302


def test_the_domain_refuses_too(client):
    """Behind the middleware, saving and stage recording ask the same rule (a form that began
    before the closure started and saves after it)."""
    engineer = make_engineer(PATONG)
    project = make_water_point(PATONG, 98.2960, 7.8960, user=engineer)
    close()
    with pytest.raises(SystemClosed) as exc:
        record_stage(project, Stage.IN_PLAN, dt.date(2024, 11, 1), user=engineer)
    assert exc.value.code == "closed" and "fiscal-year switch" in exc.value.message_en
    assert not project.stages.exists()
    with pytest.raises(SystemClosed):
        check_open(engineer)


def test_dla_still_writes_during_a_closure(client):
    close()
    client.force_login(make_dla_admin())
    response = client.post(reverse("projects_geo:project_create") + f"?lao={PATONG}", new_post(lao=PATONG))
    assert response.status_code == 302
    assert Project.objects.filter(name="บ่อบาดาลช่วงปิดระบบ").exists()


def test_a_province_closure_keeps_only_that_province_out(client):
    close(PHANG_NGA)
    client.force_login(make_engineer(PATONG))  # Phuket
    assert client.post(reverse("projects_geo:project_create"), new_post()).status_code == 302
    client.force_login(make_analyst(PHANG_NGA))
    response = client.post(reverse("projects_geo:project_create") + "?lao=4820501", new_post(lao="4820501"))
    assert response.status_code == 503


def test_a_closure_not_yet_started_or_over_refuses_nothing(client):
    close(starts_in=dt.timedelta(days=2))
    close(starts_in=dt.timedelta(days=-5), hours=24)
    client.force_login(make_engineer(PATONG))
    assert client.post(reverse("projects_geo:project_create"), new_post()).status_code == 302


def test_banner_announces_from_n_days_before(client):
    client.force_login(make_engineer(PATONG))
    soon = close(starts_in=dt.timedelta(days=3), announce_days=7)
    later = close(starts_in=dt.timedelta(days=20), announce_days=7)
    close(PHANG_NGA, starts_in=dt.timedelta(days=1))  # another province's: not shown in Phuket
    client.cookies["django_language"] = "en"
    page = client.get(reverse("projects_geo:home")).content.decode()
    assert 'id="closure-banner"' in page
    assert f'data-closure="{soon.pk}"' in page and f'data-closure="{later.pk}"' not in page
    assert page.count("data-closure=") == 1
    assert "will be closed for data entry" in page and "fiscal-year switch" in page
    client.cookies["django_language"] = "th"
    page = client.get(reverse("projects_geo:home")).content.decode()
    assert "เปลี่ยนปีงบประมาณ" in page


def test_an_import_that_straddles_the_start_writes_nothing(tmp_path):
    """The rows are read and checked before the closure starts; by the time the commit writes,
    it has started: refused under the LAO's lock, inside the transaction — nothing written."""
    org = Organization.objects.get(dla_code=PATONG)
    engineer = make_engineer(PATONG)
    path = tmp_path / "p.csv"
    path.write_bytes(CSV)
    table = imports.read_source(path, filename="p.csv")
    mapping = {"ref": "รหัส", "name": "ชื่อโครงการ", "fiscal_year": "ปีงบประมาณ", "budget": "งบประมาณ"}
    mapping |= {"lat": "ละติจูด", "lon": "ลองจิจูด"}
    rows = imports.prepare(table, mapping, org, {"kind": "water", "subtype": "pond"})
    assert all(r.status != "error" for r in rows)
    before = snapshot()
    close(starts_in=dt.timedelta(seconds=-1))  # the closure starts between the checks and the commit
    with pytest.raises(CommitConflict) as exc:
        commit_rows(rows, org, engineer)
    assert exc.value.code == "closed" and "fiscal-year switch" in exc.value.message_en
    assert snapshot() == before
    # DLA's import goes through
    assert commit_rows(rows, org, make_dla_admin())["created"] == 2


def test_dla_schedules_closures_others_may_not(client):
    url = reverse("closures:list")
    data = {
        "starts_at": "2026-09-30T23:59",
        "ends_at": "2026-10-02T08:00",
        "reason_th": "เปลี่ยนปีงบประมาณ",
        "reason_en": "fiscal-year switch",
        "province": "",
        "announce_days": "7",
    }
    client.force_login(make_analyst(PHUKET))
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403
    client.force_login(make_dla_admin())
    assert client.post(url, data).status_code == 302
    closure = Closure.objects.get()
    assert closure.province is None and closure.reason_en == "fiscal-year switch"
    bad = client.post(url, {**data, "ends_at": "2026-09-01T00:00"})
    assert bad.status_code == 400 and Closure.objects.count() == 1
    assert client.post(reverse("closures:delete", args=[closure.pk])).status_code == 302
    assert not Closure.objects.exists()


def test_an_http_basic_import_during_a_province_closure_is_a_503(client):
    """A GIS client signing each request with HTTP Basic is known only in the view (after the
    closure middleware): the import API refuses it there, 503 + Retry-After, no job, nothing read."""
    import base64

    from jobs.models import Job
    from tests.factories import PASSWORD

    engineer = make_engineer(PATONG, "basic-closure-eng")
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{engineer.username}:{PASSWORD}".encode()).decode()}
    close(PHUKET)
    before = snapshot()
    response = client.post(
        "/api/imports/", {"file": SimpleUploadedFile("p.csv", CSV), "kind": "water", "subtype": "pond"}, **auth
    )
    assert response.status_code == 503 and 0 < int(response["Retry-After"]) <= 50 * 3600
    error = response.json()["errors"][0]
    assert "fiscal-year switch" in error["message_en"] and "เปลี่ยนปีงบประมาณ" in error["message_th"]
    assert snapshot() == before and not Job.objects.exists()
    Closure.objects.all().delete()
    close(PHANG_NGA)  # another province's closure does not stop Phuket's LAOs
    assert (
        client.post(
            "/api/imports/", {"file": SimpleUploadedFile("p.csv", CSV), "kind": "water", "subtype": "pond"}, **auth
        ).status_code
        == 202
    )
