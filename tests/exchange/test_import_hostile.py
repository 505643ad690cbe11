"""Hostile imports (issue 22): CSV and Excel refused while being read as soon as a limit is passed,
reader failures told without server paths or GDAL's words, a row naming another LAO a row error,
two commits of one import at the same time, and updates refused when a project changed since the
preview. Every refusal is a 4xx (or a row error) with Thai and English text, and nothing written."""

import threading
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from exchange import imports
from exchange.imports import tables
from layers.models import Organization
from projects_geo.models import Project
from projects_geo.services import save_project
from tests.factories import PATONG, make_dla_admin, make_engineer

# Inside tambon Patong
LAT, LON = 7.896, 98.296


def refused(path, code, **kw):
    with pytest.raises(imports.ImportFileError) as exc:
        imports.read_source(path, **kw)
    assert exc.value.code == code, exc.value
    assert exc.value.message_th and exc.value.message_en and exc.value.message_th != exc.value.message_en
    return exc.value


def csv_rows(n, *, start=0):
    return "".join(f"W{i},บ่อน้ำ {i},2568,1000,{LAT},{LON}\n" for i in range(start, start + n))


HEADER = "ref,name,fy,budget,lat,lon\n"


# --- CSV: limits while reading ----------------------------------------------------------------


def test_csv_refused_at_the_row_limit_without_reading_further(tmp_path, settings):
    """Refused at row limit + 1: the bytes well after it (not UTF-8 here) are never decoded;
    reading the whole file first would have answered "not in the expected encoding"."""
    settings.GISPLAN_IMPORT_MAX_FEATURES = 100
    path = tmp_path / "many.csv"
    path.write_bytes((HEADER + csv_rows(3000)).encode() + b"\xff\xfe broken \xff\n" * 1000)
    err = refused(path, "too_many_rows")
    assert "100" in err.message_en and "100" in err.message_th


def test_csv_at_the_row_limit_is_read_blank_lines_not_counted(tmp_path, settings):
    settings.GISPLAN_IMPORT_MAX_FEATURES = 100
    path = tmp_path / "full.csv"
    path.write_text("\n" + HEADER + "\n".join(csv_rows(100).splitlines()[:50]) + "\n\n,,\n" + csv_rows(50, start=50))
    table = imports.read_source(path)
    assert len(table) == 100 and table.columns == ["ref", "name", "fy", "budget", "lat", "lon"]
    assert table.records[0] == {
        "ref": "W0",
        "name": "บ่อน้ำ 0",
        "fy": "2568",
        "budget": "1000",
        "lat": "7.896",
        "lon": "98.296",
    }
    assert table.records[-1]["ref"] == "W99" and [r["ref"] for r in table.records[:2]] == ["W0", "W1"]


def test_csv_too_many_columns_trailing_empty_cells_allowed(tmp_path, settings):
    settings.GISPLAN_IMPORT_MAX_COLUMNS = 6
    path = tmp_path / "wide.csv"
    path.write_text(HEADER + csv_rows(3).replace("\n", ",,,,,,,,\n"))
    assert len(imports.read_source(path)) == 3
    path.write_text(HEADER + csv_rows(3) + "W9,x,2568,1,7.9,98.3,extra\n")
    err = refused(path, "too_many_columns")
    assert "7" in err.message_en and "6" in err.message_en


def test_csv_long_line_unclosed_quote_and_nul(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_LINE_CHARS", 1000)
    path = tmp_path / "line.csv"
    path.write_text(HEADER + csv_rows(2) + "a," * 600 + "\n")
    assert "Line 4 " in refused(path, "line_too_long").message_en
    path.write_text(HEADER + '"never closed,1\n' + "x,1\n" * 40_000)
    err = refused(path, "unreadable_line")
    assert "Line 2 " in err.message_en and "131,072" in err.message_en
    path.write_bytes((HEADER + csv_rows(300)).encode() + b"W1,a\x00b,2568,1,7.9,98.3\n")
    refused(path, "unreadable")


def test_csv_time_budget(tmp_path, settings):
    settings.GISPLAN_IMPORT_MAX_READ_SECONDS = 0
    path = tmp_path / "slow.csv"
    path.write_text(HEADER + csv_rows(600))
    assert "0 seconds" in refused(path, "read_too_slow").message_en


# --- Excel: limits while reading --------------------------------------------------------------

SHEET = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def xlsx(path, rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def replace_sheet(path, sheet_xml: bytes):
    """The workbook with its first sheet's XML replaced."""
    out = path.with_name("x-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    return out


def test_xlsx_refused_at_the_row_limit_while_streaming(tmp_path, settings):
    """The sheet (without a <dimension>, which openpyxl would parse the whole sheet to look for)
    breaks off (bad XML) after row 150: read as a stream it is refused at row 101, before the
    break; read whole it would be "damaged"."""
    settings.GISPLAN_IMPORT_MAX_FEATURES = 100
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 151))
    path = replace_sheet(xlsx(tmp_path / "p.xlsx", [["n"]]), (SHEET + "<sheetData>" + rows + "<row><c>").encode())
    refused(path, "too_many_rows")
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 102))  # header + 100
    path = replace_sheet(
        xlsx(tmp_path / "q.xlsx", [["n"]]), (SHEET + f"<sheetData>{rows}</sheetData></worksheet>").encode()
    )
    assert len(imports.read_source(path)) == 100


def test_xlsx_without_dimension_and_with_a_far_row(tmp_path, settings):
    """A dimension claiming 16,384 columns whose only row is row 1,048,576: the rows before it come
    as blank rows, refused at the blank-row limit (and none is padded to 16,384 cells)."""
    settings.GISPLAN_IMPORT_MAX_FEATURES = 1000
    sheet = (
        SHEET + '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    refused(replace_sheet(xlsx(tmp_path / "gap.xlsx", [["n"]]), sheet.encode()), "too_many_rows")


def with_shared_strings(path):
    """The workbook with its texts in a shared-strings table, as Excel writes them (openpyxl
    writes them inline)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    wb = openpyxl.load_workbook(path)
    texts, rows = [], []
    for r, row in enumerate(wb.active.iter_rows(values_only=True), start=1):
        cells = []
        for c, value in enumerate(row):
            texts.append(str(value))
            cells.append(f'<c r="{"ABCDEFGH"[c]}{r}" t="s"><v>{len(texts) - 1}</v></c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sst = f'<sst xmlns="{main}">' + "".join(f"<si><t>{t}</t></si>" for t in texts) + "</sst>"
    out = path.with_name("s-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = f'<worksheet xmlns="{main}"><sheetData>{"".join(rows)}</sheetData></worksheet>'.encode()
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            dst.writestr(info.filename, data)
        dst.writestr("xl/sharedStrings.xml", sst.encode())
    return out


def test_xlsx_unpacked_size_parts_and_shared_strings(tmp_path, settings, monkeypatch):
    rows = [["ref", "name"]] + [[f"W{i}", f"บ่อน้ำ {i}"] for i in range(2000)]
    path = with_shared_strings(xlsx(tmp_path / "p.xlsx", rows))
    table = imports.read_source(path)
    assert len(table) == 2000 and table.records[1999] == {"ref": "W1999", "name": "บ่อน้ำ 1999"}
    assert len(imports.read_source(path)) == 2000
    settings.GISPLAN_IMPORT_MAX_SHEET_MB = 0.05
    err = refused(path, "sheet_too_large")
    assert "0.1 MB" in err.message_en or "0.0 MB" in err.message_en
    settings.GISPLAN_IMPORT_MAX_SHEET_MB = 150
    monkeypatch.setattr(tables, "MAX_WHOLE_PART_BYTES", 1000)  # styles.xml, workbook.xml… are parsed whole
    refused(path, "sheet_too_large")
    monkeypatch.undo()
    settings.GISPLAN_IMPORT_MAX_FEATURES = 500  # 4 different texts a row: 2,000; the file holds 4,002
    assert "2,000" in refused(path, "too_many_texts").message_en


def test_xlsx_values_kept_as_text(tmp_path):
    import datetime

    path = xlsx(
        tmp_path / "v.xlsx",
        [
            ["ref", "day", "budget", "name"],
            [1, datetime.date(2025, 1, 31), 2500000.5, "  ถนน  "],
            [None, None, None, None],
        ],
    )
    table = imports.read_source(path)
    assert list(table.records) == [{"ref": "1", "day": "2025-01-31", "budget": "2500000.5", "name": "ถนน"}]


# --- reader failures without paths or GDAL's words --------------------------------------------


def assert_clean(err: imports.ImportFileError, name: str):
    text = err.message_en + err.message_th
    assert name in err.message_en and name in err.message_th
    for leak in (
        "/tmp",
        "gisplan-import",
        "not recognized",
        "recognised",
        "GDAL",
    ):
        assert leak not in text, text


def test_gdal_errors_name_only_the_files_own_members(tmp_path):
    path = tmp_path / "shapes.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("link.shp", "/etc/passwd")  # what a symlink member holds
        zf.writestr("link.shx", "x")
        zf.writestr("link.dbf", "x")
    assert_clean(refused(path, "unreadable"), "link.shp")
    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    assert_clean(refused(bad, "unreadable", filename="โครงการ.geojson"), "โครงการ.geojson")


# --- rows: another LAO, hostile values ---------------------------------------------------------


@pytest.mark.django_db
def test_lao_code_of_another_lao_is_a_row_error(tmp_path):
    org = Organization.objects.get(dla_code=PATONG)
    path = tmp_path / "national.csv"
    path.write_text(
        "ref,name,kind,subtype,fy,budget,lat,lon,lao_code\n"
        f"A1,บ่อน้ำ,water,well,2568,1000,{LAT},{LON},{PATONG}\n"
        f"A2,บ่อน้ำ 2,water,well,2568,1000,{LAT},{LON + 0.001},3830102\n"
        f"A3,บ่อน้ำ 3,water,well,NaN,NaN,{LAT},{LON + 0.002},\n"
        f"A4,บ่อน้ำ 4,water,well,1e400,Infinity,{LAT},{LON + 0.003},\n"
    )
    table = imports.read_source(path)
    rows = imports.build_rows(
        table, imports.guess_mapping(table.columns, has_geometry=False) | {"fiscal_year": "fy"}, org
    )
    assert [r.status for r in rows] == ["ok", "error", "error", "error"]
    other = [f for f in rows[1].findings if f["code"] == "other_lao"][0]
    assert "3830102" in other["message_en"] and "3830102" in other["message_th"] and PATONG in other["message_en"]
    assert {f["code"] for f in rows[2].findings} >= {"fiscal_year_unreadable", "budget_unreadable"}
    assert {f["code"] for f in rows[3].findings} >= {"fiscal_year_unreadable", "budget_unreadable"}


@pytest.fixture
def import_dir(settings, tmp_path):
    settings.GISPLAN_IMPORT_DIR = str(tmp_path / "imports")


def upload(client, content, name="projects.csv"):
    return client.post("/projects/import/", {"file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_reimporting_a_national_export_gives_row_errors(client, import_dir):
    client.force_login(make_dla_admin())
    export = client.get("/api/projects/export/", {"format": "csv"})
    assert export.status_code == 200
    data = b"".join(export.streaming_content) if export.streaming else export.content
    client.force_login(make_engineer(PATONG))
    resp = upload(client, data, "national.csv")
    assert resp.status_code == 302, resp.content.decode()[:500]
    preview = client.get(resp["Location"].replace("mapping/", "preview/"))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "another LAO (3830102)" in page and "อปท. อื่น" in page
    before = Project.objects.count()
    client.post(resp["Location"].replace("mapping/", "commit/"))
    assert Project.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content",
    [
        ("x.bin", b"PK\x03\x04 not a zip at all"),
        ("quote.csv", b'name,lat\n"' + b"x" * 200_000),
        ("nul.csv", b"name,lat\nab\x00c,1\n"),
        ("b.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Po'),
        ("b.xlsx", b"PK\x03\x04 not a workbook"),
        ("b.kml", b"<kml><Document><Placemark><Point><coordinates>1,2</coord"),
    ],
)
def test_bad_uploads_are_400_with_both_languages(client, import_dir, name, content):
    client.force_login(make_engineer(PATONG))
    resp = upload(client, content, name)
    assert resp.status_code == 400
    page = resp.content.decode()
    assert 'class="import-error"' in page and 'lang="th"' in page and "/tmp" not in page


# --- concurrent commits and versions ------------------------------------------------------------


def _in_thread(fn):
    """Run ``fn`` on a thread of its own (its own database connection, autocommit); its result or
    its exception."""
    out = {}

    def target():
        try:
            out["result"] = fn()
        except Exception as exc:  # handed to the test
            out["error"] = exc
        finally:
            connections.close_all()

    t = threading.Thread(target=target)
    t.start()
    t.join(120)
    return out


def _delete_committed(refs):
    """Remove what the threads committed (outside the test's transaction)."""

    def clean():
        with connections["default"].cursor() as cur:
            cur.execute(
                "DELETE FROM projects_geo_projecttambon WHERE project_id IN "
                "(SELECT id FROM projects_geo_project WHERE source_ref = ANY(%s))",
                [refs],
            )
            cur.execute("DELETE FROM projects_geo_historicalproject WHERE source_ref = ANY(%s)", [refs])
            cur.execute("DELETE FROM projects_geo_project WHERE source_ref = ANY(%s)", [refs])

    assert "error" not in _in_thread(clean)


@pytest.mark.django_db
@pytest.mark.parametrize("same_upload", [True, False])
def test_two_commits_at_once_one_writes_the_other_is_told(tmp_path, same_upload):
    """Two connections commit the same checked rows at the same moment (a double click, or the
    same file uploaded twice): one writes, the other gets CommitConflict; no duplicate, no 500."""
    org = Organization.objects.get(dla_code=PATONG)
    refs = [f"HOSTILE-RACE-{i}" for i in range(30)]
    path = tmp_path / "race.csv"
    path.write_text(
        "ref,name,kind,subtype,fy,budget,lat,lon\n"
        + "".join(f"{r},บ่อน้ำ {i},water,well,2568,1000,{LAT + i * 0.0002},{LON}\n" for i, r in enumerate(refs))
    )
    rows = imports.prepare(
        imports.read_source(path),
        {"fiscal_year": "fy"}
        | imports.guess_mapping(["ref", "name", "kind", "subtype", "budget", "lat", "lon"], has_geometry=False),
        org,
    )
    assert all(r.status != "error" and r.action == "create" for r in rows)
    start = threading.Barrier(2)
    results = []

    def commit(token):
        def run():
            start.wait(30)
            return imports.commit_rows(rows, org, expected_versions={}, upload=token)

        return run

    tokens = ["tok-1", "tok-1"] if same_upload else ["tok-1", "tok-2"]
    threads = [threading.Thread(target=lambda t=t: results.append(_in_thread(commit(t)))) for t in tokens]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        done = [r["result"] for r in results if "result" in r]
        conflicts = [r["error"] for r in results if "error" in r]
        assert len(done) == 1 and done[0]["created"] == 30, results
        assert len(conflicts) == 1 and isinstance(conflicts[0], imports.CommitConflict), results
        assert conflicts[0].message_th and conflicts[0].message_en
        assert Project.objects.filter(organization=org, source_ref__in=refs).count() == 30
    finally:
        _delete_committed(refs)


def _map(client, url):
    return client.post(
        url,
        {
            "map_ref": "ref",
            "map_name": "name",
            "map_fiscal_year": "fy",
            "map_budget": "budget",
            "map_lat": "lat",
            "map_lon": "lon",
            "default_kind": "water",
            "default_subtype": "well",
        },
    )


def _csv(budget):
    return (
        f"ref,name,fy,budget,lat,lon\nV1,บ่อน้ำ 1,2568,{budget},{LAT},{LON}\n"
        f"V2,บ่อน้ำ 2,2568,{budget},{LAT + 0.001},{LON}\n"
    ).encode()


@pytest.mark.django_db
def test_commit_while_the_same_upload_is_being_committed(client, import_dir):
    """Another connection holds the upload's commit lock (a first click still writing): the
    second commit answers at once with a message in both languages and writes nothing."""
    from exchange.imports.commit import UPLOAD_LOCK

    client.force_login(make_engineer(PATONG))
    url = upload(client, _csv(1000))["Location"]
    _map(client, url)
    assert client.get(url.replace("mapping/", "preview/")).status_code == 200
    token = url.split("/")[-3]
    held, release = threading.Event(), threading.Event()

    def hold():
        from django.db import transaction

        with transaction.atomic(), connections["default"].cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s::int, hashtext(%s))", [UPLOAD_LOCK, token])
            held.set()
            release.wait(60)

    holder = threading.Thread(target=lambda: _in_thread(hold))
    holder.start()
    try:
        assert held.wait(30)
        resp = client.post(url.replace("mapping/", "commit/"), follow=True)
    finally:
        release.set()
        holder.join(60)
    page = resp.content.decode()
    assert resp.status_code == 200 and "being written already" in page and "กำลังบันทึกอยู่แล้ว" in page
    assert not Project.objects.filter(source_ref__in=["V1", "V2"]).exists()


@pytest.mark.django_db
def test_import_update_refused_when_a_project_changed_since_the_preview(client, import_dir):
    user = make_engineer(PATONG)
    client.force_login(user)
    url = upload(client, _csv(1000))["Location"]
    _map(client, url)
    client.get(url.replace("mapping/", "preview/"))
    client.post(url.replace("mapping/", "commit/"))
    v1 = Project.objects.get(source_ref="V1")
    v2 = Project.objects.get(source_ref="V2")
    # the same file with new budgets: the preview shows two updates and notes the versions
    url = upload(client, _csv(2000))["Location"]
    _map(client, url)
    preview = client.get(url.replace("mapping/", "preview/")).content.decode()
    assert preview.count('data-status="ok" data-action="update"') == 2
    # someone edits V1 meanwhile
    v1.name = "แก้ไขโดยผู้อื่น"
    save_project(v1, user=user, expected_version=v1.version)
    resp = client.post(url.replace("mapping/", "commit/"), follow=True)  # the commit is a job (jobs app)
    page = resp.content.decode()
    assert "rows 1 of this file" in page and "โครงการของแถวที่ 1" in page
    v1.refresh_from_db()
    assert v1.name == "แก้ไขโดยผู้อื่น" and v1.budget == 1000
    assert Project.objects.get(pk=v2.pk).budget == 1000  # nothing written: not V2 either
    # the failed job's page leads back to the preview, which notes the versions as they are now
    assert url.replace("mapping/", "preview/") in page
    client.get(url.replace("mapping/", "preview/"))
    resp = client.post(url.replace("mapping/", "commit/"), follow=True)
    assert "Import done" in resp.content.decode() or "นำเข้า" in resp.content.decode()
    assert set(Project.objects.filter(source_ref__in=["V1", "V2"]).values_list("budget", flat=True)) == {2000}


@pytest.mark.django_db
def test_import_update_without_a_preview_is_refused(client, import_dir):
    client.force_login(make_engineer(PATONG))
    url = upload(client, _csv(1000))["Location"]
    _map(client, url)
    client.post(url.replace("mapping/", "commit/"))  # creates: nothing to compare
    assert Project.objects.filter(source_ref__in=["V1", "V2"]).count() == 2
    url = upload(client, _csv(3000))["Location"]
    _map(client, url)
    resp = client.post(url.replace("mapping/", "commit/"), follow=True)  # no preview: no versions to check against
    assert resp.status_code == 200 and "changed by someone else" in resp.content.decode()
    assert set(Project.objects.filter(source_ref__in=["V1", "V2"]).values_list("budget", flat=True)) == {1000}


@pytest.mark.django_db
def test_command_line_commit_checks_versions_too(tmp_path):
    org = Organization.objects.get(dla_code=PATONG)
    path = tmp_path / "v.csv"
    path.write_bytes(_csv(1000))
    mapping = {"ref": "ref", "name": "name", "fiscal_year": "fy", "budget": "budget", "lat": "lat", "lon": "lon"}
    defaults = {"kind": "water", "subtype": "well"}
    imports.commit_rows(imports.prepare(imports.read_source(path), mapping, org, defaults), org)
    path.write_bytes(_csv(5000))
    rows = imports.prepare(imports.read_source(path), mapping, org, defaults)
    assert imports.preview_versions(rows) == {
        str(p.pk): p.version for p in Project.objects.filter(source_ref__in=["V1", "V2"])
    }
    p = Project.objects.get(source_ref="V2")
    save_project(p, expected_version=p.version)  # moves its version on
    with pytest.raises(imports.CommitConflict) as exc:
        imports.commit_rows(rows, org)
    assert "rows 2 " in exc.value.message_en
    assert set(Project.objects.filter(source_ref__in=["V1", "V2"]).values_list("budget", flat=True)) == {1000}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options, says",
    [
        ({"lao": "48302\x0001"}, "7 digits"),
        ({"lao": "๔๘๓๐๒๐๑²"}, "7 digits"),
        ({"lao": PATONG, "crs": "EPSG:4326\x00"}, "from the lists"),
        ({"lao": PATONG, "encoding": "rot13"}, "from the lists"),
    ],
)
def test_upload_options_are_checked(client, import_dir, options, says):
    """The LAO code a DLA administrator types, the CRS and the encoding are one of what the page
    offers: a NUL or a made-up value is a 400 in both languages, not a database error."""
    client.force_login(make_dla_admin())
    resp = client.post("/projects/import/", {"file": SimpleUploadedFile("p.csv", _csv(1000)), **options})
    assert resp.status_code == 400
    page = resp.content.decode()
    assert says in page and 'lang="th"' in page
    assert not Project.objects.filter(source_ref__in=["V1", "V2"]).exists()


def test_gis_layers_read_at_most_one_feature_more_than_allowed(tmp_path, settings):
    import json

    import numpy as np
    import pyogrio.raw
    import shapely

    settings.GISPLAN_IMPORT_MAX_FEATURES = 100
    points = [shapely.Point(LON + i * 1e-5, LAT) for i in range(150)]
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(p), "properties": {"n": i}}
        for i, p in enumerate(points)
    ]
    path = tmp_path / "many.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    refused(path, "too_many_rows")
    parts = tmp_path / "parts"
    parts.mkdir()
    pyogrio.raw.write(
        str(parts / "pts.shp"),
        np.array(shapely.to_wkb(points), dtype=object),
        [np.arange(150)],
        ["n"],
        driver="ESRI Shapefile",
        geometry_type="Point",
        crs="EPSG:4326",
    )
    with zipfile.ZipFile(tmp_path / "pts.zip", "w") as zf:
        for p in parts.iterdir():
            zf.write(p, p.name)
    refused(tmp_path / "pts.zip", "too_many_rows")
    settings.GISPLAN_IMPORT_MAX_FEATURES = 150
    assert len(imports.read_source(tmp_path / "pts.zip")) == 150


def test_csv_cells_beyond_the_header_get_column_names(tmp_path):
    path = tmp_path / "more.csv"
    path.write_text("name,lat,lon,\nx,7.9,98.3\ny,7.9,98.3,note,more\n")
    table = imports.read_source(path)
    assert table.columns == ["name", "lat", "lon", "column_4", "column_5"]
    assert list(table.records) == [
        {"name": "x", "lat": "7.9", "lon": "98.3", "column_4": None, "column_5": None},
        {"name": "y", "lat": "7.9", "lon": "98.3", "column_4": "note", "column_5": "more"},
    ]
