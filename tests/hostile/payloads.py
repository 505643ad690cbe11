"""Hostile values for query parameters, path segments, form fields and JSON bodies.

``CORE``: what every parameter of every URL receives as every role (a NUL byte, a Unicode digit
that passes ``str.isdigit()`` but not ``int()``, an integer beyond PostgreSQL's bigint, the empty
string and a 10 kB string). The other groups are handed out by kind of parameter (numbers,
geometries, text) and spread over the roles, so each reaches every parameter of its kind once.
The probe's reproductions (issue 22, item 7) are among them.
"""

from __future__ import annotations

import json

CORE = {
    "nul": "7\x00",
    "unicode_digit": "²",
    "huge_int": "9" * 25,
    "empty": "",
    "long_10kB": "x" * 10_240,
}

NUMBERS = {
    "circled_digit": "①",
    "thai_digits": "๒๕๖๘",
    "arabic_indic_digit": "٣",
    "fullwidth_digit": "１",
    "bigint_plus_one": "9223372036854775808",
    "negative_huge": "-" + "9" * 25,
    "digits_10kB": "9" * 10_240,
    "negative": "-1",
    "zero": "0",
    "nan": "NaN",
    "infinity": "Infinity",
    "negative_infinity": "-Infinity",
    "exponent_overflow": "1e400",
    "fraction": "1.5",
    "plus_sign": "+1",
    "underscore": "1_0",
    "hex": "0x10",
    "list_of_unicode_digits": "2567,²",
}

GEOMETRIES = {
    "polygon_empty": "POLYGON EMPTY",
    "multipolygon_empty": "MULTIPOLYGON EMPTY",
    "json_object_empty": "{}",
    "polygon_without_coordinates": '{"type":"Polygon"}',
    "feature_without_geometry": '{"type":"Feature"}',
    "feature_geometry_list": '{"type":"Feature","geometry":[]}',
    "polygon_coordinates_text": '{"type":"Polygon","coordinates":"x"}',
    "polygon_coordinates_empty": '{"type":"Polygon","coordinates":[]}',
    "polygon_overflow": '{"type":"Polygon","coordinates":[[[1e400,7],[99,7],[99,8],[1e400,7]]]}',
    "polygon_nan": '{"type":"Polygon","coordinates":[[[NaN,7],[99,7],[99,8],[NaN,7]]]}',
    "json_list": "[]",
    "json_null": "null",
    "json_text": '"POLYGON EMPTY"',
    "json_deep": "[" * 100_000,
    "wkt_srid": "SRID=999999;POLYGON((98 7,99 7,99 8,98 7))",
    "wkt_tiny_point": "POINT(5e-324 5e-324)",
    "wkt_nan": "POLYGON((nan 7,99 7,99 8,nan 7))",
    "wkt_inf": "POLYGON((inf 7,99 7,99 8,inf 7))",
    "wkt_unclosed": "POLYGON((98 7,99 7",
    "wkt_collection": "GEOMETRYCOLLECTION(POLYGON((98 7,99 7,99 8,98 7)))",
    "wkt_bowtie": "POLYGON((98 7,99 8,99 7,98 8,98 7))",
    "wkt_outside_wgs84": "POLYGON((500 7,600 7,600 8,500 7))",
    "wkb_hex": "0103000000010000000400000000000000000058400000000000001C40",
    "bbox_nan": "nan,nan,nan,nan",
    "bbox_infinite": "-inf,-inf,inf,inf",
    "bbox_three_numbers": "98,7,99",
    "bbox_reversed": "99,8,98,7",
    "bbox_overflow": "1e400,7,99,8",
}

TEXT = {
    "bidi_override": "\u202eabc",
    "escape": "\x1b[31m",
    "bell": "\x07",
    "crlf": "a\r\nb",
    "sql_quote": "' OR 1=1--",
    "script": "<script>alert(1)</script>",
    "percent": "%",
    "traversal": "../../etc/passwd",
    "emoji": "💧",
    "thousand_items": ",".join(["83"] * 1000),
    "only_commas": ",,,,",
    "spaces": "   ",
}

# Raw (already percent-encoded) query values: bytes that are not UTF-8.
RAW = {"invalid_utf8": "%FF%FE", "lone_percent": "%"}

# Path segments: a hostile value for each kind of path converter.
PATH_INT = {"zero": "0", "huge_int": "9" * 25, "bigint_plus_one": "9223372036854775808"}
PATH_STR = {
    "nul": "\x00",
    "unicode_digit": "²",
    "thai_digits": "๘๓",
    "huge_int": "9" * 25,
    "negative": "-1",
    "bidi_override": "\u202e83",
    "long_10kB": "x" * 10_240,
}

# JSON bodies: malformed, deep, non-finite numbers, wrong types.
_OBJECT_OF_WRONG_TYPES = {
    "lao": [],
    "kind": {},
    "geometry": "POINT(98 7)",
    "text": 5,
    "datum": [1],
    "zone": {"a": 1},
    "fiscal_year": "²",
    "project_id": "9" * 25,
    "name": None,
    "budget": "NaN",
    "version": -1,
}
JSON_BODIES = {
    "not_json": b"{not json",
    "nested_100k_open": b"[" * 100_000,
    "nested_100k_closed": b"[" * 100_000 + b"]" * 100_000,
    "nested_objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "number_overflow": b'{"geometry": {"type": "Point", "coordinates": [1e400, 7]}, "lao": "4830201", "kind": "water"}',
    "nan_literal": b'{"geometry": {"type": "Point", "coordinates": [NaN, 7]}, "lao": "4830201", "kind": "water"}',
    "huge_integer": b'{"fiscal_year": ' + b"9" * 5000 + b', "lao": "4830201", "kind": "water"}',
    "list": b"[]",
    "string": b'"x"',
    "number": b"123",
    "null": b"null",
    "wrong_types": json.dumps(_OBJECT_OF_WRONG_TYPES).encode(),
    "geometry_types_wrong": json.dumps(
        {"lao": "4830201", "kind": "water", "geometry": {"type": [], "coordinates": {}}}
    ).encode(),
    "geometry_coordinates_deep": (
        b'{"lao": "4830201", "kind": "road", "geometry": {"type": "LineString", "coordinates": '
        + b"[" * 500
        + b"1"
        + b"]" * 500
        + b"}}"
    ),
    "invalid_utf8": b'{"text": "\xff\xfe"}',
    "nul_in_string": b'{"lao": "4830201\\u0000", "kind": "water", "text": "98 7\\u0000"}',
    "text_1e400": b'{"lao": "4830201", "kind": "water", "text": "1e400, 7"}',
    "text_utm_huge": b'{"lao": "4830201", "kind": "water", "text": "47N 1e300 1e300", "datum": "indian1975"}',
    "coordinates_1e308": b'{"lao": "4830201", "kind": "road", "geometry": {"type": "LineString", '
    b'"coordinates": [[1e308, 7], [-1e308, 8]]}}',
    "coordinates_tiny": b'{"lao": "4830201", "kind": "water", "geometry": {"type": "Point", '
    b'"coordinates": [5e-324, 5e-324]}}',
    "bidi_text": '{"lao": "4830201", "kind": "water", "text": "\u202e98.3, 7.9"}'.encode(),
}

# HTTP Basic credentials (the GIS clients' way in to /api/, /ogc/, /tiles/): user name, password.
BASIC = {
    "nul_user": b"hostile\x00user:test-pass-1234",
    "long_user": b"x" * 10_240 + b":pw",
    "bidi_user": "\u202ehostile:pw".encode(),
    "not_utf8": b"\xff\xfe:\xff",
    "no_colon": b"hostile",
}
