"""The "who is behind" table as CSV (UTF-8 with BOM, through ``common.csvsafe``) and Excel."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from common import csvsafe
from common.thai_format import format_be_date

from .behind import FollowUp


def status_label(status: str) -> str:
    return {
        "done": _("Done"),
        "on_time": _("On time"),
        "late": _("Late"),
    }[status]


def rows(result: FollowUp, language: str) -> list[list]:
    header = [_("LAO code"), _("LAO"), _("Province"), _("Status"), _("Days late")]
    header += [f"{i.title(language)} ({format_be_date(i.due(result.fiscal_year), language)})" for i in result.items]
    out = [header]
    for r in result.rows:
        by_item = {s.item.pk: s for s in r.items}
        line = [
            r.organization.dla_code,
            r.organization.display_name,
            r.organization.province.name_th,
            status_label(r.status),
            r.days_late,
        ]
        for i in result.items:
            s = by_item.get(i.pk)
            line.append("" if s is None else f"{status_label(s.status)} {s.reached}/{s.projects}")
        out.append(line)
    return out


def to_csv(result: FollowUp, language: str) -> bytes:
    buf = io.StringIO()
    csvsafe.writer(buf).writerows(rows(result, language))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(result: FollowUp, language: str) -> bytes:
    from openpyxl import Workbook  # heavy third-party module, loaded for this download only

    wb = Workbook()
    ws = wb.active
    ws.title = "behind"
    for line in rows(result, language):
        ws.append(line)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            csvsafe.protect_xlsx_cell(cell)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
