"""Structured logs with request ids, read from a real server's output."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.live import LiveServer, cli

pytestmark = pytest.mark.slow


def _lines(server: LiveServer, want: int) -> list[dict]:
    deadline = time.monotonic() + 20
    while True:
        out = []
        for line in server.log_path.read_text().splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))  # every structured line is valid JSON
        if len(out) >= want or time.monotonic() > deadline:
            return out
        time.sleep(0.2)


def test_access_lines_carry_request_ids_and_errors_share_them(tmp_path):
    data = tmp_path / "data"
    cli(data, "init")
    server = LiveServer(data, workers=1, threads=2)
    try:
        r = requests.get(server.url + "/healthz", headers={"X-Request-ID": "lb-7f3a.1"}, timeout=30)
        assert r.headers["X-Request-ID"] == "lb-7f3a.1"
        r = requests.get(server.url + "/resource/none-0000.json", headers={"X-Request-ID": "bad id {}"}, timeout=30)
        generated = r.headers["X-Request-ID"]
        assert generated != "bad id {}" and len(generated) == 32
        lines = _lines(server, 4)
    finally:
        server.stop()
    access = [line for line in lines if line["logger"] == "openborough.request"]
    assert {"request_id": "lb-7f3a.1", "method": "GET", "path": "/healthz", "status": 200}.items() <= access[-2].items()
    assert access[-1]["request_id"] == generated and access[-1]["status"] == 404
    assert isinstance(access[-1]["duration_ms"], float)
    warnings = [line for line in lines if line["logger"] == "django.request"]
    assert warnings and warnings[-1]["request_id"] == generated and warnings[-1]["level"] == "warning"
    for line in lines:
        assert line["time"].endswith("Z")
