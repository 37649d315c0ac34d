"""The JSON API: list, detail, create, vote, follow."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from openborough.requests_foi.models import DatasetRequest, Follower

pytestmark = pytest.mark.django_db


def post(client, url, body, content_type="application/json"):
    return client.post(url, json.dumps(body) if content_type == "application/json" else body, content_type=content_type)


def test_create_list_detail_vote_follow(client):
    r = post(
        client,
        "/requests/api/v1/requests",
        {"title": "Tree survey", "description": "All street trees", "email": "a@example.org"},
    )
    assert r.status_code == 201
    created = r.json()["result"]
    rid = created["id"]
    assert created["status"] == "submitted" and created["closed"] is False and created["followers"] == 1
    assert r["Location"].endswith(f"/requests/{rid}/")
    assert len(mail.outbox) == 1 and f"/requests/{rid}/" in mail.outbox[0].body

    resp = client.get("/requests/api/v1/requests?status=submitted")
    assert resp["Access-Control-Allow-Origin"] == "*"
    listing = resp.json()
    assert listing["count"] == 1 and listing["result"][0]["title"] == "Tree survey"
    assert client.get("/requests/api/v1/requests?status=nonsense").status_code == 400
    assert client.get("/requests/api/v1/requests?limit=0").status_code == 400

    v = post(client, f"/requests/api/v1/requests/{rid}/vote", {})
    assert v.json() == {"success": True, "changed": True, "voted": True, "votes": 1}
    v = post(client, f"/requests/api/v1/requests/{rid}/vote", {})
    assert v.json()["changed"] is False and v.json()["votes"] == 1
    v = post(client, f"/requests/api/v1/requests/{rid}/vote", {"vote": False})
    assert v.json()["votes"] == 0
    assert post(Client(), f"/requests/api/v1/requests/{rid}/vote", {"vote": "yes"}).status_code == 400

    f = post(client, f"/requests/api/v1/requests/{rid}/follow", {"email": "b@example.org"})
    assert f.status_code == 200 and f.json()["confirmed"] is False
    assert Follower.objects.filter(email="b@example.org", confirmed_at=None).exists()
    assert post(client, f"/requests/api/v1/requests/{rid}/follow", {"email": "nope"}).status_code == 400

    detail = client.get(f"/requests/api/v1/requests/{rid}").json()["result"]
    assert detail["followers"] == 2 and "email" not in json.dumps(detail)


def test_api_errors_are_clear(client):
    assert client.get("/requests/api/v1/requests/999").status_code == 404
    r = post(client, "/requests/api/v1/requests", "title=x", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    r = client.post("/requests/api/v1/requests", "{not json", content_type="application/json")
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]["message"]
    r = post(client, "/requests/api/v1/requests", {"title": ""})
    assert r.status_code == 400 and set(r.json()["error"]["fields"]) == {"title", "description"}
    r = post(client, "/requests/api/v1/requests", ["a list"])
    assert r.status_code == 400
    assert not DatasetRequest.objects.exists()


def test_openapi_fragment_describes_the_paths(client):
    doc = client.get("/requests/api/openapi.json").json()
    assert set(doc["paths"]) == {
        "/requests/api/v1/requests",
        "/requests/api/v1/requests/{id}",
        "/requests/api/v1/requests/{id}/vote",
        "/requests/api/v1/requests/{id}/follow",
    }
