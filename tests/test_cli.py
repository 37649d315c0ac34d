"""The ``openborough`` command as a council's data team uses it."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.live import LiveServer, clean_env, cli

pytestmark = pytest.mark.slow


def write_csv(path, rows, start=0):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Ticket Number", "Street", "Amount"])
        for i in range(start, start + rows):
            w.writerow([f"T{i:07d}", ["High St", "Mill Lane"][i % 2], 60 + i % 3 * 10])
    return path


def count(server, ds_id, where=None):
    params = {"$select": "count(*)"}
    if where:
        params["$where"] = where
    r = server.get(f"/resource/{ds_id}.json", params=params)
    assert r.status_code == 200, r.text
    return int(r.json()[0]["count"])


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli") / "data"
    cli(data, "init")
    server = LiveServer(data)
    yield data, server
    server.stop()


def test_init_creates_the_data_directory(tmp_path):
    """The embedded default's data directory, on either pass of the suite."""
    data = tmp_path / "d"
    out = cli(data, "init", env=clean_env())
    assert "ready" in out.stdout
    assert (data / "openborough.sqlite3").exists() and (data / "secret_key").exists()
    env = clean_env(OPENBOROUGH_DATA_DIR=str(tmp_path / "from-env"))
    subprocess.run([sys.executable, "-m", "openborough.cli", "init"], env=env, check=True, capture_output=True)
    assert (tmp_path / "from-env" / "openborough.sqlite3").exists()


def test_publish_append_upsert_while_serving(live, tmp_path):
    data, server = live
    src = write_csv(tmp_path / "pcn.csv", 100)
    out = cli(data, "publish", str(src), "--title", "PCNs", "--row-id", "ticket_number", "--category", "Parking")
    ds_id = out.stdout.strip()
    assert len(ds_id) == 9 and ds_id[4] == "-"
    assert "created" in out.stderr and "100 rows" in out.stderr
    assert count(server, ds_id) == 100
    meta = server.get(f"/api/views/{ds_id}.json").json()
    assert {c["fieldName"]: c["name"] for c in meta["columns"]}["ticket_number"] == "Ticket Number"

    cli(data, "publish", str(write_csv(tmp_path / "more.csv", 50, start=100)), "--id", ds_id, "--append")
    assert count(server, ds_id) == 150

    changed = tmp_path / "changed.csv"
    with open(changed, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Ticket Number", "Street", "Amount"])
        w.writerow(["T0000001", "Mill Lane", 999])  # update
        w.writerow(["T9999999", "New Road", 1])  # insert
    out = cli(data, "publish", str(changed), "--id", ds_id, "--upsert")
    assert "1 created, 1 updated" in out.stderr
    assert count(server, ds_id) == 151
    assert server.get(f"/resource/{ds_id}.json", params={"ticket_number": "T0000001"}).json()[0]["amount"] == "999"

    out = cli(data, "publish", str(src), "--id", ds_id, "--title", "PCNs")  # replace
    assert count(server, ds_id) == 100


def test_racing_publishes_both_land(live, tmp_path):
    data, server = live
    ds_id = cli(data, "publish", str(write_csv(tmp_path / "a.csv", 10)), "--title", "Race", "--row-id",
                "ticket_number").stdout.strip()  # fmt: skip
    files = [write_csv(tmp_path / f"r{i}.csv", 20, start=1000 * (i + 1)) for i in range(3)]
    results = []

    def run(path):
        results.append(cli(data, "publish", str(path), "--id", ds_id, "--append", check=False))

    threads = [threading.Thread(target=run, args=(p,)) for p in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    assert count(server, ds_id) == 70
    versions = server.get(f"/api/views/{ds_id}.json").json()
    assert versions["id"] == ds_id


@pytest.fixture
def embedded(tmp_path):
    """An embedded portal (its store's files are watched), on either pass of the suite."""
    data = tmp_path / "embedded"
    cli(data, "init", env=clean_env())
    server = LiveServer(data, env=clean_env())
    yield data, server
    server.stop()


def test_kill_9_mid_publish_keeps_the_previous_version(embedded, tmp_path):
    data, server = embedded
    ds_id = cli(data, "publish", str(write_csv(tmp_path / "small.csv", 5)), "--title", "Kill", env=clean_env()).stdout.strip()
    big = write_csv(tmp_path / "big.csv", 1_500_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "openborough.cli", "publish", str(big), "--id", ds_id, "--data-dir", str(data)],
        env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    folder = data / "store" / ds_id
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(p.name.endswith(".tmp") for p in folder.iterdir()):
        assert proc.poll() is None, "publish finished before it could be killed mid-write"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert count(server, ds_id) == 5  # the previous version is still served
    # the next publish works and cleans what the killed one left
    cli(data, "publish", str(write_csv(tmp_path / "next.csv", 7)), "--id", ds_id, env=clean_env())
    assert count(server, ds_id) == 7
    assert not any(p.name.endswith(".tmp") for p in folder.iterdir())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><head><title>Login</title></head><body>x</body></html>\n", "HTML"),
        (bytes(range(256)) * 40, ""),
    ],
)
def test_bad_files_give_a_clear_error_and_change_nothing(live, tmp_path, content, message):
    data, server = live
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    out = cli(data, "publish", str(bad), "--title", "Bad", check=False)
    assert out.returncode == 1
    assert out.stderr.startswith("error: ") and message.lower() in out.stderr.lower()
    assert "Traceback" not in out.stderr


def test_private_needs_an_exemption(live, tmp_path):
    data, server = live
    src = write_csv(tmp_path / "p.csv", 3)
    out = cli(data, "publish", str(src), "--title", "Secret", "--private", check=False)
    assert out.returncode != 0 and "exemption" in out.stderr
    ds_id = cli(data, "publish", str(src), "--title", "Secret", "--private", "--exemption", "s40", "--reason",
                "Names individuals").stdout.strip()  # fmt: skip
    assert server.get(f"/resource/{ds_id}.json").status_code == 404
    assert ds_id not in server.get("/api/catalog/v1", params={"q": "Secret"}).text


def test_user_add_and_key(tmp_path):
    data = tmp_path / "d"
    out = cli(data, "user", "add", "alice", "--password", "pw-123456-long-enough", "--role", "publisher")
    assert "added alice (publisher)" in out.stdout
    out = cli(data, "user", "key", "alice")
    assert "API key id" in out.stdout
    out = cli(data, "user", "key", "nobody", check=False)
    assert out.returncode == 1 and "no user" in out.stderr


def test_demo_loads_the_sample_datasets(tmp_path):
    data = tmp_path / "demo"
    cli(data, "demo", "--no-serve")
    server = LiveServer(data)
    try:
        assert count(server, "cpcn-nw3s") == 886
        assert count(server, "lapm-mtrs") == 5000
        assert count(server, "ldnw-2011") == 628
        assert count(server, "ldnw-2011", "lad11nm = 'Camden'") == 18
        assert count(server, "oxsp-2017") > 1000
    finally:
        server.stop()
    cli(data, "demo", "--no-serve")  # a second run loads nothing twice
