"""``openborough check``, ``/healthz`` and ``/readyz``, run as an operator would."""

from __future__ import annotations

import json

import pytest
import requests

from tests.live import LiveServer, clean_env, cli

pytestmark = pytest.mark.django_db


def test_check_reports_unapplied_migrations_then_passes_after_init(tmp_path):
    data = tmp_path / "data"
    out = cli(data, "check", check=False)
    assert out.returncode == 1
    assert "error   migrations:" in out.stdout and "fix: run `openborough init`" in out.stdout
    cli(data, "init")
    out = cli(data, "check", check=False)
    assert out.returncode == 0, out.stdout
    assert "configuration ready to serve" in out.stdout
    assert "ok      dataset store:" in out.stdout


@pytest.mark.parametrize(
    "env, failing, hint",
    [
        ({"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"}, "application database", "DATABASE_URL"),
        ({"OPENBOROUGH_STORE": "postgresql://postgres@127.0.0.1:1/none"}, "dataset store", "OPENBOROUGH_STORE"),
    ],
)
def test_check_names_the_broken_connection_and_its_fix(tmp_path, env, failing, hint):
    data = tmp_path / "data"
    cli(data, "init")
    out = cli(data, "check", "--json", env=clean_env(**env), check=False)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["ok"] is False
    bad = {c["check"]: c for c in report["checks"] if not c["ok"] and not c["warning"]}
    assert failing in bad
    assert "127.0.0.1" in bad[failing]["detail"]
    assert hint in bad[failing]["fix"]


def test_duckdb_url_form_of_store_setting(tmp_path):
    data = tmp_path / "data"
    store = tmp_path / "rows"
    env = clean_env(OPENBOROUGH_STORE=f"duckdb://{store}")
    cli(data, "init", env=env)
    out = cli(data, "check", env=env, check=False)
    assert out.returncode == 0, out.stdout
    assert f"DuckDBStore at {store}" in out.stdout


def test_probes_on_a_live_server(tmp_path):
    data = tmp_path / "data"
    cli(data, "init")
    server = LiveServer(data, workers=1, threads=2)
    try:
        r = requests.get(server.url + "/healthz", timeout=30)
        assert r.status_code == 200 and r.json() == {"status": "ok"}
        assert "no-cache" in r.headers.get("Cache-Control", "")
        r = requests.get(server.url + "/readyz", timeout=30)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "status": "ok",
            "checks": {"application database": True, "migrations": True, "dataset store": True},
        }
    finally:
        server.stop()


def test_readyz_is_503_while_the_store_is_unreachable(tmp_path):
    data = tmp_path / "data"
    cli(data, "init")
    env = clean_env(OPENBOROUGH_STORE="postgresql://postgres@127.0.0.1:1/none")
    server = LiveServer(data, env=env, workers=1, threads=2)
    try:
        assert requests.get(server.url + "/healthz", timeout=30).status_code == 200
        r = requests.get(server.url + "/readyz", timeout=60)
        assert r.status_code == 503
        body = r.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["dataset store"] is False and body["checks"]["application database"] is True
        assert "127.0.0.1" not in r.text  # no connection details to the public
    finally:
        server.stop()
