"""Typed coordinates: the forms engineers type, the order rule, UTM on WGS 84 / Indian 1975."""

import pytest

from projects_geo.coords import CoordinateParseError, parse_point, parse_vertices


@pytest.mark.parametrize(
    "text",
    [
        "13.7563, 100.5018",
        "100.5018, 13.7563",  # longitude first: read by the order rule
        "13.7563 N, 100.5018 E",
        "E100.5018 N13.7563",
        "13°45'22.68\"N 100°30'06.48\"E",
        "13 45 22.68 N 100 30 06.48 E",
        "N 13 45 22.68 E 100 30 06.48",
        "13d45m22.68s 100d30m6.48s",
        "13 45 22.68 100 30 06.48",
        "13°45.378'N 100°30.108'E",
    ],
)
def test_degree_forms(text):
    p = parse_point(text)
    assert p.point.y == pytest.approx(13.7563, abs=1e-5)
    assert p.point.x == pytest.approx(100.5018, abs=1e-5)
    assert p.preview == "13.756300, 100.501800"


def test_order_rule_is_reported():
    assert parse_point("100.5018, 13.7563").lon_first
    assert "longitude, latitude" in parse_point("100.5018, 13.7563").source
    assert not parse_point("13.7563, 100.5018").lon_first


@pytest.mark.parametrize(
    "text, zone, datum",
    [
        ("47N 661234 1521234", 47, "wgs84"),
        ("E 661234 N 1521234 zone 47", 47, "wgs84"),
        ("661234E 1521234N 47N", 47, "wgs84"),
        ("47 661234 1521234", 47, "wgs84"),
        ("47N 661234 1521234 WGS84", 47, "wgs84"),
        ("47N 661234 1521234 Indian 1975", 47, "indian1975"),
        ("Z47 E:661234 N:1521234 indian", 47, "indian1975"),
        ("48N 661234 1521234 I75", 48, "indian1975"),
    ],
)
def test_utm_forms(text, zone, datum):
    p = parse_point(text)
    assert (p.form, p.zone, p.datum) == ("utm", zone, datum)
    assert (p.easting, p.northing) == (661234, 1521234)


def test_utm_wgs84_reference_value():
    # 47N 661234 1521234 on WGS 84 is in Bangkok (checked against EPSG:32647 directly).
    p = parse_point("47N 661234 1521234")
    assert p.point.y == pytest.approx(13.755942, abs=1e-6)
    assert p.point.x == pytest.approx(100.491324, abs=1e-6)


def test_indian_1975_uses_epsg_1812_explicitly():
    from pyproj import Transformer

    wgs = parse_point("47N 431000 872000")
    ind = parse_point("47N 431000 872000", datum="indian1975")
    assert "EPSG:1812" in ind.source
    # The same numbers are a few hundred metres apart on the two datums.
    from pyproj import Geod

    d = Geod(ellps="WGS84").inv(wgs.point.x, wgs.point.y, ind.point.x, ind.point.y)[2]
    assert 400 < d < 800
    # EPSG:1812 as PROJ's own database defines it gives the same answer (to the millimetre).
    t = Transformer.from_pipeline("urn:ogc:def:coordinateOperation:EPSG::1812")
    lat_ref, lon_ref = t.transform(*_indian_geographic(431000, 872000))
    assert ind.point.x == pytest.approx(lon_ref, abs=1e-8) and ind.point.y == pytest.approx(lat_ref, abs=1e-8)


def _indian_geographic(e, n):
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:24047", "EPSG:4240", always_xy=True).transform(e, n)
    return lat, lon  # EPSG:4240 axis order


def test_zone_from_the_argument():
    assert parse_point("661234 1521234", zone=48).zone == 48


def test_vertices_carry_zone_and_datum():
    pts = parse_vertices("47N 431000 872000 indian; 431100 872100\n431200 872300")
    assert [p.zone for p in pts] == [47, 47, 47] and {p.datum for p in pts} == {"indian1975"}
    assert len(parse_vertices("7.8, 98.3\n7.81, 98.31")) == 2


@pytest.mark.parametrize(
    "text, expect",
    [
        ("", "No coordinates"),
        ("north of the temple", "Unexpected character"),
        ("13.5", "two coordinates"),
        ("47N 661234", "two numbers"),
        ("46N 661234 1521234", "47N or 48N"),
        ("661234 1521234", "need a zone"),
        ("47N 66 1521234 12", "47N"),
        ("13 75 00 N 100 30 00 E", "between 0 and 60"),
        ("95.5, 190.2", "out of range"),
        ("47S 661234 1521234", "southern hemisphere"),
        ("7.8 98.3 Indian 1975", "UTM coordinates only"),
    ],
)
def test_errors_say_what_was_expected(text, expect):
    with pytest.raises(CoordinateParseError) as info:
        parse_point(text)
    assert expect in info.value.message_en
    assert "Expected" in info.value.message_en or expect in ("southern hemisphere", "UTM coordinates only")
    assert info.value.message_th and isinstance(info.value, ValueError)


def test_vertex_error_names_the_vertex():
    with pytest.raises(CoordinateParseError) as info:
        parse_vertices("7.8, 98.3; oops")
    assert info.value.message_en.startswith("Vertex 2:") and info.value.message_th.startswith("จุดยอดที่ 2:")
