"""Property tests: junk never escapes as anything but SoQLError, literals never
become SQL, and generated well-typed queries run (and agree across backends)."""

from __future__ import annotations

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from openborough.soql import SoQLError, analyze, compile_query, parse_params
from openborough.soql.output import row_to_json

from .helpers import ROWS, SCHEMA, load

PARAMS = ["$select", "$where", "$order", "$group", "$having", "$limit", "$offset", "$q", "$query", "make", "v_max"]
INJECTIONS = [
    "'; DROP TABLE t; --",
    '" OR 1=1 --',
    "`x`; SELECT 1",
    "1) UNION SELECT * FROM pg_user --",
    "/* */ SELECT",
    "\\'",
    "$$",
    "%s %(x)s ? $1",
    "::text",
    "\u0000",
    "é ü 中文 🙂",
]
SOQL_WORDS = [
    "select",
    "where",
    "group",
    "by",
    "order",
    "having",
    "limit",
    "offset",
    "search",
    "and",
    "or",
    "not",
    "in",
    "between",
    "like",
    "is",
    "null",
    "true",
    "false",
    "distinct",
    "as",
    "asc",
    "desc",
    "case",
    "when",
    "then",
    "end",
    "count",
    "sum",
    "(",
    ")",
    ",",
    "*",
    ":*",
    ":id",
    "=",
    "<>",
    "<",
    "||",
    "+",
    "-",
    "/",
    "%",
    "^",
    "::",
    ".",
    "[",
    "]",
    "make",
    "name",
    "v_max",
    "price",
    "fast",
    "available",
    "point",
    "link",
    "place",
    "url",
    "'x'",
    "'2015-01-01'",
    "1",
    "2.5",
    "1e400",
    "`make`",
    "upper",
    "within_circle",
    "date_trunc_ym",
    *INJECTIONS,
]

junk_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(SOQL_WORDS), max_size=14).map(" ".join),
    st.sampled_from(INJECTIONS),
)


def compile_params(params):
    q = parse_params(params, SCHEMA)
    return compile_query(analyze(q, SCHEMA), "duckdb", exp.to_table("t"))


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.sampled_from(PARAMS), junk_text, min_size=1, max_size=3))
def test_junk_gives_soql_error_only(params):
    try:
        c = compile_params(params)
    except SoQLError as e:
        assert e.code.startswith("query.soql.") and e.message
        return
    # whatever compiled is exactly one statement over table t
    statements = sqlglot.parse(c.sql, read="duckdb")
    assert len(statements) == 1 and isinstance(statements[0], exp.Select)
    tables = {t.name for t in statements[0].find_all(exp.Table)}
    assert tables == {"t"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40).filter(lambda s: "\x00" not in s))
def test_literal_values_stay_literals(value):
    for dialect in ("duckdb", "postgres"):
        q = parse_params({"name": value, "$select": "make"}, SCHEMA)
        c = compile_query(analyze(q, SCHEMA), dialect, exp.to_table("t"))
        tree = sqlglot.parse_one(c.sql, read=dialect)
        strings = [lit.this for lit in tree.find_all(exp.Literal) if lit.is_string]
        assert strings == [value]
        columns = {col.name for col in tree.find_all(exp.Column)}
        assert columns <= {"make", "name"}


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_identifiers_are_checked(name):
    try:
        compile_params({"$select": f"`{name}`"})
    except SoQLError as e:
        assert e.code.startswith("query.soql.")
        return
    assert name.lower().replace("-", "_") in {c.field_name for c in SCHEMA.columns}


# -- generated valid queries ----------------------------------------------------------------
NUMERIC = ["v_max", "price"]
TEXT = ["make", "name"]

num_lit = st.integers(-100, 5000).map(str) | st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:.3f}")
text_lit = st.text(alphabet="abcAPCOZNKarm %_'", max_size=6).map(lambda s: "'" + s.replace("'", "''") + "'")


def num_expr(depth=2):
    base = st.sampled_from(NUMERIC) | num_lit | st.just("length(make)")
    if depth == 0:
        return base
    sub = num_expr(depth - 1)
    return (
        base
        | st.tuples(sub, st.sampled_from(["+", "-", "*", "/", "%"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        | sub.map(lambda e: f"abs({e})")
    )


def text_expr():
    return (
        st.sampled_from(TEXT) | text_lit | st.sampled_from(["upper(make)", "lower(name)", "make || name", "trim(name)"])
    )


def bool_expr(depth=2):
    cmp_ = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])
    base = (
        st.tuples(num_expr(1), cmp_, num_expr(1)).map(" ".join)
        | st.tuples(text_expr(), cmp_, text_expr()).map(" ".join)
        | st.sampled_from(
            [
                "fast",
                "v_max IS NULL",
                "name IS NOT NULL",
                "available > '2009-01-01'",
                "make IN ('APCO', 'GIN')",
                "v_max BETWEEN 40 AND 50",
                "name LIKE 'K%'",
                "starts_with(make, 'A')",
                "within_circle(point, 51.5, -0.1, 5000)",
            ]
        )
    )
    if depth == 0:
        return base
    sub = bool_expr(depth - 1)
    return (
        base
        | st.tuples(sub, st.sampled_from(["AND", "OR"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        | sub.map(lambda e: f"NOT ({e})")
    )


@st.composite
def valid_query(draw):
    if draw(st.booleans()):
        key = draw(st.sampled_from(TEXT + ["fast"]))
        agg = draw(st.sampled_from(["count(*)", "sum(v_max)", "avg(price)", "max(name)", "min(available)"]))
        params = {"$select": f"{key}, {agg} AS a", "$group": key, "$order": f"{key}, a"}
        if draw(st.booleans()):
            params["$having"] = "count(*) > 0"
    else:
        cols = draw(
            st.lists(st.sampled_from(NUMERIC + TEXT + ["fast", "available"]), min_size=1, max_size=3, unique=True)
        )
        extra = draw(num_expr(1))
        params = {"$select": ", ".join(cols) + f", {extra} AS x", "$order": ":id"}
    params["$where"] = draw(bool_expr())
    if draw(st.booleans()):
        params["$limit"] = str(draw(st.integers(0, 10)))
    return params


@pytest.fixture(scope="module")
def loaded_duck(tmp_path_factory):
    from openborough.store.duckdb import DuckDBStore

    store = DuckDBStore(str(tmp_path_factory.mktemp("props")))
    load(store, rows=ROWS)
    yield store
    store.close()


def execute(store, params):
    q = parse_params(params, SCHEMA)
    c = compile_query(analyze(q, SCHEMA), store.dialect, store.table("ds", 1))
    cur = store.execute(c.sql, c.params)
    try:
        return [row_to_json(r, c.columns) for r in cur]
    finally:
        cur.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valid_query())
def test_valid_queries_run_on_duckdb(loaded_duck, params):
    rows = execute(loaded_duck, params)
    assert len(rows) <= len(ROWS)


@pytest.fixture(scope="module")
def loaded_pg(pg_dsn):
    import secrets

    import psycopg
    from psycopg import sql

    from openborough.store.postgres import PostgresStore

    schema = f"props_{secrets.token_hex(6)}"
    store = PostgresStore(pg_dsn, schema=schema)
    load(store, rows=ROWS)
    try:
        yield store
    finally:
        store.close()
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _close(a, b):
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        if x == y:
            continue
        try:
            fx, fy = float(x), float(y)
        except (TypeError, ValueError):
            return False
        if abs(fx - fy) > 1e-9 * max(1.0, abs(fx)):
            return False
    return True


@pytest.mark.postgres
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valid_query())
def test_duckdb_and_postgres_agree(loaded_duck, loaded_pg, params):
    a, b = execute(loaded_duck, params), execute(loaded_pg, params)
    assert len(a) == len(b), (params, a, b)
    assert all(_close(x, y) for x, y in zip(a, b, strict=True)), (params, a, b)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(PARAMS), junk_text, min_size=1, max_size=3))
def test_junk_that_compiles_also_executes(loaded_duck, params):
    try:
        rows = execute(loaded_duck, params)
    except SoQLError as e:
        assert e.code.startswith("query.soql.")
        return
    assert isinstance(rows, list)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["v_max", "price", "length(make)", "v_max * 1e300", "-v_max"]),
    st.sampled_from(
        [
            "substring(make, {n}, {n})",
            "split_part(name, ' ', {n})",
            "left_pad(make, {n}, 'x')",
            "round(v_max, {n})",
            "chr({n})",
            "v_max ^ {n}",
            "v_max / {n}",
            "v_max % {n}",
            "ln({n})",
            "sqrt({n})",
            "({n})::text",
            "signed_magnitude_10({n})",
            "signed_magnitude_linear(v_max, {n})",
        ]
    ),
    st.sampled_from(["0", "-1", "1e12", "-1e12", "1e300", "0.5", "1114112", "55296"]),
)
def test_edge_numbers_never_fail_at_runtime(loaded_duck, col, template, n):
    rows = execute(loaded_duck, {"$select": template.format(n=n) + " AS r, " + col + " AS c"})
    assert len(rows) == len(ROWS)


@pytest.mark.postgres
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(PARAMS), junk_text, min_size=1, max_size=3))
def test_junk_that_compiles_also_executes_on_postgres(loaded_pg, params):
    try:
        rows = execute(loaded_pg, params)
    except SoQLError as e:
        assert e.code.startswith("query.soql.")
        return
    assert isinstance(rows, list)


@pytest.mark.postgres
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["v_max", "price", "length(make)", "-v_max"]),
    st.sampled_from(
        [
            "substring(make, {n}, {n})",
            "split_part(name, ' ', {n})",
            "left_pad(make, {n}, 'x')",
            "round(v_max, {n})",
            "chr({n})",
            "v_max / {n}",
            "v_max % {n}",
            "ln({n})",
            "sqrt({n})",
            "({n})::text",
            "signed_magnitude_10({n})",
            "signed_magnitude_linear(v_max, {n})",
        ]
    ),
    st.sampled_from(["0", "-1", "1e12", "-1e12", "1e300", "0.5", "1114112", "55296"]),
)
def test_edge_numbers_never_fail_at_runtime_on_postgres(loaded_pg, col, template, n):
    rows = execute(loaded_pg, {"$select": template.format(n=n) + " AS r, " + col + " AS c"})
    assert len(rows) == len(ROWS)
