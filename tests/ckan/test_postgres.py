"""datastore_search and datastore_search_sql on the PostgreSQL store: the resource id
becomes the stored version's table and ``_id`` its ``:id`` column there too."""

from __future__ import annotations

import pytest

from tests.fixtures_pg import pg_dsn, pg_store  # noqa: F401
from tests.soda.conftest import make_dataset

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def on_postgres(pg_store, monkeypatch):  # noqa: F811
    from openborough.catalog import storage

    monkeypatch.setattr(storage, "_store", pg_store)
    yield pg_store


def test_datastore_on_postgres(on_postgres, client):
    ds = make_dataset("On Postgres", rows=6)
    r = client.get(
        "/api/3/action/datastore_search", {"resource_id": ds.id, "filters": '{"paid": true}', "sort": "amount desc"}
    )
    body = r.json()["result"]
    assert body["total"] == 3 and [x["_id"] for x in body["records"]] == [5, 3, 1]
    sql = f'SELECT "_id", name, amount * 2 AS twice FROM "{ds.id}" WHERE amount > 3 ORDER BY "_id"'
    r = client.get("/api/3/action/datastore_search_sql", {"sql": sql})
    assert r.status_code == 200, r.content
    assert r.json()["result"]["records"] == [{"_id": 4, "name": "item 3", "twice": 9}, {"_id": 5, "name": "item 4", "twice": 12},
                                             {"_id": 6, "name": "item 5", "twice": 15}]  # fmt: skip
    sql = f'WITH big AS (SELECT name, amount FROM "{ds.id}" WHERE amount > 6) SELECT B.name FROM big B, "{ds.id}" F WHERE F.name = B.name'
    r = client.get("/api/3/action/datastore_search_sql", {"sql": sql})
    assert r.status_code == 200, r.content
    assert r.json()["result"]["records"] == [{"name": "item 5"}]
    r = client.get("/api/3/action/datastore_search_sql", {"sql": "SELECT pg_sleep(10)"})
    assert r.status_code == 409
