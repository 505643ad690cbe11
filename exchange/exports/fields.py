"""The exported attributes: one stable list, the ONE place that maps names between formats.

Every export format writes the same attributes in the same order. GeoJSON, GeoPackage, CSV and KML
use the long ``key``; the shapefile uses ``shp`` (at most 10 ASCII bytes, the dBASE limit). The
mapping is part of the public contract — analysts' scripts depend on it — so fields are only ever
appended, never renamed. ``data_dictionary_rows`` gives the field → Thai / English meaning table
that goes inside every shapefile ZIP (``data_dictionary.csv``) and docs/analyst.md.

Each field also carries the SQL expression that produces it from the export query's aliases
(``p`` project, ``o`` LAO, ``pv``/``am``/``tb`` province/amphoe/tambon, ``st`` the stage pivot,
``phs`` the field photos' addresses);
see ``query.py``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.utils import translation

from common import csvsafe
from common.features import json_safe_text, json_text_sql, sql_literal
from layers.models import Amphoe, Organization, Province, Tambon, lao_display_sql
from projects_geo.models import FundingSource, Kind, Project, Stage, Subtype

# The export query's table aliases (query.py), for fields that are one column of one table.
ALIAS_MODELS = {"p": Project, "o": Organization, "pv": Province, "am": Amphoe, "tb": Tambon}
_COLUMN = re.compile(r"(\w+)\.(\w+)")


@dataclass(frozen=True)
class ExportField:
    key: str  # long name: GeoJSON, GeoPackage, CSV, KML
    shp: str  # shapefile/dBASE name, <= 10 ASCII bytes
    type: str  # "integer" | "real" | "string" | "date"
    sql: str  # SQL expression over the export query's aliases
    th: str  # meaning in Thai
    en: str  # meaning in English
    width: int = 0  # strings: the dBASE field width in bytes a shapefile starts with (0: GDAL's 80);
    # GDAL widens a field, up to 254, when a longer value arrives (rewriting what was written)

    def json_sql(self, column: str) -> str:
        """SQL of this field's value, read from ``column`` (a column of the export query), as JSON
        text (``'null'`` for NULL), exactly as ``to_json`` writes it
        (``common.features.json_text_sql``): what GeoJSON properties are made of."""
        if self.type == "integer":
            kind = "integer"
        elif self.type == "real":
            kind = "number"
        elif (
            self.type == "string"
            and (m := _COLUMN.fullmatch(self.sql))
            and m[1] in ALIAS_MODELS
            and json_safe_text(ALIAS_MODELS[m[1]], m[2])
        ):
            kind = "code"
        else:
            kind = "any"
        return json_text_sql(column, kind)


def _case(column: str, choices) -> str:
    """A SQL CASE that turns a choice code into its Thai label (labels are fixed at export time)."""
    whens = " ".join(f"WHEN {_lit(value)} THEN {_lit(label)}" for (value, _), label in zip(choices, _labels(choices)))
    return f"(CASE {column} {whens} END)"


def _width(values) -> int:
    """dBASE width (bytes) that holds every one of ``values`` in UTF-8 (the widest encoding we write)."""
    return max(len(str(v).encode("utf-8")) for v in values)


def _labels(choices) -> list[str]:
    with translation.override("th"):
        return [str(label) for _, label in choices]


def _lit(value) -> str:
    return str(value) if isinstance(value, int) else sql_literal(str(value))


def _stage_labels(language: str) -> dict[int, str]:
    """The budget stages' labels (``models.Stage``) in ``language``."""
    with translation.override(language):
        return {stage.value: str(stage.label) for stage in Stage}


def _fields() -> list[ExportField]:
    f = ExportField
    stage_th, stage_en = _stage_labels("th"), _stage_labels("en")
    out = [
        f("project_id", "proj_id", "integer", "p.id", "รหัสโครงการในระบบ gisplan", "Project id in gisplan"),
        f(
            "source_ref",
            "src_ref",
            "string",
            "p.source_ref",
            "รหัสอ้างอิงแหล่งที่มา (แฟ้มที่นำเข้า)",
            "Source reference (imported file row key)",
        ),
        f("lao_code", "lao_code", "string", "o.dla_code", "รหัส อปท. (สถ.)", "LAO code (DLA registry)", 7),
        f(
            "lao_name",
            "lao_name",
            "string",
            lao_display_sql("o"),
            "ชื่อ อปท.",
            "LAO name (Thai, with its type: ทม.ป่าตอง)",
        ),
        f(
            "kind",
            "kind",
            "string",
            "p.kind",
            "ประเภทโครงการ (water = แหล่งน้ำ, road = ถนน)",
            "Project kind code (water, road)",
            _width(Kind.values),
        ),
        f(
            "kind_th",
            "kind_th",
            "string",
            _case("p.kind", Kind.choices),
            "ประเภทโครงการ (ภาษาไทย)",
            "Project kind, Thai label",
            _width(_labels(Kind.choices)),
        ),
        f(
            "subtype",
            "subtype",
            "string",
            "p.subtype",
            "ลักษณะโครงการ (รหัส)",
            "Project subtype code",
            _width(Subtype.values),
        ),
        f(
            "subtype_th",
            "subtype_th",
            "string",
            _case("p.subtype", Subtype.choices),
            "ลักษณะโครงการ (ภาษาไทย)",
            "Project subtype, Thai label",
            _width(_labels(Subtype.choices)),
        ),
        f("name", "name", "string", "p.name", "ชื่อโครงการ", "Project name"),
        f("fiscal_year", "fy", "integer", "p.fiscal_year", "ปีงบประมาณ (พ.ศ.)", "Fiscal year (Buddhist Era)"),
        f(
            "plan_reference",
            "plan_ref",
            "string",
            "p.plan_reference",
            "อ้างอิงแผนพัฒนาท้องถิ่น",
            "Development plan reference",
        ),
        f("budget", "budget", "real", "p.budget::float8", "งบประมาณ (บาท)", "Budget (THB)"),
        f(
            "current_stage",
            "stage",
            "integer",
            "p.current_stage::int",
            "ขั้นตอนงบประมาณปัจจุบัน (1–6)",
            "Current budget stage (1–6)",
        ),
        f(
            "current_stage_th",
            "stage_th",
            "string",
            _case("p.current_stage", Stage.choices),
            "ขั้นตอนงบประมาณปัจจุบัน (ภาษาไทย)",
            "Current budget stage, Thai label",
            _width(stage_th.values()),
        ),
    ]
    for n in range(1, 7):
        out.append(
            f(
                f"stage{n}_date",
                f"s{n}_date",
                "date",
                f"st.s{n}_date",
                f"วันที่ขั้นตอน {n}: {stage_th[n]}",
                f"Date of stage {n}: {stage_en[n]}",
            )
        )
        out.append(
            f(
                f"stage{n}_amount",
                f"s{n}_amt",
                "real",
                f"st.s{n}_amt::float8",
                f"จำนวนเงินขั้นตอน {n}: {stage_th[n]} (บาท)",
                f"Amount of stage {n}: {stage_en[n]} (THB)",
            )
        )
    out += [
        f("province_code", "prov_code", "string", "pv.code", "รหัสจังหวัด", "Province code", 2),
        f("province_name", "prov_name", "string", "pv.name_th", "ชื่อจังหวัด", "Province name (Thai)", 120),
        f("amphoe_code", "amp_code", "string", "am.code", "รหัสอำเภอ", "Amphoe (district) code", 4),
        f("amphoe_name", "amp_name", "string", "am.name_th", "ชื่ออำเภอ", "Amphoe (district) name (Thai)", 120),
        f(
            "tambon_code",
            "tam_code",
            "string",
            "tb.code",
            "รหัสตำบล (ตำบลหลักของเส้นทาง)",
            "Tambon code (for a line: the tambon with the largest share)",
            6,
        ),
        f("tambon_name", "tam_name", "string", "tb.name_th", "ชื่อตำบล", "Tambon (subdistrict) name (Thai)", 120),
        f(
            "length_m",
            "length_m",
            "real",
            "round(p.length_m::numeric, 2)::float8",
            "ความยาว (เมตร) เฉพาะเส้น",
            "Length in metres (lines only)",
        ),
        # issue 23: funding source of the project and of its approved budget (when it differs)
        f(
            "funding_source",
            "fund_src",
            "string",
            "p.funding_source",
            "แหล่งเงิน (รหัส: own_revenue, general_subsidy, specific_subsidy, reserves, loan, other)",
            "Funding source code (own_revenue, general_subsidy, specific_subsidy, reserves, loan, other)",
            _width(FundingSource.values),
        ),
        f(
            "funding_source_th",
            "fund_th",
            "string",
            _case("p.funding_source", FundingSource.choices),
            "แหล่งเงิน (ภาษาไทย)",
            "Funding source, Thai label",
            _width(_labels(FundingSource.choices)),
        ),
        f(
            "stage3_funding_source",
            "s3_fund",
            "string",
            "coalesce(st.s3_fund, '')",
            "แหล่งเงินของงบประมาณที่อนุมัติ (เมื่อต่างจากของโครงการ)",
            "Funding source of the approved budget, when it differs from the project's",
            _width(FundingSource.values),
        ),
        # audit: who entered the latest change (issue 24)
        f(
            "on_behalf",
            "on_behalf",
            "integer",
            "p.on_behalf::int",
            "1 = การแก้ไขล่าสุดบันทึกโดยสำนักงานท้องถิ่นจังหวัดแทน อปท.",
            "1 = the latest change was recorded by the provincial office on behalf of the LAO",
        ),
        # field capture's photos (field app's table, read here by SQL: exchange does not import field)
        f(
            "photo_urls",
            "photo_urls",
            "string",
            PHOTO_URLS_SQL,
            "ที่อยู่ของรูปถ่ายโครงการ (คั่นด้วยช่องว่าง เปิดได้เมื่อลงชื่อเข้าใช้และมีสิทธิ์ดูโครงการ)",
            "Addresses of the project's photos (space-separated; open to whoever may read the project)",
        ),
    ]
    return out


# The project's photos, as the site's paths of their files (field.views.photo_file), oldest first:
# the column of the export query's grouped photo join (query.PHOTO_URLS).
PHOTO_URLS_SQL = "phs.urls"


FIELDS: list[ExportField] = _fields()

# The mapping must stay within the dBASE limits; checked at import time so a bad edit fails fast.
assert all(len(fld.shp.encode("ascii")) <= 10 for fld in FIELDS), "shapefile field names are at most 10 ASCII bytes"
assert all(0 <= fld.width <= 254 for fld in FIELDS), "dBASE fields are at most 254 bytes wide"
assert len({fld.shp for fld in FIELDS}) == len(FIELDS), "shapefile field names must be unique"
assert len({fld.key for fld in FIELDS}) == len(FIELDS), "field keys must be unique"

DICTIONARY_HEADER = ["shapefile_field", "field", "type", "meaning_th", "meaning_en"]


def data_dictionary_rows() -> list[list[str]]:
    return [[fld.shp, fld.key, fld.type, fld.th, fld.en] for fld in FIELDS]


def data_dictionary_csv() -> bytes:
    """The data dictionary as CSV (UTF-8 with BOM so Excel shows the Thai)."""
    buf = io.StringIO()
    writer = csvsafe.writer(buf)
    writer.writerow(DICTIONARY_HEADER)
    writer.writerows(data_dictionary_rows())
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
