"""A web worker process killed mid-request: the others keep serving and the
server replaces it."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.live import LiveServer, cli

pytestmark = pytest.mark.slow


def _web_workers(master: int) -> list[int]:
    """The server's web worker processes (not the background task worker beside them)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmd = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(fields[1]) == master and b"worker" not in cmd:
            out.append(int(stat.parent.name))
    return out


def test_killing_a_web_worker_mid_request_leaves_the_others_serving(tmp_path):
    data = tmp_path / "data"
    cli(data, "init")
    src = tmp_path / "rows.csv"
    src.write_text("ref,amount\n" + "".join(f"R{i},{i}\n" for i in range(20_000)))
    ds = cli(data, "publish", str(src), "--title", "Rows").stdout.strip()
    server = LiveServer(data, workers=2, threads=2)
    try:
        deadline = time.monotonic() + 30
        while len(workers := _web_workers(server.proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, workers
        results, errors = [], []

        def load():
            end = time.monotonic() + 6
            while time.monotonic() < end:
                try:
                    r = requests.get(f"{server.url}/resource/{ds}.csv", params={"$limit": 20000}, timeout=30)
                    results.append(r.status_code)
                except requests.RequestException as e:  # the request the killed worker was serving
                    errors.append(e)

        threads = [threading.Thread(target=load) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        os.kill(workers[0], signal.SIGKILL)
        for t in threads:
            t.join()
        assert results.count(200) >= 10 and set(results) == {200}
        # only what the killed worker held (requests it was serving or had accepted): one per client at most
        assert len(errors) <= len(threads)
        # the master replaces the dead worker
        deadline = time.monotonic() + 30
        while (len(now := _web_workers(server.proc.pid)) < 2 or workers[0] in now) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(now) == 2 and workers[0] not in now
        assert server.get(f"/resource/{ds}.json", params={"$select": "count(*)"}).json() == [{"count": "20000"}]
    finally:
        server.stop()
