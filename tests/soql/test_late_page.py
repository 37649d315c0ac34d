"""Ordered DuckDB pages chosen by ``:id`` first (late materialisation) return the
same rows, in the same order, as the plain ORDER BY ... LIMIT/OFFSET query."""

from __future__ import annotations

import pyarrow as pa
import pytest

from openborough.soql import analyze, compile_query, compiler, parse_params
from openborough.soql.output import row_to_json
from openborough.soql.types import Column, Schema, SoQLType

S = SoQLType
SCHEMA = Schema(
    (
        Column("ward", S.TEXT),
        Column("amount", S.NUMBER),
        Column("issued", S.FLOATING_TIMESTAMP),
        Column("note", S.TEXT),
    )
)
ROWS = 2_000


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from openborough.store.duckdb import DuckDBStore

    s = DuckDBStore(str(tmp_path_factory.mktemp("late") / "store"))
    wards = ["Camden Town", "Holborn", None, "belsize", "Kilburn"]
    table = pa.table(
        {
            # few distinct values, nulls and ties everywhere, so the tie-break matters
            "ward": pa.array([wards[i % 5] for i in range(ROWS)]),
            "amount": pa.array([None if i % 7 == 0 else float(i % 13) for i in range(ROWS)]),
            "issued": pa.array([i % 11 * 86_400_000 for i in range(ROWS)], pa.timestamp("ms")),
            "note": pa.array([f"n{i}" for i in range(ROWS)]),
        }
    )
    s.write_version("late", 1, SCHEMA, table.to_reader())
    yield s
    s.close()


def run(store, params, late: bool, monkeypatch, **kw) -> tuple[str, list[dict]]:
    monkeypatch.setattr(compiler, "LATE_PAGE_VALUES", 1 if late else 10**12)
    c = compile_query(analyze(parse_params(params, SCHEMA), SCHEMA), "duckdb", store.table("late", 1), **kw)
    cur = store.execute(c.sql, c.params)
    try:
        return c.sql, [row_to_json(r, c.columns) for r in cur.fetchmany(100_000)]
    finally:
        cur.close()


@pytest.mark.parametrize(
    "params",
    [
        {"$order": "ward", "$limit": "150", "$offset": "300"},
        {"$order": "ward DESC, amount", "$limit": "1000"},
        {"$order": "amount DESC NULL LAST, issued", "$limit": "77", "$offset": "1900"},
        {"$order": "issued", "$where": "amount > 3", "$limit": "200", "$offset": "10"},
        {"$order": "upper(ward), note DESC", "$select": "note, amount * 2 AS double", "$limit": "50"},
        {"$order": "ward", "$q": "n15", "$limit": "5"},
        {"$order": ":id DESC", "$limit": "100", "$offset": "1950"},
        {"$order": "ward", "$limit": "100", "$offset": "5000"},  # past the end
    ],
)
def test_same_rows_and_order(store, monkeypatch, params):
    late_sql, late_rows = run(store, params, True, monkeypatch)
    assert " IN (SELECT " in late_sql
    # the plain query with :id as its explicit last key is the reference
    order = params["$order"] + ("" if ":id" in params["$order"] else ", :id")
    plain_sql, plain_rows = run(store, {**params, "$order": order}, False, monkeypatch)
    assert " IN (SELECT " not in plain_sql
    assert late_rows == plain_rows
    if params.get("$offset") != "5000":
        assert late_rows


def test_pages_partition_the_ordering(store, monkeypatch):
    pages = []
    for offset in range(0, ROWS, 300):
        _, rows = run(store, {"$order": "ward, amount", "$limit": "300", "$offset": str(offset)}, True, monkeypatch)
        pages.extend(r["note"] for r in rows)
    _, whole = run(store, {"$order": "ward, amount, :id", "$limit": str(ROWS)}, False, monkeypatch)
    assert pages == [r["note"] for r in whole]
    assert len(set(pages)) == ROWS


def test_case_insensitive_mode(store, monkeypatch):
    params = {"$order": "ward", "$where": "ward = 'BELSIZE'", "$limit": "20", "$offset": "3"}
    _, late_rows = run(store, params, True, monkeypatch, case_insensitive=True)
    _, plain_rows = run(store, {**params, "$order": "ward, :id"}, False, monkeypatch, case_insensitive=True)
    assert late_rows == plain_rows and len(late_rows) == 20


@pytest.mark.parametrize(
    "params",
    [
        {"$select": "ward, count(*)", "$group": "ward", "$order": "ward", "$limit": "3"},
        {"$select": "count(*)", "$order": "count(*)", "$limit": "3"},
        {"$select": "distinct ward", "$order": "ward", "$limit": "3"},
        {"$order": "ward"},  # no limit: nothing to page
        {"$limit": "10", "$offset": "10"},  # no order
    ],
)
def test_not_used_where_it_would_be_wrong(store, monkeypatch, params):
    sql, _ = run(store, params, True, monkeypatch)
    assert " IN (SELECT " not in sql


def test_threshold():
    def late(params):
        return compiler._late_page(analyze(parse_params(params, SCHEMA), SCHEMA), "duckdb")

    big = compiler.LATE_PAGE_VALUES
    assert not late({"$order": "ward", "$limit": "1000"})  # 4 columns x 1000 rows
    assert late({"$order": "ward", "$limit": "1000", "$offset": str(big // 4)})
    assert not compiler._late_page(
        analyze(parse_params({"$order": "ward", "$limit": "1000", "$offset": str(big)}, SCHEMA), SCHEMA), "postgres"
    )
