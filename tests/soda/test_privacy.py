"""Private (exempt) and unpublished datasets never show to anonymous callers:
not in any read endpoint, the catalogue, data.json, or any count."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def _text(r) -> str:
    return (b"".join(r.streaming_content) if r.streaming else r.content).decode()


def _unpublished():
    from openborough.catalog.models import Dataset

    from .conftest import make_dataset

    ds = make_dataset("Draft quagga list", tags=("quaggadraft",), category="Draft category")
    Dataset.objects.filter(pk=ds.id).update(published=False)
    return Dataset.objects.get(pk=ds.id)


def test_hidden_everywhere_for_anonymous(dataset, private_dataset):
    draft = _unpublished()
    c = Client()
    for hidden in (private_dataset, draft):
        for path in (
            f"/resource/{hidden.id}.json",
            f"/resource/{hidden.id}.csv",
            f"/resource/{hidden.id}.geojson",
            f"/resource/{hidden.id}",
            f"/resource/{hidden.id}/item 1.json",
            f"/api/views/{hidden.id}.json",
            f"/api/views/{hidden.id}",
            f"/api/views/{hidden.id}/rows.csv",
            f"/api/id/{hidden.id}.json",
            f"/api/views/metadata/v1/{hidden.id}",
            f"/views/{hidden.id}.json",
            f"/api/views/{hidden.id}/columns.json",
        ):
            r = c.get(path)
            assert r.status_code == 404, path
            # indistinguishable from an unknown id
            assert r.json()["code"] == "soda.dataset.not-found"
        r = c.get(f"/resource/{hidden.id}.json", {"$select": "count(*)"})
        assert r.status_code == 404
    with override_settings(OPENBOROUGH_SODA3_REQUIRE_TOKEN=False):
        for hidden in (private_dataset, draft):
            for path in (f"/api/v3/views/{hidden.id}/query.json", f"/api/v3/views/{hidden.id}/export.csv"):
                for r in (c.get(path), c.post(path, "{}", content_type="application/json"), c.head(path)):
                    assert r.status_code == 404, path
    listings = [
        c.get("/api/views/metadata/v1"),
        c.get("/api/views.json"),
        c.get("/api/catalog/v1"),
        c.get("/api/catalog/v1", {"q": "zebra"}),
        c.get("/api/catalog/v1", {"q": "quagga"}),
        c.get("/api/catalog/v1", {"tags": "zebrasecret"}),
        c.get("/api/catalog/v1", {"ids": [private_dataset.id, draft.id]}),
        c.get("/api/catalog/v1", {"published": "false"}),
        c.get("/api/catalog/v1", {"public": "false"}),
        c.get("/api/catalog/v1/autocomplete", {"q": "Secret"}),
        c.get("/api/catalog/v1/autocomplete", {"q": "Draft"}),
        c.get("/api/catalog/v1/domain_categories"),
        c.get("/api/catalog/v1/domain_tags"),
        c.get("/data.json"),
    ]
    for r in listings:
        assert r.status_code == 200
        text = _text(r)
        for word in (private_dataset.id, draft.id, "zebra", "quagga", "Hidden category", "Draft category"):
            assert word not in text.lower() if word.islower() else word not in text, (
                r.wsgi_request.get_full_path(),
                word,
            )
    # counts: the catalogue total and facet counts leave them out too
    assert c.get("/api/catalog/v1").json()["resultSetSize"] == 1
    cats = c.get("/api/catalog/v1/domain_categories").json()["results"]
    assert cats == [{"domain_category": "Transport", "count": 1}]
    assert len(json.loads(_text(c.get("/data.json")))["dataset"]) == 1


def test_staff_see_private(private_dataset, viewer_auth):
    c = Client()
    assert c.get(f"/api/views/{private_dataset.id}.json", **viewer_auth).status_code == 200
    r = c.get(f"/resource/{private_dataset.id}.json", **viewer_auth)
    assert r.status_code == 200 and len(json.loads(_text(r))) == 5
    assert c.get("/api/catalog/v1", {"q": "zebra"}, **viewer_auth).json()["resultSetSize"] == 1
    # data.json is the public catalogue: never private datasets, whoever asks
    assert private_dataset.id not in _text(c.get("/data.json", **viewer_auth))
