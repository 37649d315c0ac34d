"""Compiler: SQL shape per dialect, brackets, literals, count SQL, case-insensitive mode."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from openborough.soql import SoQLError, analyze, compile_query, parse_query

from .helpers import SCHEMA, sql


def test_brackets_follow_the_tree():
    out = sql("SELECT (v_max + 1) * 2 AS a, v_max + 1 * 2 AS b")
    assert '("v_max" + CAST(1 AS DOUBLE)) * CAST(2 AS DOUBLE)' in out
    assert '"v_max" + (CAST(1 AS DOUBLE) * CAST(2 AS DOUBLE))' in out


def test_identifiers_are_quoted_and_literals_escaped():
    out = sql("SELECT make WHERE name = 'it''s' AND :id = 'row-3'")
    assert "\"name\" = 'it''s'" in out and '":id" = 3' in out


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_each_dialect_parses_back(dialect):
    text = (
        "SELECT make, count(*) AS n, avg(v_max), max(available) WHERE v_max % 3 = 1 AND certified > '2010-01-01' "
        "AND within_circle(point, 51.5, -0.1, 500) GROUP BY make HAVING count(*) > 1 ORDER BY n DESC LIMIT 5 OFFSET 2"
    )
    out = sql(text, dialect)
    assert isinstance(sqlglot.parse_one(out, read=dialect), exp.Select)


def test_dialect_differences():
    assert "ST_DWITHIN" in sql("SELECT make WHERE within_circle(point, 1, 2, 3)", "postgres").upper()
    assert "ASIN" in sql("SELECT make WHERE within_circle(point, 1, 2, 3)", "duckdb").upper()
    assert "jsonb_extract_path_text" in sql("SELECT link.url", "postgres").lower()
    assert "TRY_CAST" in sql("SELECT name::number", "duckdb")
    assert "PERCENTILE_CONT" in sql("SELECT median(v_max)", "postgres").upper()


def test_count_sql_has_no_limit_or_order():
    c = compile_query(
        analyze(parse_query("SELECT make WHERE v_max > 1 ORDER BY make LIMIT 5 OFFSET 1"), SCHEMA),
        "duckdb",
        exp.to_table("t"),
    )
    assert "LIMIT" not in c.count_sql and "ORDER" not in c.count_sql and "COUNT(*)" in c.count_sql
    assert c.params == [] and c.count_params == []
    assert [(col.name, col.type_name) for col in c.columns] == [("make", "text")]


def test_case_insensitive_mode_upper_cases_text_comparisons_and_group_keys():
    q = analyze(parse_query("SELECT make, count(*) WHERE name = 'karma' GROUP BY make ORDER BY make"), SCHEMA)
    out = compile_query(q, "duckdb", exp.to_table("t"), case_insensitive=True).sql
    assert "UPPER(\"name\") = UPPER('karma')" in out
    assert out.startswith('SELECT UPPER("make") AS "make"')


def test_unknown_dialect_and_time_zone():
    with pytest.raises(ValueError):
        sql("SELECT make", "oracle")
    with pytest.raises(SoQLError):
        sql("SELECT date_trunc_ym(certified, 'Mars/Olympus')")
    assert "INTERVAL" in sql("SELECT date_trunc_ym(certified, 'PDT')").upper()


def test_distinct_order_must_be_selected():
    with pytest.raises(SoQLError) as e:
        sql("SELECT DISTINCT make ORDER BY name")
    assert e.value.code == "query.soql.column-not-in-group-bys"
    sql("SELECT DISTINCT make ORDER BY make")
