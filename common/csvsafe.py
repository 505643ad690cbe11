"""Spreadsheet files that cannot run formulas: the one CSV writer of the site, and the same rule for
Excel cells.

Excel, LibreOffice and Google Sheets read a CSV cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (``=HYPERLINK(...)`` opens a link, ``=cmd|' /C calc'!A0`` asked to start a program);
a leading tab or carriage return can hide such a cell. Text typed by people (project names, plan
references, import rows) reaches our CSV files, so every CSV the site writes goes through
``writer()`` here, which applies OWASP's rule ("CSV injection"): a text cell starting with one of
those characters is written with a single quote in front (``'=HYPERLINK(...)``), which the
spreadsheet shows as text. The full-width forms (``＝ ＋ － ＠``) are treated the same way, as a
precaution (a spreadsheet may read them as the ASCII ones).

**Numbers stay numbers.** Only text is neutralised. A cell whose value is a number (``int``,
``float``, ``Decimal``) is written as it is, so a column of negative amounts (``-12.5``) stays
numeric. Text that is only a plain decimal number (``-12.5``, ``+3``, ``-1.5e3``: an optional sign,
ASCII digits, an optional fraction and exponent, nothing else) is left as it is too: a spreadsheet
reads it as that number and it cannot run anything. Any other text starting with those characters
— ``-5+1``, ``- ถนน``, ``-`` on its own — gets the quote.

The quote stays part of the cell's text for a reader that is not a spreadsheet: a program reading
such a file back sees ``'=HYPERLINK(...)``.

Excel files (openpyxl) keep values in typed cells: ``protect_xlsx_cell`` stores a text cell that
starts with those characters as text (openpyxl makes any string starting with ``=`` a formula) and
marks it "quote prefix", so that editing the cell in Excel does not turn it into a formula either;
the text itself is unchanged.

The dialect is fixed (comma, double quote, CRLF, minimal quoting, as every CSV of the site was):
with another line terminator ``csv`` leaves a lone CR unquoted, and a reader then starts a new row
— and a cell — there.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal

TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
_TRIGGER_SET = frozenset(TRIGGERS)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NUMBERS = (int, float, Decimal)


def is_formula_like(value) -> bool:
    """Whether ``value``, written to a CSV cell, could be read as a formula (see the module docstring).

    Numbers and None never are; anything else is judged by its text, as ``csv`` writes ``str(value)``.
    """
    if value is None or isinstance(value, _NUMBERS):
        return False
    text = value if isinstance(value, str) else str(value)
    return text[:1] in _TRIGGER_SET and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(value):
    """The cell as it is written: formula-like text with a ``'`` in front, anything else unchanged."""
    if is_formula_like(value):
        return "'" + str(value)
    return value


# Cells of these types are written as text that cannot start a formula (a number, a date's
# digits, nothing for None): a row holding only these and text not starting with a trigger is
# written as it is, without a call per cell.
_PLAIN_TYPES = frozenset({int, float, Decimal, bool, type(None), dt.date, dt.datetime})


def _is_plain(row) -> bool:
    for v in row:
        cls = v.__class__
        if cls is str:
            if v[:1] in _TRIGGER_SET:
                return False
        elif cls not in _PLAIN_TYPES:
            return False
    return True


def safe_row(row):
    """A row's cells as ``neutralise`` writes them (the row itself when nothing needs changing)."""
    return row if _is_plain(row) else [neutralise(v) for v in row]


class SafeWriter:
    """``csv.writer`` in the "excel" dialect (comma, ``"``, CRLF, minimal quoting) that writes no
    formula cell: each cell as ``neutralise`` makes it."""

    def __init__(self, fileobj):
        self._writer = csv.writer(fileobj)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows) -> None:
        self._writer.writerows(map(safe_row, rows))


def writer(fileobj) -> SafeWriter:
    """The site's CSV writer: ``csv.writer(fileobj)`` (comma, ``"``, CRLF) that writes no formula cell."""
    return SafeWriter(fileobj)


def protect_xlsx_cell(cell) -> None:
    """Keep an openpyxl cell holding text that starts with a trigger a text cell (openpyxl makes
    text starting with ``=`` a formula), marked "quote prefix" so editing it in Excel keeps it text."""
    value = cell.value
    if isinstance(value, str) and value[:1] in _TRIGGER_SET:
        cell.data_type = "s"
        cell.quotePrefix = True
