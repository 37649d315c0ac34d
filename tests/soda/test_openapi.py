"""The OpenAPI description covers every SODA route."""

from __future__ import annotations

from django.test import Client

from openborough.soda import urls
from openborough.soda.openapi import DOC


def test_every_route_is_described():
    described = {op["x-route"] for item in DOC["paths"].values() for op in item.values()}
    routes = {p.name for p in urls.urlpatterns}
    assert routes - described == set()
    assert described - routes == set()


def test_served(db, settings):
    settings.ROOT_URLCONF = "tests.soda.urls"
    r = Client().get("/api/openapi.json")
    assert r.status_code == 200 and r.json()["openapi"].startswith("3.")
    assert "/resource/{dataset_id}.{ext}" in r.json()["paths"]
