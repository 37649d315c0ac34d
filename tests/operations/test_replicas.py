"""Read replicas: a real primary and a streaming replica on loopback ports,
made with initdb and pg_basebackup in a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.live import LiveServer, clean_env, cli, free_port
from tests.operations.pgcluster import Cluster, as_postgres, pg_bin

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
#: the replica replays WAL this late, so a read that reaches it right after a write is visibly stale
APPLY_DELAY_S = 3


@pytest.fixture(scope="module")
def pair():
    base = Path(tempfile.mkdtemp(prefix="ob-replicas-"))
    shutil.chown(base, "postgres") if os.geteuid() == 0 else None
    primary = Cluster(base / "primary", free_port())
    replica = Cluster(base / "replica", free_port())
    primary.create(base)
    primary.start()
    started = [primary]
    try:
        primary.query("CREATE DATABASE openborough", db="postgres")
        as_postgres(pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                     "-D", str(replica.path), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        with open(replica.path / "postgresql.auto.conf", "a") as f:
            f.write(f"port = {replica.port}\nhot_standby = on\nrecovery_min_apply_delay = '{APPLY_DELAY_S}s'\n")
        replica.start()
        started.append(replica)
        yield primary, replica
    finally:
        for c in started:
            try:
                c.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(base, ignore_errors=True)


def _wait_replayed(primary: Cluster, replica: Cluster, timeout: float = 60) -> None:
    lsn = primary.query("SELECT pg_current_wal_lsn()::text")[0][0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if replica.query(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn")[0][0]:
            return
        time.sleep(0.2)
    raise AssertionError("the replica did not catch up")


def _reads_on(cluster: Cluster) -> int:
    """Scans the cluster has served of the catalogue's dataset table."""
    return cluster.query(
        "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
        "WHERE relname = 'catalog_dataset'"
    )[0][0]


def _count(session, url: str, ds: str) -> int:
    r = session.get(f"{url}/resource/{ds}.json", params={"$select": "count(*)"}, timeout=60)
    assert r.status_code == 200, r.text
    return int(r.json()[0]["count"])


def test_reads_from_the_replica_your_writes_from_the_primary_and_survives_the_replica_going(pair, tmp_path):
    primary, replica = pair
    env = clean_env(
        DATABASE_URL=primary.url(), OPENBOROUGH_STORE=primary.url(), OPENBOROUGH_READ_REPLICAS=replica.url(),
        OPENBOROUGH_READ_YOUR_WRITES_SECONDS="30",
    )  # fmt: skip
    data = tmp_path / "data"
    cli(data, "init", env=env)
    src = tmp_path / "rows.csv"
    src.write_text("ref,amount\n" + "".join(f"R{i},{i}\n" for i in range(100)))
    ds = cli(data, "publish", str(src), "--title", "Rows", "--row-id", "ref", env=env).stdout.strip()
    cli(data, "user", "add", "pub", "--password", "a long enough passphrase", "--role", "publisher", env=env)
    _wait_replayed(primary, replica)

    server = LiveServer(data, env=env, workers=2, threads=4)
    try:
        # plain reads are answered by the replica
        before = _reads_on(replica)
        reader = requests.Session()
        assert _count(reader, server.url, ds) == 100
        deadline = time.monotonic() + 10
        while _reads_on(replica) == before and time.monotonic() < deadline:
            time.sleep(0.2)  # the standby's statistics are flushed asynchronously
        assert _reads_on(replica) > before

        # a writer reads its own write at once, though the replica is APPLY_DELAY_S behind
        writer = requests.Session()
        writer.auth = ("pub", "a long enough passphrase")
        r = writer.post(f"{server.url}/resource/{ds}.json", json=[{"ref": "NEW", "amount": 1}], timeout=60)
        assert r.status_code == 200, r.text
        assert _count(writer, server.url, ds) == 101
        # another client, not pinned, still sees the replica's view until it replays the change
        assert _count(reader, server.url, ds) == 100
        _wait_replayed(primary, replica)
        assert _count(reader, server.url, ds) == 101

        # the replica goes away: reads fall back to the primary
        replica.stop()
        try:
            for _ in range(5):
                assert _count(reader, server.url, ds) == 101
            assert server.get(f"/datasets/{ds}/").status_code == 200
        finally:
            replica.start()
    finally:
        server.stop()
