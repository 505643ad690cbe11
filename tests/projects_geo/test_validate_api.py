"""POST /api/validate/: JSON in, preview + units + findings out; malformed input is a 400."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import (
    AMPHOE_MUEANG_PHUKET,
    PATONG,
    PHUKET,
    PHUKET_CITY,
    PHUKET_PAO,
    TAKUA_PA,
    TAMBON_TALAT_YAI,
    UNKNOWN_LAO,
    make_analyst,
    make_dla_admin,
    make_engineer,
)

URL = "/api/validate/"


@pytest.fixture
def client_in(client, db):
    # a provincial analyst of Phuket (83) sees every Phuket LAO
    client.force_login(make_analyst(PHUKET))
    return client


def post(client, body, raw=False):
    import json

    return client.post(URL, data=body if raw else json.dumps(body), content_type="application/json")


def test_url_name():
    assert reverse("projects_geo:validate") == URL


@pytest.mark.django_db
def test_requires_login(client):
    assert post(client, {"text": "7.88, 98.39", "lao": PHUKET_CITY, "kind": "water"}).status_code in (401, 403)


@pytest.mark.django_db
def test_only_for_an_lao_the_user_may_see(client):
    """Findings name the LAO's projects (duplicates), so another LAO's are refused with a 403."""
    body = {"text": "7.884, 98.3923", "lao": PHUKET_CITY, "kind": "water"}
    client.force_login(make_engineer(PATONG, "patong"))
    r = post(client, {**body, "lao": TAKUA_PA})  # an LAO in Phang Nga
    assert r.status_code == 403
    assert r.json()["errors"][0]["field"] == "lao" and r.json()["errors"][0]["message_th"]
    client.force_login(get_user_model().objects.create_user("nobody", password="pw-123456"))  # no profile
    assert post(client, body).status_code == 403
    client.force_login(make_dla_admin())
    assert post(client, body).status_code == 200


@pytest.mark.django_db
def test_typed_point(client_in):
    r = post(
        client_in,
        {
            "geometry": None,
            "text": "7.884, 98.3923",
            "datum": None,
            "zone": None,
            "lao": PHUKET_CITY,
            "kind": "water",
            "fiscal_year": 2568,
            "project_id": None,
        },
    )
    assert r.status_code == 200
    data = r.json()
    assert data["ok"] is True and data["preview"] == "7.884000, 98.392300"
    assert data["geometry"] == {"type": "Point", "coordinates": [98.3923, 7.884]}
    assert data["units"]["tambons"][0]["code"] == TAMBON_TALAT_YAI and data["units"]["tambons"][0]["share"] == 1.0
    assert data["units"]["province"][0]["code"] == PHUKET and data["units"]["amphoe"][0]["code"] == AMPHOE_MUEANG_PHUKET
    assert data["findings"] == []


@pytest.mark.django_db
def test_swapped_geometry_gives_a_suggestion(client_in):
    r = post(
        client_in,
        {"geometry": {"type": "Point", "coordinates": [7.8745, 98.3785]}, "lao": PHUKET_CITY, "kind": "water"},
    )
    assert r.status_code == 200
    f = r.json()["findings"][0]
    assert f["code"] == "swapped_lat_lon" and f["severity"] == "error"
    assert f["suggestion"] == {"type": "Point", "coordinates": [98.3785, 7.8745]}
    assert f["message"] == f["message_th"]  # Thai is the default language
    assert r.json()["ok"] is False


@pytest.mark.django_db
def test_utm_with_datum_field(client_in):
    r = post(
        client_in, {"text": "439000 874000", "zone": 47, "datum": "indian1975", "lao": PHUKET_PAO, "kind": "water"}
    )
    assert r.status_code == 200 and r.json()["ok"] is True
    r = post(client_in, {"text": "439000 874000", "zone": "47N", "datum": "wgs84", "lao": PHUKET_PAO, "kind": "water"})
    assert [f["code"] for f in r.json()["findings"]][0] == "datum_mixup"


@pytest.mark.django_db
def test_line_of_typed_vertices(client_in):
    r = post(client_in, {"text": "7.8857, 98.388\n7.8855, 98.3897", "lao": PHUKET_CITY, "kind": "road"})
    assert r.status_code == 200
    assert r.json()["geometry"]["type"] == "LineString"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "7.88, 98.39", "lao": "123", "kind": "water"}, "lao"),
        ({"text": "7.88, 98.39", "lao": UNKNOWN_LAO, "kind": "water"}, "lao"),
        ({"text": "7.88, 98.39", "lao": PHUKET_CITY, "kind": "bridge"}, "kind"),
        ({"lao": PHUKET_CITY, "kind": "water"}, "geometry"),
        ({"text": "where the old well was", "lao": PHUKET_CITY, "kind": "water"}, "text"),
        ({"geometry": {"type": "Point", "coordinates": "x"}, "lao": PHUKET_CITY, "kind": "water"}, "geometry"),
        ({"geometry": "POINT(1 2)", "lao": PHUKET_CITY, "kind": "water"}, "geometry"),
        ({"text": "661234 1521234", "zone": 46, "lao": PHUKET_CITY, "kind": "water"}, "zone"),
        ({"text": "661234 1521234", "datum": "nad27", "lao": PHUKET_CITY, "kind": "water"}, "datum"),
        ({"text": "7.88, 98.39", "lao": PHUKET_CITY, "kind": "water", "fiscal_year": "last year"}, "fiscal_year"),
        ({"text": "7.88, 98.39", "lao": PHUKET_CITY, "kind": "water", "project_id": -3}, "project_id"),
        ([1, 2, 3], None),
    ],
)
def test_malformed_input_is_a_400_with_messages(client_in, body, field):
    r = post(client_in, body)
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert errors and errors[0]["field"] == field
    assert errors[0]["message_th"] and errors[0]["message_en"]


@pytest.mark.django_db
def test_broken_json_is_a_400(client_in):
    r = post(client_in, "{not json", raw=True)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] is None


@pytest.mark.django_db
def test_odd_geometries_never_500(client_in):
    for geom in (
        {"type": "Point", "coordinates": [98.39, 7.88, 12.0]},
        {"type": "Point", "coordinates": [1e308, 1e308]},
        {"type": "LineString", "coordinates": [[98.39, 7.88]]},
        {
            "type": "MultiLineString",
            "coordinates": [[[98.38, 7.88], [98.385, 7.882]], [[98.39, 7.88], [98.391, 7.881]]],
        },
        {"type": "GeometryCollection", "geometries": []},
        {"type": "Point", "coordinates": []},
    ):
        r = post(client_in, {"geometry": geom, "lao": PHUKET_CITY, "kind": "road"})
        assert r.status_code in (200, 400), (geom, r.content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "geom",
    [
        {"type": "Polygon", "coordinates": [[[98.3, 7.8], [98.4, 7.9]]]},  # a ring that is not closed
        {"type": "LineString", "coordinates": [[98.39, 7.88]]},
        {"type": "Point", "coordinates": []},
        {"type": "Blob", "coordinates": [1, 2]},
    ],
)
def test_an_unreadable_geometry_is_explained_without_library_wording(client_in, geom):
    r = post(client_in, {"geometry": geom, "lao": PHUKET_CITY, "kind": "road"})
    text = r.content.decode()
    if r.status_code == 200:  # read, then refused by the checks: its own findings say why
        assert r.json()["valid"] is False
        return
    assert r.status_code == 400
    for wording in ("GEOS", "OGR_", "pointer", "GDAL"):
        assert wording not in text, text
    assert "GeoJSON" in text and "ลองจิจูด" in text
