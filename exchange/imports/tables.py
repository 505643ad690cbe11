"""Reading CSV and Excel ``.xlsx`` tables row by row, with every limit enforced while reading.

A table is refused (``ImportFileError``, Thai and English) the moment it passes a limit, so a
hostile file costs no more than the limit: more data rows than ``GISPLAN_IMPORT_MAX_FEATURES`` (or
as many blank rows), a row wider than ``GISPLAN_IMPORT_MAX_COLUMNS``, a CSV line longer than
``MAX_LINE_CHARS``, reading for longer than ``GISPLAN_IMPORT_MAX_READ_SECONDS``; for Excel also a
workbook unpacking to more than ``GISPLAN_IMPORT_MAX_SHEET_MB``, a part parsed whole (styles,
workbook…) above ``MAX_WHOLE_PART_BYTES``, or more different texts (shared strings) than
``SHARED_STRINGS_PER_ROW`` per allowed row.

The rows read are kept compact (``TableRecords``: one string per row), so an accepted file takes
about its own size in memory; ``benchmarks/import_memory.py`` measures it.
"""

from __future__ import annotations

import codecs
import csv
import io
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext_lazy as _

from . import limits, safezip
from .errors import ImportFileError

MAX_LINE_CHARS = 1_000_000  # one CSV line; longer, it is refused before it is split into cells
CELL_SEPARATOR = "\x00"  # between the cells of a kept row; a file holding it is refused as binary
TIME_CHECK_EVERY = 256  # rows
MAX_WHOLE_PART_BYTES = 10 * 1024 * 1024  # an Excel part openpyxl parses whole (styles, workbook, …)
SHARED_STRINGS_PER_ROW = 4  # different texts of an Excel workbook, per row it may hold


class TableRecords(Sequence):
    """The data rows of a table, each kept as one string (its cells joined by NUL, which no
    accepted file holds) and handed out as a dict column → value (None for an empty cell). The
    columns are the header's, and ``column_N`` for cells of wider rows."""

    def __init__(self, columns: list[str]):
        self.columns = columns
        self._rows: list[str] = []

    def append(self, cells: list[str]) -> None:
        """Keep a data row; one wider than the header names its extra columns ``column_N``."""
        if len(cells) > len(self.columns):
            self.columns[:] = header(self.columns + [None] * (len(cells) - len(self.columns)))
        self._rows.append(CELL_SEPARATOR.join(cells))

    def _record(self, row: str) -> dict:
        cells = row.split(CELL_SEPARATOR)
        return {h: (cells[i] or None) if i < len(cells) else None for i, h in enumerate(self.columns)}

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._record(r) for r in self._rows[index]]
        return self._record(self._rows[index])

    def __iter__(self):
        return map(self._record, self._rows)


def too_many_rows() -> ImportFileError:
    return ImportFileError(
        "too_many_rows",
        _("The file holds more than %(max)s rows; at most %(max)s can be imported at once. Split it."),
        max=f"{limits.max_features():,}",
    )


def too_many_columns(n: int) -> ImportFileError:
    return ImportFileError(
        "too_many_columns",
        _("A row of the file has %(n)s columns; at most %(max)s are accepted."),
        n=f"{n:,}",
        max=limits.max_columns(),
    )


class ReadBudget:
    """Rows, width and time of a file being read; refuses it the moment one is exceeded. GIS
    layers add their features to ``data`` and call ``check_time`` between layers."""

    def __init__(self, *, header_rows: int = 0):
        self.max_rows = limits.max_features()
        self.header_rows = header_rows  # non-blank rows read before the data (a table's header)
        self.max_columns = limits.max_columns()
        self.max_seconds = limits.max_read_seconds()
        self.deadline = time.monotonic() + self.max_seconds
        self.data = 0
        self.blank = 0

    def row(self, cells: list[str]) -> list[str] | None:
        """The row's cells up to its last non-empty one, or None for a blank row (counted too)."""
        width = len(cells)
        while width and cells[width - 1] == "":
            width -= 1
        if width:
            self.data += 1
        else:
            self.blank += 1
        if self.data > self.max_rows + self.header_rows or self.blank > self.max_rows:
            raise too_many_rows()
        if width > self.max_columns:
            raise too_many_columns(width)
        if (self.data + self.blank) % TIME_CHECK_EVERY == 0:
            self.check_time()
        return cells[:width] if width else None

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ImportFileError(
                "read_too_slow",
                _("Reading the file took longer than %(max)s seconds; split it into smaller files."),
                max=f"{self.max_seconds:g}",
            )


def header(cells) -> list[str]:
    """Column names from a header row: blanks named ``column_N``, repeats made unique."""
    out = []
    for i, c in enumerate(cells):
        name = str(c).strip() if c is not None and str(c).strip() else f"column_{i + 1}"
        while name in out:
            name += "_"
        out.append(name)
    return out


def _collect(rows, budget: ReadBudget) -> TableRecords | None:
    """The first non-blank row is the header, the others data; None when there is none."""
    records = None
    for cells in rows:
        cells = budget.row(cells)
        if cells is None:
            continue
        if records is None:
            records = TableRecords(header(cells))
        else:
            records.append(cells)
    return records


def undecodable(encoding) -> ImportFileError:
    return ImportFileError(
        "undecodable",
        _(
            "The text in the file is not in the expected encoding (%(encoding)s); "
            "choose the file's encoding (e.g. cp874 for older Thai files)."
        ),
        encoding=encoding or "UTF-8",
    )


def _binary(fmt: str) -> ImportFileError:
    return ImportFileError(
        "unreadable",
        _("The file cannot be read as %(format)s: %(detail)s"),
        format=fmt,
        detail=_("it contains binary data"),
    )


# --- CSV -------------------------------------------------------------------------------------


class _Lines:
    """The lines of a text file for ``csv.reader``, each at most ``MAX_LINE_CHARS`` long and
    without NUL, the byte-order mark dropped; ``number`` is the last line handed out."""

    def __init__(self, text):
        self.text = text
        self.number = 0

    def __iter__(self):
        while line := self.text.readline(MAX_LINE_CHARS + 1):
            self.number += 1
            if len(line) > MAX_LINE_CHARS:
                raise ImportFileError(
                    "line_too_long",
                    _("Line %(line)s of the file is longer than %(max)s characters; it is not a table of projects."),
                    line=f"{self.number:,}",
                    max=f"{MAX_LINE_CHARS:,}",
                )
            if CELL_SEPARATOR in line:
                raise _binary("CSV")
            yield line.lstrip("\ufeff") if self.number == 1 else line


def read_csv(path: Path, *, encoding: str | None = None) -> TableRecords | None:
    """The rows of a CSV file (delimiter guessed from its start), decoded as ``encoding``
    (default UTF-8, with or without a byte-order mark)."""
    enc = encoding or "utf-8-sig"
    try:
        codecs.lookup(enc)
    except LookupError:
        raise ImportFileError(
            "unknown_encoding", _("Unknown text encoding “%(encoding)s”."), encoding=encoding
        ) from None
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=enc, newline="")
        try:
            sample = text.read(4096)
            text.seek(0)
            return _collect(_csv_rows(_Lines(text), _sniff(sample)), ReadBudget(header_rows=1))
        except UnicodeDecodeError:
            raise undecodable(encoding) from None


def _csv_rows(lines: _Lines, dialect):
    """The cells of each row, stripped; a row csv cannot read is refused naming its first line."""
    reader = csv.reader(lines, dialect)
    first_line = 1
    try:
        for cells in reader:
            yield [c.strip() for c in cells]
            first_line = lines.number + 1
    except csv.Error:  # a cell beyond csv's field size limit (an unclosed quote takes the rest)
        raise ImportFileError(
            "unreadable_line",
            _(
                "Line %(line)s of the file cannot be read as CSV: a cell is longer than %(max)s characters "
                "(perhaps a quotation mark is not closed)."
            ),
            line=f"{first_line:,}",
            max=f"{csv.field_size_limit():,}",
        ) from None


def _sniff(sample: str):
    if CELL_SEPARATOR in sample:
        raise _binary("CSV")
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


# --- Excel -----------------------------------------------------------------------------------

# What openpyxl raises on a damaged workbook or sheet (XML, ZIP, values, missing parts).
XLSX_ERRORS = (zipfile.BadZipFile, ParseError, KeyError, IndexError, ValueError, TypeError, AttributeError, OSError)


def _xlsx_unreadable() -> ImportFileError:
    return ImportFileError(
        "unreadable",
        _("The file cannot be read as %(format)s: %(detail)s"),
        format="Excel (.xlsx)",
        detail=_("damaged or not this format"),
    )


def _too_large(size: int, limit: int) -> ImportFileError:
    return ImportFileError(
        "sheet_too_large",
        _(
            "The workbook unpacks to %(size)s MB; at most %(max)s MB can be imported. "
            "Keep only the sheet of projects, or split it into smaller files."
        ),
        size=round(size / 1048576, 1),
        max=round(limit / 1048576, 1),
    )


def check_workbook_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than ``GISPLAN_IMPORT_MAX_SHEET_MB``, or whose
    XML parts that openpyxl parses whole (all but the sheets and the shared strings, which it
    streams) exceed ``MAX_WHOLE_PART_BYTES``, before any is parsed. The declared sizes hold: zipfile
    never hands out more than a member declares."""
    safezip.check(path)
    with safezip.open_zip(path) as zf:
        infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > limits.max_sheet_bytes():
        raise _too_large(total, limits.max_sheet_bytes())
    for info in infos:
        name = PurePosixPath(info.filename)
        streamed = name.parent.name == "worksheets" or name.name.lower() == "sharedstrings.xml"
        if name.suffix.lower() in (".xml", ".rels") and not streamed and info.file_size > MAX_WHOLE_PART_BYTES:
            raise _too_large(info.file_size, MAX_WHOLE_PART_BYTES)


def read_xlsx(path: Path) -> TableRecords | None:
    """The rows of the first sheet of an Excel workbook, values as text (dates as ISO dates)."""
    check_workbook_size(path)
    budget = ReadBudget(header_rows=1)
    try:
        wb = _load_workbook(path, max_strings=SHARED_STRINGS_PER_ROW * budget.max_rows)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a damaged workbook
        raise _xlsx_unreadable() from None
    try:
        sheets = wb.worksheets
        if not sheets:
            return None
        # each row as wide as its last cell (a missing row: an empty one), the sheet streamed
        rows = sheets[0].iter_rows(values_only=True)
        return _collect(([_xlsx_cell(v) for v in values] for values in rows), budget)
    except XLSX_ERRORS:
        raise _xlsx_unreadable() from None
    finally:
        wb.close()


def _load_workbook(path: Path, *, max_strings: int):
    """``openpyxl.load_workbook(read_only=True, data_only=True)`` but streaming what it would
    parse whole: its shared strings are read by ``_shared_strings`` (openpyxl keeps an XML node per
    string, ~150 bytes and ~18 µs each), and its sheets do not look for their dimensions (the
    ``<dimension>`` a sheet may lack, when openpyxl parses the whole sheet looking for it; nor do
    the rows read stop where a lying one says)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS

    class Sheet(ReadOnlyWorksheet):
        def _get_size(self):
            pass

    class Reader(ExcelReader):
        def read_strings(self):
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as src:
                    self.shared_strings = _shared_strings(src, max_strings)

        def read_worksheets(self):
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    ws = Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    ws.sheet_state = sheet.state
                    self.wb._sheets.append(ws)

    reader = Reader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _shared_strings(src, max_strings: int) -> list[str]:
    """The workbook's shared strings (plain and rich text as plain text, as openpyxl reads them),
    the parsed XML dropped as it goes; refused beyond ``max_strings``."""
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    si, t, r = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))
    strings: list[str] = []
    root = None
    for event, element in iterparse(src, events=("start", "end")):
        if root is None:
            root = element
        elif event == "end" and element.tag == si:
            plain = element.find(t)
            parts = [plain.text or ""] if plain is not None else []
            parts += [run.text or "" for run in element.iterfind(f"{r}/{t}")]
            strings.append("".join(parts).replace("x005F_", ""))
            root.clear()
            if len(strings) > max_strings:
                raise ImportFileError(
                    "too_many_texts",
                    _("The workbook holds more than %(max)s different texts; split it into smaller files."),
                    max=f"{max_strings:,}",
                )
    return strings


def _xlsx_cell(v) -> str:
    """An Excel value as the text kept for it (dates as ISO dates, numbers as Python writes them)."""
    if v is None:
        return ""
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    text = str(v).strip()
    if CELL_SEPARATOR in text:
        raise _binary("Excel (.xlsx)")
    return text
