"""The OGC API answers as its own API definition (``/ogc/api``, ``analysis/ogcdoc.py``) says: real
answers — documents, pages of every collection, one feature, queryables, other CRSs, and each
documented error — replayed against the response schema for their path, status and media type
(the validator of tests/analysis/test_openapi_contract.py)."""

import pytest
from django.test import Client

from projects_geo.models import Project
from tests.analysis.test_openapi_contract import Contract
from tests.factories import AMPHOE_MUEANG_PHUKET, PHUKET

pytestmark = pytest.mark.django_db
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@pytest.fixture
def contract():
    response = Client().get("/ogc/api")  # public
    assert response.status_code == 200
    return Contract(response.json())


def test_documents_fit_the_definition(national, contract):
    contract.check(national.get("/ogc/"), "/")
    contract.check(national.get("/ogc/conformance"), "/conformance")
    body = contract.check(national.get("/ogc/collections"), "/collections")
    for collection in body["collections"]:
        contract.check(national.get(f"/ogc/collections/{collection['id']}"), "/collections/{collectionId}")
    contract.check(national.get("/ogc/collections/projects/queryables"), "/collections/{collectionId}/queryables")


@pytest.mark.parametrize(
    "cid,params",
    [
        ("projects", {"limit": 3}),
        ("projects", {"filter": "kind = 'water'", "crs": f"{EPSG}32647"}),
        ("projects-points", {"crs": f"{EPSG}24047", "datetime": "2020-01-01T00:00:00Z/.."}),
        ("projects-lines", {"bbox": "8.3,98.2,8.9,98.4", "bbox-crs": f"{EPSG}4326"}),
        ("province", {"code": PHUKET}),
        ("tambon", {"parent": AMPHOE_MUEANG_PHUKET, "limit": 2}),
    ],
)
def test_item_pages_fit_the_definition(national, contract, cid, params):
    response = national.get(f"/ogc/collections/{cid}/items", params)
    body = contract.check(response, "/collections/{collectionId}/items")
    assert body["features"]
    contract.check(response, f"/collections/{cid}/items")


def test_one_feature_and_errors_fit_the_definition(national, contract):
    project = Project.objects.order_by("id").first()
    item = "/collections/{collectionId}/items/{featureId}"
    contract.check(national.get(f"/ogc/collections/projects/items/{project.id}"), item)
    contract.check(national.get(f"/ogc/collections/province/items/{PHUKET}", {"crs": f"{EPSG}32647"}), item)
    contract.check(national.get("/ogc/collections/projects/items/999999999"), item)  # 404
    contract.check(national.get("/ogc/collections/village"), "/collections/{collectionId}")  # 404
    items = "/collections/{collectionId}/items"
    for params in ({"filter": "nope ="}, {"colour": "red"}, {"crs": "EPSG:3857"}, {"datetime": "x"}, {"limit": 0}):
        response = national.get("/ogc/collections/projects/items", params)
        assert response.status_code == 400
        contract.check(response, items)
    contract.check(Client().get("/ogc/collections/projects/items"), items)  # 401
    contract.check(national.post("/ogc/collections/projects/items"), items)  # 405
