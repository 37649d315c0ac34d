"""SoQL engine benchmark on the ≥ 2,000,000-row NYC parking-violations table.

    .venv/bin/python bench/soql.py [--rows 2000000] [--repeat 5] [--compile-repeat 200] [--postgres DSN]

The parking CSV (bench/common.py) is published once as the ingest benchmark does
(``openborough.ingest.prepare`` + ``DuckDBStore.write_version``: typed, one Parquet
file) into bench/work/soql/<rows>/, with its schema beside it, and reused.

For each of 20 typical SODA queries it measures

* compile time: parse_params → analyze → compile_query, median of
  ``--compile-repeat`` runs (target: overall median < 1 ms);
* execution through the engine — compile + store.execute + fetch every row +
  row_to_json (also shown without row_to_json) — against hand-written DuckDB SQL for the same question, run in the
  same process on the same Parquet file (same view, same settings) and fetched in
  full. Each is run ``--repeat`` times after a warm-up, interleaved, and the
  median kept; the row counts of both answers must agree. The figure is the
  ratio engine / hand-written per query and its geometric mean (target ≤ 1.5×).

With ``--postgres DSN`` the same queries also run through a PostgresStore
(a scratch schema, dropped afterwards), as engine milliseconds only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlglot import exp  # noqa: E402

from bench.common import WORK, parking_csv  # noqa: E402
from openborough.soql import analyze, compile_query, compiler, parse_params  # noqa: E402
from openborough.soql.output import row_to_json  # noqa: E402
from openborough.soql.types import Schema  # noqa: E402

DATASET = "parking"
ALL = 'SELECT * EXCLUDE (":id", ":created_at", ":updated_at") FROM t'

# (label, SODA parameters, hand-written DuckDB SQL for the same question over view t)
QUERIES: list[tuple[str, dict[str, str], str]] = [
    ("first page", {"$limit": "1000"}, f"{ALL} LIMIT 1000"),
    (
        "equality filter",
        {"registration_state": "NJ", "$limit": "1000"},
        f"{ALL} WHERE registration_state = 'NJ' LIMIT 1000",
    ),
    (
        "where + order page",
        {"$where": "violation_code = 21 AND vehicle_year > 2010", "$order": "issue_date DESC", "$limit": "1000"},
        f"{ALL} WHERE violation_code = 21 AND vehicle_year > 2010 ORDER BY issue_date DESC NULLS FIRST LIMIT 1000",
    ),
    (
        "text order, offset 10k",
        {"$order": "street_name", "$limit": "1000", "$offset": "10000"},
        f"{ALL} ORDER BY street_name LIMIT 1000 OFFSET 10000",
    ),
    (
        "select + filter + order",
        {
            "$select": "summons_number, plate_id, issue_date, violation_code",
            "$where": "violation_county = 'NY'",
            "$order": "issue_date DESC, summons_number",
            "$limit": "100",
        },
        "SELECT summons_number, plate_id, issue_date, violation_code FROM t WHERE violation_county = 'NY' "
        "ORDER BY issue_date DESC NULLS FIRST, summons_number LIMIT 100",
    ),
    (
        "date range page",
        {"$where": "issue_date between '2015-07-01T00:00:00' and '2015-07-31T23:59:59'", "$limit": "1000"},
        f"{ALL} WHERE issue_date BETWEEN TIMESTAMP '2015-07-01 00:00:00' AND TIMESTAMP '2015-07-31 23:59:59' "
        "LIMIT 1000",
    ),
    (
        "in + like page",
        {"$where": "vehicle_make in ('FORD', 'TOYOT', 'HONDA') AND street_name like '%Ave%'", "$limit": "1000"},
        f"{ALL} WHERE vehicle_make IN ('FORD', 'TOYOT', 'HONDA') AND street_name LIKE '%Ave%' LIMIT 1000",
    ),
    (
        "$q full-text",
        {"$q": "broadway", "$limit": "1000"},
        None,  # built from the schema's text columns in main()
    ),
    ("count rows", {"$select": "count(*)"}, "SELECT count(*) FROM t"),
    (
        "count by violation code",
        {"$select": "violation_code, count(*) AS n", "$group": "violation_code", "$order": "n DESC"},
        "SELECT violation_code, count(*) AS n FROM t GROUP BY violation_code ORDER BY n DESC",
    ),
    (
        "top states",
        {
            "$select": "registration_state, count(*) AS n",
            "$group": "registration_state",
            "$order": "n DESC",
            "$limit": "10",
        },
        "SELECT registration_state, count(*) AS n FROM t GROUP BY registration_state ORDER BY n DESC LIMIT 10",
    ),
    (
        "count by month",
        {"$select": "date_trunc_ym(issue_date) AS month, count(*) AS n", "$group": "month", "$order": "month"},
        "SELECT date_trunc('month', issue_date) AS month, count(*) AS n FROM t GROUP BY month ORDER BY month",
    ),
    (
        "sums by month",
        {
            "$select": "date_trunc_ym(issue_date) AS month, sum(feet_from_curb) AS feet, avg(vehicle_year) AS year",
            "$group": "month",
            "$order": "month",
        },
        "SELECT date_trunc('month', issue_date) AS month, sum(feet_from_curb) AS feet, avg(vehicle_year) AS year "
        "FROM t GROUP BY month ORDER BY month",
    ),
    (
        "sum by code, filtered",
        {
            "$select": "violation_code, sum(feet_from_curb) AS feet, count(*) AS n",
            "$where": "registration_state = 'NY'",
            "$group": "violation_code",
            "$order": "violation_code",
        },
        "SELECT violation_code, sum(feet_from_curb) AS feet, count(*) AS n FROM t "
        "WHERE registration_state = 'NY' GROUP BY violation_code ORDER BY violation_code",
    ),
    (
        "count by weekday",
        {"$select": "date_extract_dow(issue_date) AS dow, count(*) AS n", "$group": "dow", "$order": "dow"},
        "SELECT dayofweek(issue_date) AS dow, count(*) AS n FROM t GROUP BY dow ORDER BY dow",
    ),
    (
        "min/max date by county",
        {
            "$select": "violation_county, min(issue_date) AS first, max(issue_date) AS last, count(*) AS n",
            "$group": "violation_county",
        },
        "SELECT violation_county, min(issue_date), max(issue_date), count(*) FROM t GROUP BY violation_county",
    ),
    (
        "having",
        {
            "$select": "vehicle_make, count(*) AS n",
            "$group": "vehicle_make",
            "$having": "n > 10000",
            "$order": "n DESC",
        },
        "SELECT vehicle_make, count(*) AS n FROM t GROUP BY vehicle_make HAVING count(*) > 10000 ORDER BY n DESC",
    ),
    (
        "count distinct",
        {"$select": "count(distinct plate_id) AS plates, count(distinct registration_state) AS states"},
        "SELECT count(DISTINCT plate_id), count(DISTINCT registration_state) FROM t",
    ),
    (
        "text function count",
        {"$select": "count(*)", "$where": "starts_with(upper(street_name), 'W ')"},
        "SELECT count(*) FROM t WHERE starts_with(upper(street_name), 'W ')",
    ),
    (
        ":id deep page",
        {"$order": ":id", "$limit": "1000", "$offset": "1500000"},
        f'{ALL} ORDER BY ":id" LIMIT 1000 OFFSET 1500000',
    ),
]


def dataset(rows: int):
    """(DuckDBStore, Schema) of the published parking table, built once and cached."""
    from openborough.store.duckdb import DuckDBStore

    base = WORK / "soql" / str(rows)
    schema_file = base / "schema.json"
    store = DuckDBStore(str(base / "data"))
    if not (schema_file.exists() and store.has_version(DATASET, 1)):
        from openborough.ingest import prepare

        csv_path = parking_csv(rows)
        store.drop_dataset(DATASET)
        start = time.perf_counter()
        with prepare(csv_path) as p:
            store.write_version(DATASET, 1, p.schema, p.reader())
            schema_file.write_text(json.dumps(p.schema.to_list()))
        print(f"published {csv_path.name} into {base} in {time.perf_counter() - start:.0f} s")
    return store, Schema.from_list(json.loads(schema_file.read_text()))


def compile_once(params: dict, schema: Schema, table: exp.Expression):
    return compile_query(analyze(parse_params(params, schema), schema), "duckdb", table)


def run_engine(store, schema: Schema, params: dict, dialect: str = "duckdb", json_rows: bool = True) -> int:
    c = compile_query(analyze(parse_params(params, schema), schema), dialect, store.table(DATASET, 1))
    cur = store.execute(c.sql, c.params)
    n = 0
    try:
        while rows := cur.fetchmany(10_000):
            if json_rows:
                for row in rows:
                    row_to_json(row, c.columns)
            n += len(rows)
    finally:
        cur.close()
    return n


def run_hand(store, sql: str) -> int:
    cur = store.execute(sql)
    try:
        return len(cur._con.fetchall())
    finally:
        cur.close()


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def search_sql(schema: Schema, term: str) -> str:
    """$q as a person would write it: the term as a whole word, case-insensitively, in any text column."""
    cols = ", ".join(f'"{c.field_name}"' for c in schema.columns if c.type.value == "text")
    return f"{ALL} WHERE regexp_matches(concat_ws(' ', {cols}), '(^|[^\\w.]){term}\\.?([^\\w.]|$)', 'i') LIMIT 1000"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query and side (after one warm-up)")
    ap.add_argument("--compile-repeat", type=int, default=200)
    ap.add_argument("--postgres", metavar="DSN", help="also run the queries through a PostgresStore at this DSN")
    args = ap.parse_args()

    store, schema = dataset(args.rows)
    table = store.table(DATASET, 1)
    # the hand-written SQL reads the very same view (same Parquet file, same connection settings)
    view = table.sql("duckdb")
    queries = [(label, params, sql or search_sql(schema, "broadway")) for label, params, sql in QUERIES]
    pg = None
    if args.postgres:
        pg = postgres_store(args.postgres, schema, store)

    print(f"{args.rows:,} rows, {len(schema.columns)} columns; {args.repeat} timed runs per side, median ms\n")
    head = "| query | rows | compile ms | engine ms | hand-written ms | engine / hand | engine w/o JSON / hand |"
    if pg is not None:
        head += " postgres engine ms |"
    print(head)
    print("|---|---|---|---|---|---|---|" + ("---|" if pg is not None else ""))
    compile_medians, ratios, sql_ratios, plain_ratios = [], [], [], []
    try:
        for label, params, sql in queries:
            hand_sql = f"WITH t AS (SELECT * FROM {view}) {sql}"
            compile_ms = median_ms(lambda p=params: compile_once(p, schema, table), args.compile_repeat)
            n_engine = run_engine(store, schema, params)  # warm-up, and the answers must agree
            n_hand = run_hand(store, hand_sql)
            if n_engine != n_hand:
                raise SystemExit(f"{label}: the engine returned {n_engine} rows, the hand-written SQL {n_hand}")
            engine_t, sql_t, hand_t = [], [], []
            for _ in range(args.repeat):  # interleaved, so load on the shared machine hits both sides alike
                engine_t.append(median_ms(lambda p=params: run_engine(store, schema, p), 1))
                sql_t.append(median_ms(lambda p=params: run_engine(store, schema, p, json_rows=False), 1))
                hand_t.append(median_ms(lambda s=hand_sql: run_hand(store, s), 1))
            e_ms, s_ms, h_ms = (statistics.median(t) for t in (engine_t, sql_t, hand_t))
            ratio = e_ms / h_ms
            compile_medians.append(compile_ms)
            ratios.append(ratio)
            sql_ratios.append(s_ms / h_ms)
            if not compiler._late_page(analyze(parse_params(params, schema), schema), "duckdb"):
                plain_ratios.append(ratio)
            else:
                label += " (late page)"
            line = (
                f"| {label} | {n_engine:,} | {compile_ms:.2f} | {e_ms:.0f} | {h_ms:.0f} | {ratio:.2f} "
                f"| {s_ms / h_ms:.2f} |"
            )
            if pg is not None:
                run_engine(pg, schema, params, "postgres")
                line += f" {median_ms(lambda p=params: run_engine(pg, schema, p, 'postgres'), args.repeat):.0f} |"
            print(line, flush=True)
    finally:
        if pg is not None:
            with pg._pool.connection() as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{pg.schema}" CASCADE')
            pg.close()
        store.close()

    def geo(rs):
        return math.exp(statistics.fmean(math.log(r) for r in rs))

    print()
    print(f"compile: median over the {len(queries)} queries {statistics.median(compile_medians):.2f} ms "
          f"(max {max(compile_medians):.2f} ms; target < 1 ms)")  # fmt: skip
    print(f"execution: geometric mean engine / hand-written {geo(ratios):.2f}x "
          f"(worst {max(ratios):.2f}x; target <= 1.5x); without row_to_json {geo(sql_ratios):.2f}x "
          f"(worst {max(sql_ratios):.2f}x)")  # fmt: skip
    print(f"           without the late-materialised pages (their hand-written SQL is the plain ORDER BY/OFFSET) "
          f"{geo(plain_ratios):.2f}x")  # fmt: skip
    return 0


def postgres_store(dsn: str, schema: Schema, duck):
    """A PostgresStore in a scratch schema holding the same rows (read back from the Parquet version)."""
    import pyarrow.parquet as pq

    from openborough.store.postgres import PostgresStore

    pg = PostgresStore(dsn, schema=f"bench_{secrets.token_hex(4)}")
    start = time.perf_counter()
    pf = pq.ParquetFile(Path(duck.path(DATASET, 1)))
    user = [c.field_name for c in schema.columns]
    import pyarrow as pa

    reader = pa.RecordBatchReader.from_batches(
        pf.schema_arrow.empty_table().select(user).schema, pf.iter_batches(batch_size=50_000, columns=user)
    )
    pg.write_version(DATASET, 1, schema, reader)
    print(f"postgres: loaded in {time.perf_counter() - start:.0f} s")
    return pg


if __name__ == "__main__":
    sys.exit(main())
