"""Socrata's SoQL conformance cases on both backends (see tests/soql/conformance.py)."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED

from .conformance import KNOWN, Store, check_case, load_cases, skip_reason

CASES = load_cases(SHARED) if SHARED.is_dir() else []


@pytest.fixture(scope="module")
def duck_conformance(tmp_path_factory, shared_dir):
    from openborough.store.duckdb import DuckDBStore

    store = DuckDBStore(str(tmp_path_factory.mktemp("conformance")))
    yield Store(store, shared_dir)
    store.close()


def _run(case, loaded, backend):
    reason = skip_reason(case)
    if reason:
        pytest.xfail(reason)
    outcome = check_case(case, loaded)
    if not outcome.ok and case["id"] in KNOWN[backend]:
        pytest.xfail(KNOWN[backend][case["id"]])
    assert outcome.ok, f"{case['id']}: {case['soql']}\n{outcome.detail}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_duckdb(case, duck_conformance):
    _run(case, duck_conformance, "duckdb")


@pytest.fixture(scope="module")
def pg_conformance(pg_dsn, shared_dir):
    import secrets

    import psycopg
    from psycopg import sql

    from openborough.store.postgres import PostgresStore

    schema = f"conf_{secrets.token_hex(6)}"
    store = PostgresStore(pg_dsn, schema=schema)
    try:
        yield Store(store, shared_dir)
    finally:
        store.close()
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.mark.postgres
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_postgres(case, pg_conformance):
    _run(case, pg_conformance, "postgres")
