"""CSV and Excel (openpyxl) files of a report ``Table``: same columns and rows as the page.

CSV is UTF-8 with a byte-order mark so that Excel opens the Thai text correctly; numbers are
written plainly (no thousands separators). Neither file holds a formula: text that a spreadsheet
would read as one is quoted in the CSV and a text cell in Excel (``common.csvsafe``). The Excel
sheet keeps numbers numeric with number formats, a bold header and totals row, and the title and
"as of" time above the table.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from common import csvsafe

from .base import Table

EXCEL_FORMATS = {"int": "#,##0", "money": "#,##0.00", "pct": "0.0"}


def _value(row, col):
    v = row.get(col.key)
    if v is None:
        return "" if col.fmt == "text" else 0
    return v


def to_csv(table: Table) -> bytes:
    buf = io.StringIO()
    w = csvsafe.writer(buf)
    w.writerow([c.label for c in table.columns])
    for row in table.all_rows():
        w.writerow([_value(row, c) for c in table.columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _("Report")[:31]
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("As of"), timezone.localtime(table.as_of).strftime("%Y-%m-%d %H:%M")])
    for note in table.notes:
        ws.append([note])
    ws.append([])
    header_row = ws.max_row + 1
    ws.append([c.label for c in table.columns])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.all_rows():
        ws.append([float(v) if isinstance(v, Decimal) else v for v in (_value(row, c) for c in table.columns)])
        r = ws.max_row
        for i, col in enumerate(table.columns, 1):
            if col.fmt in EXCEL_FORMATS:
                ws.cell(r, i).number_format = EXCEL_FORMATS[col.fmt]
        if row is table.total:
            for cell in ws[r]:
                cell.font = Font(bold=True)
    for i, col in enumerate(table.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = 28 if col.key == "name_th" else 14
    ws.freeze_panes = ws.cell(header_row + 1, 3)
    for cells in ws.iter_rows():  # text such as "=HYPERLINK(…)" stays text, not a formula
        for cell in cells:
            csvsafe.protect_xlsx_cell(cell)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
