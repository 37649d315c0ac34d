"""The same SODA reads and writes on the PostgreSQL store."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from .conftest import make_dataset

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def on_postgres(pg_store, monkeypatch):
    from openborough.catalog import storage

    monkeypatch.setattr(storage, "_store", pg_store)
    yield pg_store


def _body(r) -> bytes:
    return b"".join(r.streaming_content) if r.streaming else r.content


def _rows(r):
    return json.loads(_body(r))


def test_reads_and_writes_on_postgres(on_postgres, pub_auth):
    ds = make_dataset("On Postgres", rows=5)
    c = Client()
    r = c.get(f"/resource/{ds.id}.json", {"$order": "amount", "$where": "amount > 1"})
    assert r.status_code == 200, r.content
    assert [x["name"] for x in _rows(r)] == ["item 1", "item 2", "item 3", "item 4"]
    assert json.loads(r["X-SODA2-Types"])[1] == "number"
    csv_text = _body(c.get(f"/resource/{ds.id}.csv", {"$order": "name", "$limit": 1}))
    assert csv_text.decode().splitlines()[1].startswith('"item 0","0"')
    fc = json.loads(_body(c.get(f"/resource/{ds.id}.geojson")))
    assert sum(1 for f in fc["features"] if f["geometry"]) == 3
    r = c.post(f"/resource/{ds.id}.json", json.dumps([{"name": "item 0", "amount": 10}, {"name": "z"}]),
               content_type="application/json", **pub_auth)  # fmt: skip
    assert r.status_code == 200 and (r.json()["Rows Created"], r.json()["Rows Updated"]) == (1, 1)
    assert c.delete(f"/resource/{ds.id}/item 4.json", **pub_auth).status_code == 200
    names = [x["name"] for x in _rows(c.get(f"/resource/{ds.id}.json", {"$order": "name"}))]
    assert names == ["item 0", "item 1", "item 2", "item 3", "z"]
    assert c.get(f"/resource/{ds.id}/item 0.json").json()["amount"] == "10"
    r = c.get(f"/resource/{ds.id}.json", {"$where": "amount > 'x'"})
    assert r.status_code == 400 and r.json()["error"] is True
    body = _body(c.get(f"/api/views/{ds.id}/rows.csv"))
    assert body.count(b"\n") == 6
