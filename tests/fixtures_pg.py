"""PostgreSQL fixtures: ``pg_dsn`` (a fresh PostGIS database for the test
session) and ``pg_store`` (a PostgresStore on a fresh schema per test).

The server is 127.0.0.1:5432, user postgres, trust auth (override with
``OPENBOROUGH_TEST_PG``, a libpq DSN to the maintenance database). When it is
down or PostGIS is missing, ``scripts/ensure-postgres`` starts/installs it;
when that fails the tests fail with its message. They are never skipped.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

ADMIN_DSN = os.environ.get("OPENBOROUGH_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
ENSURE = Path(__file__).resolve().parent.parent / "scripts" / "ensure-postgres"


def _problem() -> str | None:
    """Why the server cannot host the tests yet, or None."""
    import psycopg

    try:
        with psycopg.connect(ADMIN_DSN, connect_timeout=5) as conn:
            row = conn.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'").fetchone()
    except psycopg.OperationalError as e:
        return f"cannot connect ({ADMIN_DSN}): {str(e).strip()}"
    if not row[0]:
        return "PostGIS is not installed on the server"
    return None


def _dsn_for(dbname: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(ADMIN_DSN)
    info["dbname"] = dbname
    return make_conninfo(**info)


@pytest.fixture(scope="session")
def pg_dsn():
    import psycopg
    from psycopg import sql

    problem = _problem()
    if problem:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(ADMIN_DSN)
        env = dict(os.environ, PGHOST=str(info.get("host", "127.0.0.1")), PGPORT=str(info.get("port", "5432")))
        run = subprocess.run([str(ENSURE)], capture_output=True, text=True, timeout=1800, env=env)
        problem = _problem()
        if problem:
            pytest.fail(
                f"PostgreSQL/PostGIS is needed for tests marked postgres and is not available: {problem}\n"
                f"scripts/ensure-postgres exited {run.returncode}:\n{run.stdout}{run.stderr}",
                pytrace=False,
            )
    name = f"openborough_test_{secrets.token_hex(6)}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = _dsn_for(name)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        yield dsn
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def pg_store(pg_dsn):
    import psycopg
    from psycopg import sql

    from openborough.store.postgres import PostgresStore

    schema = f"t_{secrets.token_hex(6)}"
    store = PostgresStore(pg_dsn, schema=schema)
    try:
        yield store
    finally:
        store.close()
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
