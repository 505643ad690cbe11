"""The reports' CSV and Excel files hold no formula (issue 22, item 3): text starting with ``=``,
``+``, ``-`` or ``@`` is quoted in the CSV (``common.csvsafe``) and a text cell — not a formula —
in the Excel file, while numbers, negative ones too, stay numbers."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from layers.models import Organization
from reports.base import Column, Table
from reports.exports import to_csv, to_xlsx
from tests.factories import KATHU, PASSWORD, make_dla_admin

HYPERLINK = '=HYPERLINK("http://x","y")'
CMD = "=cmd|' /C calc'!A0"


def _table():
    columns = [Column("code", "Code", "text"), Column("name_th", "Name", "text"), Column("amount", "Amount", "money")]
    rows = [
        {"code": "@SUM(1)", "name_th": HYPERLINK, "amount": Decimal("-12.50")},
        {"code": "-1", "name_th": CMD, "amount": Decimal("100")},
        {"code": "83", "name_th": "ภูเก็ต", "amount": -7.25},
    ]
    return Table(title="+ทดสอบ", columns=columns, rows=rows, total={"code": "", "name_th": "รวม", "amount": 80})


def test_report_csv_neutralises_text_and_keeps_numbers():
    rows = list(csv.reader(io.StringIO(to_csv(_table()).decode("utf-8-sig"), newline="")))
    assert rows == [
        ["Code", "Name", "Amount"],
        ["'@SUM(1)", "'" + HYPERLINK, "-12.50"],
        ["-1", "'" + CMD, "100"],
        ["83", "ภูเก็ต", "-7.25"],
        ["", "รวม", "80"],
    ]


def test_report_xlsx_stores_formula_text_as_text():
    ws = load_workbook(io.BytesIO(to_xlsx(_table()))).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    for text in (HYPERLINK, CMD, "@SUM(1)", "-1", "+ทดสอบ"):
        cell = cells[text]
        assert cell.data_type == "s", text  # a string, not a formula ("f")
        assert cell.quotePrefix, text  # and stays one when edited in Excel
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert cells[-12.5].data_type == "n" and cells[-7.25].data_type == "n"  # numbers stay numbers
    assert not cells["ภูเก็ต"].quotePrefix


def test_report_downloads_of_an_lao_named_like_a_formula(client, report_data):
    """An LAO whose name is ``=HYPERLINK(...)``: the budget report by LAO, as CSV and Excel."""
    # a type without a customary prefix, so the name starts the cell (issue 21 prefixes ทม. etc.)
    Organization.objects.filter(dla_code=KATHU).update(name_th=HYPERLINK, type="special_admin_area")
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    query = "/reports/budget/?fiscal_year=2568&level=lao&province=83&format="
    rows = list(csv.reader(io.StringIO(client.get(query + "csv").content.decode("utf-8-sig"), newline="")))
    kathu = next(r for r in rows if r[0] == KATHU)
    assert kathu[1] == "'" + HYPERLINK
    ws = load_workbook(io.BytesIO(client.get(query + "xlsx").content)).active
    cell = next(c for row in ws.iter_rows() for c in row if c.value == HYPERLINK)
    assert cell.data_type == "s" and cell.quotePrefix
