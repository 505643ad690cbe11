"""Column mapping: which column of the file holds which project attribute.

``guess_mapping(columns)`` proposes a mapping from Thai and English header names (and gisplan's
own export field names, so an export can be re-imported); the user confirms or changes it.
``TARGETS`` lists the attributes a column can map to; geometry comes from the file itself, or
from lat/lon, UTM (easting/northing + zone + datum) or WKT columns of a table.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

TARGETS = {
    "ref": _("Row id (used to recognise the row on re-import)"),
    "name": _("Project name"),
    "kind": _("Kind (water / road)"),
    "subtype": _("Subtype"),
    "fiscal_year": _("Fiscal year (B.E.)"),
    "plan_reference": _("Development plan reference"),
    "budget": _("Budget (THB)"),
    "funding_source": _("Funding source"),
    "lao_code": _("LAO code"),
    "lat": _("Latitude"),
    "lon": _("Longitude"),
    "easting": _("UTM easting"),
    "northing": _("UTM northing"),
    "zone": _("UTM zone (47 / 48)"),
    "datum": _("Datum (WGS84 / Indian 1975)"),
    "wkt": _("Geometry as WKT"),
}

# Normalised header names (lower case, no spaces/punctuation) for each target, most specific first.
SYNONYMS = {
    "ref": [
        "sourceref",
        "srcref",
        "ref",
        "id",
        "projectid",
        "projid",
        "code",
        "no",
        "รหัส",
        "รหัสโครงการ",
        "ลำดับ",
        "ลำดับที่",
        "เลขที่",
    ],
    "name": ["name", "projectname", "project", "title", "ชื่อ", "ชื่อโครงการ", "โครงการ", "รายการ", "ชื่องาน"],
    "kind": ["kind", "type", "category", "projecttype", "ประเภท", "ประเภทโครงการ"],
    "subtype": ["subtype", "subcategory", "ลักษณะ", "ลักษณะโครงการ", "ประเภทย่อย", "ลักษณะงาน"],
    "fiscal_year": ["fiscalyear", "fy", "year", "budgetyear", "ปีงบประมาณ", "ปีงบ", "ปี", "พศ"],
    "plan_reference": ["planreference", "planref", "plan", "แผน", "อ้างอิงแผน", "แผนพัฒนา", "แผนพัฒนาท้องถิ่น", "เลขที่แผน"],
    "budget": ["budget", "amount", "cost", "งบประมาณ", "วงเงิน", "งบประมาณบาท", "ราคา", "จำนวนเงิน"],
    "funding_source": ["fundingsource", "fundsrc", "funding", "fund", "แหล่งเงิน", "แหล่งงบประมาณ", "ประเภทเงิน"],
    "lao_code": ["laocode", "dlacode", "orgcode", "รหัสอปท", "รหัสองค์กร"],
    "lat": ["lat", "latitude", "ละติจูด", "ละติจุด", "พิกัดละติจูด"],
    "lon": ["lon", "lng", "long", "longitude", "ลองจิจูด", "ลองติจูด", "พิกัดลองจิจูด"],
    "easting": ["easting", "east", "utme", "utmx", "e", "x", "อีสติ้ง", "พิกัดx", "ค่าe"],
    "northing": ["northing", "north", "utmn", "utmy", "n", "y", "นอร์ทติ้ง", "พิกัดy", "ค่าn"],
    "zone": ["zone", "utmzone", "โซน", "โซนutm"],
    "datum": ["datum", "พื้นหลักฐาน", "หลักฐาน", "ดาตัม"],
    "wkt": ["wkt", "geometry", "geom", "the_geom", "shape", "รูปร่าง"],
}


def normalise_header(name: str) -> str:
    return re.sub(r"[\s_\-\.\(\)\[\]/:]+", "", str(name).strip().lower()).replace("ฯ", "")


def guess_mapping(columns: list[str], *, has_geometry: bool = True) -> dict[str, str]:
    """target → column, from the header names; each column is used once."""
    norm = {c: normalise_header(c) for c in columns if not c.startswith("_")}
    used: set[str] = set()
    out: dict[str, str] = {}
    for target, names in SYNONYMS.items():
        if has_geometry and target in ("lat", "lon", "easting", "northing", "zone", "datum", "wkt"):
            continue
        for wanted in names:
            hit = next((c for c, n in norm.items() if n == wanted and c not in used), None)
            if hit:
                out[target] = hit
                used.add(hit)
                break
    # GIS exports carry "name" as KML's Name or GPX's name: already caught above (case-insensitive).
    if "easting" in out and "lat" in out:  # "x"/"y" next to real lat/lon columns are not UTM
        out.pop("easting", None)
        out.pop("northing", None)
    return out


def clean_mapping(mapping: dict, columns: list[str]) -> dict[str, str]:
    """Keep only known targets mapped to existing columns."""
    return {t: c for t, c in (mapping or {}).items() if t in TARGETS and c in columns}
