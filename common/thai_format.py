"""Showing numbers and dates the way Thai readers expect, and reading dates they type.

Numbers: Arabic digits grouped by thousands with a comma, amounts in baht ("5,200,000 บาท").
Dates: day, abbreviated month and the Buddhist-Era year in both languages ("1 ต.ค. 2567",
"1 Oct 2567"), since Thai fiscal and budget documents are dated in B.E. Typed dates may be in
B.E. or C.E. (a year above 2400 is B.E.), as d/m/yyyy or yyyy-mm-dd.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

BE_OFFSET = 543  # Buddhist Era = Common Era + 543

MONTHS_TH = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
BE_THRESHOLD = 2400  # a typed year above this is Buddhist Era


def _is_thai(language: str | None = None) -> bool:
    return (language or get_language() or "th").startswith("th")


def format_number(value, decimals: int | None = None) -> str:
    """Group thousands with commas; keep two decimals only when there is a fraction."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if decimals is None:
        decimals = 0 if number == number.to_integral_value() else 2
    return f"{number:,.{decimals}f}"


def format_baht(value, language: str | None = None) -> str:
    if value is None or value == "":
        return ""
    return _("%(amount)s baht") % {"amount": format_number(value)}


def format_be_date(day: dt.date | None, language: str | None = None) -> str:
    """ "1 ต.ค. 2567" / "1 Oct 2567": the one way a date is shown (pages, messages, reports)."""
    if day is None or day == "":
        return ""
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    months = MONTHS_TH if _is_thai(language) else MONTHS_EN
    return f"{day.day} {months[day.month - 1]} {day.year + BE_OFFSET}"


def format_be_datetime(moment: dt.datetime | None, language: str | None = None) -> str:
    """ "4 ธ.ค. 2569 22:37": a moment in local time with the B.E. year (history, approvals, reports)."""
    if moment is None or moment == "":
        return ""
    if not isinstance(moment, dt.datetime):
        return format_be_date(moment, language)
    local = _local(moment)
    return f"{format_be_date(local.date(), language)} {local:%H:%M}"


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def to_be_date_input(day: dt.date | None) -> str:
    """A date as the d/m/yyyy (B.E.) text the date inputs show."""
    return "" if day is None else f"{day.day}/{day.month}/{day.year + BE_OFFSET}"


def parse_date(text: str) -> dt.date:
    """Read d/m/yyyy, d-m-yyyy, d.m.yyyy or yyyy-mm-dd, the year in B.E. or C.E.; ValueError if not a date."""
    text = (text or "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        year, month, day = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
        if not m:
            raise ValueError(text)
        day, month, year = (int(g) for g in m.groups())
    if year > BE_THRESHOLD:
        year -= BE_OFFSET
    return dt.date(year, month, day)


def parse_amount(text) -> Decimal | None:
    """An amount typed with thousands separators or spaces ("1,250,000.50"); None when empty."""
    if text is None:
        return None
    cleaned = re.sub(r"[,\s฿]|บาท", "", str(text))
    if cleaned == "":
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
