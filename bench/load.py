"""Load benchmark: a mixed workload at 32 concurrent clients against
`openborough serve --workers 2` on the embedded store (DuckDB) and on PostgreSQL,
and the same questions to Datasette on the same rows.

    .venv/bin/pip install -e '.[test,bench]'
    .venv/bin/python bench/load.py [--rows 2000000] [--seconds 30] [--clients 32]

The load is generated with locust (as a library, FastHttpUser over gevent, in
this process), each client asking, with equal weight and no think time:
catalogue search, a dataset page, a SoQL aggregation (count by county) and a
1,000-row page at a random offset. Every server is measured in the same run,
one after the other, on loopback; figures are requests/s, p50/p95 latency and
errors (which must be 0), and openborough's requests/s as a ratio of
Datasette's. Datasette runs with its SQL time limit raised (60 s) so it answers
every question; its "catalogue" is its database index page and its dataset page
the table's HTML page. The PostgreSQL copy is made once with `openborough
migrate-store` into a database `openborough_bench_<rows>` on 127.0.0.1:5432.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # before anything imports ssl or sockets: locust's clients run on gevent

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import requests  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.api import build, free_port, wait_for  # noqa: E402
from bench.common import WORK, venv_bin  # noqa: E402

PG_ADMIN = os.environ.get("OPENBOROUGH_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def pg_copy(ob_dir: Path, rows: int) -> str:
    """The embedded portal moved into PostgreSQL once (kept between runs)."""
    import psycopg

    name = f"openborough_bench_{rows}"
    url = f"{PG_ADMIN}/{name}"
    done = WORK / "load" / f"{name}.done"
    if done.exists():
        return url
    with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    start = time.perf_counter()
    env = dict(os.environ, OPENBOROUGH_DATA_DIR=str(ob_dir))
    subprocess.run([venv_bin("openborough"), "migrate-store", "--to", url], env=env, check=True)
    print(f"copied into PostgreSQL in {time.perf_counter() - start:.0f} s")
    done.parent.mkdir(parents=True, exist_ok=True)
    done.touch()
    return url


def questions(kind: str, ds_id: str, rows: int) -> list[tuple[str, str]]:
    """(name, path) generators for one target: called per request for random offsets."""
    top = max(1, rows - 1000)
    if kind == "openborough":
        return [
            ("catalogue search", lambda: "/api/catalog/v1?q=parking&limit=10"),
            ("dataset page", lambda: f"/datasets/{ds_id}/"),
            ("SoQL aggregation", lambda: f"/resource/{ds_id}.json?$select=violation_county,count(*)%20AS%20n"
                                         "&$group=violation_county&$order=n%20DESC"),
            ("1,000-row page", lambda: f"/resource/{ds_id}.json?$order=:id&$limit=1000"
                                       f"&$offset={random.randrange(top)}"),
        ]  # fmt: skip
    return [
        ("catalogue search", lambda: "/nyc.json"),
        ("dataset page", lambda: "/nyc/violations?_size=100&_nocount=1"),
        ("SoQL aggregation", lambda: "/nyc.json?_shape=array&sql=select+violation_county,count(*)+as+n+from+"
                                     "violations+group+by+violation_county+order+by+n+desc"),
        ("1,000-row page", lambda: "/nyc.json?_shape=array&sql=select+*+from+violations+order+by+rowid+limit+1000"
                                   f"+offset+{random.randrange(top)}"),
    ]  # fmt: skip


def run_load(host: str, qs, clients: int, seconds: float) -> dict:
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    class Client(FastHttpUser):
        wait_time = constant(0)
        network_timeout = 120.0
        connection_timeout = 30.0

        @task
        def ask(self):
            name, path = random.choice(qs)
            with self.client.get(path(), name=name, catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"HTTP {r.status_code}")

    Client.host = host
    env = Environment(user_classes=[Client])
    runner = env.create_local_runner()
    runner.start(clients, spawn_rate=clients)
    gevent.sleep(2)  # everyone connected and warm
    env.stats.reset_all()
    gevent.sleep(seconds)
    runner.quit()
    total = env.stats.total
    out = {
        "rps": total.num_requests / seconds,
        "p50": total.get_response_time_percentile(0.5),
        "p95": total.get_response_time_percentile(0.95),
        "errors": total.num_failures,
        "by": {name: (e.num_requests / seconds, e.get_response_time_percentile(0.95), e.num_failures)
               for (name, _), e in env.stats.entries.items()},
    }  # fmt: skip
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=32)
    args = ap.parse_args()
    ob_dir, ds_id, db = build(args.rows)
    pg_url = pg_copy(ob_dir, args.rows)
    logs = open(WORK / "load" / "servers.log", "w")
    base_env = dict(os.environ, OPENBOROUGH_DATA_DIR=str(ob_dir), OPENBOROUGH_SODA_ANON_RATE="0",
                    OPENBOROUGH_REQUEST_LOG="0")  # fmt: skip
    targets = [
        ("openborough, DuckDB", "openborough", base_env),
        ("openborough, PostgreSQL", "openborough", dict(base_env, DATABASE_URL=pg_url, OPENBOROUGH_STORE=pg_url)),
        ("datasette", "datasette", None),
    ]
    results = {}
    print(f"{args.rows:,} rows, {args.clients} clients, {args.seconds:.0f} s each, "
          "questions mixed in equal shares\n")  # fmt: skip
    for label, kind, env in targets:
        port = free_port()
        if kind == "openborough":
            cmd = [venv_bin("openborough"), "serve", "--port", str(port), "--workers", "2", "--no-worker"]
            proc = subprocess.Popen(cmd, env=env, stdout=logs, stderr=subprocess.STDOUT)
            wait_for(f"http://127.0.0.1:{port}/readyz", proc, label)
        else:
            cmd = [venv_bin("datasette"), "serve", "-i", str(db), "--port", str(port), "--setting",
                   "sql_time_limit_ms", "60000", "--setting", "num_sql_threads", "4", "--setting", "allow_facet",
                   "off", "--setting", "suggest_facets", "off"]  # fmt: skip
            proc = subprocess.Popen(cmd, stdout=logs, stderr=subprocess.STDOUT)
            wait_for(f"http://127.0.0.1:{port}/-/versions.json", proc, label)
        try:
            qs = questions(kind, ds_id, args.rows)
            for _, path in qs:  # warm caches, and check every question answers
                r = requests.get(f"http://127.0.0.1:{port}{path()}", timeout=600)
                if r.status_code != 200:
                    raise SystemExit(f"{label}: {r.status_code} for {path()}: {r.text[:300]}")
            results[label] = run_load(f"http://127.0.0.1:{port}", qs, args.clients, args.seconds)
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    peer = results["datasette"]["rps"]
    print(f"{'server':<26}{'requests/s':>12}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'vs datasette':>14}")
    for label, r in results.items():
        print(f"{label:<26}{r['rps']:>12.1f}{r['p50']:>9.0f}{r['p95']:>9.0f}{r['errors']:>8}"
              f"{r['rps'] / max(peer, 1e-9):>13.2f}x")  # fmt: skip
    print("\nper question: requests/s, p95 ms, errors")
    names = [q for q, _ in questions("openborough", ds_id, args.rows)]
    print(f"{'question':<22}" + "".join(f"{label:>28}" for label in results))
    for q in names:
        cells = "".join(f"{r['by'][q][0]:>12.1f} /{r['by'][q][1]:>7.0f} /{r['by'][q][2]:>5}" for r in results.values())
        print(f"{q:<22}{cells}")
    return 1 if any(r["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
