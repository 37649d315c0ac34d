"""SODA3 (/api/v3/views/{id}/query.json, /export.*) and /api/id/{id}.json, as
dev.socrata.com documents them: POST bodies, GET parameters, paging,
includeSynthetic, serializationOptions, app-token rules, errors in Socrata's shape."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from .conftest import make_dataset

pytestmark = pytest.mark.django_db


def _body(r) -> bytes:
    return b"".join(r.streaming_content) if r.streaming else r.content


@pytest.fixture
def token(publisher):
    from openborough.accounts.models import AppToken

    return AppToken.objects.create(name="app", owner=publisher).token


def post(path, body, token=None, **extra):
    headers = {"HTTP_X_APP_TOKEN": token} if token else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(path, data, content_type="application/json", **headers, **extra)


def test_post_query_with_paging(token, db):
    ds = make_dataset("Fines", rows=25)
    url = f"/api/v3/views/{ds.id}/query.json"
    q = {"query": "SELECT name, amount WHERE amount >= 3 ORDER BY amount", "page": {"pageNumber": 2, "pageSize": 5}}
    r = post(url, {**q, "includeSynthetic": False}, token)
    assert r.status_code == 200, r.content
    rows = json.loads(_body(r))
    assert [x["amount"] for x in rows] == ["10.5", "12", "13.5", "15", "16.5"]  # rows 6-10 of amount >= 3
    assert set(rows[0]) == {"name", "amount"}
    assert r["X-SODA2-Fields"] == '["name","amount"]'
    # the last, short page, and a page past the end
    last = json.loads(_body(post(url, {**q, "page": {"pageNumber": 5, "pageSize": 5}}, token)))
    assert len(last) == 3
    assert json.loads(_body(post(url, {**q, "page": {"pageNumber": 9, "pageSize": 5}}, token))) == []


def test_paging_is_within_the_querys_own_limit(token, db):
    ds = make_dataset("Fines", rows=25)
    body = {"query": "SELECT name ORDER BY name LIMIT 7 OFFSET 2", "page": {"pageNumber": 2, "pageSize": 5}}
    rows = json.loads(_body(post(f"/api/v3/views/{ds.id}/query.json", body, token)))
    everything = sorted(f"item {i}" for i in range(25))
    assert [x["name"] for x in rows] == everything[7:9]


def test_paging_without_order_is_total_and_stable(token, db):
    ds = make_dataset("Fines", rows=30)
    url = f"/api/v3/views/{ds.id}/query.json"
    seen = []
    for n in (1, 2, 3):
        page = json.loads(_body(post(url, {"page": {"pageNumber": n, "pageSize": 10}}, token)))
        seen += [x[":id"] for x in page]
    assert len(seen) == len(set(seen)) == 30


def test_include_synthetic(token, dataset):
    url = f"/api/v3/views/{dataset.id}/query.json"
    rows = json.loads(_body(post(url, {"query": "SELECT *"}, token)))
    assert {":id", ":created_at", ":updated_at", "name"} <= set(rows[0])  # default: with system fields
    rows = json.loads(_body(post(url, {"query": "SELECT *", "includeSynthetic": False}, token)))
    assert not any(k.startswith(":") for k in rows[0])
    rows = json.loads(_body(post(url, {"query": "SELECT name, count(*) GROUP BY name ORDER BY count DESC"}, token)))
    assert set(rows[0]) == {"name", "count"}  # an explicit select list is left alone


def test_get_form_with_app_token_parameter(token, dataset):
    r = Client().get(
        f"/api/v3/views/{dataset.id}/query.json",
        {"query": "SELECT name ORDER BY name", "pageNumber": "1", "pageSize": "2", "app_token": token},
    )
    assert r.status_code == 200, r.content
    assert [x["name"] for x in json.loads(_body(r))] == ["item 0", "item 1"]


def test_query_geojson_and_csv(token, dataset):
    r = post(f"/api/v3/views/{dataset.id}/query.geojson", {"query": "SELECT name, location"}, token)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.geo+json")
    assert json.loads(_body(r))["type"] == "FeatureCollection"
    r = post(f"/api/v3/views/{dataset.id}/query.csv", {"query": "SELECT name ORDER BY name"}, token)
    assert _body(r).decode().splitlines()[:2] == ['"name"', '"item 0"']


def test_export_with_serialization_options(token, dataset):
    body = {"query": "SELECT name, amount ORDER BY name", "serializationOptions": {"separator": "\t", "bom": True}}
    r = post(f"/api/v3/views/{dataset.id}/export.csv", body, token)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    text = _body(r).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter="\t"))
    assert rows[0] == ["name", "amount"] and rows[1] == ["item 0", "0"] and len(rows) == 6
    # the whole dataset by default, without system fields
    r = post(f"/api/v3/views/{dataset.id}/export.json", {}, token)
    rows = json.loads(_body(r))
    assert len(rows) == 5 and not any(k.startswith(":") for k in rows[0])
    r = Client().get(f"/api/v3/views/{dataset.id}/export.csv", {"app_token": token, "separator": ";"})
    assert _body(r).decode().splitlines()[0] == '"name";"amount";"issued";"paid";"location"'


def test_app_token_rules(token, dataset, pub_auth, settings):
    url = f"/api/v3/views/{dataset.id}/query.json"
    r = post(url, {"query": "SELECT name"})
    assert r.status_code == 403 and r.json()["code"] == "authentication_required" and r.json()["error"] is True
    assert post(url, {"query": "SELECT name"}, "not-a-token").status_code == 403  # invalid_app_token
    assert post(url, {"query": "SELECT name"}, **pub_auth).status_code == 200  # a signed-in user needs none
    assert post(url, {"query": "SELECT name"}, token).status_code == 200
    settings.OPENBOROUGH_SODA3_REQUIRE_TOKEN = False
    assert post(url, {"query": "SELECT name"}).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "req.body.malformed-json"),
        ("[1, 2]", 400, "req.body.not-an-object"),
        ({"query": 5}, 400, "req.option.malformed"),
        ({"query": "SELECT nope"}, 400, "query.soql.no-such-column"),
        ({"query": "SELECT name WHERE"}, 400, "query.soql."),
        ({"page": {"pageNumber": 0, "pageSize": 10}}, 400, "req.option.malformed"),
        ({"page": {"pageNumber": 1, "pageSize": "ten"}}, 400, "req.option.malformed"),
        ({"page": {"pageNumber": 1}}, 400, "req.option.malformed"),
        ({"page": {"pageNumber": 10**15, "pageSize": 10**15}}, 400, "req.option.malformed"),
        ({"page": {"pageNumber": 10**11, "pageSize": 10**11}}, 400, "req.option.malformed"),
        ({"page": [1, 10]}, 400, "req.option.malformed"),
        ({"includeSynthetic": "perhaps"}, 400, "req.option.malformed"),
        ({"orderingSpecifier": "random"}, 400, "req.option.malformed"),
        ({"bogus": 1}, 400, "req.option.unknown"),
        ({"parameters": {"x": 1}}, 400, "req.option.unsupported"),
    ],
)
def test_bad_bodies_are_4xx_in_socrata_shape(token, dataset, body, status, code):
    r = post(f"/api/v3/views/{dataset.id}/query.json", body, token)
    assert r.status_code == status, r.content
    err = r.json()
    assert err["error"] is True and err["code"].startswith(code) and err["message"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"serializationOptions": {"separator": ",,"}}, "req.option.malformed"),
        ({"serializationOptions": {"separator": '"'}}, "req.option.malformed"),
        ({"serializationOptions": {"colour": "red"}}, "req.option.unknown"),
        ({"serializationOptions": "tab"}, "req.option.malformed"),
        ({"page": {"pageNumber": 1, "pageSize": 1}}, "req.option.unknown"),  # /export does not page
    ],
)
def test_bad_export_options(token, dataset, body, code):
    r = post(f"/api/v3/views/{dataset.id}/export.csv", body, token)
    assert r.status_code == 400 and r.json()["code"] == code


def test_unknown_format_and_method(token, dataset):
    r = post(f"/api/v3/views/{dataset.id}/query.xlsx", {}, token)
    assert r.status_code == 406 and r.json()["code"] == "req.format.unsupported"
    r = post(f"/api/v3/views/{dataset.id}/export.kml", {}, token)
    assert r.status_code == 406
    r = Client().delete(f"/api/v3/views/{dataset.id}/query.json", HTTP_X_APP_TOKEN=token)
    assert r.status_code == 405


def test_private_and_unknown_datasets_are_404(token, private_dataset, pub_auth):
    for path in (f"/api/v3/views/{private_dataset.id}/query.json", f"/api/v3/views/{private_dataset.id}/export.csv"):
        r = post(path, {}, token)
        assert r.status_code == 404 and r.json()["code"] == "soda.dataset.not-found"
    assert post("/api/v3/views/zzzz-zzzz/query.json", {}, token).status_code == 404
    assert Client().get(f"/api/id/{private_dataset.id}.json").status_code == 404
    # a publisher sees it
    assert post(f"/api/v3/views/{private_dataset.id}/query.json", {}, **pub_auth).status_code == 200


def test_api_id_path_is_the_resource_query(dataset):
    c = Client()
    q = {"$query": "SELECT name, amount WHERE amount > 2 ORDER BY amount DESC"}
    a = c.get(f"/api/id/{dataset.id}.json", q)
    b = c.get(f"/resource/{dataset.id}.json", q)
    assert a.status_code == 200 and _body(a) == _body(b)
    assert [x["name"] for x in json.loads(_body(a))] == ["item 4", "item 3", "item 2"]


def test_head_on_soda3_matches_get(token, dataset):
    c = Client()
    params = {"query": "SELECT *", "app_token": token}
    g = c.get(f"/api/v3/views/{dataset.id}/query.json", params)
    h = c.head(f"/api/v3/views/{dataset.id}/query.json", params)
    assert h.status_code == 200 and h["Content-Length"] == g["Content-Length"] == str(len(_body(g)))
