"""HTTP details clients depend on: Content-Length on small answers and on HEAD
(the same as GET's), Range, JSON 404s for unknown /api paths, Socrata's type
names in headers and the catalogue, X-SODA2-Secondary-Last-Modified."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from .conftest import make_dataset

pytestmark = pytest.mark.django_db


def _body(r) -> bytes:
    return b"".join(r.streaming_content) if r.streaming else r.content


@pytest.mark.parametrize("ext", ["json", "csv", "geojson"])
def test_small_answer_has_content_length_and_head_agrees(dataset, ext):
    c = Client()
    r = c.get(f"/resource/{dataset.id}.{ext}", {"$order": "name"})
    assert r.status_code == 200 and not r.streaming
    assert int(r["Content-Length"]) == len(r.content) > 0
    h = c.head(f"/resource/{dataset.id}.{ext}", {"$order": "name"})
    assert h.status_code == 200 and h.content == b""
    assert h["Content-Length"] == r["Content-Length"]
    assert h["Content-Type"] == r["Content-Type"] and h["ETag"] == r["ETag"]


def test_large_answer_streams_and_head_measures_it(db):
    ds = make_dataset("Big", rows=3000)
    c = Client()
    params = {"$limit": "5000", "$order": ":id"}
    h = c.head(f"/resource/{ds.id}.geojson", params)  # measured before any GET
    r = c.get(f"/resource/{ds.id}.geojson", params)
    assert r.streaming
    body = _body(r)
    assert int(h["Content-Length"]) == len(body) > 64 * 1024
    assert r["Content-Length"] == h["Content-Length"]  # known now, so GET says it too
    assert len(json.loads(body)["features"]) == 3000
    # another query is another length
    h2 = c.head(f"/resource/{ds.id}.geojson", {"$limit": "10"})
    assert int(h2["Content-Length"]) < int(h["Content-Length"])


def test_range_requests(db):
    ds = make_dataset("Big", rows=3000)
    c = Client()
    url = f"/resource/{ds.id}.csv"
    params = {"$limit": "5000", "$order": ":id"}
    whole = _body(c.get(url, params))
    r = c.get(url, params, HTTP_RANGE="bytes=100000-100099")
    assert r.status_code == 206 and r["Content-Range"] == f"bytes 100000-100099/{len(whole)}"
    assert _body(r) == whole[100000:100100] and r["Content-Length"] == "100"
    r = c.get(url, params, HTTP_RANGE="bytes=-50")
    assert r.status_code == 206 and _body(r) == whole[-50:]
    r = c.get(url, params, HTTP_RANGE=f"bytes={len(whole) - 10}-")
    assert _body(r) == whole[-10:]
    r = c.get(url, params, HTTP_RANGE=f"bytes={len(whole)}-")
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{len(whole)}"
    r = c.get(url, params, HTTP_RANGE="lines=1-2")  # not a byte range: the whole answer
    assert r.status_code == 200 and _body(r) == whole


@pytest.mark.parametrize(
    "path", ["/api/nope", "/api/views/abcd-1234/nothing.json", "/api/v9/whatever", "/api/", "/api/catalog/v2"]
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_paths_are_json_404(path, method):
    r = getattr(Client(), method)(path)
    assert r.status_code == 404
    assert r["Content-Type"].startswith("application/json")
    err = r.json()
    assert err["error"] is True and err["code"] == "not_found" and path in err["message"]
    assert r["Access-Control-Allow-Origin"] == "*"


def test_unknown_api_path_404_in_full_site(settings):
    settings.ROOT_URLCONF = "openborough.urls"
    r = Client().get("/api/no/such/thing.json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert int(r["Content-Length"]) == len(r.content)


def test_type_names_and_freshness_headers(dataset):
    r = Client().get(f"/resource/{dataset.id}.json", {"$select": ":id, name, paid, amount, issued"})
    assert json.loads(r["X-SODA2-Types"]) == ["row_identifier", "text", "boolean", "number", "floating_timestamp"]
    assert r["X-SODA2-Secondary-Last-Modified"] == r["X-SODA2-Truth-Last-Modified"] == r["Last-Modified"]
    assert "X-SODA2-Secondary-Last-Modified" in r["Access-Control-Expose-Headers"]


def test_catalog_columns_datatype_uses_display_names(dataset):
    r = Client().get("/api/catalog/v1", {"ids": dataset.id})
    res = r.json()["results"][0]["resource"]
    assert res["columns_datatype"] == ["Text", "Number", "Calendar date", "Checkbox", "Point"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/views/{id}.json",
        "/api/views/metadata/v1/{id}",
        "/api/views/{id}/columns.json",
        "/api/views/{id}/rows.csv",
        "/resource/{id}/item 1.json",
        "/api/catalog/v1",
    ],
)
def test_head_length_equals_get_everywhere(dataset, path):
    c = Client()
    url = path.format(id=dataset.id)
    g = c.get(url)
    h = c.head(url)
    assert g.status_code == h.status_code == 200 and h.content == b""
    assert h["Content-Length"] == str(len(_body(g)))


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_query_that_fails_on_the_data_is_a_400(dataset, method, monkeypatch):
    """A data error raised while reading the first rows (DuckDB evaluates lazily) is a JSON 400, not a 500."""
    import duckdb

    from openborough.soda import resource

    class Failing:
        def fetchmany(self, n):
            raise duckdb.ConversionException("Could not convert string 'x' to INT64")

        def close(self):
            pass

    monkeypatch.setattr(resource, "execute", lambda prep: Failing())
    r = getattr(Client(), method)(f"/resource/{dataset.id}.json", {"$limit": "3"})
    assert r.status_code == 400
    if method == "get":
        assert r.json()["code"] == "query.execution.failed"
