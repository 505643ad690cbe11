"""The LAO staff's pages: home, chooser, project create/edit and the budget-stage panel."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from projects_geo.models import Project, ProjectStage
from tests.factories import (
    BANG_MUANG_SAO,
    PATONG,
    PHANG_NGA,
    PHUKET,
    PHUKET_CITY,
    TAKUA_PA,
    TAMBON_PATONG,
    THAI_MUEANG,
    make_analyst,
    make_dla_admin,
    make_engineer,
    make_user,
)

pytestmark = pytest.mark.django_db

PATONG_POINT = {"type": "Point", "coordinates": [98.2960, 7.8960]}


def sample(ref):
    return Project.objects.get(source_ref=f"sample:{ref}")


def signed_in(client, user):
    client.force_login(user)
    return user


def project_post(**overrides):
    data = {
        "action": "save",
        "name": "ขุดเจาะบ่อบาดาล หมู่ที่ 2",
        "kind": "water",
        "subtype": "well",
        "fiscal_year": "2568",
        "plan_reference": "",
        "budget": "1,250,000",
        "geom": json.dumps(PATONG_POINT),
    }
    data.update(overrides)
    return data


def test_home_needs_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_lao_engineer_home_lists_only_their_projects_in_thai(client):
    signed_in(client, make_engineer(PATONG))
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ปรับปรุงผิวจราจรแอสฟัลท์ติกคอนกรีต" in html  # Patong's sample road
    assert "ขุดลอกคลองบางม่วง" not in html  # another LAO's project
    assert "5,200,000" in html and "2567" in html  # budget grouped, fiscal year B.E.
    assert "ดำเนินการแล้ว" in html or "100%" in html  # stage name in Thai
    assert [p.pk for p in response.context["projects"]] == [sample(3).pk]


def test_home_filters_by_fiscal_year_kind_and_stage(client):
    signed_in(client, make_analyst(PHUKET))
    url = reverse("projects_geo:lao_home", args=[PHUKET_CITY])  # Phuket city: two projects in 2568
    assert len(client.get(url).context["projects"]) == 2
    assert [p.kind for p in client.get(url, {"kind": "water"}).context["projects"]] == ["water"]
    assert [p.current_stage for p in client.get(url, {"stage": "4"}).context["projects"]] == [4]
    assert list(client.get(url, {"fiscal_year": "2567"}).context["projects"]) == []
    # a nonsense filter value is ignored, not a 500
    assert client.get(url, {"stage": "abc"}).status_code == 200


def test_chooser_for_analysts_and_dla_and_404_outside(client):
    signed_in(client, make_analyst(PHANG_NGA))
    response = client.get("/")
    assert response.status_code == 200
    codes = {o.dla_code for o in response.context["page"]}
    assert codes == {TAKUA_PA, BANG_MUANG_SAO, THAI_MUEANG}  # Phang Nga LAOs with projects
    assert client.get(reverse("projects_geo:lao_home", args=[PATONG])).status_code == 404  # Phuket
    client.logout()
    signed_in(client, make_dla_admin())
    response = client.get("/", {"province": PHUKET})
    assert PATONG in {o.dla_code for o in response.context["page"]}
    assert client.get(reverse("projects_geo:lao_home", args=[PATONG])).status_code == 200


def test_chooser_leaves_out_deleted_projects(client):
    from projects_geo.deletion import soft_delete_project

    for project in Project.objects.filter(organization__dla_code=TAKUA_PA):
        soft_delete_project(project)
    signed_in(client, make_analyst(PHANG_NGA))
    codes = {o.dla_code: o.n_projects for o in client.get("/").context["page"]}
    assert TAKUA_PA not in codes and set(codes) == {BANG_MUANG_SAO, THAI_MUEANG}
    assert client.get("/", {"all": "1", "q": TAKUA_PA}).context["page"][0].n_projects == 0


def test_lao_staff_cannot_open_another_lao(client):
    signed_in(client, make_engineer(PATONG))
    assert client.get(reverse("projects_geo:lao_home", args=[BANG_MUANG_SAO])).status_code == 404
    assert client.get(reverse("projects_geo:project_edit", args=[sample(7).pk])).status_code == 404
    assert client.get(reverse("projects_geo:project_create"), {"lao": BANG_MUANG_SAO}).status_code == 404


def test_engineer_creates_a_project(client):
    user = signed_in(client, make_engineer(PATONG))
    page = client.get(reverse("projects_geo:project_create"))
    assert page.status_code == 200 and b"gisplan-entry-config" in page.content
    from projects_geo.fiscal import current_fiscal_year

    assert page.context["form"]["fiscal_year"].value() == current_fiscal_year()
    assert page.context["form"]["kind"].value() == "water"
    response = client.post(reverse("projects_geo:project_create"), project_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(name="ขุดเจาะบ่อบาดาล หมู่ที่ 2")
    assert project.organization.dla_code == PATONG and project.budget == Decimal("1250000")
    assert project.tambon.code == TAMBON_PATONG and project.created_by == user
    assert response["Location"] == reverse("projects_geo:project_edit", args=[project.pk])


def test_wrong_geometry_for_the_kind_and_bad_input_are_refused_without_writing(client):
    signed_in(client, make_engineer(PATONG))
    url = reverse("projects_geo:project_create")
    count = Project.objects.count()
    road_as_point = client.post(url, project_post(kind="road", subtype="asphalt_road"))
    assert road_as_point.status_code == 400 and "เส้น" in road_as_point.content.decode()
    wrong_subtype = client.post(url, project_post(subtype="asphalt_road"))
    assert wrong_subtype.status_code == 400
    no_geom = client.post(url, project_post(geom=""))
    assert no_geom.status_code == 400
    assert Project.objects.count() == count


def test_planner_and_analyst_cannot_change_a_project(client):
    project = sample(3)
    signed_in(client, make_user("plan", Role.LAO_PLANNER, lao=PATONG))
    url = reverse("projects_geo:project_edit", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["editable"]
    assert client.post(url, project_post(name="x")).status_code == 403
    assert client.post(reverse("projects_geo:project_create"), project_post()).status_code == 403
    Project.objects.get(pk=project.pk, name=project.name)


def test_engineer_edits_a_project(client):
    signed_in(client, make_engineer(PATONG))
    project = sample(3)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    geom = json.dumps({"type": "LineString", "coordinates": [[98.2990, 7.8930], [98.3010, 7.8936]]})
    response = client.post(
        url,
        project_post(
            name="ถนนใหม่",
            kind="road",
            subtype="asphalt_road",
            geom=geom,
            fiscal_year="2569",
            version=str(project.version),
        ),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "ถนนใหม่" and project.fiscal_year == 2569 and project.length_m > 100


def stage_post(project, stage, date, amount=""):
    """The stage panel's POST, with the project's version as the page shows it now."""
    version = Project.all_objects.get(pk=project.pk).version
    return {"action": "stage", "stage": str(stage), "date": date, "amount": amount, "note": "", "version": str(version)}


def test_stages_in_order_and_out_of_order_refused(client):
    signed_in(client, make_user("ladmin", Role.LAO_ADMIN, lao=PATONG))
    from tests.factories import make_water_point

    project = make_water_point(PATONG, 98.2960, 7.8960)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    assert client.post(url, stage_post(project, 1, "1/10/2567")).status_code == 302
    assert client.post(url, stage_post(project, 2, "15/11/2567")).status_code == 302
    refused = client.post(url, stage_post(project, 4, "1/12/2567", "900,000"))
    assert refused.status_code == 400
    assert "ตามลำดับ" in refused.content.decode()  # the Thai message of stages.record_stage
    history = list(ProjectStage.objects.filter(project=project).values_list("stage", "date"))
    assert history == [(1, dt.date(2024, 10, 1)), (2, dt.date(2024, 11, 15))]
    page = client.get(url).content.decode()
    assert "1 ต.ค. 2567" in page and "15 พ.ย. 2567" in page
    # the next stage needs its amount
    missing = client.post(url, stage_post(project, 3, "1/12/2567"))
    assert missing.status_code == 400
    assert client.post(url, stage_post(project, 3, "1/12/2567", "1,000,000")).status_code == 302
    assert ProjectStage.objects.get(project=project, stage=3).amount == Decimal("1000000")


def test_stage_rights_follow_the_role(client):
    from tests.factories import make_water_point

    project = make_water_point(PATONG, 98.2960, 7.8960)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    signed_in(client, make_engineer(PATONG))
    assert client.post(url, stage_post(project, 1, "1/10/2567")).status_code == 403
    assert not ProjectStage.objects.filter(project=project).exists()
    client.logout()
    signed_in(client, make_user("plan", Role.LAO_PLANNER, lao=PATONG))
    assert client.post(url, stage_post(project, 1, "1/10/2567")).status_code == 302
    assert project.stages.get().recorded_by.username == "plan"


def test_pages_in_english(client):
    signed_in(client, make_engineer(PATONG))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("projects_geo:project_edit", args=[sample(3).pk])).content.decode()
    assert "Budget stages" in html and "Completed 100%" in html and "Type coordinates" in html


def test_projects_geojson_respects_access_and_filters(client):
    signed_in(client, make_analyst(PHUKET))
    data = client.get(reverse("projects_geo:projects_geojson")).json()
    assert {f["properties"]["lao"][1:3] for f in data["features"]} == {PHUKET}
    water = client.get(reverse("projects_geo:projects_geojson"), {"kind": "water", "lao": PHUKET_CITY}).json()
    assert [f["properties"]["kind"] for f in water["features"]] == ["water"]
    feature = water["features"][0]
    assert feature["geometry"]["type"] == "Point" and feature["properties"]["budget"] == "850,000 บาท"
    for f in data["features"]:  # each links to its own edit page, labels in the page's language
        assert f["properties"]["url"] == reverse("projects_geo:project_edit", args=[f["id"]])
        assert f["properties"]["kind_label"] in ("แหล่งน้ำ", "ถนน")


def test_demo_users_are_created_once(db):
    from django.contrib.auth import authenticate
    from django.core.management import call_command

    call_command("ensure_admin", verbosity=0)
    call_command("ensure_admin", verbosity=0)
    user = authenticate(username="patong-engineer", password="gisplan-demo")
    assert user is not None and user.profile.organization.dla_code == PATONG and user.profile.role == Role.LAO_ENGINEER
    assert authenticate(username="patong-admin", password="gisplan-demo").profile.role == Role.LAO_ADMIN


def test_second_editor_of_the_same_version_is_refused_not_lost(client):
    """Two engineers open the same project (version n); the first saves, the second's save is
    refused with a Thai + English message and the first one's change stays."""
    signed_in(client, make_engineer(PATONG, "eng1"))
    project = sample(3)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    page = client.get(url).content.decode()
    version = project.version
    assert f'name="version" value="{version}"' in page
    geom = json.dumps({"type": "LineString", "coordinates": [[98.2990, 7.8930], [98.3010, 7.8936]]})
    first = project_post(name="ถนนของคนแรก", kind="road", subtype="asphalt_road", geom=geom, version=str(version))
    assert client.post(url, first).status_code == 302
    signed_in(client, make_engineer(PATONG, "eng2"))
    second = client.post(url, {**first, "name": "ถนนของคนที่สอง"})
    assert second.status_code == 400
    body = second.content.decode()
    assert "มีผู้อื่นบันทึกโครงการนี้" in body and "Someone else saved this project" in body
    project.refresh_from_db()
    assert project.name == "ถนนของคนแรก" and project.version == version + 1


def test_site_navigation_reaches_every_part(client):
    """The header links every part of the site, and each page opens for a DLA administrator."""
    import re

    signed_in(client, make_dla_admin())
    page = client.get("/").content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', page, re.S).group(0)
    links = re.findall(r'href="([^"]+)"', nav)
    for url in ["/", "/projects/import/", "/analysis/", "/reports/", "/projects/deleted/", "/api/docs/"]:
        assert url in links
    for url in links:
        assert client.get(url).status_code == 200, url
    assert "แผนที่วิเคราะห์" in nav and "รายงาน" in nav


def test_project_page_links_history_and_deletes_for_those_who_may(client):
    project = sample(3)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    signed_in(client, make_engineer(PATONG))
    page = client.get(url).content.decode()
    assert f"/projects/{project.pk}/history/" in page and 'id="delete-project"' in page
    assert client.get(f"/projects/{project.pk}/history/").status_code == 200
    response = client.post(f"/projects/{project.pk}/delete/", {"version": project.version})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists() and Project.all_objects.get(pk=project.pk).deleted_at
    # an analyst reads the project but sees no delete button
    project = sample(4)
    signed_in(client, make_analyst(project.province.code))
    page = client.get(reverse("projects_geo:project_edit", args=[project.pk])).content.decode()
    assert 'id="delete-project"' not in page


def test_lao_list_downloads_its_filtered_projects(client):
    """The LAO's list offers the export with its own filters: the file holds exactly the listed projects."""
    import io
    import zipfile

    signed_in(client, make_engineer(PATONG))
    page = client.get("/", {"kind": "road"}).content.decode()
    assert 'id="export-form"' in page and 'action="/api/projects/export/"' in page
    assert f'name="lao" value="{PATONG}"' in page and 'name="kind" value="road"' in page
    listed = Project.objects.filter(organization__dla_code=PATONG, kind="road").count()
    geojson = client.get("/api/projects/export/", {"format": "geojson", "lao": PATONG, "kind": "road"})
    assert geojson.status_code == 200
    features = json.loads(b"".join(geojson.streaming_content))["features"]
    assert len(features) == listed > 0
    shp = client.get("/api/projects/export/", {"format": "shp", "lao": PATONG, "kind": "road", "encoding": "cp874"})
    names = zipfile.ZipFile(io.BytesIO(b"".join(shp.streaming_content))).namelist()
    assert any(n.endswith(".cpg") for n in names) and any(n.endswith(".shp") for n in names)
