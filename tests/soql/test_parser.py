"""Parser edge cases found by the property tests."""

import pytest

from openborough.soql import SoQLError, parse_params
from openborough.soql.types import Column, Schema, SoQLType

SCHEMA = Schema((Column("n", SoQLType.NUMBER),))


@pytest.mark.parametrize("value", ["²", "٣", "1²", "１０"])
def test_non_ascii_digits_are_not_numbers(value):
    # str.isdigit() is true of superscripts and other scripts' digits; SoQL numbers are ASCII
    for params in ({"$limit": value}, {"$offset": value}, {"$where": f"n = {value}"}):
        with pytest.raises(SoQLError):
            parse_params(params, SCHEMA)


def test_ascii_numbers_still_parse():
    q = parse_params({"$limit": "10", "$offset": "5", "$where": "n = 1.5e3"}, SCHEMA)
    assert q.limit == 10 and q.offset == 5
