"""Pass rate of Socrata's SoQL conformance cases per feature group and backend.

    python -m tests.soql.conformance_report            # DuckDB only
    python -m tests.soql.conformance_report --postgres # DuckDB and PostgreSQL (needs the server)

Prints a Markdown table (the one in docs/soql.md) and, with ``-v``, each failure.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
from collections import Counter, defaultdict

from tests.conftest import SHARED

from .conformance import Store, check_case, load_cases, skip_reason


def duck_store(tmp: str):
    from openborough.store.duckdb import DuckDBStore

    return DuckDBStore(tmp)


def pg_store():
    import os

    from openborough.store.postgres import PostgresStore

    dsn = os.environ.get("OPENBOROUGH_TEST_PG_DB", "host=127.0.0.1 port=5432 user=postgres dbname=test")
    return PostgresStore(dsn, schema=f"conformance_{secrets.token_hex(4)}")


def evaluate(store, cases, verbose: bool) -> dict[str, Counter]:
    loaded = Store(store, SHARED)
    out: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        group = out[case["feature"]]
        group["total"] += 1
        reason = skip_reason(case)
        if reason:
            group["unsupported"] += 1
            continue
        try:
            outcome = check_case(case, loaded)
        except Exception as e:  # a crash is a failure to report, not a reason to stop
            outcome = type("O", (), {"ok": False, "detail": f"{type(e).__name__}: {e}"})()
        group["passed" if outcome.ok else "failed"] += 1
        if verbose and not outcome.ok:
            print(f"FAIL {store.dialect} {case['id']}: {outcome.detail.splitlines()[0]}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--postgres", action="store_true", help="also run on PostgreSQL/PostGIS")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    cases = load_cases(SHARED)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = duck_store(tmp)
        results["duckdb"] = evaluate(store, cases, args.verbose)
        store.close()
    if args.postgres:
        store = pg_store()
        try:
            results["postgres"] = evaluate(store, cases, args.verbose)
        finally:
            with store._pool.connection() as conn:  # drop the scratch schema
                conn.execute(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')
            store.close()
    backends = list(results)
    print("| feature | cases | " + " | ".join(f"{b} passed" for b in backends) + " | not supported |")
    print("|---|---|" + "---|" * len(backends) + "---|")
    features = sorted({f for r in results.values() for f in r}, key=lambda f: -results[backends[0]][f]["total"])
    totals = {b: Counter() for b in backends}
    for f in features:
        first = results[backends[0]][f]
        cells = []
        for b in backends:
            c = results[b][f]
            totals[b].update(c)
            supported = c["passed"] + c["failed"]
            cells.append(
                f"{c['passed']}/{supported}" + (f" ({100 * c['passed'] / supported:.0f}%)" if supported else "")
            )
        print(f"| {f} | {first['total']} | " + " | ".join(cells) + f" | {first['unsupported']} |")
    cells = []
    for b in backends:
        c = totals[b]
        supported = c["passed"] + c["failed"]
        cells.append(f"{c['passed']}/{supported} ({100 * c['passed'] / supported:.0f}%)")
    print(
        f"| **all** | {totals[backends[0]]['total']} | "
        + " | ".join(cells)
        + f" | {totals[backends[0]]['unsupported']} |"
    )


if __name__ == "__main__":
    main()
