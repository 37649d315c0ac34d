"""The fast per-column formatters give exactly soql.output.format_value's text."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from openborough.soda.render import _formatter, csv_cell
from openborough.soql.output import format_value
from openborough.soql.types import SoQLType as S


@given(
    st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(places=2, min_value=-(10**9), max_value=10**9).map(float)
)
def test_numbers(v):
    assert _formatter(S.NUMBER)(v) == format_value(v, S.NUMBER)


@given(st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 30)))
def test_timestamps(t):
    t = t.replace(microsecond=t.microsecond // 1000 * 1000)
    assert _formatter(S.FLOATING_TIMESTAMP)(t) == format_value(t, S.FLOATING_TIMESTAMP)
    z = t.replace(tzinfo=dt.UTC)
    assert _formatter(S.FIXED_TIMESTAMP)(z) == format_value(z, S.FIXED_TIMESTAMP)


def test_csv_cells():
    assert csv_cell(True) == "true"
    assert csv_cell({"type": "Point", "coordinates": [-0.1, 51.5]}) == "POINT (-0.1 51.5)"
    assert csv_cell({"url": "https://x.test", "description": "X"}) == "X (https://x.test)"
    loc = {"latitude": "51.5", "longitude": "-0.1", "human_address": '{"address": "1 High St", "city": "London"}'}
    assert csv_cell(loc) == "1 High St\nLondon\n(51.5, -0.1)"
