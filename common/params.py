"""Request parameters read in one place: whole numbers, codes, text, lists, WGS84 boxes, JSON bodies.

Every query parameter and JSON body the site reads goes through these (the shared project filters,
the API's pagination, the OGC API, the tiles, the reports, the boundary layers, the home pages),
so one rule holds everywhere:

- a **whole number** is written with the digits 0–9 (Thai digits ๐–๙ count as the same digits,
  as Thai documents write them), with an optional sign, and lies within the bounds the caller
  gives (never beyond PostgreSQL's bigint). Anything else — ``²``, ``①``, ``١``, ``1_0``, ``1.5``,
  ``NaN`` — is refused, not guessed at;
- an official **code** is exactly its number of digits (the same digits);
- **text** holds no control or text-direction character (``common.plaintext``'s rule: NUL, ESC,
  BEL, CR/LF, U+202E …): PostgreSQL cannot even store a NUL, and none belongs in a search or a code;
- a **JSON body** is refused when nested deeper than Python can read or when it holds a number
  that is not finite (``1e400``, ``NaN``, ``Infinity``).

Bad values raise ``django.core.exceptions.ValidationError`` with a lazy message (callers key it by
parameter name, ``keyed``, and answer in Thai and English).
"""

from __future__ import annotations

import json
import math
import re

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.parsers import JSONParser

from common.apierrors import ApiError
from common.bilingual import both
from common.plaintext import validate_one_line

BIGINT_MAX = 2**63 - 1
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only (``\d`` would take any script's)
SHOWN_LENGTH = 40


def _shown(char: str) -> str:
    try:
        validate_one_line(char)
    except ValidationError:
        return "\ufffd"
    return char


def excerpt(value) -> str:
    """``value`` as it may be echoed in a message: at most 40 characters, control and
    text-direction characters replaced by U+FFFD."""
    text = str(value)
    shown = "".join(_shown(char) for char in text[:SHOWN_LENGTH])
    return shown + "…" if len(text) > SHOWN_LENGTH else shown


def keyed(name: str, error: ValidationError) -> ValidationError:
    """``error`` keyed by the parameter ``name`` (``errors_as_list`` then names the field)."""
    return ValidationError({name: error.error_list if hasattr(error, "error_list") else [error]})


def clean_text(value, *, max_length: int | None = None) -> str:
    """``value`` as one line of text (``common.plaintext.validate_one_line``), at most ``max_length``
    characters."""
    text = "" if value is None else str(value)
    validate_one_line(text)
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            _("At most %(max)s characters are allowed; got %(length)s."),
            code="too_long",
            params={"max": max_length, "length": len(text)},
        )
    return text


def plain_digits(text: str) -> str:
    """``text`` with Thai digits (๐–๙) written as 0–9."""
    return text.translate(THAI_DIGITS)


def parse_int(value, *, minimum: int = -BIGINT_MAX, maximum: int = BIGINT_MAX) -> int | None:
    """A whole number within ``minimum``…``maximum`` (0–9 or ๐–๙, optional sign); None when empty."""
    if value is None:
        return None
    text = plain_digits(str(value).strip())
    if text == "":
        return None
    if not WHOLE_NUMBER.fullmatch(text):
        raise ValidationError(
            _("Expected a whole number written with the digits 0–9 or ๐–๙, got “%(value)s”."),
            code="not_int",
            params={"value": excerpt(value)},
        )
    # more than 19 digits is beyond bigint: not worth converting (int() of 10,000 digits is refused anyway)
    number = int(text) if len(text.lstrip("+-0")) <= 19 else None
    if number is None or not minimum <= number <= maximum:
        raise ValidationError(
            _("Expected a whole number from %(min)s to %(max)s, got %(value)s."),
            code="out_of_range",
            params={"min": minimum, "max": maximum, "value": excerpt(text)},
        )
    return number


def query_int(params, name: str, *, default=None, minimum: int = -BIGINT_MAX, maximum: int = BIGINT_MAX):
    """Query parameter ``name`` of ``params`` as ``parse_int`` reads it (``default`` when absent or
    empty); errors keyed by ``name``."""
    try:
        value = parse_int(params.get(name), minimum=minimum, maximum=maximum)
    except ValidationError as exc:
        raise keyed(name, exc) from None
    return default if value is None else value


def split_list(value) -> list[str]:
    """``"a, b,,c"`` (or a list of such strings) as ``["a", "b", "c"]``; nothing as ``[]``."""
    if value in (None, ""):
        return []
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return [part.strip() for part in str(value).split(",") if part.strip()]


def parse_codes(value, *, digits: int, max_items: int = 500) -> list[str]:
    """Comma-separated official codes of ``digits`` digits (Thai digits written as 0–9)."""
    codes = [plain_digits(c) for c in split_list(value)]
    if len(codes) > max_items:
        raise ValidationError(_("At most %(max)s values are allowed."), code="too_many", params={"max": max_items})
    bad = [c for c in codes if not re.fullmatch(rf"[0-9]{{{digits}}}", c)]
    if bad:
        raise ValidationError(
            _("A code here has %(digits)s digits; got “%(bad)s”."),
            code="bad_code",
            params={"digits": digits, "bad": excerpt(", ".join(bad))},
        )
    return codes


def parse_bbox(value, *, clip: bool = False) -> Polygon | None:
    """``minx,miny,maxx,maxy`` (WGS84 degrees) as a Polygon; ValidationError when malformed.

    ``clip``: a box reaching beyond -180…180 / -90…90 (a zoomed-out web map's extent) is cut to
    them instead of refused."""
    parts = split_list(value)
    if not parts:
        return None
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise ValidationError(
            _("bbox is four numbers minx,miny,maxx,maxy (longitude, latitude in WGS84)."), code="bad_bbox"
        )
    minx, miny, maxx, maxy = numbers
    if clip:
        minx, maxx = max(minx, -180.0), min(maxx, 180.0)
        miny, maxy = max(miny, -90.0), min(maxy, 90.0)
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise ValidationError(
            _("bbox must have minx < maxx within -180…180 and miny < maxy within -90…90."), code="bad_bbox"
        )
    return Polygon.from_bbox((minx, miny, maxx, maxy))


# --- JSON text (bodies, GeoJSON in a parameter) ---


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is too large a number")
    return number


def load_json(text):
    """``json.loads`` that refuses non-finite numbers (``1e400``, ``NaN``, ``Infinity``) and nesting
    deeper than Python reads: ValidationError in both cases, as for malformed JSON."""
    try:
        return json.loads(text, parse_float=_finite_float, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValidationError(_("The JSON is nested too deeply."), code="json_too_deep") from None
    except ValueError:  # JSONDecodeError, a non-finite number, too many digits for an integer
        raise ValidationError(
            _("The JSON is malformed or holds a number that is not finite (such as 1e400 or NaN)."),
            code="bad_json",
        ) from None


class BoundedJSONParser(JSONParser):
    """DRF's JSON body parser with ``load_json``'s bounds; a refused body is a 400 in Thai and English."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
        except UnicodeDecodeError:
            raise ApiError([{"field": None, **both(_("The body is not text in UTF-8."))}]) from None
        try:
            return load_json(text)
        except ValidationError as exc:
            raise ApiError([{"field": None, **both(exc.message)}]) from None
