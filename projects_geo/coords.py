"""Typed coordinates → a point in EPSG:4326 with a normalised preview.

Accepted forms (one point; ``parse_vertices`` takes one per line or separated by ``;``):

- decimal degrees: ``13.7563, 100.5018`` (also with hemisphere letters, ``N13.7563 E100.5018``);
- degrees-minutes-seconds: ``13°45'22.7"N 100°30'06.5"E``, ``13 45 22.7 N 100 30 06.5 E``,
  ``13d45m22.7s``, degrees-minutes ``13°45.378'N``; with or without hemisphere letters;
- UTM zone 47N or 48N: ``47N 661234 1521234``, ``E 661234 N 1521234 zone 47``,
  ``661234E 1521234N 47N``, optionally naming the datum (``WGS84``, ``Indian 1975``,
  ``indian``, ``I75``); WGS 84 unless the text or the ``datum`` argument says otherwise.

**Order rule for two bare numbers (no N/S/E/W letters):** latitude first, as Google Maps and GPS
units show them. The pair is read longitude first only when latitude-first is impossible
(the first number is beyond ±90°) or when only the reversed order falls within Thailand's extent
(latitude 5–21°, longitude 97–106°; the two ranges do not overlap, so the rule is never
ambiguous for Thai coordinates). The source description says when this happened.

**Indian 1975 → WGS 84:** always EPSG:1812 "Indian 1975 to WGS 84 (4)", a 7-parameter Helmert
transformation (position-vector convention: tx=293 m, ty=836 m, tz=318 m, rx=0.5″, ry=1.6″,
rz=−2.8″, scale 2.1 ppm) for Thailand onshore, stated accuracy 3 m. It is written out as an
explicit PROJ pipeline below, so no PROJ default can silently substitute another operation
(pyproj's candidates also include EPSG:1304, a 3-parameter shift with 5 m accuracy). The shift
between the two datums is about 400–600 m in Thailand.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from django.contrib.gis.geos import Point
from pyproj import Transformer

WGS84 = "wgs84"
INDIAN_1975 = "indian1975"
ZONES = (47, 48)
DATUM_LABELS = {WGS84: "WGS 84", INDIAN_1975: "Indian 1975"}

INDIAN_1975_TRANSFORMATION = "EPSG:1812 (Indian 1975 to WGS 84 (4), 7-parameter Helmert, accuracy 3 m)"
_TOWGS84_1812 = "293,836,318,0.5,1.6,-2.8,2.1"
_HELMERT_1812 = "+proj=helmert +x=293 +y=836 +z=318 +rx=0.5 +ry=1.6 +rz=-2.8 +s=2.1 +convention=position_vector"

THAI_LAT = (5.0, 21.0)
THAI_LON = (97.0, 106.0)


class CoordinateParseError(ValueError):
    """Text that is not a coordinate; carries a Thai and an English message."""

    def __init__(self, message_en: str, message_th: str):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_th = message_th


@dataclass
class ParsedPoint:
    point: Point  # EPSG:4326
    preview: str  # "lat, lon" with 6 decimals
    source: str  # what was recognised, e.g. "UTM 47N E 661234 N 1521234, Indian 1975 → WGS 84 (EPSG:1812)"
    form: str  # "decimal" | "dms" | "utm"
    zone: int | None = None
    datum: str | None = None
    easting: float | None = None
    northing: float | None = None
    lon_first: bool = False  # two bare numbers read longitude first

    @property
    def hint(self) -> dict:
        """What validation needs to look for input mistakes (zone or datum mix-ups)."""
        return {"form": self.form, "zone": self.zone, "datum": self.datum}


def preview_of(lon: float, lat: float) -> str:
    return f"{lat:.6f}, {lon:.6f}"


# --- transformations ----------------------------------------------------------------------------


@cache
@cache
def _utm_transformer(zone: int, datum: str) -> Transformer:
    """UTM (easting, northing) on the datum → WGS 84 (lon, lat); explicit pipelines only."""
    if datum == WGS84:
        steps = f"+step +inv +proj=utm +zone={zone} +ellps=WGS84"
    else:
        steps = (
            f"+step +inv +proj=utm +zone={zone} +ellps=evrst30 +step +proj=push +v_3 "
            f"+step +proj=cart +ellps=evrst30 +step {_HELMERT_1812} "
            f"+step +inv +proj=cart +ellps=WGS84 +step +proj=pop +v_3"
        )
    return Transformer.from_pipeline(f"+proj=pipeline {steps} +step +proj=unitconvert +xy_in=rad +xy_out=deg")


def utm_proj_definition(zone: int, datum: str = WGS84) -> str:
    """The PROJ definition of UTM ``zone`` on ``datum`` for tools that take one CRS string (PostGIS
    ``ST_Transform``): Indian 1975 carries EPSG:1812's Helmert parameters as ``+towgs84`` (the same
    position-vector convention), so the result equals ``lonlat_to_utm``'s."""
    if datum == WGS84:
        return f"+proj=utm +zone={int(zone)} +datum=WGS84 +units=m +no_defs"
    return f"+proj=utm +zone={int(zone)} +ellps=evrst30 +towgs84={_TOWGS84_1812} +units=m +no_defs"


def utm_to_lonlat(eastings, northings, zone: int, datum: str = WGS84):
    """UTM numbers on ``datum`` → WGS 84 lon/lat (scalars or sequences)."""
    return _utm_transformer(int(zone), datum).transform(eastings, northings)


def lonlat_to_utm(lons, lats, zone: int, datum: str = WGS84):
    """WGS 84 lon/lat → the UTM numbers on ``datum`` that give them."""
    return _utm_transformer(int(zone), datum).transform(lons, lats, direction="INVERSE")


def zone_for_lon(lon: float) -> int:
    """Thailand's UTM zone: 47N west of 102°E, 48N from 102°E."""
    return 48 if lon >= 102.0 else 47


# --- parsing ------------------------------------------------------------------------------------

EXPECTED_EN = (
    "Expected latitude, longitude in decimal degrees (13.7563, 100.5018), degrees-minutes-seconds "
    "(13°45'22.7\"N 100°30'06.5\"E) or UTM with its zone (47N 661234 1521234, or E 661234 N 1521234 zone 47)."
)
EXPECTED_TH = (
    "ต้องเป็นละติจูด, ลองจิจูด แบบทศนิยม (13.7563, 100.5018) แบบองศา-ลิปดา-ฟิลิปดา "
    "(13°45'22.7\"N 100°30'06.5\"E) หรือพิกัด UTM พร้อมโซน (47N 661234 1521234 หรือ E 661234 N 1521234 zone 47)"
)

_DATUM_PATTERNS = [
    (INDIAN_1975, re.compile(r"\b(?:indian\s*[-_]?\s*(?:1975|75)?|i\s*-?\s*75)\b|อินเดียน\s*(?:1975)?", re.I)),
    (WGS84, re.compile(r"\b(?:wgs\s*[-_]?\s*(?:19)?84|w84)\b", re.I)),
]
_NUM = r"[-+]?\d+(?:\.\d+)?"
_PRIMES = {
    "′": "'",
    "’": "'",
    "‘": "'",
    "´": "'",
    "`": "'",
    "″": '"',
    "”": '"',
    "“": '"',
    "''": '"',
    "º": "°",
    "˚": "°",
}


def _fail(en: str, th: str):
    raise CoordinateParseError(f"{en} {EXPECTED_EN}", f"{th} {EXPECTED_TH}")


def normalise_datum(value) -> str | None:
    """'wgs84' / 'WGS 84' / 'indian1975' / 'Indian 1975' / 'i75' → WGS84 / INDIAN_1975; None stays."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    for datum, pattern in _DATUM_PATTERNS:
        if pattern.fullmatch(text) or text.lower().replace(" ", "") == datum:
            return datum
    raise CoordinateParseError(
        f"Unknown datum {text!r}: expected WGS84 or Indian 1975.",
        f"ไม่รู้จักพื้นหลักฐาน {text!r}: ต้องเป็น WGS84 หรือ Indian 1975",
    )


def _take_datum(text: str) -> tuple[str, str | None]:
    found = None
    for datum, pattern in _DATUM_PATTERNS:
        if pattern.search(text):
            if found and found != datum:
                raise CoordinateParseError(
                    "The text names two datums; give one (WGS84 or Indian 1975).",
                    "ข้อความระบุพื้นหลักฐานสองแบบ ให้ระบุแบบเดียว (WGS84 หรือ Indian 1975)",
                )
            found = datum
            text = pattern.sub(" ", text)
    return text, found


def parse_point(text, *, datum=None, zone=None) -> ParsedPoint:
    """Parse one typed coordinate. ``datum``/``zone`` apply to UTM text that does not name them."""
    if text is None or not str(text).strip():
        _fail("No coordinates were given.", "ไม่ได้ระบุพิกัด")
    raw = str(text).strip()
    if len(raw) > 200:
        _fail("The text is too long for one coordinate.", "ข้อความยาวเกินไปสำหรับพิกัดหนึ่งจุด")
    body, named_datum = _take_datum(raw)
    default_datum = normalise_datum(datum)
    numbers = [float(n) for n in re.findall(_NUM, body)]
    if any(abs(n) >= 1000 for n in numbers):
        return _parse_utm(raw, body, named_datum or default_datum or WGS84, zone)
    if named_datum == INDIAN_1975:
        raise CoordinateParseError(
            "Indian 1975 is accepted with UTM coordinates only; give latitude/longitude on WGS 84.",
            "รับพื้นหลักฐาน Indian 1975 เฉพาะพิกัด UTM เท่านั้น ละติจูด/ลองจิจูดต้องเป็น WGS 84",
        )
    return _parse_degrees(raw, body)


def _parse_utm(raw: str, body: str, datum: str, zone_default) -> ParsedPoint:
    """UTM text → a point: read the zone → read easting and northing → check ranges → convert."""
    zone, text = _utm_zone(body.upper(), zone_default)
    easting, northing = _utm_numbers(text)
    _check_utm_range(easting, northing)
    return _utm_point(zone, datum, easting, northing)


def _utm_zone(text: str, zone_default) -> tuple[int, str]:
    """The zone (from the text, else ``zone_default``), checked, and the text without it."""
    zone, text = _find_zone(text, zone_default)
    if zone is None:
        _fail("UTM coordinates need a zone (47N or 48N).", "พิกัด UTM ต้องระบุโซน (47N หรือ 48N)")
    if zone not in ZONES:
        _fail(
            f"UTM zone {zone} is not in Thailand: expected 47N or 48N.",
            f"โซน UTM {zone} ไม่อยู่ในประเทศไทย ต้องเป็น 47N หรือ 48N",
        )
    return zone, text


def _find_zone(text: str, zone_default) -> tuple[int | None, str]:
    """The zone as written ("47N", "zone 47", a bare 47/48 beside two numbers) or the default."""
    m = re.search(r"\b(?:ZONE|Z)\s*[:=]?\s*(\d{1,2})\s*([A-Z])?\b", text) or re.search(
        r"(?<![\d.])(\d{1,2})\s*([NPQS])\b", text
    )
    if m:
        zone = int(m.group(1))
        if m.group(2) == "S":
            raise CoordinateParseError(
                f"Zone {zone}S is in the southern hemisphere; Thailand is in zones 47N and 48N.",
                f"โซน {zone}S อยู่ซีกโลกใต้ ประเทศไทยอยู่ในโซน 47N และ 48N",
            )
        return zone, text[: m.start()] + " " + text[m.end() :]
    nums3 = re.findall(_NUM, text)
    if len(nums3) == 3 and sum(n in ("47", "48") for n in nums3) == 1:
        zone = 47 if "47" in nums3 else 48  # "47 661234 1521234": the zone without its letter
        return zone, re.sub(rf"(?<![\d.]){zone}(?![\d.])", " ", text, count=1)
    if zone_default in (None, ""):
        return None, text
    try:
        return int(zone_default), text
    except (TypeError, ValueError):
        return -1, text


def _utm_numbers(text: str) -> tuple[float, float]:
    """Easting and northing, labelled (E/N before or after the numbers) or as two bare numbers."""
    labelled = _labelled_utm_numbers(text)
    if labelled is None:
        return _bare_utm_numbers(text)
    easting, northing, rest = labelled
    if re.search(r"\d", rest):
        _fail("Unexpected numbers beside the UTM easting and northing.", "มีตัวเลขเกินมานอกเหนือจากค่า E และ N ของ UTM")
    return easting, northing


def _labelled_utm_numbers(text: str) -> tuple[float, float, str] | None:
    """Labelled easting, northing ("E 661234 N 1521234", "661234E 1521234N") and the rest; None if unlabelled."""
    me = re.search(rf"\bE\s*[:=]?\s*({_NUM})", text)
    mn = re.search(rf"\bN\s*[:=]?\s*({_NUM})", text)
    if not (me and mn):
        me = re.search(rf"({_NUM})\s*M?\s*E\b", text)
        mn = re.search(rf"({_NUM})\s*M?\s*N\b", text)
    if not (me and mn):
        return None
    rest = re.sub(rf"{_NUM}", " ", text[: min(me.start(), mn.start())] + text[max(me.end(), mn.end()) :])
    return float(me.group(1)), float(mn.group(1)), rest


def _bare_utm_numbers(text: str) -> tuple[float, float]:
    """Two bare numbers: easting then northing (northing first when that is the only reading)."""
    nums = [float(n) for n in re.findall(_NUM, text)]
    if len(nums) != 2:
        _fail(
            f"UTM needs two numbers, easting and northing; found {len(nums)}.",
            f"พิกัด UTM ต้องมีตัวเลขสองค่า คือ ค่าตะวันออก (E) และค่าเหนือ (N) แต่พบ {len(nums)} ค่า",
        )
    easting, northing = nums
    if easting >= 1_000_000 > northing:  # typed northing first
        easting, northing = northing, easting
    return easting, northing


def _check_utm_range(easting: float, northing: float) -> None:
    """Refuse an easting or northing outside a UTM zone's possible values."""
    if not (100_000 <= easting <= 900_000):
        _fail(
            f"UTM easting {easting:g} is out of range (100000–900000 m).",
            f"ค่าตะวันออก (E) {easting:g} อยู่นอกช่วง 100000–900000 ม.",
        )
    if not (0 <= northing <= 9_400_000):
        _fail(
            f"UTM northing {northing:g} is out of range (0–9400000 m).",
            f"ค่าเหนือ (N) {northing:g} อยู่นอกช่วง 0–9400000 ม.",
        )


def _utm_point(zone: int, datum: str, easting: float, northing: float) -> ParsedPoint:
    """Convert checked UTM numbers to WGS 84 and describe how."""
    lon, lat = utm_to_lonlat(easting, northing, zone, datum)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        _fail("These UTM numbers do not convert to a position.", "ค่าพิกัด UTM นี้แปลงเป็นตำแหน่งไม่ได้")
    via = f", {DATUM_LABELS[datum]} → WGS 84 ({INDIAN_1975_TRANSFORMATION})" if datum == INDIAN_1975 else ", WGS 84"
    return ParsedPoint(
        point=Point(lon, lat, srid=4326),
        preview=preview_of(lon, lat),
        source=f"UTM {zone}N E {easting:.2f} N {northing:.2f}{via}",
        form="utm",
        zone=zone,
        datum=datum,
        easting=easting,
        northing=northing,
    )


# A number with its unit (°, ', ", or D/M/S glued to it), a hemisphere letter, a separator.
_TOKEN = re.compile(
    rf"({_NUM.replace('[-+]?', '-?')})(?:\s*(°|'|\"|DEG\b|MIN\b|SEC\b)|([DMS])(?=[-\d\s,;]|$))?"
    r"|([NSEW])\b|([,;/])|(\S)"
)
_UNIT_SIGNS = {"D": "°", "DEG": "°", "M": "'", "MIN": "'", "S": '"', "SEC": '"'}


def _parse_degrees(raw: str, body: str) -> ParsedPoint:
    """Degree text → a point: tokenise → read each value (decimal or D°M′S″) → order lat/lon → check ranges."""
    groups = _degree_groups(_normalise_degree_text(body))
    if len(groups) != 2:
        _fail(
            f"Expected two coordinates (latitude and longitude), found {len(groups)}.",
            f"ต้องมีพิกัดสองค่า (ละติจูดและลองจิจูด) แต่พบ {len(groups)} ค่า",
        )
    (a, ha), (b, hb) = (_degree_value(g) for g in groups)
    dms = any(len(g["nums"]) > 1 for g in groups)
    lat, lon, lon_first = _order_by_letters(a, ha, b, hb) if ha or hb else _order_bare(a, b)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        _fail(
            f"Latitude {lat:g} or longitude {lon:g} is out of range.",
            f"ละติจูด {lat:g} หรือลองจิจูด {lon:g} อยู่นอกช่วงที่เป็นไปได้",
        )
    source = (
        ("degrees-minutes-seconds" if dms else "decimal degrees")
        + (", read as longitude, latitude" if lon_first else ", latitude first")
        + ", WGS 84"
    )
    return ParsedPoint(
        point=Point(lon, lat, srid=4326),
        preview=preview_of(lon, lat),
        source=source,
        form="dms" if dms else "decimal",
        datum=WGS84,
        lon_first=lon_first,
    )


def _normalise_degree_text(body: str) -> str:
    """Upper case, one spelling of the prime/degree signs, hemisphere letters apart from numbers."""
    text = body.upper()
    for k, v in _PRIMES.items():
        text = text.replace(k, v)
    # A hemisphere letter glued to a number ("N13.5", "13.5N") is separated first.
    return re.sub(r"([NSEW])(?=[-\d])", r"\1 ", text)


def _new_group() -> dict:
    """An empty coordinate: its numbers, their units, its hemisphere letter."""
    return {"nums": [], "units": [], "hem": None}


def _degree_groups(text: str) -> list[dict]:
    """Tokenise into coordinates: each its numbers, their units and its hemisphere letter."""
    groups: list[dict] = []
    cur = _new_group()
    letters_first = bool(re.match(r"\s*[NSEW]\b", text))
    for m in _TOKEN.finditer(text):
        num, unit, glued, hem, sep, other = m.groups()
        if other:
            _fail(f"Unexpected character {other!r}.", f"มีอักขระที่ไม่รู้จัก {other!r}")
        if sep:
            cur = _close_group(groups, cur)
        elif hem:
            cur = _add_hemisphere(groups, cur, hem, letters_first)
        else:
            cur = _add_number(groups, cur, num, unit or glued)
    _close_group(groups, cur)
    return _split_bare_numbers(groups)


def _close_group(groups: list[dict], cur: dict) -> dict:
    """Keep the coordinate being read if it holds anything; start the next one."""
    if cur["nums"] or cur["hem"]:
        groups.append(cur)
    return _new_group()


def _add_hemisphere(groups: list[dict], cur: dict, hem: str, letters_first: bool) -> dict:
    """A hemisphere letter opens a coordinate (letters written first) or closes it (written after)."""
    if letters_first:
        cur = _close_group(groups, cur)
        cur["hem"] = hem
        return cur
    cur["hem"] = hem
    return _close_group(groups, cur)


def _add_number(groups: list[dict], cur: dict, num: str, unit: str | None) -> dict:
    """A number with its unit; a second degrees value starts the next coordinate."""
    unit = _UNIT_SIGNS.get(unit, unit)
    if unit == "°" and cur["nums"]:
        cur = _close_group(groups, cur)
    cur["nums"].append(float(num))
    cur["units"].append(unit)
    return cur


def _split_bare_numbers(groups: list[dict]) -> list[dict]:
    """One run of 2, 4 or 6 numbers without letters ("13 45 22.7 100 30 6.5") is split evenly."""
    if len(groups) == 1 and not any(g["hem"] for g in groups):
        nums = groups[0]["nums"]
        if len(nums) in (2, 4, 6):
            half = len(nums) // 2
            return [
                {"nums": nums[:half], "units": [None] * half, "hem": None},
                {"nums": nums[half:], "units": [None] * half, "hem": None},
            ]
    return groups


def _degree_value(group: dict) -> tuple[float, str | None]:
    """One coordinate's signed decimal degrees (from degrees, minutes, seconds) and its letter."""
    nums = group["nums"]
    if not 1 <= len(nums) <= 3:
        _fail("Each coordinate is degrees, optionally minutes and seconds.", "แต่ละค่าต้องเป็นองศา และอาจมีลิปดาและฟิลิปดา")
    if len(nums) > 1:
        if any(n < 0 for n in nums[1:]) or any(n >= 60 for n in nums[1:]):
            _fail("Minutes and seconds must be between 0 and 60.", "ลิปดาและฟิลิปดาต้องอยู่ระหว่าง 0 ถึง 60")
        if any(n != int(n) for n in nums[:-1]):
            _fail("Only the last part of a DMS value may have decimals.", "เฉพาะส่วนสุดท้ายของค่าองศา-ลิปดา-ฟิลิปดาที่มีทศนิยมได้")
    deg = nums[0]
    sign = -1.0 if deg < 0 or group["hem"] in ("S", "W") else 1.0
    value = abs(deg) + sum(n / 60 ** (i + 1) for i, n in enumerate(nums[1:]))
    return sign * value, group["hem"]


def _axis(hem: str | None) -> str | None:
    """The axis a hemisphere letter names: "lat" (N/S), "lon" (E/W), None without a letter."""
    return "lat" if hem in ("N", "S") else "lon" if hem else None


def _order_by_letters(a: float, ha: str | None, b: float, hb: str | None) -> tuple[float, float, bool]:
    """(lat, lon, lon_first) from the hemisphere letters; a missing letter is the other axis."""
    axis_a, axis_b = _axis(ha), _axis(hb)
    if axis_a is None:
        axis_a = "lon" if axis_b == "lat" else "lat"
    if axis_b is None:
        axis_b = "lon" if axis_a == "lat" else "lat"
    if axis_a == axis_b:
        _fail(
            "Both coordinates have the same hemisphere letter kind (N/S or E/W).",
            "พิกัดทั้งสองค่าใช้อักษรซีกโลกชนิดเดียวกัน (N/S หรือ E/W)",
        )
    lat, lon = (a, b) if axis_a == "lat" else (b, a)
    return lat, lon, axis_a == "lon"


def _in_thailand(lat: float, lon: float) -> bool:
    """Whether the position falls within Thailand's latitude and longitude extent."""
    return THAI_LAT[0] <= lat <= THAI_LAT[1] and THAI_LON[0] <= lon <= THAI_LON[1]


def _order_bare(a: float, b: float) -> tuple[float, float, bool]:
    """(lat, lon, lon_first) for two bare numbers: latitude first unless only the reverse is possible or Thai."""
    if abs(a) > 90 or (not _in_thailand(a, b) and _in_thailand(b, a)):
        return b, a, True
    return a, b, False


def parse_vertices(text, *, datum=None, zone=None) -> list[ParsedPoint]:
    """Vertices of a line, one per line or separated by ``;``. A zone or datum named on one vertex
    carries over to the following ones."""
    if text is None or not str(text).strip():
        _fail("No coordinates were given.", "ไม่ได้ระบุพิกัด")
    parts = [p.strip() for p in re.split(r"[;\n]+", str(text)) if p.strip()]
    if len(parts) > 10_000:
        _fail("Too many vertices (at most 10000).", "จำนวนจุดยอดมากเกินไป (ไม่เกิน 10000)")
    out = []
    for i, part in enumerate(parts, start=1):
        try:
            p = parse_point(part, datum=datum, zone=zone)
        except CoordinateParseError as exc:
            raise CoordinateParseError(f"Vertex {i}: {exc.message_en}", f"จุดยอดที่ {i}: {exc.message_th}") from exc
        if p.form == "utm":
            zone, datum = p.zone, p.datum
        out.append(p)
    return out
