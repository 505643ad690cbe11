"""Helpers shared by the reports: SQL composition around access-filtered querysets, parameters.

``queryset_sql`` turns the queryset returned by the access rules (and the shared filters) into a
plain ``SELECT`` that a report wraps in its aggregate SQL, so the rules stay in one place and the
database sees a single statement it can flatten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import get_language

from analysis.filters import filter_projects as shared_filter_projects
from common.dbconn import jit_off_here
from common.params import BIGINT_MAX, excerpt, parse_codes, parse_int, split_list
from projects_geo import fiscal
from projects_geo.models import Kind, Project

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
THAI_MONTHS = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
]


def queryset_sql(queryset, *fields) -> tuple[str, list]:
    """The SQL and parameters of ``queryset.values(*fields)`` without ordering."""
    sql, params = queryset.order_by().values(*fields).query.sql_with_params()
    return sql, list(params)


def fetch_dicts(sql: str, params) -> list[dict]:
    """Run a report statement and return its rows as dicts.

    JIT compilation is off for the statement (the connection's own setting, else ``SET LOCAL``):
    report queries are short aggregates whose estimated cost crosses PostgreSQL's JIT thresholds,
    and compiling them took longer (0.3–2 s with parallel workers at 1M projects) than running them.
    """
    alias = router.db_for_read(Project)  # a read replica for a report request (ops/replicas.py)
    with transaction.atomic(using=alias), connections[alias].cursor() as cur:
        jit_off_here(cur, alias)
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def thai_digits(value) -> str:
    """A number or text with Thai digits (๐–๙), as official letters write them."""
    return str(value).translate(THAI_DIGITS)


def thai_date(day: dt.date, digits: bool = False) -> str:
    """A report date with the B.E. year in the page language: ``10 ตุลาคม 2568`` / ``10 October 2568 B.E.``."""
    if not (get_language() or "th").startswith("th"):
        return f"{day.day} {day.strftime('%B')} {fiscal.ce_to_be(day.year)} B.E."
    text = f"{day.day} {THAI_MONTHS[day.month - 1]} {fiscal.ce_to_be(day.year)}"
    return thai_digits(text) if digits else text


def last_years(latest: int, count: int = 4) -> list[int]:
    """The ``count`` fiscal years ending with ``latest``, oldest first."""
    return list(range(latest - count + 1, latest + 1))


@dataclass
class ReportParams:
    """Parameters every report accepts (validated)."""

    fiscal_years: list[int] = field(default_factory=list)
    province_codes: list[str] = field(default_factory=list)
    kind: str | None = None
    raw: dict = field(default_factory=dict)

    @property
    def latest_year(self) -> int:
        return max(self.fiscal_years) if self.fiscal_years else fiscal.current_fiscal_year(timezone.localdate())


class ParamError(ValidationError):
    """A bad report parameter, with its message in Thai and English."""

    def __init__(self, field_name: str, message_en: str, message_th: str):
        super().__init__({field_name: f"{message_th} / {message_en}"}, code="invalid")
        self.field = field_name
        self.message_en = message_en
        self.message_th = message_th

    def as_dict(self):
        return {"field": self.field, "message_th": self.message_th, "message_en": self.message_en}


def _error(field_name, en, th):
    return ParamError(field_name, en, th)


def parse_params(data) -> ReportParams:
    """Read ``fiscal_year``, ``province`` and ``kind`` (comma-separated lists) from a query dict.

    Numbers and codes are read by ``common.params`` (digits 0–9 or Thai ๐–๙, nothing else), so a
    ``²`` or a NUL is a ParamError like any other bad value, never a server error."""
    raw = {k: data.get(k) for k in data.keys()} if hasattr(data, "keys") else dict(data)
    years = [_fiscal_year(part) for part in split_list(raw.get("fiscal_year"))]
    try:
        provinces = parse_codes(raw.get("province"), digits=2)
    except ValidationError:
        shown = excerpt(raw.get("province"))
        raise _error(
            "province", f"Province codes have 2 digits; got “{shown}”.", f"รหัสจังหวัดต้องเป็นตัวเลข 2 หลัก ได้รับ “{shown}”"
        ) from None
    kind = (raw.get("kind") or "").strip() or None
    if kind is not None and kind not in Kind.values:
        shown = excerpt(kind)
        raise _error(
            "kind",
            f"Kind “{shown}” is not one of {', '.join(Kind.values)}.",
            f"ประเภท “{shown}” ต้องเป็น {', '.join(Kind.values)}",
        )
    return ReportParams(sorted(set(years)), provinces, kind, raw)


def _fiscal_year(part: str) -> int:
    try:
        return parse_int(part, minimum=fiscal.MIN_FISCAL_YEAR, maximum=fiscal.MAX_FISCAL_YEAR)
    except ValidationError:
        shown = excerpt(part)
        raise _error(
            "fiscal_year",
            f"Fiscal year “{shown}” is not a B.E. year between {fiscal.MIN_FISCAL_YEAR} and {fiscal.MAX_FISCAL_YEAR}.",
            f"ปีงบประมาณ “{shown}” ไม่ใช่ปี พ.ศ. ระหว่าง {fiscal.MIN_FISCAL_YEAR} ถึง {fiscal.MAX_FISCAL_YEAR}",
        ) from None


def int_param(data, name: str, choices=None, *, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """Query parameter ``name`` as a whole number (None when absent), one of ``choices`` if given."""
    allowed = ", ".join(map(str, choices or []))
    try:
        value = parse_int(data.get(name), minimum=minimum, maximum=maximum)
    except ValidationError:
        value = -1 if choices else None
        if not choices:
            raise _error(
                name,
                f"{name} must be a whole number from {minimum} to {maximum}.",
                f"{name} ต้องเป็นจำนวนเต็มตั้งแต่ {minimum} ถึง {maximum}",
            ) from None
    if choices and value is not None and value not in choices:
        raise _error(name, f"{name} must be one of {allowed}.", f"{name} ต้องเป็นหนึ่งใน {allowed}")
    return value


def filter_projects(params: ReportParams, queryset):
    """Apply the analysts' shared filters (``analysis.filters.filter_projects``) to ``queryset``:
    the report's ``fiscal_year`` / ``province`` / ``kind`` and any other shared parameter (``amphoe``,
    ``lao``, ``bbox``, ``polygon``, ``subtype``, budget …). Raises ``ValidationError`` on bad values."""
    data = {k: v for k, v in params.raw.items() if v not in (None, "") and k not in REPORT_ONLY_PARAMS}
    return shared_filter_projects(data, queryset)


# Parameters of the report pages that are not project filters ("stage" and "year" choose a map
# measure here, while "stage" is also a filter of the API: it must not reach the shared filters).
REPORT_ONLY_PARAMS = {
    "dimension",
    "level",
    "by_kind",
    "format",
    "digits",
    "measure",
    "stage",
    "year",
    "missing",
    "lang",
    "download",
}


@dataclass
class Column:
    """A column of a report table: key in the row dicts, label, and how to show it."""

    key: str
    label: str
    fmt: str = "int"  # text | int | money | pct

    @property
    def numeric(self) -> bool:
        return self.fmt != "text"


@dataclass
class Table:
    """A report as rows of dicts with their columns, a totals row and an "as of" time."""

    title: str
    columns: list[Column]
    rows: list[dict]
    total: dict | None = None
    as_of: dt.datetime = field(default_factory=timezone.now)
    notes: list[str] = field(default_factory=list)
    # DLA's layout (completeness): a first header row of (label, columns spanned) and a second row
    # under it; zero counts shown as "-"; Thai digits in the files when asked for.
    header_groups: list[tuple[str, int]] | None = None
    sub_header: list[str] | None = None
    dash_zero: bool = False
    thai_digits: bool = False

    def all_rows(self):
        return [*self.rows, self.total] if self.total else list(self.rows)
