"""Analyzer: names, types, literal conversion, grouping rules, output names, errors."""

from __future__ import annotations

import datetime as dt

import pytest

from openborough.soql import SoQLError, analyze, parse_params, parse_query
from openborough.soql.functions import ROW_ID

from .helpers import SCHEMA, S


def typed(text):
    return analyze(parse_query(text), SCHEMA)


def names(text):
    return [s.name for s in typed(text).select]


def error(text):
    with pytest.raises(SoQLError) as e:
        typed(text)
    return e.value


def test_star_expands_user_columns_in_order():
    assert names("SELECT *") == [c.field_name for c in SCHEMA.columns]
    assert names("SELECT :*, *")[:3] == [":id", ":created_at", ":updated_at"]


def test_implicit_names():
    assert names("SELECT count(*), count(name), sum(v_max), count(DISTINCT make), max(v_max)") == [
        "count",
        "count_name",
        "sum_v_max",
        "count_distinct_make",
        "max_v_max",
    ]
    assert names(
        "SELECT v_max::text, v_max IS NULL, "
        "point.latitude, date_trunc_ym(available), date_extract_m('2018-09-16') % 12, 1 + v_max"
    ) == [
        "v_max_text",
        "v_max_is_null",
        "point_latitude",
        "date_trunc_ym_available",
        "date_extract_m_2018-09-16_12",
        "_1_v_max",
    ]


def test_implicit_name_collisions_get_suffixes():
    assert names("SELECT upper(make), upper(make) AS x, upper(make)") == ["upper_make", "x", "upper_make_1"]


def test_duplicate_alias():
    e = error("SELECT make AS a, name AS a")
    assert e.code == "query.soql.duplicate-alias" and e.position == (1, 27)
    assert error("SELECT make, name AS make").code == "query.soql.duplicate-alias"


def test_no_such_column_with_position():
    e = error("SELECT make WHERE nope = 1")
    assert (e.code, e.position, e.data["column"]) == ("query.soql.no-such-column", (1, 19), "nope")


def test_no_such_function():
    e = error("SELECT frobnicate(make)")
    assert (e.code, e.position) == ("query.soql.no-such-function", (1, 8))
    assert error("SELECT upper(make, name)").code == "query.soql.no-such-function"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT make WHERE make > 3",
        "SELECT make + 1",
        "SELECT make WHERE v_max",
        "SELECT sum(make)",
        "SELECT make WHERE available > 'not a date'",
        "SELECT upper(v_max)",
        "SELECT make ORDER BY point",
        "SELECT 'abc'::number",
    ],
)
def test_type_mismatch(text):
    assert error(text).code == "query.soql.type-mismatch"


def test_literal_conversion():
    w = typed("SELECT make WHERE available > '2015-01-10T12:00:00' AND v_max > '3' AND fast = 'true'").where
    a, (b, c) = w.args[0], w.args[1].args  # AND chains are balanced: a AND (b AND c)
    assert a.args[1].value == dt.datetime(2015, 1, 10, 12) and a.args[1].type is S.FLOATING_TIMESTAMP
    assert b.args[1].value == 3.0 and b.args[1].type is S.NUMBER
    assert c.args[1].value is True
    fixed = typed("SELECT make WHERE certified < '2015-01-01T00:00:00-05:00'").where.args[1]
    assert fixed.value == dt.datetime(2015, 1, 1, 5, tzinfo=dt.UTC)


def test_row_id_literal():
    w = typed("SELECT make WHERE :id = 'row-5'").where
    assert w.args[0].type is ROW_ID and w.args[1].value == 5
    assert error("SELECT make WHERE :id = 'xyz'").code == "query.soql.type-mismatch"


def test_aggregate_rules():
    assert error("SELECT make WHERE count(*) > 1").code == "query.soql.aggregate-in-ungrouped-context"
    e = error("SELECT make, name, count(*) GROUP BY make")
    assert (e.code, e.data["column"], e.position) == ("query.soql.column-not-in-group-bys", "name", (1, 14))
    e = error("SELECT make GROUP BY make ORDER BY name")
    assert (e.code, e.position) == ("query.soql.column-not-in-group-bys", (1, 36))
    assert error("SELECT sum(count(*))").code == "query.soql.aggregate-in-ungrouped-context"
    q = typed("SELECT upper(make) AS u, count(*) GROUP BY upper(make) HAVING count(*) > 1 ORDER BY u")
    assert q.grouped and q.having is not None


def test_alias_used_in_where_and_order():
    q = typed("SELECT substring(make, 1, 2) AS s WHERE s = 'AP' ORDER BY s")
    assert q.where.args[0].function == "substring"
    assert q.order_by[0].expr.function == "substring"


def test_circular_alias():
    assert error("SELECT b AS a, a AS b").code == "query.soql.circular-alias-definition"


def test_params_filters_and_unknown():
    q = parse_params({"make": "APCO", "$where": "v_max > 3", "$$app_token": "x", "$limit": "5"}, SCHEMA)
    t = analyze(q, SCHEMA)
    assert t.where.function == "op$and" and t.limit == 5
    with pytest.raises(SoQLError) as e:
        parse_params({"$bogus": "1"}, SCHEMA)
    assert e.value.code == "query.soql.unknown-parameter"
    with pytest.raises(SoQLError):
        parse_params({"nocolumn": "1"}, SCHEMA)
    with pytest.raises(SoQLError) as e:
        parse_params({"$where": "a = "}, SCHEMA)
    assert e.value.data["parameter"] == "$where"
    with pytest.raises(SoQLError):
        parse_params({"$limit": "ten"}, SCHEMA)


def test_query_param_with_limit_and_conflicts():
    q = parse_params({"$query": "SELECT make LIMIT 3", "$limit": "1000"}, SCHEMA)
    assert q.limit == 3
    q = parse_params({"$query": "SELECT make", "$limit": "1000", "$offset": "2"}, SCHEMA)
    assert (q.limit, q.offset) == (1000, 2)
    with pytest.raises(SoQLError):
        parse_params({"$query": "SELECT make", "$select": "name"}, SCHEMA)


def test_output_types():
    q = typed("SELECT count(*), avg(price), max(available)")
    assert [s.expr.type for s in q.select] == [S.NUMBER, S.MONEY, S.FLOATING_TIMESTAMP]
    q = typed("SELECT point, :id, link.url, place.latitude")
    assert [s.expr.type for s in q.select] == [S.POINT, ROW_ID, S.TEXT, S.NUMBER]
