"""Implicit aliases as Socrata's alias analysis assigns them (soql-reference
``AliasAnalysis`` + brita ``IdentifierFilter``), and their use in the other
clauses. Each table row: the select list → the output names."""

from __future__ import annotations

import pytest

from openborough.soql import SoQLError, analyze, parse_params, parse_query
from openborough.soql.analyzer import implicit_name, unique_name

from .helpers import SCHEMA, load, run

NAMES = [
    # aggregates: function name as written, then its arguments
    ("count(*)", "count"),
    ("COUNT(*)", "COUNT"),
    ("count(name)", "count_name"),
    ("sum(v_max)", "sum_v_max"),
    ("max(v_max)", "max_v_max"),
    ("count(DISTINCT make)", "count_distinct_make"),
    ("date_trunc_ym(available)", "date_trunc_ym_available"),
    ("date_trunc_ymd(available)", "date_trunc_ymd_available"),
    # operators: symbols become one underscore; minus adds none
    ("v_max + 1", "v_max_1"),
    ("1 + v_max", "_1_v_max"),
    ("v_max - 1", "v_max_1"),
    ("-v_max", "v_max_1"),  # "v_max" is a column: suffixed
    ("v_max * price / 2", "v_max_price_2"),
    ("v_max > 1 and fast", "v_max_1_AND_fast"),
    ("not fast", "NOT_fast"),
    ("make || name", "make_name"),
    # keywords of special forms
    ("v_max IS NULL", "v_max_is_null"),
    ("v_max IS NOT NULL", "v_max_is_not_null"),
    ("v_max BETWEEN 1 AND 2", "v_max_between_1_and_2"),
    ("v_max NOT BETWEEN 1 AND 2", "v_max_not_between_1_and_2"),
    ("make IN ('a', 'b')", "IN_make_a_b"),
    ("make NOT IN ('a')", "NOT_IN_make_a"),
    ("make LIKE 'A%'", "LIKE_make_A"),
    ("case when fast then 1 else 2 end", "case_when_fast_then_1_else_2_end"),
    ("case when fast then 1 end", "case_when_fast_then_1_end"),
    # literals as Socrata prints them: numbers as BigDecimal, booleans upper-case
    ("1.50 + v_max", "_1_50_v_max"),
    ("1e3", "_1E_3"),
    ("TRUE", "TRUE"),
    ("null", "null"),
    ("'hello, world!'", "hello_world"),
    ("date_extract_m('2018-09-16') % 12", "date_extract_m_2018-09-16_12"),
    # casts and sub-fields
    ("v_max::text", "v_max_text"),
    ("point.latitude", "point_latitude"),
    ("place.human_address", "place_human_address"),
    # system columns lose the colon
    (":id", ":id"),  # a bare column keeps its own name
    ("(make)", "make_1"),  # parenthesised: named implicitly, clear of the column
]


@pytest.mark.parametrize(("select", "name"), NAMES)
def test_implicit_name(select, name):
    assert [s.name for s in analyze(parse_query(f"SELECT {select}"), SCHEMA).select] == [name]


@pytest.mark.parametrize(
    ("select", "names"),
    [
        # collisions with columns and explicit aliases anywhere in the list get _1, _2 …
        ("upper(make), upper(make) AS x, upper(make)", ["upper_make", "x", "upper_make_1"]),
        ("upper(make), upper(make) AS upper_make", ["upper_make_1", "upper_make"]),
        ("upper(make), upper(make) AS UPPER_MAKE_1, upper(make)", ["upper_make", "upper_make_1", "upper_make_2"]),
        ("count(*), count(*), count(*)", ["count", "count_1", "count_2"]),
        ("-v_max, -v_max", ["v_max_1", "v_max_2"]),
    ],
)
def test_implicit_name_collisions(select, names):
    assert [s.name for s in analyze(parse_query(f"SELECT {select}"), SCHEMA).select] == names


def test_synthetic_identifier_rules():
    """brita's IdentifierFilter, as soql-reference's own tests state it."""
    from openborough.soql.ast import ColumnRef, FunctionCall

    def plus(a, b):
        return FunctionCall("op$+", (a, b), raw_name="+")

    assert implicit_name(plus(ColumnRef("a"), ColumnRef("b"))) == "a_b"
    # real underscores are kept, synthetic ones next to them dropped
    assert implicit_name(plus(FunctionCall("count", (ColumnRef("__gnu__"),), raw_name="count"), ColumnRef("a"))) == (
        "count__gnu__a"
    )
    assert implicit_name(plus(ColumnRef("a"), ColumnRef("b_"))) == "a_b_"
    taken = {"a_b_"}
    assert unique_name("a_b_", taken.__contains__) == "a_b_1"  # no doubled underscore
    assert unique_name("a_b-", {"a_b-"}.__contains__) == "a_b-1"
    assert unique_name("a_b", {"a_b", "a_b_1", "a_b_2"}.__contains__) == "a_b_3"


@pytest.mark.parametrize(
    "params",
    [
        {"$select": "make, count(*)", "$group": "make", "$order": "count DESC"},
        {"$select": "make, count(*)", "$group": "make", "$order": "COUNT desc"},
        {"$query": "SELECT make, count(*) GROUP BY make ORDER BY count DESC"},
    ],
)
def test_order_by_implicit_alias(params):
    typed = analyze(parse_params(params, SCHEMA), SCHEMA)
    assert [s.name for s in typed.select] == ["make", "count"]
    assert typed.order_by[0].expr == typed.select[1].expr and not typed.order_by[0].ascending


def test_group_and_having_by_implicit_alias():
    typed = analyze(
        parse_params(
            {
                "$select": "date_trunc_y(available), count(*), max(v_max)",
                "$group": "date_trunc_y_available",
                "$having": "count > 1 AND MAX_V_MAX > 0",
            },
            SCHEMA,
        ),
        SCHEMA,
    )
    assert typed.group_by == [typed.select[0].expr]


def test_alias_of_aggregate_not_in_where():
    with pytest.raises(SoQLError) as e:
        analyze(parse_params({"$select": "make, count(*)", "$group": "make", "$where": "count > 1"}, SCHEMA), SCHEMA)
    assert e.value.code == "query.soql.aggregate-in-ungrouped-context"


def test_implicit_alias_in_where_and_in_select():
    params = {"$select": "upper(make), upper_make || '!'", "$where": "upper_make = 'GIN'"}
    typed = analyze(parse_params(params, SCHEMA), SCHEMA)
    assert [s.name for s in typed.select] == ["upper_make", "upper_make_1"]
    assert typed.where.args[0] == typed.select[0].expr


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request):
    s = request.getfixturevalue("duck_store" if request.param == "duckdb" else "pg_store")
    load(s)
    return s


def test_socrata_docs_line_runs(store):
    """``$select=status,count(*)&$group=status&$order=count DESC`` on real rows."""
    rows = run(store, {"$select": "make, count(*)", "$group": "make", "$order": "count DESC, make"})
    assert rows[0] == {"make": "APCO", "count": "2"}
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), key=int, reverse=True)
    rows = run(store, {"$select": "make, max(v_max)", "$group": "make", "$having": "max_v_max > 50", "$order": "make"})
    assert rows == [{"make": "APCO", "max_v_max": "53"}]
