"""What people type on the entry page is checked before anything is written (issue 22, items 7
and 8): a geometry in an unknown coordinate system or with absurdly small coordinates, text with
control or text-direction characters, a stage dated B.E. 2700 — each a clear form error, never a
500 and never a partial write."""

import datetime as dt
import html
import json

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from common.plaintext import validate_multiline, validate_one_line
from projects_geo.models import Project, ProjectStage
from projects_geo.stages import STAGE_DATE_MARGIN, StageError, check_stage_date, record_stage
from tests.factories import PATONG, make_engineer, make_user, make_water_point

pytestmark = pytest.mark.django_db

WELL = {"type": "Point", "coordinates": [98.2960, 7.8960]}


def new_post(**overrides):
    data = {
        "action": "save",
        "name": "ขุดเจาะบ่อบาดาล หมู่ที่ 2",
        "kind": "water",
        "subtype": "well",
        "fiscal_year": "2568",
        "plan_reference": "",
        "budget": "1,250,000",
        "geom": json.dumps(WELL),
    }
    data.update(overrides)
    return data


@pytest.fixture
def engineer_client(client):
    client.force_login(make_engineer(PATONG, "eng-input"))
    return client


def _create(client, **overrides):
    return client.post(reverse("projects_geo:project_create"), new_post(**overrides))


def _page(response) -> str:
    return html.unescape(response.content.decode())


# --- geometry --------------------------------------------------------------------------------------


def test_a_geometry_in_an_unknown_coordinate_system_is_a_form_error(engineer_client):
    count = Project.objects.count()
    response = _create(engineer_client, geom="SRID=999999;POINT(98.296 7.896)")
    assert response.status_code == 400
    errors = _page(response).split('id="geom-errors"')[1].split("</ul>")[0]
    assert "SRID 999999" in errors and "WGS84" in errors
    assert Project.objects.count() == count
    engineer_client.cookies["django_language"] = "en"
    english = _page(_create(engineer_client, geom="SRID=-1;POINT(98.296 7.896)"))
    assert "coordinate system (SRID -1) is not one this site knows" in english


def test_a_geometry_in_a_known_coordinate_system_is_transformed(engineer_client):
    mercator = Point(98.2960, 7.8960, srid=4326).transform(3857, clone=True)
    response = _create(engineer_client, geom=mercator.ewkt, name="บ่อในเมอร์เคเตอร์")
    assert response.status_code == 302
    saved = Project.objects.get(name="บ่อในเมอร์เคเตอร์").geom
    assert saved.srid == 4326 and saved.x == pytest.approx(98.2960) and saved.y == pytest.approx(7.8960)


@pytest.mark.parametrize("geom", ["POINT(5e-324 5e-324)", "POINT(1e-300 -1e-310)", "SRID=4326;POINT(5e-324 0)"])
def test_absurdly_small_coordinates_are_a_form_error_not_a_500(engineer_client, geom):
    """5e-324 made PostgreSQL's arithmetic underflow (a 500); kept to 9 decimals it is 0, a point
    in the sea off Africa, which validation reports as outside Thailand."""
    count = Project.objects.count()
    response = _create(engineer_client, geom=geom)
    assert response.status_code == 400
    assert "นอกประเทศไทย" in _page(response) or "ประเทศไทย" in _page(response)
    assert Project.objects.count() == count


def test_coordinates_are_kept_to_nine_decimals(engineer_client):
    response = _create(engineer_client, geom="POINT(98.29601234567891 7.89601234567891)", name="บ่อทศนิยมยาว")
    assert response.status_code == 302
    geom = Project.objects.get(name="บ่อทศนิยมยาว").geom
    assert (geom.x, geom.y) == (98.296012346, 7.896012346)


# --- text --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "ถนน\u202eคอนกรีต",  # RIGHT-TO-LEFT OVERRIDE
        "ถนน\x1b[31m",  # ESC
        "ถนน\x07",  # BEL
        "ถนนสาย ก\r\nสาย ข",  # CR/LF in a one-line field
        "ถนน\tคอนกรีต",
        "ถนน\u2066x\u2069",  # isolates
        "ถนน\u200fx",  # RIGHT-TO-LEFT MARK
        "ถนน\u2028x",  # LINE SEPARATOR
        "ถนน\x85x",  # NEL (C1)
    ],
)
@pytest.mark.parametrize("field", ["name", "plan_reference"])
def test_text_with_control_or_direction_characters_is_refused(engineer_client, bad, field):
    count = Project.objects.count()
    response = _create(engineer_client, **{field: bad})
    assert response.status_code == 400
    field_html = _page(response).split(f"field-{field}")[1].split("</div>")[0]
    assert "อักขระควบคุมหรืออักขระกำหนดทิศทาง" in field_html and "U+" in field_html
    assert Project.objects.count() == count


def test_thai_marks_spaces_and_zero_width_spaces_are_kept(engineer_client):
    name = "ปรับปรุงผิวจราจร\u200bแอสฟัลท์ติก\u00a0คอนกรีต สายบ้านน้ำตก – ไร่อ้อย ๒๕๖๘"
    response = _create(engineer_client, name=name, plan_reference="แผนพัฒนาท้องถิ่น (พ.ศ. ๒๕๖๖–๒๕๗๐) หน้า ๑๒")
    assert response.status_code == 302
    assert Project.objects.filter(name=name).exists()


def test_the_rule_itself():
    for ok in ("ก่อสร้างถนน", "a b", "ถนน\u200cx\u200d", "", "น้ำ ๑๒ ①"):
        validate_one_line(ok)
        validate_multiline(ok)
    validate_multiline("บรรทัด 1\r\nบรรทัด 2\tต่อ")
    for bad in ("\x00", "\x1b", "\x7f", "\u202a", "\u202e", "\u061c", "\u200e"):
        with pytest.raises(ValidationError) as caught:
            validate_multiline("x" + bad)
        assert caught.value.code == "control_character"
        assert caught.value.params == {"char": f"U+{ord(bad):04X}"}
    for bad in ("\n", "\r", "\t", "\u2029"):
        with pytest.raises(ValidationError):
            validate_one_line("x" + bad)


# --- stage dates and the stage panel ---------------------------------------------------------------


@pytest.fixture
def planner_client(client):
    client.force_login(make_user("plan-input", Role.LAO_PLANNER, lao=PATONG))
    return client


@pytest.fixture
def project():
    return make_water_point(PATONG, 98.2960, 7.8960)


def stage_post(project, stage, date, note=""):
    version = Project.objects.get(pk=project.pk).version
    return {"action": "stage", "stage": str(stage), "date": date, "amount": "", "note": note, "version": version}


@pytest.mark.parametrize(
    "date,text",
    [("1/10/2700", "วันที่ 1/10/2700 เป็นวันในอนาคต"), ("31/12/2499", "อยู่ก่อนปี พ.ศ. 2500")],
)
def test_a_stage_date_out_of_bounds_is_refused(planner_client, project, date, text):
    url = reverse("projects_geo:project_edit", args=[project.pk])
    response = planner_client.post(url, stage_post(project, 1, date))
    assert response.status_code == 400
    assert text in _page(response).split('id="stage-errors"')[1].split("</ul>")[0]
    assert not ProjectStage.objects.filter(project=project).exists()


def test_stage_date_bounds_in_the_domain():
    """``record_stage`` asks ``check_stage_date``, so every path that records a stage has the bounds."""
    today = dt.date(2026, 12, 4)
    check_stage_date(dt.date(1957, 1, 1), today=today)
    check_stage_date(today + STAGE_DATE_MARGIN, today=today)
    with pytest.raises(StageError) as caught:
        check_stage_date(today + STAGE_DATE_MARGIN + dt.timedelta(days=1), today=today)
    assert caught.value.code == "date_in_future"
    with pytest.raises(StageError) as caught:
        check_stage_date(dt.date(1956, 12, 31), today=today)
    assert caught.value.code == "date_too_early"


def test_record_stage_refuses_a_date_of_be_2700(project):
    with pytest.raises(StageError) as caught:
        record_stage(project, 1, dt.date(2157, 10, 1))
    assert caught.value.code == "date_in_future"
    assert not ProjectStage.objects.filter(project=project).exists()
    record_stage(project, 1, dt.date.today())
    assert ProjectStage.objects.filter(project=project).count() == 1


def test_a_stage_note_with_a_control_character_is_refused(planner_client, project):
    url = reverse("projects_geo:project_edit", args=[project.pk])
    response = planner_client.post(url, stage_post(project, 1, "1/10/2567", note="ok\x1b[2J"))
    assert response.status_code == 400 and "U+001B" in _page(response)
    assert not ProjectStage.objects.filter(project=project).exists()


@pytest.mark.parametrize("stage", ["²", "①", "9" * 5000, "-1", "abc"])
def test_a_stage_that_is_not_a_number_is_a_form_error(planner_client, project, stage):
    """``"²".isdigit()`` is True but ``int("²")`` fails: the panel used to answer 500."""
    url = reverse("projects_geo:project_edit", args=[project.pk])
    response = planner_client.post(url, stage_post(project, stage, "1/10/2567"))
    assert response.status_code == 400
    assert not ProjectStage.objects.filter(project=project).exists()


@pytest.mark.parametrize("code", ["7\x00", "483020\x00", "４８３０２０１", "48302011", "abc"])
def test_a_new_project_for_a_malformed_lao_code_is_a_404(engineer_client, code):
    """``?lao=7%00`` reached the database (a NUL in a text parameter: 500); a code that is not
    seven ASCII digits names no LAO."""
    url = reverse("projects_geo:project_create")
    assert engineer_client.get(url, {"lao": code}).status_code == 404
    count = Project.objects.count()
    assert engineer_client.post(url, new_post(lao=code)).status_code == 404
    assert Project.objects.count() == count
