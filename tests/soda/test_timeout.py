"""The SoQL statement timeout: an expensive query is stopped with Socrata's
408 and a clear message, on both stores, while cheap queries still answer."""

from __future__ import annotations

import csv
import statistics
import threading
import time

import pytest
import requests

from openborough.store import QueryTimeout, open_store
from tests.live import LiveServer, clean_env, cli

ROWS = 100_000
#: $order on a 10 kB text expression: seconds of sorting for 100,000 rows
EXPENSIVE = {"$order": "left_pad(name, 10000, 'ab')", "$limit": "5"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("timeout")
    data_dir = tmp / "data"
    env = clean_env(OPENBOROUGH_SODA_ANON_RATE="0", OPENBOROUGH_SOQL_TIMEOUT_SECONDS="0.5")
    path = tmp / "rows.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "amount"])
        w.writerows([f"item {i:06d}", i % 97] for i in range(ROWS))
    ds_id = cli(data_dir, "publish", str(path), "--title", "Many rows", "--quiet", env=env).stdout.strip()
    srv = LiveServer(data_dir, env=env, workers=1, threads=4)
    srv.ds_id, srv.data_dir = ds_id, data_dir
    yield srv
    srv.stop()


def test_expensive_query_runs_without_a_timeout(server, tmp_path):
    """The query the other tests send is really expensive: about a second or more on its own."""
    store = open_store(str(server.data_dir / "store"))
    from openborough.soql import analyze, compile_query, parse_params
    from openborough.soql.types import Column, Schema, SoQLType

    schema = Schema((Column("name", SoQLType.TEXT), Column("amount", SoQLType.NUMBER)))
    version = max(int(p.stem[1:]) for p in (server.data_dir / "store" / server.ds_id).glob("v*.parquet"))
    compiled = compile_query(analyze(parse_params(EXPENSIVE, schema), schema), "duckdb", store.table(server.ds_id, version))
    t0 = time.monotonic()
    store.execute(compiled.sql, compiled.params).close()
    assert time.monotonic() - t0 > 0.8
    store.close()


def test_expensive_query_is_stopped_with_408(server):
    t0 = time.monotonic()
    r = server.get(f"/resource/{server.ds_id}.json", params=EXPENSIVE)
    took = time.monotonic() - t0
    assert r.status_code == 408, r.text[:300]
    body = r.json()
    assert body["error"] is True and body["code"] == "query.execution.timeout" == body["errorCode"]
    assert "0.5 seconds" in body["message"] and body["data"]["timeoutSeconds"] == 0.5
    assert took < 4


def test_cheap_queries_answer_beside_expensive_ones(server):
    stop = threading.Event()
    statuses = []

    def hammer():
        while not stop.is_set():
            statuses.append(server.get(f"/resource/{server.ds_id}.json", params=EXPENSIVE).status_code)

    expensive = [threading.Thread(target=hammer) for _ in range(2)]
    for t in expensive:
        t.start()
    latencies = []
    try:
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            r = server.get(f"/resource/{server.ds_id}.json", params={"$where": "amount = 3", "$limit": "10"})
            latencies.append(time.monotonic() - t0)
            assert r.status_code == 200 and len(r.json()) == 10
    finally:
        stop.set()
        for t in expensive:
            t.join(30)
    assert statuses and set(statuses) == {408}
    p95 = statistics.quantiles(latencies, n=20)[-1]
    assert p95 < 1.5, (p95, len(latencies))
    r = requests.get(server.url + f"/resource/{server.ds_id}.json", params={"$limit": "1"}, timeout=10)
    assert r.status_code == 200


def test_duckdb_store_timeout_and_recovery(tmp_path):
    store = open_store(str(tmp_path / "store"), query_timeout=0.3)
    sql = "SELECT count(*) FROM range(200000000) t(r) WHERE md5(r::VARCHAR) LIKE '%zz%'"
    with pytest.raises(QueryTimeout, match="0.3 s"):
        store.execute(sql)
    cur = store.execute("SELECT 42")
    assert cur.fetchmany(1) == [(42,)]
    cur.close()
    store.close()


@pytest.mark.postgres
def test_postgres_statement_timeout_and_recovery(pg_store):
    pg_store.query_timeout = 0.3
    with pytest.raises(QueryTimeout):
        cur = pg_store.execute("SELECT pg_sleep(3)")
        cur.fetchmany(1)
    for _ in range(15):  # more than the pool holds: every connection went back clean
        cur = pg_store.execute("SELECT 42")
        assert cur.fetchmany(1) == [(42,)]
        cur.close()
    pg_store.query_timeout = None
    cur = pg_store.execute("SELECT pg_sleep(0.5), 1")
    assert cur.fetchmany(1)[0][1] == 1
    cur.close()
