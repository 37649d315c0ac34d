"""soda-js (Socrata's JavaScript client, from npm, unchanged): consumer and producer
against a live server. soda-js only speaks https, so a loopback TLS relay fronts the
server and Node is told to accept its self-signed certificate."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.live import LiveServer, TlsRelay, clean_env, cli

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("sodajs_client.js")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not (REPO / "node_modules" / "soda-js").is_dir() or not shutil.which("node"):
        pytest.fail("soda-js is installed by scripts/build-assets (npm ci); node is needed", pytrace=False)
    tmp = tmp_path_factory.mktemp("sodajs")
    data = tmp / "data"
    src = tmp / "fines.csv"
    src.write_text("ref,ward,amount\n" + "".join(
        f"PCN{i:05d},{['Hampstead', 'Belsize', 'Camden Town'][i % 3]},{40 + i % 5 * 10}\n" for i in range(60)))  # fmt: skip
    ds = cli(data, "publish", str(src), "--title", "Fines", "--row-id", "ref").stdout.strip()
    cli(data, "user", "add", "alice", "--password", "a long enough passphrase", "--role", "publisher")
    server = LiveServer(data, workers=1, threads=4)
    relay = TlsRelay(server.port, tmp)
    yield server, relay, ds
    relay.close()
    server.stop()


def test_consumer_and_producer(site):
    server, relay, ds = site
    out = subprocess.run(
        ["node", str(SCRIPT), f"127.0.0.1:{relay.port}", ds, "alice", "a long enough passphrase"],
        env=clean_env(NODE_TLS_REJECT_UNAUTHORIZED="0"), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["filtered"] == [
        {"ref": f"PCN{i:05d}", "ward": "Belsize", "amount": str(40 + i % 5 * 10)} for i in (1, 4, 7, 10, 13)
    ]
    assert r["grouped"] == [{"ward": w, "n": "20"} for w in ("Belsize", "Camden Town", "Hampstead")]
    assert r["soql"] == [{"ref": "PCN00059", "amount": "80"}, {"ref": "PCN00054", "amount": "80"},
                         {"ref": "PCN00049", "amount": "80"}]  # fmt: skip
    assert [row["ref"] for row in r["search"]] == ["PCN00007"]
    assert r["add"]["Rows Created"] == 1
    assert (r["upsert"]["Rows Updated"], r["upsert"]["Rows Created"]) == (1, 1)
    assert r["after"] == [{"ref": "JS00002", "ward": "Gospel Oak", "amount": "95"}]
    count = server.get(f"/resource/{ds}.json", params={"$select": "count(*)"}).json()
    assert count == [{"count": "61"}]
