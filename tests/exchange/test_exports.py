"""Exports round-trip: every format read back with fiona and pyogrio (and ogrinfo for shapefiles)
gives the same count, geometries and Thai text as the database."""

import base64
import csv
import io
import json
import subprocess
import zipfile
from decimal import Decimal

import fiona
import psycopg
import pyogrio
import pytest
import shapely
from django.contrib.gis.geos import LineString, MultiLineString
from django.core.management import call_command

from exchange.exports import export_to_file, stream_export
from exchange.exports.fields import FIELDS, data_dictionary_rows
from layers.models import Organization
from projects_geo.models import Kind, Project, Subtype
from projects_geo.services import save_project
from tests.factories import PASSWORD, PATONG, PHUKET, make_dla_admin, make_engineer

pytestmark = pytest.mark.django_db

LONG_THAI = "ก่อสร้างถนนคอนกรีตเสริมเหล็ก สายบ้านกมลา – บ้านนาคา ตำบลกมลา อำเภอกะทู้ จังหวัดภูเก็ต"


@pytest.fixture
def projects(db):
    """The ten sample projects plus a two-part road (MultiLineString) with a long Thai name."""
    save_project(
        Project(
            organization=Organization.objects.get(dla_code=PATONG),
            kind=Kind.ROAD,
            subtype=Subtype.CONCRETE_ROAD,
            name=LONG_THAI,
            fiscal_year=2568,
            budget=Decimal("1234567.89"),
            plan_reference="ยุทธศาสตร์ที่ 1",
            geom=MultiLineString(
                LineString((98.296, 7.896), (98.298, 7.894)), LineString((98.299, 7.893), (98.301, 7.891)), srid=4326
            ),
        )
    )
    qs = Project.objects.all()
    expected = {p.pk: (p.name, shapely.from_wkb(bytes(p.geom.wkb))) for p in qs}
    assert len(expected) == 11
    return qs, expected


def _check(features, expected, id_key="project_id", name_key="name"):
    """features: iterable of (properties dict, shapely geometry)."""
    seen = {}
    for props, geom in features:
        seen[int(props[id_key])] = (props[name_key], geom)
    assert set(seen) == set(expected)
    for pk, (name, geom) in expected.items():
        got_name, got_geom = seen[pk]
        assert got_name == name
        assert got_geom.geom_type == geom.geom_type
        assert got_geom.equals_exact(geom, 1e-9), (pk, got_geom.wkt, geom.wkt)


def _fiona_features(path, layer=None, **kw):
    with fiona.open(path, layer=layer, **kw) as src:
        return [(dict(f.properties), shapely.geometry.shape(f.geometry)) for f in src]


def _pyogrio_features(path, layer=None, **kw):
    df = pyogrio.read_dataframe(path, layer=layer, **kw)
    return [(row._asdict(), row.geometry) for row in df.itertuples(index=False)]


def test_geojson_round_trip(projects, tmp_path):
    qs, expected = projects
    path = tmp_path / "p.geojson"
    export_to_file(qs, "geojson", path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc  # RFC 7946: WGS84 lon/lat, no crs member
    assert list(doc["features"][0]["properties"]) == [f.key for f in FIELDS]
    _check(_fiona_features(path), expected)
    _check(_pyogrio_features(path), expected)
    by_id = {f["properties"]["project_id"]: f["properties"] for f in doc["features"]}
    line = next(p for p in by_id.values() if p["name"] == LONG_THAI)
    assert line["budget"] == 1234567.89 and line["lao_code"] == PATONG and line["province_name"] == "ภูเก็ต"
    assert line["length_m"] > 400


def test_geojson_features_are_postgis_own_geojson_of_the_export_row(projects, tmp_path):
    """Our concatenated Features against PostGIS's ``ST_AsGeoJSON(record)`` of the same export rows,
    on text that needs escaping (quotes, backslash, control characters), empty text and missing
    stages."""
    from django.db import connection

    from exchange.exports.query import attributes_sql

    qs, _ = projects
    odd = Project.objects.get(source_ref="sample:6")
    Project.objects.filter(pk=odd.pk).update(
        name='ถนน "คสล." \\ สาย\nใหม่\t\x01', plan_reference="", source_ref='ref "quoted"'
    )
    path = tmp_path / "p.geojson"
    export_to_file(qs, "geojson", path)
    ours = json.loads(path.read_text(encoding="utf-8"))["features"]
    sql, params = attributes_sql(qs, geometry="geom")
    with connection.cursor() as cur:
        cur.execute(f"SELECT ST_AsGeoJSON(t.*, 'geom', 9) FROM ({sql}) t", params)
        reference = [json.loads(r[0]) for r in cur.fetchall()]
    assert len(ours) == len(reference) == 11
    assert ours == reference
    got = next(f["properties"] for f in ours if f["properties"]["project_id"] == odd.pk)
    assert got["name"] == 'ถนน "คสล." \\ สาย\nใหม่\t\x01' and got["plan_reference"] == ""
    assert got["source_ref"] == 'ref "quoted"'


def test_geojson_stream_is_chunked(projects):
    qs, expected = projects
    blocks = list(stream_export(qs, "geojson"))
    # head, one block per chunk of rows, tail: rows are not gathered into one string
    assert len(blocks) >= 3
    assert len(json.loads(b"".join(blocks))["features"]) == len(expected)


def test_stage_attributes_match_database(projects, tmp_path):
    qs, _ = projects
    path = tmp_path / "p.geojson"
    export_to_file(qs, "geojson", path)
    props = {f["properties"]["source_ref"]: f["properties"] for f in json.loads(path.read_text())["features"]}
    p = Project.objects.get(source_ref="sample:6")
    stages = {s.stage: s for s in p.stages.all()}
    got = props["sample:6"]
    assert got["current_stage"] == p.current_stage
    for n in range(1, 7):
        s = stages.get(n)
        assert got[f"stage{n}_date"] == (s.date.isoformat() if s else None)
        assert got[f"stage{n}_amount"] == (float(s.amount) if s and s.amount is not None else None)


@pytest.mark.parametrize("encoding,cpg", [("utf-8", "UTF-8"), ("cp874", "CP874")])
def test_shapefile_round_trip(projects, tmp_path, encoding, cpg):
    qs, expected = projects
    zpath = tmp_path / "p.zip"
    export_to_file(qs, "shp", zpath, encoding=encoding)
    with zipfile.ZipFile(zpath) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "x")
    for fam in ("points", "lines"):
        assert {f"projects_{fam}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} <= names
        assert (tmp_path / "x" / f"projects_{fam}.cpg").read_text() == cpg
        assert "WGS_1984" in (tmp_path / "x" / f"projects_{fam}.prj").read_text()
    assert "data_dictionary.csv" in names
    # Thai text really stored in the declared encoding
    dbf = (tmp_path / "x" / "projects_lines.dbf").read_bytes()
    assert LONG_THAI[:20].encode(encoding) in dbf
    for reader in (_fiona_features, _pyogrio_features):
        feats = []
        for fam in ("points", "lines"):
            feats += reader(str(tmp_path / "x" / f"projects_{fam}.shp"))
        _check(feats, expected, id_key="proj_id")
    # GDAL's own command-line reader (Debian GDAL) agrees on count and Thai text
    for fam in ("points", "lines"):
        out = subprocess.run(
            ["ogrinfo", "-ro", "-al", "-q", str(tmp_path / "x" / f"projects_{fam}.shp")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        want = [n for pk, (n, g) in expected.items() if (g.geom_type == "Point") == (fam == "points")]
        assert out.count("OGRFeature(") == len(want)
        for n in want:
            assert f"name (String) = {n}" in out


@pytest.mark.parametrize("encoding", ["utf-8", "cp874"])
def test_shapefile_fields_are_as_wide_as_their_values(projects, tmp_path, encoding):
    """Code and label columns start at their own width (``ExportField.width``), not GDAL's 80
    bytes; a longer value (the long Thai name) still widens its field and is kept whole."""
    qs, _ = projects
    zpath = tmp_path / "p.zip"
    export_to_file(qs, "shp", zpath, encoding=encoding)
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(tmp_path / "x")
    widths = {
        "lao_code": 7,
        "prov_code": 2,
        "amp_code": 4,
        "tam_code": 6,
        "kind": 5,
        "kind_th": len("แหล่งน้ำ".encode()),
    }
    assert {f.shp: f.width for f in FIELDS if f.shp in widths} == widths
    for fam in ("points", "lines"):
        with fiona.open(tmp_path / "x" / f"projects_{fam}.shp") as src:
            schema = src.schema["properties"]
            for name, width in widths.items():
                assert schema[name] == f"str:{width}", (fam, name, schema[name])
            if fam == "lines":
                assert int(schema["name"].split(":")[1]) >= len(LONG_THAI.encode(encoding))
                assert LONG_THAI in [f.properties["name"] for f in src]


def test_field_mapping_and_dictionary_agree(projects, tmp_path):
    qs, _ = projects
    zpath = tmp_path / "p.zip"
    export_to_file(qs, "shp", zpath)
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(tmp_path / "x")
        text = zf.read("data_dictionary.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["shapefile_field", "field", "type", "meaning_th", "meaning_en"]
    assert rows[1:] == data_dictionary_rows()
    dbf_fields = list(pyogrio.read_info(str(tmp_path / "x" / "projects_points.shp"))["fields"])
    assert dbf_fields == [r[0] for r in rows[1:]]
    assert all(len(r[0].encode("ascii")) <= 10 and r[3] and r[4] for r in rows[1:])
    assert [r[1] for r in rows[1:]] == [f.key for f in FIELDS]


def test_geopackage_round_trip(projects, tmp_path):
    qs, expected = projects
    path = tmp_path / "p.gpkg"
    export_to_file(qs, "gpkg", path)
    assert sorted(pyogrio.list_layers(path)[:, 0]) == ["photos", "projects_lines", "projects_points"]
    for reader in (_fiona_features, _pyogrio_features):
        feats = reader(str(path), layer="projects_points") + reader(str(path), layer="projects_lines")
        _check(feats, expected)


def test_csv_round_trip(projects, tmp_path):
    qs, expected = projects
    path = tmp_path / "p.csv"
    export_to_file(qs, "csv", path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows the Thai
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    for r in rows:
        g = shapely.from_wkt(r["wkt"])
        if g.geom_type == "Point":
            assert float(r["lat"]) == pytest.approx(g.y) and float(r["lon"]) == pytest.approx(g.x)
        else:
            assert r["lat"] == r["lon"] == ""
    opts = {"GEOM_POSSIBLE_NAMES": "wkt", "KEEP_GEOM_COLUMNS": "NO"}
    _check(_pyogrio_features(str(path), **opts), expected)
    _check(_fiona_features(str(path), **opts), expected)


def test_kml_round_trip(projects, tmp_path):
    qs, expected = projects
    path = tmp_path / "p.kml"
    export_to_file(qs, "kml", path)
    # LIBKML reads the ExtendedData/SchemaData attributes (the plain KML driver only name/description)
    # fiona's GDAL has only the plain KML driver (Name/Description): placemarks come in project-id order
    feats = _fiona_features(str(path), allow_unsupported_drivers=True)
    _check(
        [({"project_id": pk, "name": props["Name"]}, g) for pk, (props, g) in zip(sorted(expected), feats)], expected
    )
    _check(_pyogrio_features(str(path), driver="LIBKML"), expected, name_key="Name")


def test_export_api_limits_to_visible_projects_and_filters(projects, client):
    user = make_engineer(PATONG, "eng_patong")
    client.force_login(user)
    resp = client.get("/api/projects/export/", {"format": "geojson"})
    assert resp.status_code == 200 and resp.streaming
    feats = json.loads(b"".join(resp.streaming_content))["features"]
    assert feats and {f["properties"]["lao_code"] for f in feats} == {PATONG}
    assert len(feats) == Project.objects.filter(organization__dla_code=PATONG).count()
    resp = client.get("/api/projects/export/", {"format": "geojson", "fiscal_year": "2567"})
    feats = json.loads(b"".join(resp.streaming_content))["features"]
    assert {f["properties"]["fiscal_year"] for f in feats} <= {2567}
    resp = client.get("/api/projects/export/", {"format": "shp", "encoding": "cp874"})
    assert resp["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content))).read("projects_lines.cpg") == b"CP874"


def test_export_api_rejects_bad_input(projects, client):
    client.force_login(make_dla_admin())
    resp = client.get("/api/projects/export/", {"format": "dwg"})
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "format"
    assert resp.json()["errors"][0]["message_th"] != resp.json()["errors"][0]["message_en"]
    assert client.get("/api/projects/export/", {"format": "shp", "encoding": "latin-9"}).status_code == 400
    assert client.get("/api/projects/export/", {"format": "csv", "fiscal_year": "abc"}).status_code == 400
    client.logout()
    resp = client.get("/api/projects/export/", {"format": "csv"})
    assert resp.status_code == 401 and resp["WWW-Authenticate"].startswith("Basic")
    assert resp.json()["errors"][0]["message_th"]
    wrong = "Basic " + base64.b64encode(b"dla:wrong").decode()
    assert client.get("/api/projects/export/", {"format": "csv"}, HTTP_AUTHORIZATION=wrong).status_code == 401


def test_export_api_takes_http_basic_credentials(projects, client):
    """Scripts download as the rest of the API is read: ``curl -u user:password``; what they get
    is what that user may see."""
    make_engineer(PATONG, "eng_patong")
    auth = "Basic " + base64.b64encode(f"eng_patong:{PASSWORD}".encode()).decode()
    resp = client.get("/api/projects/export/", {"format": "geojson"}, HTTP_AUTHORIZATION=auth)
    assert resp.status_code == 200
    feats = json.loads(b"".join(resp.streaming_content))["features"]
    assert {f["properties"]["lao_code"] for f in feats} == {PATONG}
    assert len(feats) == Project.objects.filter(organization__dla_code=PATONG).count()


def test_export_command_with_filter(projects, tmp_path):
    out = tmp_path / "p.geojson"
    call_command("export_projects", "--format", "geojson", "--lao", PATONG, "-o", str(out), verbosity=0)
    feats = json.loads(out.read_text())["features"]
    assert len(feats) == Project.objects.filter(organization__dla_code=PATONG).count() > 0


def test_export_links_snippet_keeps_the_filters(rf):
    from django.template.loader import render_to_string

    html = render_to_string("exchange/_export_links.html", {"query": "fiscal_year=2568&province=83"})
    assert "/api/projects/export/?format=shp&amp;encoding=cp874&amp;fiscal_year=2568&amp;province=83" in html
    assert "/api/projects/export/?format=geojson&amp;fiscal_year=2568&amp;province=83" in html


def test_every_format_offered_on_the_pages_downloads(client):
    """The analysts' map and the LAO list offer exactly the export formats, and each one downloads."""
    import re

    client.force_login(make_dla_admin("dla-formats"))
    analysis = client.get("/analysis/").content.decode()
    offered = re.findall(r'<option value="([a-z]+)">', analysis.split('id="export-format"')[1].split("</select>")[0])
    assert sorted(offered) == sorted(["shp", "geojson", "gpkg", "csv", "kml"])
    for fmt in offered:
        response = client.get("/api/projects/export/", {"format": fmt, "province": PHUKET})
        assert response.status_code == 200, fmt
        assert b"".join(response.streaming_content)


def _series_sql(n):
    return f"SELECT g, repeat('ถนน', g %% 7) FROM generate_series(1, {n}) g ORDER BY g", ()


@pytest.mark.parametrize("prefetch", [False, True])
def test_chunks_fetched_ahead_are_the_rows_in_order(db, prefetch):
    """The exports read the next chunk in a thread while they write this one: the same rows, in
    order, in chunks of the asked size, as without."""
    from exchange.exports.query import iter_chunks

    chunks = list(iter_chunks(*_series_sql(2_345), chunk=500, prefetch=prefetch))
    assert [len(c) for c in chunks] == [500, 500, 500, 500, 345]
    assert [r for c in chunks for r in c] == [(g, "ถนน" * (g % 7)) for g in range(1, 2_346)]


def test_chunks_fetched_ahead_stop_cleanly_when_the_reader_stops(db):
    """A download abandoned half way (the generator is closed): the fetching thread ends, the
    cursor and its transaction close, and the connection answers the next query."""
    import threading

    from django.db import connection

    from exchange.exports.query import iter_chunks

    it = iter_chunks(*_series_sql(50_000), chunk=100, prefetch=True)
    assert len(next(it)) == 100
    it.close()
    assert not [t for t in threading.enumerate() if t.name == "gisplan-export-fetch"]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_cursors")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT 41 + 1")
        assert cur.fetchone()[0] == 42


def test_chunks_fetched_ahead_raise_a_database_error_from_the_server(db):
    """An error the server meets after the first chunks (here a division by zero at row 1,201)
    reaches the reader as Django's database error after the rows before it; nothing hangs."""
    import threading

    from django.db import DatabaseError, connection, transaction

    from exchange.exports.query import iter_chunks

    sql = "SELECT g, 1 / (1201 - g) FROM generate_series(1, 5000) g"
    got = []
    with pytest.raises(DatabaseError, match="division by zero"):
        with transaction.atomic():
            for chunk in iter_chunks(sql, (), chunk=500, prefetch=True):
                got.extend(chunk)
    assert len(got) == 1000  # the two whole chunks before the failing row
    assert not [t for t in threading.enumerate() if t.name == "gisplan-export-fetch"]
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone()[0] == 1


# --- GeoJSON read on several connections in one snapshot ------------------------------------------
# A test runs inside a savepoint of its case's transaction, where PostgreSQL exports no snapshot;
# these exports run on a thread of their own instead, with its own connection outside the test's
# transaction — as a web request or the command runs them — reading the sample (committed).


def _own_thread(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a thread of its own (its own connection); its value or exception."""
    import threading

    from django.db import connections

    out = {}

    def run():
        try:
            out["value"] = fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 — re-raised in the test
            out["error"] = e
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.fixture
def parallel_reads(monkeypatch):
    """The number of id ranges of each export read on extra connections (the real reader runs)."""
    from exchange.exports import query

    made = []
    real = query._ParallelRead.chunks

    def chunks(self):
        made.append(len(self.ranges))
        yield from real(self)

    monkeypatch.setattr(query._ParallelRead, "chunks", chunks)
    return made


def _geojson(qs, chunk=3):
    from exchange.exports.geojson import stream_geojson

    return b"".join(stream_geojson(qs, chunk=chunk))


def _export_threads():
    import threading

    return [
        t for t in threading.enumerate() if t.name in ("gisplan-export-read", "gisplan-export-fetch") and t.is_alive()
    ]


def test_geojson_on_two_connections_is_the_one_connection_file(db, settings, parallel_reads):
    """The sample's projects in id ranges of 3 rows read on two connections: byte for byte the
    file one cursor gives, also through a spatial and an attribute filter (their parameters are
    bound here, for the other connections)."""
    from django.contrib.gis.geos import Polygon

    everything = Project.objects.all()
    phuket = Project.objects.filter(
        geom__intersects=Polygon.from_bbox((98.2, 7.7, 98.5, 8.2)), kind__in=["water", "road"]
    )
    n, m = everything.count(), phuket.count()
    assert n >= 7 and 3 < m < n
    for qs in (everything, phuket):
        settings.GISPLAN_EXPORT_CONNECTIONS = 2
        two = _own_thread(_geojson, qs)
        settings.GISPLAN_EXPORT_CONNECTIONS = 1
        one = _own_thread(_geojson, qs)
        assert two == one
        assert len(json.loads(two)["features"]) == qs.count()
    assert parallel_reads == [-(-n // 3), -(-m // 3)]
    assert not _export_threads()


def test_geojson_on_two_connections_reads_one_snapshot(db, monkeypatch, parallel_reads):
    """A change someone else commits after the export has begun is not in it, though the other
    connections start their transactions after it: they read the snapshot the export took."""
    from common import dbconn
    from exchange.exports import query

    last = Project.objects.order_by("-id").first()
    # Someone else: another process's connection, not one of this process's extra connections.
    other = psycopg.connect(**dbconn.connection_args().params, autocommit=True)
    real_connect = query._ParallelRead.connect

    def connect_then_change(self):  # the snapshot is taken; the workers have not begun
        ok = real_connect(self)
        other.execute("UPDATE projects_geo_project SET name = name || ' (changed)' WHERE id = %s", [last.pk])
        return ok

    monkeypatch.setattr(query._ParallelRead, "connect", connect_then_change)
    try:
        doc = json.loads(_own_thread(lambda: _geojson(Project.objects.all(), chunk=2)))
        changed = other.execute("SELECT name FROM projects_geo_project WHERE id = %s", [last.pk]).fetchone()[0]
    finally:
        other.execute("UPDATE projects_geo_project SET name = %s WHERE id = %s", [last.name, last.pk])
        other.close()
    assert changed == last.name + " (changed)"  # committed before any worker read
    names = {f["properties"]["project_id"]: f["properties"]["name"] for f in doc["features"]}
    assert names[last.pk] == last.name
    assert parallel_reads and not _export_threads()


def test_geojson_after_its_transaction_wrote_reads_on_its_own_connection(db, parallel_reads):
    """The other connections would not see the transaction's own writes: an export after a write
    in the same transaction reads one cursor, and the written change is in it."""
    from django.db import transaction

    last = Project.objects.order_by("-id").first()

    class Undo(Exception):
        pass

    def export():
        try:
            with transaction.atomic():
                Project.objects.filter(pk=last.pk).update(name="แก้ไขแล้ว ยังไม่ commit")
                out = _geojson(Project.objects.all())
                raise Undo(out)
        except Undo as u:
            return u.args[0]

    names = {
        f["properties"]["project_id"]: f["properties"]["name"] for f in json.loads(_own_thread(export))["features"]
    }
    assert names[last.pk] == "แก้ไขแล้ว ยังไม่ commit"
    assert parallel_reads == []
    assert Project.objects.get(pk=last.pk).name == last.name  # rolled back


def test_geojson_on_two_connections_stops_cleanly_when_abandoned(db, parallel_reads):
    """A download closed half way: the workers' queries are cancelled, their threads end and
    their connections close."""
    from common import dbconn
    from exchange.exports.geojson import stream_geojson

    def export():
        it = stream_geojson(Project.objects.all(), chunk=1)
        next(it), next(it)
        it.close()

    _own_thread(export)
    assert parallel_reads and not _export_threads()
    with dbconn.connect(dbconn.connection_args()) as other:
        busy = other.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND query LIKE '%ST_AsGeoJSON%' AND state <> 'idle'"
        ).fetchone()[0]
    assert busy == 0


def test_export_worker_error_is_a_django_error(db, parallel_reads):
    """A query failing on another connection (a division by zero in the last range) reaches the
    reader as Django's database error, after the ranges before it."""
    from django.db import DatabaseError

    from exchange.exports.query import RANGE_HI, RANGE_LO, iter_export_chunks

    ids = list(Project.objects.order_by("id").values_list("id", flat=True))
    bad = ids[-1]

    def build(qs, ranged):
        where = f" WHERE id >= {RANGE_LO} AND id < {RANGE_HI}" if ranged else ""
        return f"SELECT id, 1 / (id - {bad}) FROM projects_geo_project{where} ORDER BY id", ()

    got = []

    def export():
        for chunk in iter_export_chunks(build, Project.objects.all(), chunk=2):
            got.extend(r[0] for r in chunk)

    with pytest.raises(DatabaseError, match="division by zero"):
        _own_thread(export)
    assert got == ids[: (len(ids) - 1) // 2 * 2]  # every whole range before the failing one
    assert parallel_reads and not _export_threads()


def test_export_without_extra_connections_reads_on_its_own(db, monkeypatch, caplog, parallel_reads):
    """The server refuses the extra connections: a warning, and the same file from one cursor."""
    import psycopg

    from common import dbconn

    expected = _own_thread(lambda: _geojson(Project.objects.all()))
    assert parallel_reads

    def refuse(args):
        raise psycopg.OperationalError("sorry, too many clients already")

    monkeypatch.setattr(dbconn, "connect", refuse)
    parallel_reads.clear()
    with caplog.at_level("WARNING", logger="exchange.exports.query"):
        assert _own_thread(lambda: _geojson(Project.objects.all())) == expected
    assert parallel_reads == []
    assert "too many clients" in caplog.text


def test_geojson_download_reads_on_two_connections_in_a_request(db, monkeypatch, parallel_reads):
    """The export endpoint, as a web request runs it (its own connection, no test transaction
    around it): a signed-in download of GeoJSON is read on two connections (ranges of 2 projects
    here) and holds every project of the selection, in order."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.test import Client

    from exchange.exports import query

    monkeypatch.setattr(query, "CHUNK", 2)
    expected = list(Project.objects.filter(kind="road").order_by("id").values_list("id", flat=True))
    assert len(expected) >= 3

    def download():
        user = get_user_model().objects.create_superuser("export-parallel-test", password="x-export-test-1")
        client = Client()
        try:
            client.force_login(user)
            response = client.get("/api/projects/export/", {"format": "geojson", "kind": "road"})
            return response.status_code, response["Content-Type"], b"".join(response.streaming_content)
        finally:  # this thread's rows are committed: remove them
            Session.objects.filter(session_key=client.session.session_key).delete()
            user.delete()

    status, content_type, body = _own_thread(download)
    assert (status, content_type) == (200, "application/geo+json")
    assert [f["properties"]["project_id"] for f in json.loads(body)["features"]] == expected
    assert parallel_reads == [-(-len(expected) // 2)]
    assert not get_user_model().objects.filter(username="export-parallel-test").exists()


# --- An empty selection: every format a valid file with no feature --------------------------------


def _empty_checks(fmt, path):
    """Reads back the export of an empty selection in format ``fmt``; fails unless it is valid."""
    if fmt == "geojson":
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc == {"type": "FeatureCollection", "features": []}
        assert pyogrio.read_info(str(path))["features"] == 0
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
        assert rows == [[f.key for f in FIELDS] + ["wkt", "lat", "lon", "geometry_type"]]
    elif fmt == "kml":
        import xml.etree.ElementTree as ET

        root = ET.parse(path).getroot()  # well-formed KML 2.2, a Document without placemarks
        assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
        assert root.find("{http://www.opengis.net/kml/2.2}Document") is not None
        assert "<Placemark>" not in path.read_text(encoding="utf-8")
        assert len(pyogrio.list_layers(str(path))) == 0  # GDAL opens it: no layer, no feature
    elif fmt == "gpkg":
        layers = dict(pyogrio.list_layers(str(path)))
        assert layers == {"projects_points": "Point", "projects_lines": "LineString", "photos": "Point"}
        assert pyogrio.read_info(str(path), layer="photos")["features"] == 0
        del layers["photos"]
        for layer in layers:
            info = pyogrio.read_info(str(path), layer=layer)
            assert info["features"] == 0 and info["crs"] == "EPSG:4326"
            assert list(info["fields"]) == [f.key for f in FIELDS]
    else:  # shp
        with zipfile.ZipFile(path) as zf:
            zf.extractall(path.parent / "x")
        for fam, gtype in (("points", "Point"), ("lines", "LineString")):
            info = pyogrio.read_info(str(path.parent / "x" / f"projects_{fam}.shp"))
            assert info["features"] == 0 and info["geometry_type"] == gtype
            assert list(info["fields"]) == [f.shp for f in FIELDS]
        assert (path.parent / "x" / "data_dictionary.csv").exists()


@pytest.mark.parametrize("fmt", ["geojson", "shp", "gpkg", "csv", "kml"])
def test_an_empty_selection_is_a_valid_empty_file(db, tmp_path, fmt):
    """Nothing selected (a fiscal year without projects): the file is still a valid one of its
    format, with the layers' schema and no feature (the GeoPackage used to fail: no file made)."""
    from exchange.exports import FORMATS

    path = tmp_path / f"empty.{FORMATS[fmt].extension}"
    export_to_file(Project.objects.filter(fiscal_year=2599), fmt, path)
    _empty_checks(fmt, path)
    assert not list(tmp_path.glob("*.part*"))


@pytest.mark.parametrize("fmt", ["geojson", "shp", "gpkg", "csv", "kml"])
def test_export_api_of_an_empty_selection_answers_an_empty_file(client, tmp_path, fmt):
    """The probe's ``?format=gpkg&fiscal_year=2599``: a 200 with a valid empty file, in every format."""
    from exchange.exports import FORMATS

    client.force_login(make_dla_admin("dla-empty"))
    response = client.get("/api/projects/export/", {"format": fmt, "fiscal_year": "2599"})
    assert response.status_code == 200
    path = tmp_path / f"empty.{FORMATS[fmt].extension}"
    path.write_bytes(b"".join(response.streaming_content))
    _empty_checks(fmt, path)


def test_a_selection_of_points_only_still_has_the_lines_layer(db, tmp_path):
    """The layers do not depend on what the selection holds: points only, an empty lines layer."""
    points = Project.objects.filter(kind=Kind.WATER).exclude(subtype__in=["canal_dredging", "water_pipeline"])
    assert points.exists()
    path = tmp_path / "p.gpkg"
    export_to_file(points, "gpkg", path)
    assert pyogrio.read_info(str(path), layer="projects_lines")["features"] == 0
    assert pyogrio.read_info(str(path), layer="projects_points")["features"] == points.count()
