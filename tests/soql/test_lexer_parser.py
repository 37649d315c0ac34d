"""Lexer and parser: tokens, positions, precedence, clause order, errors."""

from __future__ import annotations

import pytest

from openborough.soql import SoQLError
from openborough.soql.ast import ColumnRef, FunctionCall, Literal, Query
from openborough.soql.parser import parse_expression, parse_order, parse_selection, parse_statement
from openborough.soql.tokens import EOF, IDENT, NUMBER, QUOTED_IDENT, STRING, SYSTEM_IDENT, tokenize


def kinds(text):
    return [(t.kind, t.value) for t in tokenize(text)]


def test_tokens_kinds_and_values():
    assert kinds("SELECT `hello-world`, :id, :@region, 'it''s', \"a\\nb\", 1.5e3") == [
        (IDENT, "select"),
        (QUOTED_IDENT, "hello_world"),
        ("op", ","),
        (SYSTEM_IDENT, ":id"),
        ("op", ","),
        (SYSTEM_IDENT, ":@region"),
        ("op", ","),
        (STRING, "it's"),
        ("op", ","),
        (STRING, "a\nb"),
        ("op", ","),
        (NUMBER, "1.5e3"),
        (EOF, ""),
    ]


def test_comments_and_positions():
    toks = tokenize("a -- comment\n  /* block\n */ b")
    assert [(t.value, t.pos) for t in toks[:2]] == [("a", (1, 1)), ("b", (3, 5))]


@pytest.mark.parametrize(
    "text, code",
    [
        ("'open", "query.soql.unterminated-string"),
        ('"bad \\q"', "query.soql.unexpected-escape"),
        ('"\\u12"', "query.soql.bad-unicode-escape-character"),
        ("a # b", "query.soql.unexpected-character"),
        ("12abc", "query.soql.unexpected-character"),
    ],
)
def test_lexer_errors(text, code):
    with pytest.raises(SoQLError) as e:
        tokenize(text)
    assert e.value.code == code


def test_lexer_error_position():
    with pytest.raises(SoQLError) as e:
        tokenize("a = 1 AND\n  b # 2")
    assert e.value.position == (2, 5)


def test_precedence():
    e = parse_expression("a OR b AND NOT c = 1 + 2 * 3 ^ 2")
    assert e.name == "op$or"
    right = e.args[1]
    assert right.name == "op$and"
    assert right.args[1].name == "op$not"
    cmp_ = right.args[1].args[0]
    assert cmp_.name == "op$=" and cmp_.args[1].name == "op$+"
    mul = cmp_.args[1].args[1]
    assert mul.name == "op$*" and mul.args[1].name == "op$^"


def test_power_is_right_associative_and_unary_binds_tighter():
    e = parse_expression("2 ^ 3 ^ 2")
    assert e.args[1].name == "op$^"
    e = parse_expression("-2 ^ 2")
    assert e.name == "op$^" and e.args[0].name == "op$neg"


def test_postfix_predicates():
    assert parse_expression("x NOT BETWEEN 1 AND 2").name == "not_between"
    assert parse_expression("x NOT IN ('a', 'b')").name == "not_in"
    assert parse_expression("x NOT LIKE 'a%'").name == "not_like"
    assert parse_expression("x IS NOT NULL").name == "is_not_null"
    assert parse_expression("x IS NULL").name == "is_null"


def test_casts_subfields_calls():
    e = parse_expression("v::text")
    assert e == FunctionCall("cast$text", (ColumnRef("v", (1, 1)),), (1, 2), "text")
    e = parse_expression("location.latitude")
    assert e.name == "subfield" and e.args[1] == Literal("string", "latitude", (1, 10))
    assert parse_expression("count(*)").star
    assert parse_expression("COUNT(DISTINCT x)").distinct
    assert parse_expression("CASE WHEN a THEN 1 ELSE 2 END").name == "case"


def test_statement_clause_order():
    q = parse_statement(
        "SELECT DISTINCT a, count(*) AS n WHERE a > 1 GROUP BY a HAVING n > 1 "
        "SEARCH 'x' ORDER BY a DESC NULL LAST OFFSET 5 LIMIT 10"
    )
    assert q.distinct and q.search == "x" and q.limit == 10 and q.offset == 5
    assert q.select[1].alias == "n"
    o = q.order_by[0]
    assert (o.ascending, o.nulls_first) == (False, False)


@pytest.mark.parametrize(
    "text, code, pos",
    [
        ("SELECT a WHERE", "query.soql.unexpected-eof", (1, 15)),
        ("SELECT a b", "query.soql.bad-parse", (1, 10)),
        ("SELECT a ORDER BY a GROUP BY a", "query.soql.bad-parse", (1, 21)),
        ("SELECT a LIMIT -1", "query.soql.bad-parse", (1, 16)),
        ("SELECT a LIMIT 1.5", "query.soql.bad-parse", (1, 16)),
        ("SELECT (a", "query.soql.unexpected-eof", (1, 10)),
        ("SELECT a FROM b", "query.soql.unsupported", (1, 10)),
        ("SELECT a |> SELECT b", "query.soql.unsupported", (1, 10)),
        ("SELECT avg(a) OVER ()", "query.soql.unsupported", (1, 15)),
    ],
)
def test_parse_errors(text, code, pos):
    with pytest.raises(SoQLError) as e:
        parse_statement(text)
    assert (e.value.code, e.value.position) == (code, pos)


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(SoQLError) as e:
        parse_expression("(" * 500 + "1" + ")" * 500)
    assert e.value.code == "query.soql.bad-parse"
    with pytest.raises(SoQLError):
        parse_expression("NOT " * 500 + "a")
    with pytest.raises(SoQLError):
        parse_expression("-" * 500 + "1")


def test_selection_stars():
    q = Query()
    parse_selection(":*, *, a AS b", q)
    assert q.system_star and q.star and q.select[0].alias == "b"


def test_order_list():
    items = parse_order("a, b DESC, c ASC NULLS FIRST")
    assert [(i.ascending, i.nulls_first) for i in items] == [(True, None), (False, None), (True, True)]


def test_long_and_or_chains_stay_shallow():
    e = parse_expression(" OR ".join(f"a = {i}" for i in range(3000)))
    depth, node = 0, e
    while isinstance(node, FunctionCall) and node.name == "op$or":
        node, depth = node.args[0], depth + 1
    assert depth < 20


def test_overlong_text_is_an_error():
    with pytest.raises(SoQLError):
        tokenize("a" * 100_001)
