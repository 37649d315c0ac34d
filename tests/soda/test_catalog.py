"""/api/catalog/v1 (Discovery API), its helpers, and /data.json."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import make_dataset

pytestmark = pytest.mark.django_db

DCAT_KEYS = {
    "issued", "modified", "keyword", "@type", "landingPage", "theme", "title", "accessLevel", "distribution",
    "description", "identifier", "publisher", "contactPoint", "license",
}  # fmt: skip


@pytest.fixture
def catalogue(db):
    made = [make_dataset(f"Dataset {i:02d}", rows=0, tags=("even" if i % 2 == 0 else "odd",),
                         category="Transport" if i < 5 else "Finance") for i in range(12)]  # fmt: skip
    return made


def _get(path, **params):
    r = Client().get(path, params)
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/json;charset=utf-8"
    return r.json()


def test_catalog_paging_is_consistent(catalogue):
    body = _get("/api/catalog/v1")
    assert body["resultSetSize"] == 12 and len(body["results"]) == 12
    seen = []
    for offset in range(0, 12, 5):
        page = _get("/api/catalog/v1", limit=5, offset=offset, order="name")
        assert page["resultSetSize"] == 12
        seen += [r["resource"]["id"] for r in page["results"]]
    assert len(seen) == 12 and len(set(seen)) == 12
    names = [r["resource"]["name"] for r in _get("/api/catalog/v1", order="name")["results"]]
    assert names == sorted(names)
    desc = [r["resource"]["name"] for r in _get("/api/catalog/v1", order="name DESC", limit=3)["results"]]
    assert desc == sorted(names, reverse=True)[:3]


def test_catalog_filters(catalogue):
    assert _get("/api/catalog/v1", categories="Finance")["resultSetSize"] == 7
    assert _get("/api/catalog/v1", tags="even")["resultSetSize"] == 6
    assert _get("/api/catalog/v1", tags="even", categories="Transport")["resultSetSize"] == 3
    ids = [catalogue[0].id, catalogue[3].id]
    got = _get("/api/catalog/v1", ids=ids)
    assert {r["resource"]["id"] for r in got["results"]} == set(ids) and got["resultSetSize"] == 2
    assert _get("/api/catalog/v1", q="Dataset 07")["results"][0]["resource"]["name"] == "Dataset 07"
    assert _get("/api/catalog/v1", domains="elsewhere.example")["resultSetSize"] == 0
    assert _get("/api/catalog/v1", domains="testserver")["resultSetSize"] == 12
    assert _get("/api/catalog/v1", only="dataset")["resultSetSize"] == 12
    assert _get("/api/catalog/v1", only="chart")["resultSetSize"] == 0


def test_catalog_result_shape(catalogue):
    item = _get("/api/catalog/v1", limit=1)["results"][0]
    res = item["resource"]
    assert res["type"] == "dataset" and res["updatedAt"].endswith("Z")
    assert res["columns_field_name"] == ["name", "amount", "issued", "paid", "location"]
    assert item["classification"]["domain_category"] in ("Transport", "Finance")
    assert item["metadata"]["domain"] == "testserver"
    assert item["permalink"].endswith("/d/" + res["id"])


def test_catalog_bad_requests(catalogue):
    c = Client()
    for params in ({"offset": 9950, "limit": 100}, {"limit": "ten"}, {"order": "colour"}, {"wibble": 1},
                   {"offset": -1}):  # fmt: skip
        r = c.get("/api/catalog/v1", params)
        assert r.status_code == 400, params
        assert r.json()["error"] is True and r.json()["message"]


def test_autocomplete_categories_tags(catalogue):
    ac = _get("/api/catalog/v1/autocomplete", q="Dataset 1")
    assert any(r["title"].startswith("Dataset 1") for r in ac["results"])
    assert Client().get("/api/catalog/v1/autocomplete").status_code == 400
    cats = {r["domain_category"]: r["count"] for r in _get("/api/catalog/v1/domain_categories")["results"]}
    assert cats == {"Transport": 5, "Finance": 7}
    tags = {r["domain_tag"]: r["count"] for r in _get("/api/catalog/v1/domain_tags")["results"]}
    assert tags == {"even": 6, "odd": 6}


def test_data_json(catalogue):
    body = _get("/data.json")
    for key in ("@context", "@id", "@type", "conformsTo", "describedBy", "dataset"):
        assert key in body
    assert len(body["dataset"]) == 12
    for d in body["dataset"]:
        assert set(d) == DCAT_KEYS
        assert d["accessLevel"] == "public"
        assert any(x["mediaType"] == "text/csv" for x in d["distribution"])
