"""Shared test fixtures.

``../shared`` (beside the repository) holds the real datasets, the SODA/UK
references and Socrata's SoQL conformance cases; tests read them in place.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OPENBOROUGH_SHARED", REPO.parent / "shared"))

pytest_plugins = ["tests.fixtures_pg"]


def pytest_sessionfinish(session, exitstatus):
    from tests.live import drop_live_databases

    drop_live_databases()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing (looked in {SHARED}); CI lays it beside the repository")
    return SHARED


@pytest.fixture
def duck_store(tmp_path):
    from openborough.store.duckdb import DuckDBStore

    store = DuckDBStore(str(tmp_path / "store"))
    yield store
    store.close()
