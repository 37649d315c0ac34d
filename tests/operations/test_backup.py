"""``openborough backup``, ``restore`` and ``migrate-store``, run as an operator
would: real commands, real servers, answers compared before and after."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
import requests

from tests.live import LiveServer, clean_env, cli

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "openborough" / "demo_data"
PASSWORD = "a long enough passphrase"


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """A small portal: a replaced and an appended dataset, geometry, a private dataset, a user."""
    root = tmp_path_factory.mktemp("backup")
    data = root / "source"
    cli(data, "init")
    cli(data, "publish", str(DEMO / "camden_pcns.csv"), "--title", "PCNs", "--id", "pcns-0001", "--row-id", "socrata")
    head = (DEMO / "oxford_spending_over_500_2017q4.csv").read_text(encoding="utf-8", errors="replace")
    ox = root / "ox.csv"
    ox.write_text("\n".join(head.splitlines()[:60]) + "\n", encoding="utf-8")
    cli(data, "publish", str(ox), "--title", "Spending", "--id", "spnd-2017")
    cli(data, "publish", str(ox), "--id", "spnd-2017", "--append")
    cli(data, "publish", str(DEMO / "london_wards_2011.geojson"), "--title", "Wards", "--id", "ward-2011")
    cli(data, "publish", str(ox), "--title", "Secret", "--id", "priv-0001", "--private", "--exemption", "s40",
        "--reason", "personal data")  # fmt: skip
    cli(data, "user", "add", "alice", "--password", PASSWORD, "--role", "admin")
    archive = root / "portal.tar"
    out = cli(data, "backup", str(archive))
    assert out.stdout.strip() == str(archive)
    return root, data, archive


IDS = ["pcns-0001", "spnd-2017", "ward-2011", "priv-0001"]


def answers(server: LiveServer) -> dict:
    """What clients see: every row with system fields, metadata, privacy."""
    out = {}
    auth = ("alice", PASSWORD)
    for ds in IDS:
        rows = requests.get(
            f"{server.url}/resource/{ds}.json", params={"$select": ":*, *", "$order": ":id", "$limit": 5000},
            auth=auth, timeout=60,
        )  # fmt: skip
        assert rows.status_code == 200, rows.text
        meta = requests.get(f"{server.url}/api/views/{ds}.json", auth=auth, timeout=60).json()
        anon = requests.get(f"{server.url}/resource/{ds}.json", timeout=60).status_code
        out[ds] = {
            "rows": rows.json(),
            "columns": [(c["fieldName"], c["dataTypeName"]) for c in meta["columns"]],
            "name": meta["name"],
            "rowsUpdatedAt": meta.get("rowsUpdatedAt"),
            "anonymous": anon,
        }
    return out


def served(data: Path, env: dict | None = None) -> dict:
    server = LiveServer(data, env=env, workers=1, threads=4)
    try:
        return answers(server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def before(portal):
    return served(portal[1])


def test_round_trip_into_a_new_data_directory(portal, before, tmp_path):
    root, _, archive = portal
    target = tmp_path / "restored"
    out = cli(target, "restore", str(archive))
    assert "restored" in out.stderr and "4 datasets, 5 versions" in out.stderr
    after = served(target)
    assert after == before
    assert before["priv-0001"]["anonymous"] == 404  # still private after the restore
    assert len(before["pcns-0001"]["rows"]) == 886 and len(before["spnd-2017"]["rows"]) == 118
    # a second restore into the same portal is refused and changes nothing
    again = cli(target, "restore", str(archive), check=False)
    assert again.returncode == 1 and "restore into an empty one" in again.stderr
    assert served(target) == before


def test_damaged_or_cut_short_archives_are_refused_before_anything_changes(portal, tmp_path):
    _, _, archive = portal
    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    out = cli(tmp_path / "a", "restore", str(cut), check=False)
    assert out.returncode == 1 and "error:" in out.stderr
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read()
            if m.name.endswith("v1.parquet") and "ward" in m.name:
                data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
            dst.addfile(m, __import__("io").BytesIO(data))
    out = cli(tmp_path / "b", "restore", str(damaged), check=False)
    assert out.returncode == 1 and "checksum" in out.stderr
    assert not list((tmp_path / "b" / "store").glob("*/*.parquet"))
    out = cli(tmp_path / "c", "restore", str(tmp_path / "missing.tar"), check=False)
    assert out.returncode == 1 and "no backup file" in out.stderr


def test_kill_9_mid_restore_then_rerun_completes(portal, before, tmp_path):
    _, _, archive = portal
    target = tmp_path / "killed"
    cli(target, "init")
    proc = subprocess.Popen(
        [sys.executable, "-m", "openborough.cli", "restore", str(archive), "--data-dir", str(target)],
        env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((target / "store").glob("*/v*.parquet")):
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    rerun = cli(target, "restore", str(archive))
    assert "restored" in rerun.stderr
    assert served(target) == before


def _fresh_pg_database() -> tuple[str, str]:
    import psycopg
    from psycopg import sql

    pytest.importorskip("psycopg")
    name = f"openborough_restore_{secrets.token_hex(4)}"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, f"postgresql://postgres@127.0.0.1:5432/{name}"


def _drop_pg_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.postgres
def test_embedded_backup_restores_into_postgresql(portal, before, tmp_path, pg_dsn):
    _, _, archive = portal
    name, url = _fresh_pg_database()
    try:
        env = clean_env(DATABASE_URL=url, OPENBOROUGH_STORE=url)
        out = cli(tmp_path / "pg", "restore", str(archive), env=env)
        assert "4 datasets, 5 versions" in out.stderr
        assert served(tmp_path / "pg", env=env) == before
        # the restored portal takes new writes: id sequences continue after the restored ids
        cli(tmp_path / "pg", "user", "add", "bob", "--password", PASSWORD, env=env)
        ox = tmp_path / "more.csv"
        ox.write_text("a,b\n1,2\n")
        cli(tmp_path / "pg", "publish", str(ox), "--title", "New", "--id", "newd-0001", env=env)
    finally:
        _drop_pg_database(name)


@pytest.mark.postgres
def test_migrate_store_moves_an_embedded_portal_to_postgresql(portal, before, tmp_path, pg_dsn):
    _, _, archive = portal
    copy = tmp_path / "copy"  # an embedded portal, on either pass of the suite
    cli(copy, "restore", str(archive), env=clean_env())
    name, url = _fresh_pg_database()
    try:
        out = cli(copy, "migrate-store", "--to", url, env=clean_env())
        assert "copied into" in out.stderr
        env = clean_env(DATABASE_URL=url, OPENBOROUGH_STORE=url)
        assert served(copy, env=env) == before
        again = cli(copy, "migrate-store", "--to", url, env=clean_env(), check=False)  # already there: refused, nothing doubled
        assert again.returncode != 0 and "empty" in again.stderr
        assert served(copy, env=env) == before
    finally:
        _drop_pg_database(name)
    assert os.path.exists(copy / "openborough.sqlite3")  # the embedded portal is left as it was
