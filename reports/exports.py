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

from django.utils.translation import gettext as _

from common import csvsafe
from common.thai_format import format_be_datetime

from .base import Table, thai_digits

EXCEL_FORMATS = {"int": "#,##0", "money": "#,##0.00", "pct": "0.0"}
CSV_DASH = "\u2013"  # a zero count in DLA's layout (Excel and the page show "-")
THAI_DIGITS_LOCALE = "[$-D07041E]"  # Excel's locale code that shows a number in Thai digits


def _value(row, col):
    v = row.get(col.key)
    if v is None:
        return "" if col.fmt == "text" else 0
    return v


def _header_rows(table: Table) -> list[list[str]]:
    """One header row, or DLA's two (group labels over their columns, then the sub-header)."""
    if not table.header_groups:
        return [[str(c.label) for c in table.columns]]
    first = []
    for label, span in table.header_groups:
        first += [label] + [""] * (span - 1)
    return [first, list(table.sub_header or [""] * len(first))]


def _csv_value(table: Table, row, col):
    v = _value(row, col)
    if col.fmt == "text":
        return thai_digits(v) if table.thai_digits else v
    if table.dash_zero and not v:
        # DLA prints "-"; a CSV cell "-" would get csvsafe's quote ("'-"), so the en dash it looks like
        return CSV_DASH
    return thai_digits(v) if table.thai_digits else v


def to_csv(table: Table) -> bytes:
    buf = io.StringIO()
    w = csvsafe.writer(buf)
    for header in _header_rows(table):
        w.writerow([thai_digits(h) if table.thai_digits else h for h in header])
    for row in table.all_rows():
        w.writerow([_csv_value(table, row, c) for c in table.columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _number_format(table: Table, col) -> str | None:
    fmt = EXCEL_FORMATS.get(col.fmt)
    if fmt is None:
        return None
    if table.dash_zero:
        fmt = f'{fmt};-{fmt};"-"'
    return THAI_DIGITS_LOCALE + fmt if table.thai_digits else fmt


def _write_header(ws, table: Table) -> int:
    """The header row(s) from the sheet's next row; returns the last header row's number."""
    from openpyxl.styles import Alignment, Font

    headers = _header_rows(table)
    ws.append(headers[0])
    first = ws.max_row  # (an empty row appended before does not count in max_row)
    for header in headers[1:]:
        ws.append(header)
    if table.header_groups:
        col = 1
        for _label, span in table.header_groups:
            if span > 1:
                ws.merge_cells(start_row=first, start_column=col, end_row=first, end_column=col + span - 1)
            elif not table.sub_header[col - 1]:
                ws.merge_cells(start_row=first, start_column=col, end_row=first + 1, end_column=col)
            col += span
    for r in range(first, ws.max_row + 1):
        for cell in ws[r]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
    return ws.max_row


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _("Report")[:31]
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("As of"), format_be_datetime(table.as_of)])
    for note in table.notes:
        ws.append([note])
    ws.append([])
    header_row = _write_header(ws, table)
    for row in table.all_rows():
        ws.append([float(v) if isinstance(v, Decimal) else v for v in (_value(row, c) for c in table.columns)])
        r = ws.max_row
        for i, col in enumerate(table.columns, 1):
            number_format = _number_format(table, col)
            if number_format:
                ws.cell(r, i).number_format = number_format
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
