"""Producer writes on /resource: upsert, replace, deletes, soda-js paths, bad bodies."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from openborough.catalog.models import AuditEntry, Dataset

pytestmark = pytest.mark.django_db


def rows_of(ds_id, **params):
    r = Client().get(f"/resource/{ds_id}.json", {"$order": "name", "$limit": 100, **params})
    return json.loads(b"".join(r.streaming_content) if r.streaming else r.content)


def test_upsert_json_without_content_type(dataset, pub_auth):
    payload = [{"name": "item 1", "amount": 99}, {"name": "new", "amount": "7.25", "paid": False}]
    r = Client().generic("POST", f"/resource/{dataset.id}.json", json.dumps(payload).encode(), "", **pub_auth)
    assert r.status_code == 200, r.content
    c = r.json()
    assert (c["Rows Created"], c["Rows Updated"], c["Rows Deleted"], c["Errors"]) == (1, 1, 0, 0)
    got = {r["name"]: r for r in rows_of(dataset.id)}
    assert got["item 1"]["amount"] == "99"
    # partial update kept the other columns
    assert got["item 1"]["issued"] == "2020-01-02T00:00:00.000" and got["item 1"]["paid"] is False
    assert got["new"]["amount"] == "7.25"
    assert Dataset.objects.get(pk=dataset.id).row_count == 6
    assert AuditEntry.objects.filter(dataset_id=dataset.id, action="upsert").exists()


def test_upsert_csv_and_deleted_column(dataset, pub_auth):
    text = 'name,amount,:deleted\n"item 0",5,false\nitem 2,,true\n"csv, row",1,\n'
    r = Client().post(f"/resource/{dataset.id}.json", text, content_type="text/csv", **pub_auth)
    assert r.status_code == 200, r.content
    c = r.json()
    assert (c["Rows Created"], c["Rows Updated"], c["Rows Deleted"]) == (1, 1, 1)
    names = [r["name"] for r in rows_of(dataset.id)]
    assert "item 2" not in names and "csv, row" in names


def test_deleted_flag_and_replace(dataset, pub_auth):
    c = Client()
    r = c.post(f"/resource/{dataset.id}.json", json.dumps([{"name": "item 3", ":deleted": True}]),
               content_type="application/json", **pub_auth)  # fmt: skip
    assert r.json()["Rows Deleted"] == 1
    r = c.put(f"/resource/{dataset.id}.json", json.dumps([{"name": "only", "amount": 1}]),
              content_type="application/json", **pub_auth)  # fmt: skip
    assert r.status_code == 200 and r.json()["Rows Created"] == 1
    assert [r["name"] for r in rows_of(dataset.id)] == ["only"]
    r = c.put(f"/resource/{dataset.id}.json", json.dumps([{"name": "a"}, {"name": "a"}]),
              content_type="application/json", **pub_auth)  # fmt: skip
    assert r.status_code == 400 and r.json()["code"] == "soda.row.duplicate-key"


def test_row_delete_paths(dataset, pub_auth):
    c = Client()
    r = c.delete(f"/resource/{dataset.id}/item 4.json", **pub_auth)
    assert r.status_code == 200 and r.json()["Rows Deleted"] == 1
    assert c.delete(f"/resource/{dataset.id}/item 4.json", **pub_auth).status_code == 404
    # soda-js: no extension
    assert c.delete(f"/resource/{dataset.id}/item 3", **pub_auth).status_code == 200
    assert [r["name"] for r in rows_of(dataset.id)] == ["item 0", "item 1", "item 2"]


def test_soda_js_paths(dataset, pub_auth):
    c = Client()
    r = c.post(f"/resource/{dataset.id}", json.dumps([{"name": "js", "amount": 2}]), content_type="application/json",
               **pub_auth)  # fmt: skip
    assert r.status_code == 200 and r.json()["Rows Created"] == 1
    r = c.post(f"/resource/{dataset.id}/item 0", json.dumps({"amount": 42}), content_type="application/json",
               **pub_auth)  # fmt: skip
    assert r.status_code == 200 and r.json()["Rows Updated"] == 1
    got = {r["name"]: r for r in rows_of(dataset.id)}
    assert got["item 0"]["amount"] == "42" and got["item 0"]["paid"] is True
    r = c.put(f"/resource/{dataset.id}/item 0", json.dumps({"amount": 1}), content_type="application/json", **pub_auth)
    assert r.status_code == 200
    got = {r["name"]: r for r in rows_of(dataset.id)}
    assert got["item 0"] == {"name": "item 0", "amount": "1"}  # PUT replaces the whole row
    r = c.delete(f"/resource/{dataset.id}", **pub_auth)  # truncate
    assert r.status_code == 200 and rows_of(dataset.id) == []


def test_dataset_without_row_identifier(pub_auth):
    from .conftest import make_dataset

    ds = make_dataset("Appends", row_identifier="")
    c = Client()
    r = c.post(f"/resource/{ds.id}.json", json.dumps([{"name": "x"}]), content_type="application/json", **pub_auth)
    assert r.json()["Rows Created"] == 1
    first = rows_of(ds.id, **{"$select": ":id, name", "$order": ":id"})[0]
    r = c.post(f"/resource/{ds.id}.json", json.dumps([{":id": first[":id"], ":deleted": True}]),
               content_type="application/json", **pub_auth)  # fmt: skip
    assert r.json()["Rows Deleted"] == 1 and r.json()["By SID"] == 1
    r = c.post(f"/resource/{ds.id}.json", json.dumps([{":id": "row-2", "name": "y"}]),
               content_type="application/json", **pub_auth)  # fmt: skip
    assert r.status_code == 400 and "row identifier" in r.json()["message"]


@pytest.mark.parametrize(
    "data,ctype,status,code",
    [
        (b"[{", "application/json", 400, "req.body.malformed-json"),
        (b"", "application/json", 400, "req.body.missing"),
        (b'"text"', "application/json", 400, "soda.row.upsert-row-not-an-object"),
        (b"[1, 2]", "application/json", 400, "soda.row.upsert-row-not-an-object"),
        (b'[{"nope": 1, "name": "a"}]', "application/json", 400, "soda.row.column-not-found"),
        (b'[{"amount": 1}]', "application/json", 400, "soda.row.primary-key-nonexistent-or-null"),
        (b'[{"name": "a", "amount": "lots"}]', "application/json", 400, "soda.column.maltyped"),
        (b'[{"name": "a", "issued": "yesterday"}]', "application/json", 400, "soda.column.maltyped"),
        (b"<rows/>", "application/xml", 415, "req.content-type.not-json"),
        (b'name,amount\n"a,1\n', "text/csv", 400, "req.body.malformed-csv"),
        (b"name,amount\na,1,2\n", "text/csv", 400, "req.body.malformed-csv"),
    ],
)
def test_bad_bodies(dataset, pub_auth, data, ctype, status, code):
    r = Client().generic("POST", f"/resource/{dataset.id}.json", data, ctype, **pub_auth)
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r.json()["error"] is True
    assert len(rows_of(dataset.id)) == 5  # nothing written


def test_body_too_large(dataset, pub_auth):
    with override_settings(OPENBOROUGH_SODA_MAX_JSON_BYTES=100):
        data = json.dumps([{"name": f"row {i}"} for i in range(50)])
        r = Client().post(f"/resource/{dataset.id}.json", data, content_type="application/json", **pub_auth)
        assert r.status_code == 413 and r.json()["code"] == "req.body.too-large"


def test_writes_need_auth(dataset, viewer_auth):
    c = Client()
    data = json.dumps([{"name": "x"}])
    assert c.post(f"/resource/{dataset.id}.json", data, content_type="application/json").status_code == 401
    r = c.post(f"/resource/{dataset.id}.json", data, content_type="application/json", **viewer_auth)
    assert r.status_code == 403
    assert c.delete(f"/resource/{dataset.id}/item 1.json").status_code == 401
    assert len(rows_of(dataset.id)) == 5


def test_writes_to_unknown_or_private_dataset(private_dataset, pub_auth):
    c = Client()
    data = json.dumps([{"name": "x"}])
    r = c.post("/resource/zzzz-9999.json", data, content_type="application/json", **pub_auth)
    assert r.status_code == 404
    # a publisher may write to a private dataset
    r = c.post(f"/resource/{private_dataset.id}.json", data, content_type="application/json", **pub_auth)
    assert r.status_code == 200
