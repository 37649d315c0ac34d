"""SODA 2.1 JSON formatting of result values, and SODA value parsing."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from openborough.soql.compiler import OutputColumn
from openborough.soql.functions import ROW_ID
from openborough.soql.output import format_number, format_row_id, format_value, parse_row_id, row_to_json
from openborough.soql.types import Column, Schema, SoQLType
from openborough.soql.values import build_table, to_physical

S = SoQLType


@pytest.mark.parametrize(
    "value, text",
    [
        (45.0, "45"),
        (4.9, "4.9"),
        (0.1 + 0.2, "0.3"),
        (-0.5, "-0.5"),
        (0.0, "0"),
        (3, "3"),
        (1234567.891, "1234567.891"),
        (1e15, "1000000000000000"),
        (123456789012345678.0, "123456789012346000"),
        (1e-7, "0.0000001"),
        (1e25, "1E25"),
        (2500.10, "2500.1"),
    ],
)
def test_numbers(value, text):
    assert format_number(value) == text


def test_timestamps():
    assert format_value(dt.datetime(2014, 10, 13), S.FLOATING_TIMESTAMP) == "2014-10-13T00:00:00.000"
    t = dt.datetime(2014, 10, 13, 1, 2, 3, 456789, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert format_value(t, S.FIXED_TIMESTAMP) == "2014-10-13T06:02:03.456Z"


def test_compound_and_geometry():
    assert format_value({"lon": 1.5, "lat": 2.0}, S.POINT) == {"type": "Point", "coordinates": [1.5, 2.0]}
    wkb = shapely.to_wkb(shapely.from_wkt("LINESTRING (0 0, 1 1)"))
    assert format_value(wkb, S.LINE) == {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 1.0]]}
    assert format_value({"url": "http://x", "description": None}, S.URL) == {"url": "http://x"}
    loc = {"latitude": 51.5, "longitude": -0.1, "human_address": None}
    assert format_value(loc, S.LOCATION) == {"latitude": "51.5", "longitude": "-0.1"}
    assert format_value(True, S.CHECKBOX) is True


def test_row_ids():
    assert format_row_id(5) == "row-5" and parse_row_id("row-5") == 5
    assert format_value(7, ROW_ID) == "row-7"
    with pytest.raises(ValueError):
        parse_row_id("row-x")


def test_row_to_json_omits_nulls():
    cols = [OutputColumn("a", S.TEXT), OutputColumn("b", S.NUMBER), OutputColumn("c", S.CHECKBOX)]
    assert row_to_json(("x", None, False), cols) == {"a": "x", "c": False}


@pytest.mark.parametrize(
    "value, t, physical",
    [
        ("12.5", S.NUMBER, 12.5),
        (True, S.CHECKBOX, True),
        ("0", S.CHECKBOX, False),
        ("2015-01-01T00:00:00.000", S.FLOATING_TIMESTAMP, dt.datetime(2015, 1, 1)),
        ("2015-01-01", S.FLOATING_TIMESTAMP, dt.datetime(2015, 1, 1)),
        ("2015-01-01T10:00:00Z", S.FIXED_TIMESTAMP, dt.datetime(2015, 1, 1, 10, tzinfo=dt.UTC)),
        ("POINT (1 2)", S.POINT, {"lon": 1.0, "lat": 2.0}),
        ({"type": "Point", "coordinates": [1, 2]}, S.POINT, {"lon": 1.0, "lat": 2.0}),
        ("http://x", S.URL, {"url": "http://x", "description": None}),
        ({"url": "http://x", "description": "d"}, S.URL, {"url": "http://x", "description": "d"}),
        ("{ url: 'http://x' }", S.URL, {"url": "http://x", "description": None}),
        ({"latitude": "1.5", "longitude": 2}, S.LOCATION, {"latitude": 1.5, "longitude": 2.0, "human_address": None}),
    ],
)
def test_values(value, t, physical):
    assert to_physical(value, t) == physical


@pytest.mark.parametrize(
    "value, t",
    [
        ("abc", S.NUMBER),
        ("nan", S.NUMBER),
        ("maybe", S.CHECKBOX),
        ("2015-13-01", S.FLOATING_TIMESTAMP),
        ("POINT (1 2)", S.POLYGON),
        ("junk", S.LINE),
        ({"x": 1}, S.URL),
        (5, S.LOCATION),
    ],
)
def test_bad_values(value, t):
    with pytest.raises(ValueError):
        to_physical(value, t)


def test_single_geometry_promoted_to_multi():
    wkb = to_physical("POLYGON ((0 0, 1 0, 1 1, 0 0))", S.MULTIPOLYGON)
    assert shapely.from_wkb(wkb).geom_type == "MultiPolygon"


def test_build_table_rejects_unknown_columns_and_reports_row():
    schema = Schema((Column("a", S.NUMBER),))
    assert build_table(schema, [{"a": "1"}, {}]).column("a").to_pylist() == [1.0, None]
    with pytest.raises(ValueError, match="row 2"):
        build_table(schema, [{"a": 1}, {"a": "x"}])
    with pytest.raises(ValueError, match="unknown column"):
        build_table(schema, [{"b": 1}])
