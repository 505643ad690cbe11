"""Imports: every format from small files made here, the mapping guesses, re-import without
duplicates, and every kind of bad input refused with a Thai + English message and nothing written."""

import csv
import io
import json
import zipfile
from decimal import Decimal

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.core.management import CommandError, call_command

from exchange import imports
from layers.models import Organization
from projects_geo.models import Project, ProjectTambon
from tests.factories import PATONG, PHUKET, TAMBON_PATONG

pytestmark = pytest.mark.django_db

# Points and a line inside Patong (tambon 830202)
P1 = (98.2960, 7.8960)
P2 = (98.3000, 7.8900)
LINE = [(98.2985, 7.8985), (98.3003, 7.8930), (98.3010, 7.8880)]


@pytest.fixture
def org(db):
    return Organization.objects.get(dla_code=PATONG)


def run(path, *args, **kw):
    out = io.StringIO()
    call_command("import_projects", str(path), "--lao", PATONG, *args, stdout=out, stderr=io.StringIO(), **kw)
    return out.getvalue()


def refused(path, *args, code=None, **kw):
    """The import is refused with a message and writes nothing."""
    before = Project.objects.count(), ProjectTambon.objects.count()
    with pytest.raises(CommandError) as exc:
        run(path, *args, **kw)
    assert (Project.objects.count(), ProjectTambon.objects.count()) == before
    return str(exc.value)


def write_geojson(path, features):
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8"
    )
    return path


def feature(geom, **props):
    return {"type": "Feature", "geometry": geom, "properties": props}


def write_shapefile_zip(path, geoms, records, *, crs="EPSG:4326", encoding="UTF-8", drop=(), geometry_type="Point"):
    d = path.parent / (path.stem + "_parts")
    d.mkdir()
    fields = list(records[0])
    pyogrio.raw.write(
        str(d / "data.shp"),
        np.array(shapely.to_wkb(geoms), dtype=object),
        [np.array([r[f] for r in records], dtype=object) for f in fields],
        fields,
        driver="ESRI Shapefile",
        geometry_type=geometry_type,
        crs=crs,
        encoding=encoding,
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in d.iterdir():
            if p.suffix not in drop:
                zf.write(p, p.name)
    return path


def test_geojson_import_and_reimport_creates_no_duplicates(org, tmp_path):
    path = write_geojson(
        tmp_path / "p.geojson",
        [
            feature(
                {"type": "Point", "coordinates": list(P1)},
                id="W1",
                ชื่อโครงการ="ขุดสระน้ำหมู่ 1",
                ปีงบประมาณ=2568,
                งบประมาณ="250,000",
                ประเภท="แหล่งน้ำ",
                ลักษณะ="สระน้ำ",
            ),
            feature(
                {"type": "LineString", "coordinates": [list(c) for c in LINE]},
                id="R1",
                ชื่อโครงการ="ถนน คสล. ซอยทดสอบ",
                ปีงบประมาณ=2568,
                งบประมาณ=1500000,
                ประเภท="ถนน",
                ลักษณะ="concrete_road",
            ),
        ],
    )
    before = Project.objects.count()
    out = run(path)
    assert "created 2" in out
    assert Project.objects.count() == before + 2
    pond = Project.objects.get(organization=org, source_ref="W1")
    assert pond.name == "ขุดสระน้ำหมู่ 1" and pond.kind == "water" and pond.subtype == "pond"
    assert pond.budget == Decimal("250000.00") and pond.fiscal_year == 2568
    assert pond.tambon.code == TAMBON_PATONG and pond.province.code == PHUKET
    road = Project.objects.get(organization=org, source_ref="R1")
    assert road.length_m == pytest.approx(1200, rel=0.05)
    assert ProjectTambon.objects.filter(project=road).exists()
    # the same file again: nothing new
    out = run(path)
    assert "created 0, updated 0, unchanged 2" in out
    assert Project.objects.count() == before + 2
    # a corrected budget updates the matched project in place
    data = json.loads(path.read_text())
    data["features"][0]["properties"]["งบประมาณ"] = "260000"
    path.write_text(json.dumps(data, ensure_ascii=False))
    assert "created 0, updated 1, unchanged 1" in run(path)
    pond.refresh_from_db()
    assert pond.budget == Decimal("260000.00")
    # the set-based commit keeps the project's history and version like a save through the ORM
    assert pond.version == 2
    assert list(pond.history.order_by("history_id").values_list("history_type", "budget", "history_change_reason")) == [
        ("+", Decimal("250000.00"), "import"),
        ("~", Decimal("260000.00"), "import"),
    ]
    assert road.history.count() == 1


def test_reference_of_a_deleted_project_is_refused(org, tmp_path):
    from projects_geo.deletion import soft_delete_project

    path = write_geojson(
        tmp_path / "p.geojson",
        [
            feature(
                {"type": "Point", "coordinates": list(P1)},
                id="D1",
                name="บ่อ",
                fy=2568,
                budget=1,
                kind="water",
                subtype="well",
            ),
        ],
    )
    run(path)
    project = Project.objects.get(organization=org, source_ref="D1")
    soft_delete_project(project, user=None)
    report = tmp_path / "r.csv"
    assert "1 rows have errors" in refused(path, "--report", str(report))
    line = next(csv.DictReader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    assert (
        line["code"] == "deleted_project"
        and str(project.pk) in line["message_en"]
        and line["message_th"] != line["message_en"]
    )


def test_rows_without_id_are_matched_by_content_hash(org, tmp_path):
    path = write_geojson(
        tmp_path / "p.geojson",
        [
            feature(
                {"type": "Point", "coordinates": list(P1)},
                name="บ่อบาดาล ม.2",
                fy=2567,
                budget=480000,
                kind="water",
                subtype="well",
            ),
        ],
    )
    run(path)
    before = Project.objects.count()
    assert "unchanged 1" in run(path)
    assert Project.objects.count() == before
    assert Project.objects.get(organization=org, name="บ่อบาดาล ม.2").source_ref.startswith("sha1:")


def test_gpx_waypoints_tracks_routes(org, tmp_path):
    pts = "".join(f'<trkpt lat="{y}" lon="{x}"/>' for x, y in LINE)
    rpts = "".join(f'<rtept lat="{y}" lon="{x}"/>' for x, y in LINE[:2])
    path = tmp_path / "survey.gpx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f'<wpt lat="{P1[1]}" lon="{P1[0]}"><name>จุดวางท่อ</name></wpt>'
        f"<rte><name>แนวท่อส่งน้ำ</name>{rpts}</rte>"
        f"<trk><name>ถนนสายใหม่</name><trkseg>{pts}</trkseg></trk></gpx>",
        encoding="utf-8",
    )
    table = imports.read_source(path)
    assert [g.geom_type for g in table.geometries] == ["Point", "LineString", "LineString"]
    out = run(path, "--kind", "water", "--subtype", "water_pipeline", "--fiscal-year", "2568", "--budget", "0")
    assert "created 3" in out
    names = set(
        Project.objects.filter(organization=org, fiscal_year=2568, subtype="water_pipeline").values_list(
            "name", flat=True
        )
    )
    assert {"จุดวางท่อ", "แนวท่อส่งน้ำ", "ถนนสายใหม่"} <= names


def test_kml_import(org, tmp_path):
    path = tmp_path / "p.kml"
    coords = " ".join(f"{x},{y},0" for x, y in LINE)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        '<Placemark><name>ถนนลาดยางสายเขา</name><ExtendedData><Data name="fy"><value>2569</value></Data>'
        '<Data name="budget"><value>900000</value></Data></ExtendedData>'
        f"<LineString><coordinates>{coords}</coordinates></LineString></Placemark></Document></kml>",
        encoding="utf-8",
    )
    assert "created 1" in run(path, "--kind", "road", "--subtype", "asphalt_road")
    p = Project.objects.get(organization=org, name="ถนนลาดยางสายเขา")
    assert p.fiscal_year == 2569 and p.budget == 900000 and p.geom.geom_type == "LineString"


def test_shapefile_utm_cp874(org, tmp_path):
    from pyproj import Transformer

    to_utm = Transformer.from_crs(4326, 32647, always_xy=True)
    e, n = to_utm.transform(*P2)
    recs = [
        {
            "ref": "S1",
            "name": "ก่อสร้างฝายชะลอน้ำ บ้านนาใน",
            "fy": 2568,
            "budget": 350000.0,
            "kind": "water",
            "subtype": "check_dam",
        }
    ]
    path = write_shapefile_zip(tmp_path / "dam.zip", [shapely.Point(e, n)], recs, crs="EPSG:32647", encoding="CP874")
    with zipfile.ZipFile(path) as zf:
        assert zf.read("data.cpg") == b"CP874"
        assert "ฝายชะลอน้ำ".encode("cp874") in zf.read("data.dbf")
    assert "created 1" in run(path)
    p = Project.objects.get(organization=org, source_ref="S1")
    assert p.name == recs[0]["name"]
    assert p.geom.x == pytest.approx(P2[0], abs=1e-7) and p.geom.y == pytest.approx(P2[1], abs=1e-7)


def test_shapefile_without_cpg_or_prj(org, tmp_path):
    recs = [
        {
            "ref": "S2",
            "name": "ขุดลอกคลองบางลา",
            "fy": 2568,
            "budget": 100.0,
            "kind": "water",
            "subtype": "canal_dredging",
        }
    ]
    path = write_shapefile_zip(tmp_path / "a.zip", [shapely.Point(*P1)], recs, encoding="CP874", drop={".cpg", ".prj"})
    # no .prj: the CRS is asked for
    msg = refused(path, "--encoding", "cp874")
    assert "coordinate reference system" in msg and "EPSG" in msg
    # no .cpg, not UTF-8: undecodable, the encoding is asked for
    msg = refused(path, "--crs", "EPSG:4326")
    assert "encoding" in msg and "cp874" in msg
    assert "created 1" in run(path, "--crs", "EPSG:4326", "--encoding", "cp874")
    assert Project.objects.get(organization=org, source_ref="S2").name == "ขุดลอกคลองบางลา"


def test_csv_latlon_thai_headers_with_bom(org, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(
        (
            "\ufeffรหัสโครงการ,ชื่อโครงการ,ประเภท,ลักษณะโครงการ,ปีงบประมาณ,งบประมาณ (บาท),ละติจูด,ลองจิจูด\n"
            f'C1,ก่อสร้างระบบประปาหมู่ 4,แหล่งน้ำ,ระบบประปาหมู่บ้าน,2568,"120,000",{P1[1]},{P1[0]}\n'
        ).encode()
    )
    table = imports.read_source(path)
    m = imports.guess_mapping(table.columns, has_geometry=False)
    assert m == {
        "ref": "รหัสโครงการ",
        "name": "ชื่อโครงการ",
        "kind": "ประเภท",
        "subtype": "ลักษณะโครงการ",
        "fiscal_year": "ปีงบประมาณ",
        "budget": "งบประมาณ (บาท)",
        "lat": "ละติจูด",
        "lon": "ลองจิจูด",
    }
    assert "created 1" in run(path)
    p = Project.objects.get(organization=org, source_ref="C1")
    assert p.subtype == "water_supply" and p.budget == 120000 and p.geom.coords == pytest.approx(P1)


def test_csv_utm_indian1975_and_wkt(org, tmp_path):
    from projects_geo import coords

    # the UTM numbers on Indian 1975 that EPSG:1812 (the transformation of typed coordinates) maps to P2
    e, n = coords.lonlat_to_utm(*P2, 47, coords.INDIAN_1975)
    path = tmp_path / "utm.csv"
    path.write_text(
        "id;name;kind;subtype;fy;budget;E;N;zone;datum\n"
        f"U1;บ่อบาดาล UTM;water;well;2568;1;{e:.2f};{n:.2f};47N;Indian 1975\n",
        encoding="utf-8",
    )
    assert "created 1" in run(path)
    p = Project.objects.get(organization=org, source_ref="U1")
    assert p.geom.x == pytest.approx(P2[0], abs=1e-5) and p.geom.y == pytest.approx(P2[1], abs=1e-5)
    wkt = "LINESTRING(" + ",".join(f"{x} {y}" for x, y in LINE) + ")"
    path = tmp_path / "wkt.csv"
    path.write_text(
        f'id,name,kind,subtype,fy,budget,wkt\nL1,ถนนจาก WKT,road,gravel_road,2568,5,"{wkt}"\n', encoding="utf-8"
    )
    assert "created 1" in run(path)
    assert Project.objects.get(organization=org, source_ref="L1").geom.num_points == 3


def test_xlsx(org, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ลำดับ", "ชื่อโครงการ", "ประเภท", "ลักษณะ", "ปีงบ", "วงเงิน", "lat", "lon"])
    ws.append([1, "ก่อสร้างประปาหมู่บ้าน", "แหล่งน้ำ", "water_supply", 2569, 2500000, P1[1], P1[0]])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    assert "created 1" in run(path)
    p = Project.objects.get(organization=org, source_ref="1")
    assert p.name == "ก่อสร้างประปาหมู่บ้าน" and p.fiscal_year == 2569 and p.budget == 2500000


def test_dry_run_report_and_row_errors(org, tmp_path):
    path = write_geojson(
        tmp_path / "p.geojson",
        [
            feature(
                {"type": "Point", "coordinates": list(P1)},
                id="A",
                name="ดี",
                fy=2568,
                budget=1,
                kind="water",
                subtype="well",
            ),
            feature(
                {"type": "Point", "coordinates": list(P2)},
                id="B",
                name="ปีผิด",
                fy=2024,
                budget=1,
                kind="water",
                subtype="well",
            ),
            feature(
                {"type": "Polygon", "coordinates": [[[98.29, 7.89], [98.30, 7.89], [98.30, 7.90], [98.29, 7.89]]]},
                id="C",
                name="รูปหลายเหลี่ยม",
                fy=2568,
                budget=1,
                kind="water",
                subtype="pond",
            ),
            feature(None, id="D", name="ไม่มีพิกัด", fy=2568, budget=1, kind="water", subtype="pond"),
            feature(
                {"type": "Point", "coordinates": list(P2)},
                id="E",
                name="ผิดประเภท",
                fy=2568,
                budget=-5,
                kind="road",
                subtype="well",
            ),
        ],
    )
    report = tmp_path / "r.csv"
    msg = refused(path, "--dry-run", "--report", str(report))
    assert "3 rows have errors" in msg
    lines = list(csv.DictReader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    by_row = {}
    for line in lines:
        by_row.setdefault(line["source_ref"], []).append(line)
    assert by_row["A"][0]["status"] == "ok"
    assert by_row["B"][0]["status"] == "warning" and by_row["B"][0]["code"] == "fiscal_year_ce"
    assert {x["code"] for x in by_row["C"]} == {"geometry_type"}
    assert {x["code"] for x in by_row["D"]} == {"no_geometry"}
    # a road must be a line: boundary validation (projects_geo.validation) adds its own error to the row's
    assert {x["code"] for x in by_row["E"]} == {"subtype_kind", "budget_range", "wrong_geometry_type"}
    assert all(x["message_th"] and x["message_en"] and x["message_th"] != x["message_en"] for x in lines if x["code"])


# --- bad files -------------------------------------------------------------------------------


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    assert "ZIP" in refused(path)
    path.write_bytes(b"hello")
    assert "ZIP" in refused(path)


def test_zip_bomb_and_oversize(tmp_path, settings):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", b"\0" * (30 * 1024 * 1024))
        zf.writestr("a.shx", b"\0" * 100)
        zf.writestr("a.dbf", b"\0" * 100)
    assert path.stat().st_size < 100_000
    assert "ZIP bomb" in refused(path)
    settings.GISPLAN_IMPORT_MAX_ZIP_RATIO = 10_000
    settings.GISPLAN_IMPORT_MAX_UNZIPPED_MB = 10
    assert "unpacks to more than 10 MB" in refused(path)
    settings.GISPLAN_IMPORT_MAX_UPLOAD_MB = 0.01
    assert "at most 0 MB" in refused(path) or "MB" in refused(path)


def test_shapefile_missing_parts(tmp_path):
    recs = [{"name": "x", "fy": 2568}]
    for part in (".shx", ".dbf"):
        path = write_shapefile_zip(tmp_path / f"no{part[1:]}.zip", [shapely.Point(*P1)], recs, drop={part})
        msg = refused(path)
        assert part in msg and "incomplete" in msg


def test_unknown_crs(tmp_path):
    recs = [{"name": "x", "fy": 2568}]
    path = write_shapefile_zip(tmp_path / "a.zip", [shapely.Point(*P1)], recs, drop={".prj"})
    assert "not known" in refused(path, "--crs", "EPSG:999999")


def test_undecodable_csv(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"name,lat,lon\n" + "บ่อน้ำ".encode("cp874") + b",7.9,98.3\n")
    assert "cp874" in refused(path)


def test_empty_and_nan_geometries(tmp_path):
    path = write_geojson(
        tmp_path / "e.geojson",
        [
            feature(
                {"type": "Point", "coordinates": []},
                id="E1",
                name="ว่าง",
                fy=2568,
                budget=1,
                kind="water",
                subtype="well",
            ),
        ],
    )
    assert "1 rows have errors" in refused(path)
    recs = [{"ref": "N1", "name": "nan", "fy": 2568, "budget": 1.0, "kind": "water", "subtype": "well"}]
    path = write_shapefile_zip(tmp_path / "nan.zip", [shapely.Point(float("nan"), float("nan"))], recs)
    rows = imports.build_rows(
        imports.read_source(path),
        {"ref": "ref", "name": "name", "fiscal_year": "fy", "budget": "budget", "kind": "kind", "subtype": "subtype"},
        Organization.objects.get(dla_code=PATONG),
    )
    assert rows[0].status == "error" and {f["code"] for f in rows[0].findings} & {"nan_coordinates", "no_geometry"}
    assert "1 rows have errors" in refused(path)
    path = tmp_path / "nan.csv"
    path.write_text("name,kind,subtype,fy,budget,lat,lon\nx,water,well,2568,1,nan,98.3\n")
    assert "1 rows have errors" in refused(path)


def test_million_vertex_line(tmp_path):
    xs = np.linspace(98.29, 98.31, 1_000_000)
    line = shapely.LineString(np.column_stack([xs, np.full_like(xs, 7.89)]))
    recs = [{"ref": "M1", "name": "ถนนล้านจุด", "fy": 2568, "budget": 1.0, "kind": "road", "subtype": "concrete_road"}]
    path = write_shapefile_zip(tmp_path / "big.zip", [line], recs, geometry_type="LineString")
    msg = refused(path, "--report", str(tmp_path / "r.csv"))
    assert "1 rows have errors" in msg
    assert "1,000,000 vertices" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")


def test_rows_go_through_boundary_validation(org, tmp_path):
    """Every imported geometry is checked against the LAO's boundaries (projects_geo.validation.validate_batch):
    a well in Phang Nga is refused for Patong, a lat/lon-swapped point is named with its fix, and
    nothing is written while either stands."""
    phang_nga = (98.5250, 8.4500)  # Mueang Phang Nga, province 82
    path = write_geojson(
        tmp_path / "v.geojson",
        [
            feature(
                {"type": "Point", "coordinates": list(P1)},
                id="OK",
                name="ดี",
                fy=2568,
                budget=1,
                kind="water",
                subtype="well",
            ),
            feature(
                {"type": "Point", "coordinates": list(phang_nga)},
                id="PNG",
                name="นอกเขต",
                fy=2568,
                budget=1,
                kind="water",
                subtype="well",
            ),
            feature(
                {"type": "Point", "coordinates": [P2[1], P2[0]]},
                id="SWAP",
                name="สลับ",
                fy=2568,
                budget=1,
                kind="water",
                subtype="well",
            ),
        ],
    )
    report = tmp_path / "r.csv"
    msg = refused(path, "--report", str(report))
    assert "2 rows have errors" in msg
    lines = list(csv.DictReader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    codes = {}
    for line in lines:
        codes.setdefault(line["source_ref"], set()).add(line["code"])
    assert "outside_province" in codes["PNG"]
    assert "swapped_lat_lon" in codes["SWAP"]
    assert codes["OK"] <= {""}


def test_import_keeps_validations_units_and_is_no_duplicate_of_itself(org, tmp_path):
    """The commit stores the tambons boundary validation found (a point 20 m off the coast gets its
    nearest tambon, as the entry form would), and re-importing a file does not flag each row as a
    duplicate of the project it updates."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_ClosestPoint(geom, ST_SetSRID(ST_Point(98.50, 7.95), 4326)) c "
            "FROM layers_province WHERE code = '83') x"
        )
        x, y = cur.fetchone()
    coast = [x + 20 / 110_300, y]
    path = write_geojson(
        tmp_path / "c.geojson",
        [
            feature(
                {"type": "Point", "coordinates": coast},
                id="C1",
                name="ท่าเทียบเรือ",
                fy=2568,
                budget=1,
                kind="water",
                subtype="well",
            ),
            feature(
                {"type": "Point", "coordinates": list(P1)},
                id="C2",
                name="บ่อ",
                fy=2568,
                budget=1,
                kind="water",
                subtype="well",
            ),
        ],
    )
    assert "created 2" in run(path)
    offshore = Project.objects.get(organization=org, source_ref="C1")
    assert offshore.tambon_id is not None and offshore.province.code == PHUKET
    assert list(ProjectTambon.objects.filter(project=offshore).values_list("tambon_id", flat=True)) == [
        offshore.tambon_id
    ]
    # change a budget and import again: the updated row is not a duplicate of its own project
    data = json.loads(path.read_text())
    data["features"][1]["properties"]["budget"] = 2
    path.write_text(json.dumps(data, ensure_ascii=False))
    report = tmp_path / "r.csv"
    assert "updated 1" in run(path, "--report", str(report))
    codes = {line["code"] for line in csv.DictReader(io.StringIO(report.read_bytes().decode("utf-8-sig")))}
    assert "duplicate" not in codes
    assert all(
        f["code"] != "duplicate" for f in Project.objects.get(organization=org, source_ref="C2").validation_findings
    )


def test_default_budget_reads_thousands_separators(org, tmp_path):
    path = write_geojson(
        tmp_path / "b.geojson",
        [
            feature(
                {"type": "Point", "coordinates": list(P1)}, id="B1", name="บ่อ", fy=2568, kind="water", subtype="well"
            ),
        ],
    )
    assert "created 1" in run(path, "--budget", "250,000")
    assert Project.objects.get(organization=org, source_ref="B1").budget == Decimal("250000.00")
    assert "is not an amount" in refused(path, "--budget", "lots")


def test_large_import_measures_its_lines_on_a_second_connection(org, tmp_path, monkeypatch):
    """An import of 2,100 rows validates as one table batch: its 100 lines go to a second database
    connection, and the commit stores the tambons found there, as a single entry finds them."""
    from layers import lookup
    from projects_geo.validation import validate

    runs = []
    real = lookup._LinesElsewhere._run

    def spy(self):
        real(self)
        if self._connect_error is None and self._error is None:
            runs.append(len(self._keep))

    monkeypatch.setattr(lookup._LinesElsewhere, "_run", spy)
    # Inside the largest circle in tambon Patong (centre 98.3075, 7.8914; radius ~1.4 km).
    x0, y0 = 98.2985, 7.8824
    feats = [
        feature(
            {"type": "Point", "coordinates": [x0 + (i % 50) * 0.00036, y0 + (i // 50) * 0.00045]},
            id=f"P{i}",
            name=f"บ่อน้ำ {i}",
            fy=2568,
            budget=1,
            kind="water",
            subtype="well",
        )
        for i in range(2000)
    ]
    feats += [
        feature(
            {
                "type": "LineString",
                "coordinates": [
                    [x0 + (i % 10) * 0.0016, y0 + (i // 10) * 0.0016],
                    [x0 + (i % 10) * 0.0016 + 0.0015, y0 + (i // 10) * 0.0016 + 0.001],
                ],
            },
            id=f"L{i}",
            name=f"ถนน {i}",
            fy=2568,
            budget=1,
            kind="road",
            subtype="concrete_road",
        )
        for i in range(100)
    ]
    assert "created 2100" in run(write_geojson(tmp_path / "big.geojson", feats))
    assert runs == [100]
    for ref in ("L0", "L57", "L99"):
        p = Project.objects.get(organization=org, source_ref=ref)
        single = validate(p.geom, org, "road", fiscal_year=2568, exclude_project_id=p.pk)
        stored = sorted(ProjectTambon.objects.filter(project=p).values_list("tambon_id", "share"))
        assert [t for t, _s in stored] == sorted(t.tambon_id for t in single.units.tambons)
        assert [s for _t, s in stored] == pytest.approx(
            [t.share for t in sorted(single.units.tambons, key=lambda t: t.tambon_id)]
        )
        assert p.tambon.code == TAMBON_PATONG
