"""Completeness table and drill-down: known answers, LAOs with no projects, access, Thai digits, downloads."""

import csv
import io

from openpyxl import load_workbook

from accounts.models import Role
from layers.models import Organization
from reports import completeness
from reports.base import parse_params, thai_digits
from tests.factories import KATHU, PASSWORD, PATONG, PHANG_NGA, PHUKET, make_analyst, make_dla_admin, make_user

# Years 2565..2568 -> y0..y3.


def test_table_counts_laos_per_stage_and_year(report_data):
    dla = make_dla_admin()
    t = completeness.completeness_report(dla, parse_params({"fiscal_year": "2568"}))
    assert t.years == [2565, 2566, 2567, 2568]
    rows = {r["code"]: r for r in t.rows}
    # Every province with LAOs (Bangkok, 10, is not in DLA's registry), also those without any project.
    assert len(rows) == 76 and "10" not in rows
    assert rows[PHUKET]["laos"] == 19 and rows[PHANG_NGA]["laos"] == 52
    phuket = rows[PHUKET]
    # FY 2568: only Kathu reached stages (Patong's project has no stage at all).
    assert [phuket[f"y3_s{s}"] for s in range(1, 7)] == [1, 1, 1, 1, 1, 1]
    # FY 2567: Patong reached stage 2.
    assert [phuket[f"y2_s{s}"] for s in range(1, 7)] == [1, 1, 0, 0, 0, 0]
    assert all(phuket[f"y{i}_s{s}"] == 0 for i in (0, 1) for s in range(1, 7))
    assert [rows[PHANG_NGA][f"y3_s{s}"] for s in range(1, 7)] == [1, 1, 1, 1, 0, 0]
    assert rows["50"]["laos"] > 0 and all(rows["50"][f"y3_s{s}"] == 0 for s in range(1, 7))
    total = t.total
    assert total["laos"] == Organization.objects.count() == 7849
    assert [total[f"y3_s{s}"] for s in range(1, 7)] == [2, 2, 2, 2, 1, 1]
    assert [total[f"y2_s{s}"] for s in range(1, 7)] == [1, 1, 0, 0, 0, 0]


def test_kind_filter_and_other_years(report_data):
    dla = make_dla_admin()
    t = completeness.completeness_report(dla, parse_params({"fiscal_year": "2568", "kind": "road"}))
    assert [t.total[f"y3_s{s}"] for s in range(1, 7)] == [1, 1, 1, 0, 0, 0]  # Kathu's road stops at stage 3
    t = completeness.completeness_report(dla, parse_params({"fiscal_year": "2567"}))
    assert t.years == [2564, 2565, 2566, 2567] and t.total["y3_s2"] == 1 and t.total["y3_s3"] == 0


def test_drill_down_lists_the_laos_still_missing_a_stage(report_data):
    analyst = make_analyst(PHUKET)
    years, rows = completeness.lao_status(analyst, parse_params({"fiscal_year": "2568"}), PHUKET)
    assert len(rows) == 19
    by_code = {r["dla_code"]: r for r in rows}
    assert by_code[KATHU]["reached"] == [0, 0, 0, 6]
    assert by_code[PATONG]["reached"] == [0, 0, 2, 0]
    missing_plan_2568 = {r["dla_code"] for r in rows if (2568, 1) in r["missing"]}
    assert len(missing_plan_2568) == 18 and KATHU not in missing_plan_2568 and PATONG in missing_plan_2568


def test_provincial_analyst_and_lao_staff_see_only_their_part(client, report_data):
    analyst = make_analyst(PHUKET)
    t = completeness.completeness_report(analyst, parse_params({"fiscal_year": "2568"}))
    assert [r["code"] for r in t.rows] == [PHUKET] and t.total["laos"] == 19
    patong = make_user("patong", Role.LAO_PLANNER, lao=PATONG)
    t = completeness.completeness_report(patong, parse_params({"fiscal_year": "2568"}))
    assert [r["code"] for r in t.rows] == [PHUKET]
    assert t.total["laos"] == 1 and t.total["y3_s1"] == 0 and t.total["y2_s2"] == 1  # Kathu's numbers are not visible

    client.login(username="patong", password=PASSWORD)
    assert client.get("/reports/completeness/82/").status_code == 404
    page = client.get("/reports/completeness/83/?fiscal_year=2568")
    assert page.status_code == 200
    html = page.content.decode()
    assert PATONG in html and KATHU not in html
    client.logout()
    client.login(username="ana83", password=PASSWORD)
    assert client.get("/reports/completeness/82/").status_code == 404
    page = client.get("/reports/completeness/83/?fiscal_year=2568&missing=2568-1").content.decode()
    assert PATONG in page and KATHU not in page and "6830307" in page


def test_page_with_thai_digits_and_as_of_date(client, report_data):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    html = client.get("/reports/completeness/?fiscal_year=2568&digits=thai").content.decode()
    assert "๒๕๖๘" in html and "๗,๘๔๙" in html and "ข้อมูล ณ วันที่" in html and "รวมทั้งประเทศ" in html
    assert "7,849" not in html
    html = client.get("/reports/completeness/?fiscal_year=2568").content.decode()
    assert "7,849" in html and "/reports/completeness/83/" in html


def test_downloads(client, report_data):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    resp = client.get("/reports/completeness/?fiscal_year=2568&format=csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    header = rows[0]  # DLA's two header rows: the measure over its four years, then the years
    assert len(rows) == 2 + 76 + 1 and rows[-1][1] == "รวมทั้งประเทศ" and rows[-1][2] == "7849"
    col = header.index("อยู่ในแผนพัฒนาท้องถิ่น") + 3
    assert rows[1][col] == "2568" and rows[-1][col] == "2"
    resp = client.get("/reports/completeness/83/?fiscal_year=2568&missing=2568-1&format=xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    codes = [r[0].value for r in ws.iter_rows() if r[0].value and str(r[0].value).isdigit()]
    assert len(codes) == 18 and KATHU not in codes


def test_thai_digits_helper():
    assert thai_digits("2568: 7,849") == "๒๕๖๘: ๗,๘๔๙"


# DLA's full format -------------------------------------------------------------------------------
# On top of report_data, by hand: Patong has a plan 2566–2570 with its vision and one strategy;
# Kathu a plan 2561–2565 with a vision and no strategy, and 2566–2570 without a vision with one
# strategy; Takua Pa (82) a plan 2566–2570 with a vision and no strategy. Years 2565..2568:
#   vision   2565: Kathu                 → Phuket 1, Phang Nga 0
#            2566–2568: Patong; Takua Pa → Phuket 1, Phang Nga 1
#   strategy 2565: none; 2566–2568: Patong, Kathu → Phuket 2, Phang Nga 0


def _dla_plans():
    from planning.models import DevelopmentPlan, PlanStrategy

    def plan(code, start, end, vision, strategies):
        p = DevelopmentPlan.objects.create(
            organization=Organization.objects.get(dla_code=code), start_year=start, end_year=end, vision=vision
        )
        for n in range(strategies):
            PlanStrategy.objects.create(plan=p, code=str(n + 1), name_th=f"ยุทธศาสตร์ {n + 1}")

    plan(PATONG, 2566, 2570, "ป่าตองน่าอยู่", 1)
    plan(KATHU, 2561, 2565, "กะทู้น่าอยู่", 0)
    plan(KATHU, 2566, 2570, "", 1)
    plan("4820501", 2566, 2570, "ตะกั่วป่า", 0)


def test_dla_format_counts_vision_strategy_and_stages(report_data):
    _dla_plans()
    t = completeness.completeness_report(make_dla_admin(), parse_params({"fiscal_year": "2568"}))
    rows = {r["code"]: r for r in t.rows}
    assert [m[1] for m in t.measures] == ["vision", "strategy", "s1", "s2", "s3", "s4", "s5", "s6"]
    assert [rows[PHUKET][f"y{i}_vision"] for i in range(4)] == [1, 1, 1, 1]
    assert [rows[PHANG_NGA][f"y{i}_vision"] for i in range(4)] == [0, 1, 1, 1]
    assert [rows[PHUKET][f"y{i}_strategy"] for i in range(4)] == [0, 2, 2, 2]
    assert [rows[PHANG_NGA][f"y{i}_strategy"] for i in range(4)] == [0, 0, 0, 0]
    assert [t.total[f"y{i}_vision"] for i in range(4)] == [1, 2, 2, 2]
    assert [t.total[f"y{i}_strategy"] for i in range(4)] == [0, 2, 2, 2]
    assert [t.total[f"y3_s{s}"] for s in range(1, 7)] == [2, 2, 2, 2, 1, 1]  # the stages as before
    # column order: code, province, LAOs, then each measure over the four years
    keys = [c.key for c in t.columns]
    assert keys[:3] == ["code", "name_th", "laos"] and keys[3:7] == [f"y{i}_vision" for i in range(4)]
    assert keys[7:11] == [f"y{i}_strategy" for i in range(4)] and keys[-1] == "y3_s6" and len(keys) == 3 + 8 * 4


def test_dla_format_files_and_page(client, report_data):
    _dla_plans()
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    html = client.get("/reports/completeness/?fiscal_year=2568").content.decode()
    assert "วิสัยทัศน์" in html and "ยุทธศาสตร์" in html and ">-<" in html and "แห่ง" in html
    resp = client.get("/reports/completeness/?fiscal_year=2568&format=csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    first, second = rows[0], rows[1]
    assert first[:4] == ["รหัส", "จังหวัด", "จำนวน อปท.", "วิสัยทัศน์"] and first[4:7] == ["", "", ""]
    assert first[7] == "ยุทธศาสตร์" and first[11] == "อยู่ในแผนพัฒนาท้องถิ่น"
    assert second[:3] == ["", "", ""] and second[3:7] == ["2565", "2566", "2567", "2568"]
    phuket = next(r for r in rows if r[0] == PHUKET)
    assert phuket[3:11] == ["1", "1", "1", "1", "\u2013", "2", "2", "2"]  # a dash for zero (en dash: csvsafe)
    thai = client.get("/reports/completeness/?fiscal_year=2568&format=csv&digits=thai").content.decode("utf-8-sig")
    assert "๒๕๖๘" in thai and "๗๘๔๙" in thai and "7849" not in thai
    resp = client.get("/reports/completeness/?fiscal_year=2568&format=xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "รหัส")
    assert header[3] == "วิสัยทัศน์" and header[7] == "ยุทธศาสตร์"
    assert any(str(rng) == "D5:G5" or str(rng).startswith("D") for rng in ws.merged_cells.ranges)
    phuket_row = next(r for r in ws.iter_rows() if r[0].value == PHUKET)
    assert phuket_row[7].value == 0 and phuket_row[7].number_format.endswith(';"-"')
    # the drill-down: Phuket's LAOs with their vision / strategy per year, and who lacks a strategy in 2568
    page = client.get(f"/reports/completeness/{PHUKET}/?fiscal_year=2568&missing=2568-t").content.decode()
    assert PATONG not in page and KATHU not in page and "6830307" in page
    years, lao_rows = completeness.lao_status(make_analyst(PHUKET), parse_params({"fiscal_year": "2568"}), PHUKET)
    kathu = next(r for r in lao_rows if r["dla_code"] == KATHU)
    assert [kathu["has"][(y, "v")] for y in years] == [True, False, False, False]
    assert [kathu["has"][(y, "t")] for y in years] == [False, True, True, True]
