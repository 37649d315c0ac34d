"""Every bad request to the CKAN action API is a 4xx in CKAN's error shape, never a 500."""

from __future__ import annotations

import json

import pytest

from tests.soda.conftest import make_dataset

URL = "/api/3/action/"


@pytest.fixture
def ds(db):
    return make_dataset(rows=20)


def _err(resp, status, type_):
    assert resp.status_code == status, resp.content
    body = resp.json()
    assert body["success"] is False and body["error"]["__type"] == type_ and "help" in body
    return body["error"]


@pytest.mark.parametrize(
    "action,params,status,type_",
    [
        ("package_show", {}, 409, "Validation Error"),
        ("package_show", {"id": "x" * 5000}, 404, "Not Found Error"),
        ("package_search", {"rows": "-1"}, 409, "Validation Error"),
        ("package_search", {"rows": "1001"}, 409, "Validation Error"),
        ("package_search", {"start": "1.5"}, 409, "Validation Error"),
        ("package_search", {"fq": 'tags:"unclosed'}, 409, "Search Query Error"),
        ("package_search", {"facet.field": "{bad json"}, 409, "Search Query Error"),
        ("package_search", {"facet.field": '{"a": 1}'}, 409, "Validation Error"),
        ("package_search", {"include_private": "maybe"}, 409, "Validation Error"),
        ("datastore_search", {}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "ds", "filters": "[1"}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "ds", "filters": '{"amount": "ten"}'}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "ds", "filters": '{"name": {"a": 1}}'}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "ds", "sort": "amount sideways"}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "ds", "fields": '["nope"]'}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "ds", "limit": "32001"}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "ds", "records_format": "xml"}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "ds", "q": "'"}, 200, None),
        ("datastore_search_sql", {"sql": ""}, 409, "Validation Error"),
        ("datastore_search_sql", {"sql": "SELECT (("}, 409, "Validation Error"),
        ("datastore_search_sql", {"sql": 'SELECT "name"::int FROM "ds"'}, 409, "Validation Error"),
        ("organization_list", {"sort": "colour"}, 409, "Validation Error"),
        ("group_show", {"id": ""}, 404, "Not Found Error"),
        ("help_show", {}, 404, "Not Found Error"),
        ("help_shoe", {}, 400, "Bad Request"),
    ],
)
def test_bad_parameters(client, ds, action, params, status, type_):
    params = {
        k: v.replace('"ds"', f'"{ds.id}"') if k == "sql" else (ds.id if v == "ds" else v) for k, v in params.items()
    }
    for resp in (client.get(URL + action, params), client.post(URL + action, json.dumps(params), "application/json")):
        if type_ is None:
            assert resp.status_code == status, resp.content
        else:
            _err(resp, status, type_)


def test_database_refusals_answer_in_shape(client, ds):
    """DuckDB answers x / 0 with null, PostgreSQL refuses it (while fetching): never a 500."""
    resp = client.get(URL + "datastore_search_sql", {"sql": f'SELECT amount / 0 AS x FROM "{ds.id}"'})
    if resp.status_code != 200:
        assert "division by zero" in _err(resp, 409, "Validation Error")["sql"][0]


def test_bad_bodies_and_methods(client, ds):
    _err(client.post(URL + "package_list", b"{not json", "application/json"), 400, "Bad Request")
    _err(client.post(URL + "package_list", b"[1, 2]", "application/json"), 400, "Bad Request")
    _err(client.put(URL + "package_list"), 405, "Bad Request")
    form = client.post(URL + "package_show", {"id": ds.id})
    assert form.json()["result"]["id"] == ds.id
    _err(client.get(URL + "package_list", HTTP_AUTHORIZATION="forged"), 403, "Authorization Error")


def test_datastore_values(client, ds):
    r = client.get(URL + "datastore_search", {"resource_id": ds.id, "limit": 2}).json()["result"]
    assert r["fields"][0] == {"id": "_id", "type": "int"}
    rec = r["records"][1]
    assert rec["_id"] == 2 and rec["amount"] == 1.5 and rec["paid"] is False
    assert rec["issued"].startswith("2020-01-02T00:00:00") and rec["location"]["type"] == "Point"


def test_private_dataset_invisible(client, db):
    from openborough.catalog.publishing import set_visibility

    ds = make_dataset("Hidden thing", rows=3)
    set_visibility(ds, "private", exemption="s40", reason="personal data", actor="test")
    for action, params in (
        ("package_show", {"id": ds.id}),
        ("resource_show", {"id": ds.id}),
        ("datastore_search", {"resource_id": ds.id}),
        ("datastore_search_sql", {"sql": f'SELECT * FROM "{ds.id}"'}),
    ):
        _err(client.get(URL + action, params), 404, "Not Found Error")
    assert ds.id not in client.get(URL + "package_list").json()["result"]
    assert client.get(URL + "package_search", {"include_private": "true"}).json()["result"]["count"] == 0


def test_help_links_answer(client, ds):
    body = client.get(URL + "package_show", {"id": ds.id}).json()
    helped = client.get(body["help"].replace("http://testserver", "")).json()
    assert helped["success"] is True and "id" in helped["result"]


def test_store_refusals_are_409(client, ds, monkeypatch):
    """A query the store stops (its time limit, say) answers CKAN's 409, not a 500."""
    from openborough.ckan import datastore
    from openborough.store.base import StoreError

    real = datastore.get_store()

    class Stopping:
        dialect = real.dialect

        def table(self, *a):
            return real.table(*a)

        def execute(self, *a, **kw):
            cur = real.execute(*a, **kw)
            cur.fetchmany = lambda *_: (_ for _ in ()).throw(
                StoreError("the query ran longer than 1 s and was stopped")
            )
            return cur

    monkeypatch.setattr(datastore, "get_store", lambda: Stopping())
    err = _err(client.get(URL + "datastore_search_sql", {"sql": f'SELECT * FROM "{ds.id}"'}), 409, "Validation Error")
    assert "longer than 1 s" in err["sql"][0]

    def stopped(*a, **kw):
        raise StoreError("the query ran longer than 1 s and was stopped")

    monkeypatch.setattr(datastore, "run_query", stopped)
    err = _err(client.get(URL + "datastore_search", {"resource_id": ds.id}), 409, "Validation Error")
    assert "longer than 1 s" in err["query"][0]


def test_datastore_field_search_and_zero_limit(client, ds):
    r = client.get(URL + "datastore_search", {"resource_id": ds.id, "q": '{"name": "item 1"}', "limit": 0})
    body = r.json()["result"]
    assert r.status_code == 200 and body["total"] == 11 and body["records"] == []  # item 1, item 10 … item 19
    r = client.get(URL + "datastore_search", {"resource_id": ds.id, "filters": '{"_id": [2, 3]}', "fields": "_id"})
    assert r.json()["result"]["records"] == [{"_id": 2}, {"_id": 3}]
