"""Real clients against the OGC API on a live server sharing the test's data: QGIS 3.22 (Debian's
``python3-qgis``, headless, in a subprocess of the system Python), GDAL's ``ogrinfo``, OWSLib, and
the Part 1 conformance runner ``ogctests`` (PyPI; in its own virtualenv ``.ogctests-venv``, made by
scripts/bootstrap.sh, because it pins pytest < 9 and httpx 0.27)."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.test.testcases import QuietWSGIRequestHandler
from owslib.ogcapi.features import Features
from owslib.util import Authentication

from projects_geo.coords import lonlat_to_utm
from projects_geo.models import Project
from tests.factories import PASSWORD, PHUKET, make_analyst, make_dla_admin

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"
OGCTESTS_PYTHON = Path(os.environ.get("OGCTESTS_PYTHON", ROOT / ".ogctests-venv" / "bin" / "python"))
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@pytest.fixture
def requests_log(monkeypatch):
    """The request lines the live server answers."""
    log = []
    monkeypatch.setattr(QuietWSGIRequestHandler, "log_message", lambda self, fmt, *args: log.append(fmt % args))
    return log


def _has_qgis() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode == 0


QGIS_SCRIPT = r"""
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
base, user, password = sys.argv[1:4]
out = {}
for typename in ("projects-points", "projects-lines"):
    uri = f"url='{base}/ogc/' typename='{typename}' username='{user}' password='{password}'"
    layer = QgsVectorLayer(uri, typename, "OAPIF")
    entry = {"valid": layer.isValid()}
    if layer.isValid():
        entry["count_before_download"] = layer.featureCount()
        entry["geometry"] = layer.geometryType()  # 0 point, 1 line
        entry["crs"] = layer.crs().authid()
        entry["fields"] = [f.name() for f in layer.fields()]
        entry["features"] = {str(f["name"]): [f["lao_name"], f["kind"]] for f in layer.getFeatures()}
        layer.setSubsetString("\"kind\" = 'water'")
        entry["water"] = sorted(str(f["name"]) for f in layer.getFeatures())
    out[typename] = entry
print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
os._exit(0)  # QGIS 3.22 may crash while tearing down its network threads: the result is out
"""


@pytest.mark.skipif(not _has_qgis(), reason="python3-qgis (Debian) is not installed; scripts/bootstrap.sh installs it")
def test_qgis_opens_points_and_lines(shared_live_server, requests_log, tmp_path):
    make_analyst(PHUKET, "qgisuser")
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    out = subprocess.run(
        [SYSTEM_PYTHON, "-c", QGIS_SCRIPT, shared_live_server, "qgisuser", PASSWORD],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    assert out.returncode == 0 and lines, out.stderr[-2000:]
    result = json.loads(lines[-1][len("RESULT ") :])
    visible = Project.objects.filter(organization__province__code=PHUKET)
    for typename, types, geometry in (
        ("projects-points", ("POINT",), 0),
        ("projects-lines", ("LINESTRING",), 1),
    ):
        layer = result[typename]
        expected = visible.filter(geom__geometry_type_in=types)
        assert layer["valid"] and layer["geometry"] == geometry and layer["crs"] == "EPSG:4326"
        # the count comes from numberMatched of the first page, before the features are read
        assert layer["count_before_download"] == expected.count() > 0
        assert {"name", "lao_code", "lao_name", "kind", "fiscal_year"} <= set(layer["fields"])
        # Thai text intact
        want = {p.name: [p.organization.name_th, p.kind] for p in expected.select_related("organization")}
        assert layer["features"] == want
        assert any(re.search("[\u0e00-\u0e7f]", name) for name in want)
        assert layer["water"] == sorted(p.name for p in expected if p.kind == "water")
    # QGIS 3.22 reads the page size from the API definition (limit's maximum, capped at 1000 by
    # QGIS) and asked for the API definition via the landing page's service-desc link
    assert any(line.startswith('"GET /ogc/api ') for line in requests_log)
    assert not any(" 404 " in line or " 500 " in line for line in requests_log), requests_log


def _gdal_version() -> tuple[int, int]:
    out = subprocess.run(["ogrinfo", "--version"], capture_output=True, text=True).stdout  # "GDAL 3.6.2, released …"
    major, minor = re.search(r"GDAL (\d+)\.(\d+)", out).groups()
    return int(major), int(minor)


def test_ogrinfo_reads_without_html_errors(shared_live_server, requests_log, national_client):
    make_dla_admin("gdaluser")
    env = {
        **os.environ,
        "GDAL_HTTP_USERPWD": f"gdaluser:{PASSWORD}",
        "GDAL_HTTP_AUTH": "BASIC",
        "CPL_DEBUG": "ON",
        "GDAL_HTTP_TIMEOUT": "30",
    }
    out = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-q", f"OAPIF:{shared_live_server}/ogc/", "projects", "projects-lines"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "<html" not in out.stderr.lower() and "HTTP error code" not in out.stderr, out.stderr[-2000:]
    assert out.stdout.count("OGRFeature(projects)") == Project.objects.count()
    lines = Project.objects.filter(geom__geometry_type_in=("LINESTRING",)).count()
    assert out.stdout.count("OGRFeature(projects-lines)") == lines
    assert all('" 200 ' in line for line in requests_log), requests_log  # no 404 from guessed URLs
    # The page size: the API definition declares limit's default (100) and maximum (10,000).
    # GDAL reads it from GDAL 3.8 (OSGeo/gdal#8522); Debian 12's GDAL 3.6 still asks for 10 per
    # page unless told (-oo PAGE_SIZE=…), which the server honours.
    limit = national_client.get("/ogc/api").json()["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (100, 10000)
    item_requests = [line for line in requests_log if "/ogc/collections/projects/items" in line]
    if _gdal_version() >= (3, 8):
        assert all("limit=10 " not in line for line in item_requests), item_requests
    else:
        assert any(line.startswith('"GET /ogc/api ') for line in requests_log) or item_requests


@pytest.fixture
def national_client():
    client = Client()
    client.force_login(make_dla_admin("national-client"))
    return client


def test_owslib_crs_and_cql2(shared_live_server):
    make_dla_admin("owsadmin")
    api = Features(f"{shared_live_server}/ogc/", auth=Authentication("owsadmin", PASSWORD))
    points = Project.objects.filter(geom__geometry_type_in=("POINT",))
    utm = api.collection_items("projects-points", crs=f"{EPSG}32647", limit=100)
    assert len(utm["features"]) == points.count()
    for feature in utm["features"]:
        geom = points.get(pk=feature["id"]).geom
        x, y = feature["geometry"]["coordinates"]
        ex, ey = lonlat_to_utm(geom.x, geom.y, 47)
        assert abs(x - ex) < 1 and abs(y - ey) < 1  # within 1 m of pyproj (in fact within a millimetre)
    items = api.collection_items("projects", filter="kind = 'road' AND fiscal_year = 2568", limit=100)
    expected = Project.objects.filter(kind="road", fiscal_year=2568)
    assert sorted(f["id"] for f in items["features"]) == sorted(expected.values_list("id", flat=True))
    assert items["numberMatched"] == expected.count() > 0
    queryables = api.collection_queryables("projects")
    assert queryables["properties"]["fiscal_year"]["type"] == "integer"


@pytest.mark.skipif(not OGCTESTS_PYTHON.exists(), reason=f"ogctests' virtualenv {OGCTESTS_PYTHON} is missing")
def test_ogctests_part1_conformance_runner(shared_live_server):
    """All of ogctests' Part 1 checks (Core, GeoJSON, OAS 3.0 API definition, error conditions)
    pass; HTTP Basic credentials come through a small plugin (ogctests has no option for them)."""
    make_dla_admin("ogctester")
    suite = subprocess.run(
        [str(OGCTESTS_PYTHON), "-c", "import ogctests, os; print(os.path.dirname(ogctests.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    env = {
        **os.environ,
        "INSTANCE_URL": f"{shared_live_server}/ogc",
        "CLIENT_OVERRIDDEN": "True",
        "OGCTESTS_USER": "ogctester",
        "OGCTESTS_PASSWORD": PASSWORD,
        "PYTHONPATH": str(Path(__file__).parent / "ogctests_plugin"),
    }
    out = subprocess.run(
        [str(OGCTESTS_PYTHON), "-m", "pytest", f"{suite}/features/core", "-p", "ogctests_basic_auth"]
        + ["-p", "no:cacheprovider", "-q", "-rA", "--tb=line", "-W", "ignore"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd="/tmp",
    )
    passed = re.findall(r"^PASSED .*::(test_ast\d+)", out.stdout, re.M)
    failed = re.findall(r"^(?:FAILED|ERROR) .*", out.stdout, re.M)
    assert out.returncode == 0 and not failed, out.stdout[-4000:]
    assert len(passed) >= 29, out.stdout[-4000:]


QGIS_TILES_SCRIPT = r"""
import json, os, sys, base64, urllib.request
from qgis.core import (QgsApplication, QgsVectorTileLayer, QgsAuthMethodConfig, QgsMapSettings,
                       QgsMapRendererSequentialJob, QgsRectangle, QgsCoordinateReferenceSystem,
                       QgsCoordinateTransform, QgsProject)
from qgis.PyQt.QtCore import QSize
app = QgsApplication([], False)
app.initQgis()
base, user, password, lon, lat = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
token = base64.b64encode(f"{user}:{password}".encode()).decode()
req = urllib.request.Request(base + "/tiles/projects.json", headers={"Authorization": "Basic " + token})
tj = json.load(urllib.request.urlopen(req))
auth = QgsApplication.authManager()
auth.setMasterPassword("master-password", True)
cfg = QgsAuthMethodConfig("Basic")
cfg.setName("gisplan")
cfg.setConfig("username", user)
cfg.setConfig("password", password)
auth.storeAuthenticationConfig(cfg)
uri = f"type=xyz&url={tj['tiles'][0]}&zmin={tj['minzoom']}&zmax={tj['maxzoom']}&authcfg={cfg.id()}"
layer = QgsVectorTileLayer(uri, "projects")
out = {"valid": layer.isValid(), "zmin": layer.sourceMinZoom(), "zmax": layer.sourceMaxZoom()}
settings = QgsMapSettings()
settings.setLayers([layer])
merc = QgsCoordinateReferenceSystem("EPSG:3857")
settings.setDestinationCrs(merc)
tr = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), merc, QgsProject.instance())
c = tr.transform(lon, lat)
settings.setExtent(QgsRectangle(c.x() - 300, c.y() - 300, c.x() + 300, c.y() + 300))
settings.setOutputSize(QSize(256, 256))
job = QgsMapRendererSequentialJob(settings)
job.start(); job.waitForFinished()
img = job.renderedImage()
painted = sum(
    1 for x in range(0, 256, 2) for y in range(0, 256, 2)
    if img.pixelColor(x, y).alpha() > 0 and img.pixelColor(x, y).name() != "#ffffff"
)
out["painted"] = painted
print("RESULT " + json.dumps(out), flush=True)
os._exit(0)
"""


@pytest.mark.skipif(not _has_qgis(), reason="python3-qgis (Debian) is not installed; scripts/bootstrap.sh installs it")
def test_qgis_draws_vector_tiles_set_up_from_the_tilejson(shared_live_server, requests_log, tmp_path):
    """QGIS 3.22 cannot open a TileJSON URL itself (its vector tile sources are XYZ, MBTiles and
    ArcGIS): the script reads /tiles/projects.json and opens the XYZ layer it describes (tile URL,
    zoom range) with an HTTP Basic authentication config, then draws a project's surroundings."""
    make_dla_admin("tileuser")
    point = Project.objects.filter(geom__geometry_type_in=("POINT",)).order_by("id").first()
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)}
    env["QGIS_AUTH_DB_DIR_PATH"] = str(tmp_path)
    args = [shared_live_server, "tileuser", PASSWORD, str(point.geom.x), str(point.geom.y)]
    out = subprocess.run(
        [SYSTEM_PYTHON, "-c", QGIS_TILES_SCRIPT, *args], env=env, capture_output=True, text=True, timeout=300
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    assert out.returncode == 0 and lines, out.stderr[-2000:]
    result = json.loads(lines[-1][len("RESULT ") :])
    assert result["valid"] and (result["zmin"], result["zmax"]) == (0, 22)
    assert result["painted"] > 0  # the project's point was drawn
    tiles = [line for line in requests_log if "/tiles/projects/" in line]
    assert any('" 200 ' in line for line in tiles), requests_log  # with the credentials: no 401
    assert not any('" 401 ' in line for line in requests_log)
