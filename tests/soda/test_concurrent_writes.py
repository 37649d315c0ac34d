"""No lost update: 20 sodapy clients upserting at once to one dataset, each
batch a full row of its own and a partial row (one column) of rows every
client writes to. A partial row keeps the other columns' stored values, read
under the dataset's lock, so every client's column survives."""

from __future__ import annotations

import threading

import pytest
from sodapy import Socrata

from tests.live import LiveServer, clean_env, cli

THREADS = 20
ROUNDS = 5
SHARED = [f"shared-{s}" for s in range(ROUNDS)]
COLUMNS = [f"c{n}" for n in range(THREADS)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("concurrent") / "data"
    env = clean_env(OPENBOROUGH_SODA_ANON_RATE="0", OPENBOROUGH_SODA_TOKEN_RATE="0")
    cli(data_dir, "user", "add", "writer", "--password", "many threads at once", "--role", "publisher", env=env)
    srv = LiveServer(data_dir, env=env, workers=2, threads=8)
    yield srv
    srv.stop()


def _client(server) -> Socrata:
    return Socrata(f"127.0.0.1:{server.port}", None, username="writer", password="many threads at once", timeout=120)


def test_partial_and_full_upserts_from_20_threads_lose_nothing(server):
    c = _client(server)
    c.uri_prefix = "http://"
    columns = [{"fieldName": "k", "dataTypeName": "text"}, {"fieldName": "a", "dataTypeName": "number"}]
    columns += [{"fieldName": col, "dataTypeName": "number"} for col in COLUMNS]
    ds = c.create("Many writers", columns=columns, row_identifier="k")["id"]
    c.publish(ds)
    c.upsert(ds, [{"k": k, "a": 7} for k in SHARED])
    errors = []

    def worker(n):
        cl = _client(server)
        cl.uri_prefix = "http://"
        try:
            for j in range(ROUNDS):
                full = {"k": f"own-{n}-{j}", "a": j, **{col: n for col in COLUMNS}}
                partial = {"k": SHARED[j], f"c{n}": j + 1}
                cl.upsert(ds, [full, partial])
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == []
    rows = {r["k"]: r for r in c.get(ds, limit=10_000)}
    assert len(rows) == THREADS * ROUNDS + len(SHARED)
    for n in range(THREADS):
        for j in range(ROUNDS):
            r = rows[f"own-{n}-{j}"]
            assert r["a"] == str(j) and all(r[col] == str(n) for col in COLUMNS), r
    lost = {k: [col for col in COLUMNS if rows[k].get(col) != str(SHARED.index(k) + 1)] for k in SHARED}
    assert all(not cols for cols in lost.values()), lost
    assert all(rows[k]["a"] == "7" for k in SHARED)
