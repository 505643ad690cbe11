"""The web import flow: upload → mapping → preview → report → commit, for LAO staff only."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from projects_geo.models import Project
from tests.factories import PATONG, PHANG_NGA, PHUKET_CITY, make_analyst, make_engineer, make_user

pytestmark = pytest.mark.django_db

CSV = (
    "\ufeffรหัส,ชื่อโครงการ,ปีงบประมาณ,งบประมาณ,ละติจูด,ลองจิจูด\n"
    "W1,ขุดสระน้ำสาธารณะ หมู่ 5,2568,300000,7.896,98.296\n"
    "W2,เจาะบ่อบาดาล หมู่ 6,2568,450000,7.890,98.300\n"
).encode("utf-8")


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.GISPLAN_IMPORT_DIR = str(tmp_path / "imports")


def upload(client, content=CSV, name="projects.csv", **extra):
    return client.post("/projects/import/", {"file": SimpleUploadedFile(name, content), **extra})


def test_full_flow(client):
    user = make_engineer(PATONG)
    client.force_login(user)
    assert client.get("/projects/import/").status_code == 200
    resp = upload(client)
    assert resp.status_code == 302
    mapping_url = resp["Location"]
    page = client.get(mapping_url).content.decode()
    assert 'value="ชื่อโครงการ" selected' in page and 'value="ละติจูด" selected' in page
    resp = client.post(
        mapping_url,
        {
            "map_ref": "รหัส",
            "map_name": "ชื่อโครงการ",
            "map_fiscal_year": "ปีงบประมาณ",
            "map_budget": "งบประมาณ",
            "map_lat": "ละติจูด",
            "map_lon": "ลองจิจูด",
            "default_kind": "water",
            "default_subtype": "pond",
        },
    )
    assert resp.status_code == 302
    preview_url = resp["Location"]
    before = Project.objects.count()
    page = client.get(preview_url).content.decode()
    assert "ขุดสระน้ำสาธารณะ หมู่ 5" in page
    assert Project.objects.count() == before  # preview writes nothing
    report = client.get(preview_url.replace("preview/", "report.csv"))
    assert report.status_code == 200 and "W2" in report.content.decode("utf-8-sig")
    resp = client.post(preview_url.replace("preview/", "commit/"))
    assert resp.status_code == 302
    assert Project.objects.count() == before + 2
    assert set(Project.objects.filter(source_ref__in=["W1", "W2"]).values_list("created_by", flat=True)) == {user.pk}
    # the same file again: no duplicates
    resp = upload(client)
    url = resp["Location"]
    client.post(
        url,
        {
            "map_ref": "รหัส",
            "map_name": "ชื่อโครงการ",
            "map_fiscal_year": "ปีงบประมาณ",
            "map_budget": "งบประมาณ",
            "map_lat": "ละติจูด",
            "map_lon": "ลองจิจูด",
            "default_kind": "water",
            "default_subtype": "pond",
        },
    )
    client.post(url.replace("mapping/", "commit/"))
    assert Project.objects.count() == before + 2


def test_errors_block_commit(client):
    client.force_login(make_engineer(PATONG))
    url = upload(client)["Location"]
    client.post(url, {"map_name": "ชื่อโครงการ", "map_lat": "ละติจูด", "map_lon": "ลองจิจูด"})  # no kind, year, budget
    page = client.get(url.replace("mapping/", "preview/")).content.decode()
    assert "ไม่ได้ระบุปีงบประมาณ" in page and "The fiscal year is missing." in page
    before = Project.objects.count()
    client.post(url.replace("mapping/", "commit/"))
    assert Project.objects.count() == before


def test_bad_upload_shows_message(client):
    client.force_login(make_engineer(PATONG))
    resp = upload(client, b"not a zip at all", name="shapes.zip")
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "ไฟล์ไม่ใช่ ZIP ที่ถูกต้อง" in page and "not a valid ZIP" in page


def test_access(client):
    owner = make_engineer(PATONG)
    client.force_login(owner)
    url = upload(client)["Location"]
    client.force_login(make_engineer(PHUKET_CITY, "other"))
    assert client.get(url).status_code == 404  # someone else's upload
    client.force_login(make_analyst(PHANG_NGA))  # another province's analyst (Phuket's may, on behalf)
    resp = upload(client, lao=PATONG)
    assert resp.status_code == 400 and Project.objects.filter(source_ref="W1").count() == 0
    client.force_login(make_user("finance", Role.LAO_FINANCE, lao=PATONG))
    assert client.get("/projects/import/").status_code == 403
    client.logout()
    assert client.get("/projects/import/").status_code == 302  # to the login page


def test_abandoned_uploads_are_removed_by_the_next_upload(client, settings):
    import os
    import time
    from pathlib import Path

    client.force_login(make_engineer(PATONG))
    first = upload(client)["Location"]
    second = upload(client)["Location"]
    folders = sorted(Path(settings.GISPLAN_IMPORT_DIR).iterdir())
    assert len(folders) == 2
    old = next(f for f in folders if f.name in first)
    day_ago = time.time() - 2 * 86400
    os.utime(old, (day_ago, day_ago))
    upload(client)
    left = {f.name for f in Path(settings.GISPLAN_IMPORT_DIR).iterdir()}
    assert old.name not in left and len(left) == 2 and any(name in second for name in left)
    assert client.get(first).status_code in (302, 404)  # the abandoned upload is gone


MAPPING = {
    "map_ref": "รหัส",
    "map_name": "ชื่อโครงการ",
    "map_fiscal_year": "ปีงบประมาณ",
    "map_budget": "งบประมาณ",
    "map_lat": "ละติจูด",
    "map_lon": "ลองจิจูด",
    "default_kind": "water",
    "default_subtype": "pond",
}


def test_the_file_is_read_at_upload_dry_run_and_commit_only(client, monkeypatch):
    from exchange import imports

    reads = []
    real = imports.read_source
    monkeypatch.setattr(imports, "read_source", lambda *a, **k: reads.append(1) or real(*a, **k))
    client.force_login(make_engineer(PATONG))
    mapping_url = upload(client)["Location"]
    assert len(reads) == 1
    page = client.get(mapping_url).content.decode()
    assert "ขุดสระน้ำสาธารณะ หมู่ 5" in page  # the first rows, from the upload's state
    assert len(reads) == 1
    preview_url = client.post(mapping_url, MAPPING)["Location"]
    assert len(reads) == 1
    assert "เจาะบ่อบาดาล หมู่ 6" in client.get(preview_url).content.decode()
    assert len(reads) == 2

    def source_refs():
        body = client.get(preview_url.replace("preview/", "report.csv")).content.decode("utf-8-sig")
        return sorted(r["source_ref"] for r in csv.DictReader(io.StringIO(body)))

    assert source_refs() == ["W1", "W2"] and len(reads) == 2  # the dry run's report, kept
    # a new mapping (no reference column) makes the kept report stale: it is made again
    client.post(mapping_url, {**MAPPING, "map_ref": ""})
    refs = source_refs()
    assert len(reads) == 3 and refs and all(r.startswith("sha1:") for r in refs)  # refs from the rows' content
    client.post(preview_url.replace("preview/", "commit/"))
    assert len(reads) == 4 and Project.objects.filter(name="เจาะบ่อบาดาล หมู่ 6").exists()


def test_an_upload_named_like_the_state_file_is_kept_apart(client):
    client.force_login(make_engineer(PATONG))
    geojson = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", '
        '"coordinates": [98.296, 7.896]}, "properties": {"ชื่อโครงการ": "สระน้ำ state", "ปีงบประมาณ": 2568}}]}'
    ).encode()
    mapping_url = upload(client, geojson, name="state.json")["Location"]
    assert client.get(mapping_url).status_code == 200
    preview_url = client.post(
        mapping_url,
        {"map_name": "ชื่อโครงการ", "map_fiscal_year": "ปีงบประมาณ", "default_kind": "water", "default_subtype": "pond"},
    )["Location"]
    assert "สระน้ำ state" in client.get(preview_url).content.decode()


def test_an_upload_stored_by_the_previous_release_still_maps(client, settings):
    """Uploads stored before the state kept the file's description, with the file beside
    state.json (the previous layout), still reach the mapping and preview pages after an upgrade."""
    import json
    import shutil
    from pathlib import Path

    client.force_login(make_engineer(PATONG))
    mapping_url = upload(client)["Location"]
    token = mapping_url.rstrip("/").split("/")[-2]
    folder = Path(settings.GISPLAN_IMPORT_DIR) / token
    shutil.move(str(folder / "file" / "projects.csv"), str(folder / "projects.csv"))
    (folder / "file").rmdir()
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    del state["table"]
    (folder / "state.json").write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    page = client.get(mapping_url).content.decode()
    assert 'value="ชื่อโครงการ" selected' in page and "W2" in page
    assert "table" in json.loads((folder / "state.json").read_text(encoding="utf-8"))  # described once, then kept
    preview_url = client.post(
        mapping_url,
        {
            "map_ref": "รหัส",
            "map_name": "ชื่อโครงการ",
            "map_fiscal_year": "ปีงบประมาณ",
            "map_lat": "ละติจูด",
            "map_lon": "ลองจิจูด",
            "default_kind": "water",
            "default_subtype": "pond",
        },
    )["Location"]
    assert "เจาะบ่อบาดาล หมู่ 6" in client.get(preview_url).content.decode()
