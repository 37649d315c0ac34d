"""Catalogue search on PostgreSQL (GIN index over a weighted tsvector), run in
a subprocess whose Django database is a fresh PostgreSQL database."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_django_url(pg_dsn):
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    from tests.fixtures_pg import ADMIN_DSN

    name = f"openborough_portal_{secrets.token_hex(5)}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    info = conninfo_to_dict(ADMIN_DSN)
    user = info.get("user", "postgres")
    password = f":{info['password']}" if info.get("password") else ""
    yield f"postgresql://{user}{password}@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{name}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_search_on_postgresql(pg_django_url, shared_dir, tmp_path):
    script = Path(__file__).with_name("pg_search_check.py")
    env = dict(os.environ, OPENBOROUGH_DATABASE_URL=pg_django_url, OPENBOROUGH_DATA_DIR=str(tmp_path))
    run = subprocess.run(
        [sys.executable, str(script), str(shared_dir)], capture_output=True, text=True, env=env, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["vendor"] == "postgresql"
    assert out["penalty"] == ["pgpg-0001"] and out["column"] == ["pgpg-0001"]
    assert out["typo"] == "penalty charge"
    assert (out["private"], out["private_staff"]) == (0, 1)
    assert out["hostile"] == 0
    assert out["precision_at_5"] >= 0.85
    assert "parking" in out["parking_tickets"][0].lower()
