"""common.params: whole numbers, codes, text, boxes and JSON bodies read one way everywhere."""

import io

import pytest
from django.core.exceptions import ValidationError

from common.apierrors import ApiError
from common.params import (
    BIGINT_MAX,
    BoundedJSONParser,
    clean_text,
    excerpt,
    load_json,
    parse_bbox,
    parse_codes,
    parse_int,
    query_int,
)


@pytest.mark.parametrize(
    "text, expected",
    [("2568", 2568), (" 7 ", 7), ("-3", -3), ("+4", 4), ("๒๕๖๘", 2568), ("", None), (None, None), ("0", 0)],
)
def test_whole_numbers_in_ascii_or_thai_digits(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    "text",
    ["²", "①", "٣", "１", "1_0", "1.5", "NaN", "Infinity", "1e3", "0x10", "7\x00", "--1", "x" * 10_240],
)
def test_anything_else_is_refused(text):
    """``str.isdigit()`` takes ² and ① (and int() then fails); int() takes ١ and １ and 1_0: none is a
    number the site reads."""
    with pytest.raises(ValidationError) as info:
        parse_int(text)
    assert info.value.code == "not_int"


def test_bounds_default_to_bigint():
    assert parse_int(str(BIGINT_MAX)) == BIGINT_MAX
    for text in (str(BIGINT_MAX + 1), "9" * 25, "-" + "9" * 25, "9" * 10_240):
        with pytest.raises(ValidationError) as info:
            parse_int(text)
        assert info.value.code == "out_of_range"
    assert parse_int("000000000000000000000000007") == 7
    with pytest.raises(ValidationError):
        parse_int("0", minimum=1)


def test_query_int_keys_the_error_by_parameter():
    assert query_int({"page": ""}, "page", default=1, minimum=1) == 1
    with pytest.raises(ValidationError) as info:
        query_int({"page": "²"}, "page", default=1, minimum=1)
    assert list(info.value.error_dict) == ["page"]


def test_codes():
    assert parse_codes("83, 82,,๘๑", digits=2) == ["83", "82", "81"]
    assert parse_codes("", digits=2) == []
    for bad in ("8", "830", "8\x003", "²²", "x" * 10_240):
        with pytest.raises(ValidationError):
            parse_codes(bad, digits=2)
    with pytest.raises(ValidationError) as info:
        parse_codes(",".join(["83"] * 501), digits=2)
    assert info.value.code == "too_many"


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31m", "bell\x07", "a\r\nb", "\x9b", "\u202eabc"])
def test_text_refuses_control_and_direction_characters(text):
    with pytest.raises(ValidationError) as info:
        clean_text(text)
    assert info.value.code == "control_character"


def test_text_keeps_thai_and_bounds_length():
    assert clean_text("บ่อบาดาล หมู่ 5") == "บ่อบาดาล หมู่ 5"
    with pytest.raises(ValidationError):
        clean_text("x" * 301, max_length=300)


def test_excerpt_hides_control_characters_and_cuts():
    assert excerpt("a\x00b\u202e") == "a\ufffdb\ufffd"
    assert excerpt("x" * 10_240) == "x" * 40 + "…"


@pytest.mark.parametrize("text", ["nan,nan,nan,nan", "-inf,-inf,inf,inf", "1e400,7,99,8", "98,7,99", "99,8,98,7"])
def test_bbox_refuses_non_finite_and_reversed(text):
    with pytest.raises(ValidationError):
        parse_bbox(text)


def test_bbox_clip_cuts_a_world_wide_map_extent():
    assert parse_bbox("-200,-95,200,95", clip=True).extent == (-180, -90, 180, 90)


@pytest.mark.parametrize(
    "text, code",
    [
        ("[" * 100_000 + "]" * 100_000, "json_too_deep"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000, "json_too_deep"),
        ("[1e400]", "bad_json"),
        ("[NaN]", "bad_json"),
        ("[-Infinity]", "bad_json"),
        ("[" + "9" * 5000 + "]", "bad_json"),
        ("{not json", "bad_json"),
    ],
)
def test_json_is_bounded(text, code):
    with pytest.raises(ValidationError) as info:
        load_json(text)
    assert info.value.code == code


def test_json_parser_answers_a_bilingual_400():
    for body in (b"[" * 100_000, b'{"coordinates": [1e400, 7]}', b"\xff\xfe"):
        with pytest.raises(ApiError) as info:
            BoundedJSONParser().parse(io.BytesIO(body), "application/json", {})
        (error,) = info.value.errors
        assert error["message_th"] and error["message_en"] and error["field"] is None
    assert BoundedJSONParser().parse(io.BytesIO(b'{"a": [1.5, 2]}'), "application/json", {}) == {"a": [1.5, 2]}
