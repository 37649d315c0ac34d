"""GET /resource: formats, headers RSocrata relies on, caching, limits, rows."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def get(path, params=None, **headers):
    return Client().get(path, params or {}, **headers)


def body(r) -> bytes:
    return b"".join(r.streaming_content) if r.streaming else r.content


def test_json_rows_and_headers(dataset):
    r = get(f"/resource/{dataset.id}.json", {"$order": "amount"})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json;charset=utf-8"
    rows = json.loads(body(r))
    assert len(rows) == 5
    assert rows[0] == {"name": "item 0", "amount": "0", "issued": "2020-01-01T00:00:00.000", "paid": True}
    assert rows[1]["location"] == {"type": "Point", "coordinates": [-0.139, 51.55]}
    assert json.loads(r["X-SODA2-Fields"]) == ["name", "amount", "issued", "paid", "location"]
    # soda-fountain writes the engine's type names: a checkbox column is "boolean" (docs/api/soda.md)
    assert json.loads(r["X-SODA2-Types"]) == ["text", "number", "floating_timestamp", "boolean", "point"]
    assert r["Access-Control-Allow-Origin"] == "*"
    assert "X-SODA2-Types" in r["Access-Control-Expose-Headers"]
    assert r["X-Socrata-RequestId"]
    assert r["ETag"].startswith('W/"') and r["Last-Modified"].endswith("GMT")


def test_csv(dataset):
    r = get(f"/resource/{dataset.id}.csv", {"$order": "amount", "$select": "name, amount, paid, location"})
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    text = body(r).decode()
    lines = text.split("\n")
    assert lines[0] == '"name","amount","paid","location"'
    assert lines[1] == '"item 0","0","true",'
    assert lines[2] == '"item 1","1.5","false","POINT (-0.139 51.55)"'
    assert list(csv.reader(io.StringIO(text)))[0] == ["name", "amount", "paid", "location"]
    assert json.loads(r["X-SODA2-Fields"]) == ["name", "amount", "paid", "location"]
    bom = body(get(f"/resource/{dataset.id}.csv", {"$$bom": "true"}))
    assert bom.startswith("\ufeff".encode())


def test_geojson(dataset):
    r = get(f"/resource/{dataset.id}.geojson", {"$order": "amount"})
    assert r["Content-Type"] == "application/vnd.geo+json;charset=utf-8"
    fc = json.loads(body(r))
    assert fc["type"] == "FeatureCollection" and fc["crs"]["properties"]["name"].endswith("CRS84")
    f0, f1 = fc["features"][:2]
    assert f0["geometry"] is None and f0["properties"]["name"] == "item 0"
    assert f1["geometry"]["coordinates"] == [-0.139, 51.55] and "location" not in f1["properties"]


def test_content_negotiation_without_extension(dataset):
    r = get(f"/resource/{dataset.id}", HTTP_ACCEPT="text/csv")
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    r = get(f"/resource/{dataset.id}", HTTP_ACCEPT="application/vnd.geo+json")
    assert r["Content-Type"].startswith("application/vnd.geo+json")
    r = get(f"/resource/{dataset.id}")
    assert r["Content-Type"] == "application/json;charset=utf-8"
    r = get(f"/resource/{dataset.id}", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert r["Content-Type"] == "application/json;charset=utf-8"
    r = get(f"/resource/{dataset.id}", HTTP_ACCEPT="image/png")
    assert r.status_code == 406 and r.json()["error"] is True
    assert get(f"/resource/{dataset.id}.xml").status_code == 406


def test_soql_and_simple_filters(dataset):
    rows = json.loads(body(get(f"/resource/{dataset.id}.json", {"name": "item 3"})))
    assert [r["name"] for r in rows] == ["item 3"]
    rows = json.loads(
        body(get(f"/resource/{dataset.id}.json", {"paid": "true", "$where": "amount > 1", "$order": "name"}))
    )
    assert [r["name"] for r in rows] == ["item 2", "item 4"]
    rows = json.loads(body(get(f"/resource/{dataset.id}.json", {"$select": "paid, count(*) AS n", "$group": "paid",
                                                                  "$order": "paid"})))  # fmt: skip
    assert rows == [{"paid": False, "n": "2"}, {"paid": True, "n": "3"}]
    rows = json.loads(
        body(
            get(f"/resource/{dataset.id}.json", {"$query": "SELECT name WHERE amount >= 3 ORDER BY name DESC LIMIT 2"})
        )
    )
    assert rows == [{"name": "item 4"}, {"name": "item 3"}]


def test_system_fields(dataset):
    for value in ("false", "False", "FALSE"):
        rows = json.loads(body(get(f"/resource/{dataset.id}.json", {"$$exclude_system_fields": value, "$limit": 1})))
        assert rows[0][":id"].startswith("row-") and ":created_at" in rows[0] and "name" in rows[0]
    rows = json.loads(body(get(f"/resource/{dataset.id}.json", {"$$exclude_system_fields": "True", "$limit": 1})))
    assert ":id" not in rows[0]
    r = get(f"/resource/{dataset.id}.json", {"$$version": "2.0", "$limit": 1})
    assert r.status_code == 200


def test_default_limit_and_maximum(db):
    from .conftest import make_dataset

    ds = make_dataset("Big", rows=2500)
    assert len(json.loads(body(get(f"/resource/{ds.id}.json")))) == 1000
    assert len(json.loads(body(get(f"/resource/{ds.id}.json", {"$limit": 2000})))) == 2000
    # no row cap unless the operator sets one: above Socrata's old 50,000 too
    assert len(json.loads(body(get(f"/resource/{ds.id}.json", {"$limit": 1_000_000})))) == 2500
    assert len(json.loads(body(get(f"/resource/{ds.id}.json", {"$query": "SELECT * LIMIT 60000"})))) == 2500
    with override_settings(OPENBOROUGH_SODA_MAX_LIMIT=1500):
        r = get(f"/resource/{ds.id}.json", {"$limit": 2000})
        assert r.status_code == 400 and r.json()["code"] == "req.row-limit-exceeded"
        r = get(f"/resource/{ds.id}.json", {"$query": "SELECT * LIMIT 2000"})
        assert r.status_code == 400 and r.json()["code"] == "req.row-limit-exceeded"


def test_conditional_get(dataset):
    url = f"/resource/{dataset.id}.json"
    first = get(url, {"$limit": 2})
    etag, lm = first["ETag"], first["Last-Modified"]
    assert get(url, {"$limit": 2}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert get(url, {"$limit": 3}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert get(url, {"$limit": 2}, HTTP_IF_MODIFIED_SINCE=lm).status_code == 304
    assert get(url, {"$limit": 2}, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 200


def test_single_row(dataset):
    r = get(f"/resource/{dataset.id}/item 2.json")
    assert r.status_code == 200 and r.json()["name"] == "item 2" and r.json()["amount"] == "3"
    row_id = json.loads(body(get(f"/resource/{dataset.id}.json", {"$select": ":id", "$where": "name = 'item 4'"})))[0][
        ":id"
    ]
    r = get(f"/resource/{dataset.id}/{row_id}.json")
    assert r.status_code == 200 and r.json()["name"] == "item 4"
    r = get(f"/resource/{dataset.id}/{row_id}.geojson")
    assert r.json()["type"] == "Feature" and "crs" in r.json()
    r = get(f"/resource/{dataset.id}/nope.json")
    assert r.status_code == 404 and r.json()["code"] == "soda.row.not-found"


def test_jsonp(dataset):
    r = get(f"/resource/{dataset.id}.json", {"$jsonp": "cb", "$limit": 1})
    assert r["Content-Type"].startswith("text/javascript") and body(r).startswith(b"/**/cb([")
    assert get(f"/resource/{dataset.id}.json", {"$jsonp": "alert(1)"}).status_code == 400


def test_cors_preflight(dataset):
    r = Client().options(f"/resource/{dataset.id}.json")
    assert r.status_code == 204 and r["Access-Control-Allow-Origin"] == "*"
    assert "X-App-Token" in r["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    "params,code",
    [
        ({"$where": "amount >"}, "query.soql."),
        ({"$select": "nonexistent"}, "query.soql.no-such-column"),
        ({"$order": "'"}, "query.soql."),
        ({"$limit": "ten"}, "query.soql."),
        ({"$limit": "20000000000000000000"}, "query.soql."),
        ({"$offset": "20000000000000000000"}, ""),
        ({"$limit": "1", "$bogus": "1"}, "req.param.unrecognized"),
        ({"$$exclude_system_fields": "perhaps"}, "req.param.bad-boolean"),
        ({"$select": "sum(name)"}, "query.soql."),
    ],
)
def test_bad_queries_are_400_json(dataset, params, code):
    r = get(f"/resource/{dataset.id}.json", params)
    assert r.status_code == 400, body(r)
    err = r.json()
    assert err["error"] is True and err["code"].startswith(code) and err["errorCode"] == err["code"]
    assert err["message"] and isinstance(err["data"], dict)


def test_soql_error_has_position(dataset):
    err = get(f"/resource/{dataset.id}.json", {"$where": "amount > > 3"}).json()
    assert "position" in err["data"]


def test_unknown_dataset_is_404():
    for path in (
        "/resource/zzzz-9999.json",
        "/resource/zzzz-9999.csv",
        "/resource/zzzz-9999/x.json",
        "/resource/nope.json",
    ):
        r = get(path)
        assert r.status_code == 404 and r.json()["code"] == "soda.dataset.not-found"


def test_app_tokens_and_throttling(dataset, publisher):
    from openborough.accounts.models import AppToken

    tok = AppToken.objects.create(name="app", owner=publisher)
    url = f"/resource/{dataset.id}.json"
    assert get(url, {"$$app_token": "bogus"}).status_code == 403
    with override_settings(OPENBOROUGH_SODA_ANON_RATE=3, OPENBOROUGH_SODA_TOKEN_RATE=5):
        codes = [get(url, {"$limit": 1}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = get(url, {"$limit": 1})
        assert r.status_code == 429 and int(r["Retry-After"]) >= 1 and r.json()["code"] == "too_many_requests"
        # a token holder has their own, larger allowance
        codes = [get(url, {"$limit": 1}, HTTP_X_APP_TOKEN=tok.token).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        assert get(url, {"$limit": 1, "$$app_token": tok.token}).status_code == 429


def test_export_streams_every_row(db):
    from .conftest import make_dataset

    ds = make_dataset("Export", rows=3000)
    r = get(f"/api/views/{ds.id}/rows.csv", {"accessType": "DOWNLOAD"})
    assert r.streaming and r["Content-Type"] == "text/csv; charset=utf-8"
    assert body(r).count(b"\n") == 3001


def test_rsocrata_request_sequence(db, publisher):
    """read.socrata(): CSV with $order=:id, first page at the server default, then
    $limit=50000 pages until an empty one; types from X-SODA2-Types."""
    from openborough.accounts.models import AppToken

    from .conftest import make_dataset

    ds = make_dataset("Paged", rows=2300)
    token = AppToken.objects.create(name="r", owner=publisher).token
    url = f"/resource/{ds.id}.csv"
    got = []
    r = get(url, {"$order": ":id", "$$app_token": token})
    assert r.status_code == 200
    types = dict(zip(json.loads(r["x-soda2-fields"]), json.loads(r["x-soda2-types"]), strict=True))
    assert types["issued"] == "floating_timestamp"
    page = list(csv.reader(io.StringIO(body(r).decode())))
    got += page[1:]
    while True:
        r = get(url, {"$order": ":id", "$limit": 50000, "$offset": len(got), "$$app_token": token})
        page = list(csv.reader(io.StringIO(body(r).decode())))[1:]
        if not page:
            break
        got += page
    assert len(got) == 2300 and len({row[0] for row in got}) == 2300


def test_soda_java_conventions(dataset):
    """soda-java appends $$version=2.0, uses $query and sends its own request id."""
    r = get(f"/resource/{dataset.id}", {"$query": "SELECT name ORDER BY name LIMIT 1", "$$version": "2.0"},
            HTTP_X_SOCRATA_REQUESTID="java-123")  # fmt: skip
    assert r.status_code == 200 and json.loads(body(r)) == [{"name": "item 0"}]
    assert r["X-Socrata-RequestId"] == "java-123"


def test_head(dataset):
    r = Client().head(f"/resource/{dataset.id}.json")
    assert r.status_code == 200 and r["X-SODA2-Fields"] and not body(r)


def test_a_spoofed_x_forwarded_for_does_not_bypass_the_rate_limit(dataset):
    url = f"/resource/{dataset.id}.json"
    with override_settings(OPENBOROUGH_SODA_ANON_RATE=3):
        codes = [get(url, {"$limit": 1}, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
