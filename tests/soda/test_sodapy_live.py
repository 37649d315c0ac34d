"""Acceptance: sodapy 2.2.0 against a live ``openborough serve`` on loopback.

The server runs as a subprocess (two gunicorn workers) with its own data
directory; data is published with the CLI and a publisher added with
``openborough user add``, exactly as a council would."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests
from sodapy import Socrata

pytestmark = pytest.mark.slow
ROWS = 3500


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(data_dir, *args, env):
    out = subprocess.run(
        [sys.executable, "-m", "openborough.cli", *args, "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    data_dir = tmp / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OPENBOROUGH_"))}
    env.update(OPENBOROUGH_SODA_ANON_RATE="100000", OPENBOROUGH_SODA_TOKEN_RATE="100000")
    csv_path = tmp / "fines.csv"
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ref", "ward", "amount", "issued", "paid"])
        for i in range(ROWS):
            w.writerow([f"PCN{i:05d}", ["Hampstead", "Belsize", "Camden Town"][i % 3], 40 + (i % 5) * 10,
                        f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}", "true" if i % 4 == 0 else "false"])  # fmt: skip
    ds_id = _cli(data_dir, "publish", str(csv_path), "--title", "Penalty charge notices", "--row-id", "ref",
                 "--category", "Parking", "--tags", "parking,fines", "--quiet", env=env)  # fmt: skip
    _cli(data_dir, "user", "add", "alice", "--password", "s3cret-pw-long-enough", "--role", "publisher", env=env)
    port = _free_port()
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "openborough.cli",
            "serve",
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "4",
        ],  # fmt: skip
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail("openborough serve exited: " + (tmp / "server.log").read_text()[-2000:])
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.time() > deadline:
                pytest.fail("openborough serve did not start: " + (tmp / "server.log").read_text()[-2000:])
            time.sleep(0.3)
        yield {"port": port, "id": ds_id, "log": tmp / "server.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def client(server, auth=True) -> Socrata:
    kw = {"username": "alice", "password": "s3cret-pw-long-enough"} if auth else {}
    c = Socrata(f"127.0.0.1:{server['port']}", None, timeout=60, **kw)
    c.uri_prefix = "http://"
    return c


def test_get_with_every_keyword(server):
    c, ds = client(server, auth=False), server["id"]
    rows = c.get(ds, select="ref, ward, amount", where="amount > 60", order="ref", limit=5, offset=2)
    assert [r["ref"] for r in rows] == ["PCN00008", "PCN00009", "PCN00013", "PCN00014", "PCN00018"]
    assert all(float(r["amount"]) > 60 for r in rows)
    grouped = c.get(ds, select="ward, count(*) AS n", group="ward", order="ward", **{"$having": "count(*) > 1"})
    assert grouped == [{"ward": "Belsize", "n": "1167"}, {"ward": "Camden Town", "n": "1166"},
                       {"ward": "Hampstead", "n": "1167"}]  # fmt: skip
    assert len(c.get(ds, q="Belsize", limit=2000)) == 1167
    assert c.get(ds, query="SELECT ref WHERE ref = 'PCN00042'") == [{"ref": "PCN00042"}]
    assert [r["ref"] for r in c.get(ds, ward="Belsize", order="ref", limit=2)] == ["PCN00001", "PCN00004"]
    assert len(c.get(ds)) == 1000
    sys_rows = c.get(ds, limit=1, exclude_system_fields=False)
    assert sys_rows[0][":id"].startswith("row-")


def test_get_all_pages_everything(server):
    rows = list(client(server, auth=False).get_all(server["id"]))
    assert len(rows) == ROWS and len({r["ref"] for r in rows}) == ROWS


def test_csv_and_geojson(server):
    c = client(server, auth=False)
    table = c.get(server["id"], content_type="csv", select="ref, amount", order="ref", limit=2)
    assert table == [["ref", "amount"], ["PCN00000", "40"], ["PCN00001", "50"]]
    fc = c.get(server["id"], content_type="geojson", limit=2)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 2


def test_metadata_and_catalog(server):
    c = client(server)
    meta = c.get_metadata(server["id"])
    assert meta["name"] == "Penalty charge notices" and meta["metadata"]["rowIdentifier"] == "ref"
    assert {col["fieldName"] for col in meta["columns"]} == {"ref", "ward", "amount", "issued", "paid"}
    updated = c.update_metadata(server["id"], {"description": "All PCNs issued", "tags": ["parking", "fines", "pcn"]})
    assert updated["description"] == "All PCNs issued" and "pcn" in updated["tags"]
    found = c.datasets(q="penalty")
    assert [d["resource"]["id"] for d in found] == [server["id"]]
    assert len(c.datasets(categories=["Parking"])) == 1
    assert len(c.datasets(tags=["pcn"])) == 1
    assert c.datasets(tags=["nothing-tagged-this"]) == []
    assert len(c.datasets(limit=1, offset=0)) == 1


def test_create_upsert_publish_permission_replace_delete(server):
    c = client(server)
    anon = client(server, auth=False)
    created = c.create(
        "Street trees",
        description="Council trees",
        columns=[
            {"fieldName": "tree_id", "name": "Tree ID", "dataTypeName": "text"},
            {"fieldName": "species", "name": "Species", "dataTypeName": "text"},
            {"fieldName": "height", "name": "Height (m)", "dataTypeName": "number"},
        ],
        row_identifier="tree_id",
        category="Environment",
        tags=["trees"],
    )
    ds = created["id"]
    assert len(ds) == 9 and created["publicationStage"] == "unpublished"
    counts = c.upsert(ds, [{"tree_id": "T1", "species": "Oak", "height": 12},
                           {"tree_id": "T2", "species": "Ash", "height": "7.5"}])  # fmt: skip
    assert counts["Rows Created"] == 2
    with pytest.raises(requests.HTTPError):
        anon.get(ds)  # unpublished: not there for the public
    assert c.publish(ds)["publicationStage"] == "published"
    assert len(anon.get(ds)) == 2
    # sodapy's set_permission("private") cannot carry an FOI exemption: refused, with the reason
    with pytest.raises(requests.HTTPError, match="exemption"):
        c.set_permission(ds, "private")
    c.set_permission(ds, "public")
    counts = c.upsert(ds, io.StringIO("tree_id,species,height\nT2,Ash,8\nT3,Elm,3\n"))
    assert (counts["Rows Created"], counts["Rows Updated"]) == (1, 1)
    counts = c.replace(ds, [{"tree_id": "T9", "species": "Yew", "height": 2}, {"tree_id": "T8", "species": "Fir"}])
    assert counts["Rows Created"] == 2
    assert sorted(r["tree_id"] for r in anon.get(ds)) == ["T8", "T9"]
    c.delete(ds, row_id="T8")
    assert [r["tree_id"] for r in anon.get(ds)] == ["T9"]
    c.delete(ds)
    with pytest.raises(requests.HTTPError):
        anon.get_metadata(ds)


def test_concurrent_upserts_lose_nothing(server):
    c = client(server)
    ds = c.create("Counters", columns=[{"fieldName": "k", "dataTypeName": "text"},
                                       {"fieldName": "v", "dataTypeName": "number"}], row_identifier="k")["id"]  # fmt: skip
    c.publish(ds)
    errors = []

    def worker(n):
        try:
            cl = client(server)
            for j in range(5):
                cl.upsert(ds, [{"k": f"w{n}-{j}", "v": j}])
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(c.get(ds, limit=100)) == 30


def test_errors_surface_their_message(server):
    c = client(server, auth=False)
    with pytest.raises(requests.HTTPError, match="400") as e:
        c.get(server["id"], select="no_such_column")
    assert "no_such_column" in str(e.value)
    with pytest.raises(requests.HTTPError, match="404"):
        c.get("zzzz-9999")
    with pytest.raises(requests.HTTPError, match="401"):
        c.upsert(server["id"], [{"ref": "X"}])
