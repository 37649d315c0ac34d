"""No SoQL input reaches a file, the network, settings or another dataset:
a test per family, on DuckDB and PostgreSQL. Each is refused with a 400 in
Socrata's shape (the engine knows only SoQL's own functions and the one
dataset's columns), and nothing of the file, setting or other dataset shows."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from .conftest import make_dataset
from .test_never_500 import any_backend_dataset  # noqa: F401

pytestmark = pytest.mark.django_db

ATTEMPTS = {
    "duckdb files": ["read_csv('/etc/passwd')", "read_text('/etc/passwd')", "read_parquet('x.parquet')",
                     "glob('/*')", "read_json_auto('/etc/hostname')"],
    "duckdb network and extensions": ["read_csv('http://127.0.0.1:1/x')", "httpfs_get('http://127.0.0.1')",
                                      "load_extension('x')"],
    "settings and environment": ["getenv('HOME')", "current_setting('data_directory')", "version()",
                                 "current_database()", "duckdb_settings()", "pg_ls_dir('.')"],
    "postgresql files and commands": ["pg_read_file('/etc/passwd')", "pg_read_binary_file('/etc/passwd')",
                                      "lo_import('/etc/passwd')", "pg_sleep(10)", "dblink('x', 'y')"],
}  # fmt: skip
CLAUSES = ["$select", "$where", "$order"]


@pytest.mark.parametrize("family", list(ATTEMPTS))
def test_functions_outside_soql_are_refused(any_backend_dataset, family):  # noqa: F811
    c = Client()
    for call in ATTEMPTS[family]:
        for clause in CLAUSES:
            value = f"{call} = 'x'" if clause == "$where" else call
            r = c.get(f"/resource/{any_backend_dataset.id}.json", {clause: value})
            body = b"".join(r.streaming_content) if r.streaming else r.content
            assert r.status_code == 400, (family, clause, call, r.status_code, body[:200])
            err = json.loads(body)
            assert err["error"] is True and err["code"].startswith("query.soql."), err
            assert b"root:" not in body and b"/home" not in body


def test_another_dataset_cannot_be_named(any_backend_dataset):  # noqa: F811
    secret = make_dataset("Other dataset", rows=2)
    c = Client()
    table = f"ds_{secret.id.replace('-', '_')}_v{secret.current_version}"
    for params in (
        {"$query": f"SELECT * FROM `{secret.id}`"},
        {"$query": f"SELECT * FROM {table}"},
        {"$where": f"name IN (SELECT name FROM {table})"},
        {"$select": f"(SELECT count(*) FROM {table})"},
        {"$query": "SELECT * |> SELECT * FROM information_schema.tables"},
        {"$where": "1=1; DROP TABLE x"},
        {"$select": "name FROM pg_catalog.pg_tables --"},
    ):
        r = c.get(f"/resource/{any_backend_dataset.id}.json", params)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        assert r.status_code == 400, (params, r.status_code, body[:300])
        assert json.loads(body)["error"] is True
