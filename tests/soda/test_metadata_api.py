"""Socrata's Metadata API, /views/{id}.json and /api/views/{id}/columns.json."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client

from .conftest import make_dataset

pytestmark = pytest.mark.django_db
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_metadata_of_one_dataset(db):
    ds = make_dataset(
        "Parking fines", contact_email="data@camden.example", update_frequency="monthly", description="PCNs"
    )
    r = Client().get(f"/api/views/metadata/v1/{ds.id}", HTTP_HOST="data.camden.example")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert int(r["Content-Length"]) == len(r.content)
    m = r.json()
    assert m["id"] == ds.id and m["name"] == "Parking fines" and m["description"] == "PCNs"
    for key in ("createdAt", "dataUpdatedAt", "metadataUpdatedAt"):
        assert ISO_Z.match(m[key]), (key, m[key])
    ds.refresh_from_db()
    assert m["dataUpdatedAt"] == ds.data_updated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    assert m["domain"] == "data.camden.example"
    assert m["dataUri"] == f"http://data.camden.example/resource/{ds.id}"
    assert m["webUri"].startswith("http://data.camden.example/")
    # a dataset naming no publisher is the council's own (OPENBOROUGH_ORGANISATION)
    assert m["customFields"] == {
        "Open data": {
            "Organisation": settings.OPENBOROUGH_DEFAULT_ORGANISATION,
            "Contact email": "data@camden.example",
            "Update frequency": "monthly",
        }
    }
    assert m["category"] == "Transport" and m["tags"] == ["parking"] and m["licenseId"]


def test_metadata_list_pages(db):
    for i in range(5):
        make_dataset(f"Set {i}")
    c = Client()
    everything = c.get("/api/views/metadata/v1").json()
    assert [m["name"] for m in everything] == [f"Set {i}" for i in range(5)]
    page2 = c.get("/api/views/metadata/v1", {"limit": 2, "page": 2}).json()
    assert [m["name"] for m in page2] == ["Set 2", "Set 3"]
    assert [m["name"] for m in c.get("/api/views/metadata/v1", {"limit": 2, "offset": 3}).json()] == ["Set 3", "Set 4"]
    for bad in ({"limit": "x"}, {"limit": 0}, {"limit": 5000}, {"page": 0}, {"offset": -1}):
        r = c.get("/api/views/metadata/v1", bad)
        assert r.status_code == 400 and r.json()["error"] is True, bad


def test_private_datasets_stay_invisible(private_dataset, dataset, pub_auth):
    c = Client()
    for path in (
        f"/api/views/metadata/v1/{private_dataset.id}",
        f"/views/{private_dataset.id}.json",
        f"/api/views/{private_dataset.id}/columns.json",
    ):
        r = c.get(path)
        assert r.status_code == 404 and r.json()["code"] == "soda.dataset.not-found", path
        assert c.get(path, **pub_auth).status_code == 200, path
    listed = [m["id"] for m in c.get("/api/views/metadata/v1").json()]
    assert listed == [dataset.id]
    assert private_dataset.id in [m["id"] for m in c.get("/api/views/metadata/v1", **pub_auth).json()]
    assert c.get("/api/views/metadata/v1/zzzz-zzzz").status_code == 404


def test_views_alias_and_columns(dataset):
    c = Client()
    assert c.get(f"/views/{dataset.id}.json").json() == c.get(f"/api/views/{dataset.id}.json").json()
    cols = c.get(f"/api/views/{dataset.id}/columns.json").json()
    assert [x["fieldName"] for x in cols] == ["name", "amount", "issued", "paid", "location"]
    assert [x["dataTypeName"] for x in cols] == ["text", "number", "calendar_date", "checkbox", "point"]
    assert cols[1]["cachedContents"]["largest"] == "6"
    assert c.get(f"/api/views/{dataset.id}/columns").json() == cols


def test_metadata_is_read_only_here(dataset, pub_auth):
    r = Client().patch(f"/api/views/metadata/v1/{dataset.id}", "{}", content_type="application/json", **pub_auth)
    assert r.status_code == 405 and r.json()["error"] is True
