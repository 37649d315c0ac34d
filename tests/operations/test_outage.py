"""PostgreSQL going away under a running server: the API answers 503 in its
error shape (never a 500 or a hang), /readyz says so, and both recover when
the server returns."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.live import LiveServer, clean_env, cli, free_port
from tests.operations.pgcluster import Cluster

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def cluster():
    base = Path(tempfile.mkdtemp(prefix="ob-outage-"))
    shutil.chown(base, "postgres") if os.geteuid() == 0 else None
    c = Cluster(base / "db", free_port())
    c.create(base)
    c.start()
    try:
        c.query("CREATE DATABASE openborough", db="postgres")
        yield c
    finally:
        try:
            c.stop()
        except Exception:
            pass
        shutil.rmtree(base, ignore_errors=True)


def test_a_database_outage_is_a_503_and_the_server_recovers(cluster, tmp_path):
    env = clean_env(DATABASE_URL=cluster.url(), OPENBOROUGH_STORE=cluster.url())
    data = tmp_path / "data"
    cli(data, "init", env=env)
    src = tmp_path / "rows.csv"
    src.write_text("ref,amount\n" + "".join(f"R{i},{i}\n" for i in range(50)))
    ds = cli(data, "publish", str(src), "--title", "Rows", env=env).stdout.strip()
    server = LiveServer(data, env=env, workers=2, threads=4)
    try:
        assert server.get(f"/resource/{ds}.json").status_code == 200
        cluster.stop()
        for path in (f"/resource/{ds}.json", f"/resource/{ds}.json?$select=count(*)", f"/api/views/{ds}.json"):
            start = time.monotonic()
            r = requests.get(server.url + path, timeout=60)
            assert r.status_code == 503, (path, r.status_code, r.text[:500])
            body = r.json()
            assert body["code"] == "service_unavailable" and body["error"] is True and body["message"]
            assert r.headers["Retry-After"] == "30"
            assert time.monotonic() - start < 40  # answered, not hung
        assert requests.get(server.url + "/readyz", timeout=60).status_code == 503
        assert requests.get(server.url + "/healthz", timeout=60).status_code == 200
        cluster.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = requests.get(f"{server.url}/resource/{ds}.json", params={"$select": "count(*)"}, timeout=60)
            if r.status_code == 200:
                break
            time.sleep(0.5)
        assert r.status_code == 200 and r.json() == [{"count": "50"}]
        assert requests.get(server.url + "/readyz", timeout=60).status_code == 200
    finally:
        server.stop()
