"""Small helpers for the SoQL unit tests."""

from __future__ import annotations

from sqlglot import exp

from openborough.soql import analyze, compile_query, parse_params, parse_query
from openborough.soql.output import row_to_json
from openborough.soql.types import Column, Schema, SoQLType
from openborough.soql.values import build_table

S = SoQLType

SCHEMA = Schema(
    (
        Column("make", S.TEXT),
        Column("name", S.TEXT),
        Column("v_max", S.NUMBER),
        Column("price", S.MONEY),
        Column("fast", S.CHECKBOX),
        Column("available", S.FLOATING_TIMESTAMP),
        Column("certified", S.FIXED_TIMESTAMP),
        Column("point", S.POINT),
        Column("area", S.MULTIPOLYGON),
        Column("link", S.URL),
        Column("place", S.LOCATION),
    )
)

ROWS = [
    {
        "make": "APCO",
        "name": "Karma",
        "v_max": 45,
        "price": 2500.5,
        "fast": False,
        "available": "2008-08-01T15:12:34",
        "certified": "2008-03-01T12:11:22-05",
        "point": "POINT (-0.1 51.5)",
        "link": {"url": "http://a.example"},
        "area": "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)))",
    },
    {
        "make": "APCO",
        "name": "Vista II",
        "v_max": 53,
        "price": 3200,
        "fast": True,
        "available": "2012-08-01",
        "point": "POINT (-0.2 51.6)",
        "place": {"latitude": 51.5, "longitude": -0.1, "human_address": '{"city": "x"}'},
    },
    {"make": "GIN", "name": "Atlas", "v_max": None, "fast": None},
    {
        "make": "OZONE",
        "name": "Buzz",
        "v_max": 49.5,
        "price": 1e6,
        "fast": True,
        "available": "2010-01-01T00:00:00.123",
    },
]


def sql(text: str, dialect: str = "duckdb", schema: Schema = SCHEMA) -> str:
    return compile_query(analyze(parse_query(text), schema), dialect, exp.to_table("t")).sql


def load(store, schema: Schema = SCHEMA, rows=ROWS, ds: str = "ds") -> None:
    store.write_version(ds, 1, schema, build_table(schema, rows).to_reader())


def run(store, params, schema: Schema = SCHEMA, ds: str = "ds") -> list[dict]:
    q = parse_query(params) if isinstance(params, str) else parse_params(params, schema)
    c = compile_query(analyze(q, schema), store.dialect, store.table(ds, 1))
    cur = store.execute(c.sql, c.params)
    try:
        return [row_to_json(r, c.columns) for r in cur]
    finally:
        cur.close()
