"""SoQL engine benchmark: compile time and run time of typical SODA queries.

    .venv/bin/python bench/soql.py [--rows 1000000] [--repeat 5] [--postgres DSN]

Builds a deterministic synthetic dataset (text, number, money, checkbox,
floating timestamp, point columns; ``--rows`` rows) in a DuckDBStore (and, with
``--postgres``, a PostgresStore on that database in a scratch schema), then runs
each query ``--repeat`` times after a warm-up through the whole engine path
(parse_params → analyze → compile_query → execute → row_to_json) and prints the
median milliseconds per backend, plus the median compile-only time.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from sqlglot import exp  # noqa: E402

from openborough.soql import analyze, compile_query, parse_params  # noqa: E402
from openborough.soql.output import row_to_json  # noqa: E402
from openborough.soql.types import POINT_STRUCT, Column, Schema, SoQLType  # noqa: E402

S = SoQLType
SCHEMA = Schema(
    (
        Column("ward", S.TEXT),
        Column("category", S.TEXT),
        Column("amount", S.MONEY),
        Column("score", S.NUMBER),
        Column("paid", S.CHECKBOX),
        Column("issued", S.FLOATING_TIMESTAMP),
        Column("location", S.POINT),
    )
)
QUERIES = [
    ("first page", {"$limit": "1000"}),
    ("equality filter", {"ward": "Camden Town", "$limit": "1000"}),
    ("where + order", {"$where": "amount > 500 AND paid", "$order": "issued DESC", "$limit": "1000"}),
    (
        "text functions",
        {"$where": "starts_with(upper(category), 'PARK')", "$select": "category, count(*)", "$group": "category"},
    ),
    (
        "group by month",
        {"$select": "date_trunc_ym(issued) AS month, sum(amount), avg(score)", "$group": "month", "$order": "month"},
    ),
    ("count distinct", {"$select": "count(distinct ward), count(*)"}),
    ("full-text $q", {"$q": "parking", "$limit": "1000"}),
    ("within_circle", {"$where": "within_circle(location, 51.54, -0.14, 500)", "$select": "count(*)"}),
    (
        "within_polygon",
        {
            "$where": "within_polygon(location, 'MULTIPOLYGON (((-0.16 51.53, -0.12 51.53, "
            "-0.12 51.56, -0.16 51.56, -0.16 51.53)))')",
            "$select": "count(*)",
        },
    ),
    ("deep page", {"$order": ":id", "$limit": "1000", "$offset": "500000"}),
]


def dataset(rows: int) -> pa.Table:
    rng = np.random.default_rng(20240601)
    wards = np.array(["Camden Town", "Kentish Town", "Gospel Oak", "Belsize", "Holborn", "Highgate", "Kilburn"])
    cats = np.array(["Parking", "Parking permits", "Street cleaning", "Noise", "Housing repairs", "Licensing"])
    start = np.datetime64("2019-01-01T00:00:00", "ms").astype("int64")
    return pa.table(
        {
            "ward": pa.array(wards[rng.integers(0, len(wards), rows)]),
            "category": pa.array(cats[rng.integers(0, len(cats), rows)]),
            "amount": pa.array(np.round(rng.gamma(2.0, 300.0, rows), 2)),
            "score": pa.array(rng.normal(50, 15, rows)),
            "paid": pa.array(rng.random(rows) < 0.7),
            "issued": pa.array(start + rng.integers(0, 5 * 365 * 86_400_000, rows), pa.timestamp("ms")),
            "location": pa.StructArray.from_arrays(
                [pa.array(-0.21 + rng.random(rows) * 0.13), pa.array(51.51 + rng.random(rows) * 0.07)],
                fields=list(POINT_STRUCT),
            ),
        }
    )


def run_once(store, params) -> int:
    typed = analyze(parse_params(params, SCHEMA), SCHEMA)
    c = compile_query(typed, store.dialect, store.table("bench", 1))
    cur = store.execute(c.sql, c.params)
    n = 0
    try:
        for row in cur:
            row_to_json(row, c.columns)
            n += 1
    finally:
        cur.close()
    return n


def timed(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--postgres", metavar="DSN", help="also run on PostgreSQL/PostGIS at this DSN")
    args = ap.parse_args()
    table = dataset(args.rows)
    stores = {}
    from openborough.store.duckdb import DuckDBStore

    tmp = tempfile.TemporaryDirectory(prefix="ob-bench-soql-")
    stores["duckdb"] = DuckDBStore(tmp.name)
    if args.postgres:
        from openborough.store.postgres import PostgresStore

        stores["postgres"] = PostgresStore(args.postgres, schema=f"bench_{secrets.token_hex(4)}")
    try:
        for name, store in stores.items():
            t = time.perf_counter()
            store.write_version("bench", 1, SCHEMA, table.to_reader())
            print(f"{name}: loaded {args.rows:,} rows in {time.perf_counter() - t:.1f} s")
        header = "| query | rows | compile ms | " + " | ".join(f"{n} ms" for n in stores) + " |"
        print()
        print(header)
        print("|---|---|---|" + "---|" * len(stores))
        for label, params in QUERIES:
            compile_ms = timed(
                lambda p=params: compile_query(analyze(parse_params(p, SCHEMA), SCHEMA), "duckdb", exp.to_table("t")),
                args.repeat,
            )
            cells, rows = [], None
            for store in stores.values():
                rows = run_once(store, params)
                cells.append(f"{timed(lambda s=store, p=params: run_once(s, p), args.repeat):.0f}")
            print(f"| {label} | {rows} | {compile_ms:.1f} | " + " | ".join(cells) + " |")
    finally:
        if "postgres" in stores:
            with stores["postgres"]._pool.connection() as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{stores["postgres"].schema}" CASCADE')
        for store in stores.values():
            store.close()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
