"""/api/views: metadata in Socrata's view shape, create, publish, permissions, delete."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from openborough.catalog.models import AuditEntry, Dataset

pytestmark = pytest.mark.django_db


def test_metadata_shape(dataset):
    r = Client().get(f"/api/views/{dataset.id}.json")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json;charset=utf-8"
    v = r.json()
    assert v["id"] == dataset.id and v["name"] == "Parking fines"
    for key in ("createdAt", "rowsUpdatedAt", "viewLastModified", "indexUpdatedAt"):
        assert isinstance(v[key], int) and v[key] > 1_500_000_000
    assert v["publicationStage"] == "published"
    assert v["metadata"]["rowIdentifier"] == "name"
    cols = {c["fieldName"]: c for c in v["columns"]}
    assert [c["position"] for c in v["columns"]] == [1, 2, 3, 4, 5]
    assert cols["issued"]["dataTypeName"] == "calendar_date"
    assert cols["paid"]["dataTypeName"] == "checkbox"
    assert cols["amount"]["name"] == "Amount"
    assert v["rowIdentifierColumnId"] == cols["name"]["id"]
    # same answer without the extension
    assert Client().get(f"/api/views/{dataset.id}").json()["id"] == dataset.id


def test_cached_contents(dataset):
    v = Client().get(f"/api/views/{dataset.id}.json").json()
    cols = {c["fieldName"]: c for c in v["columns"]}
    amount = cols["amount"]["cachedContents"]
    assert amount["non_null"] == "5" and amount["null"] == "0"
    assert amount["smallest"] == "0" and amount["largest"] == "6"
    assert cols["location"]["cachedContents"]["null"] == "2"
    assert cols["paid"]["cachedContents"]["top"] == [{"item": True, "count": "3"}, {"item": False, "count": "2"}]
    assert len(cols["name"]["cachedContents"]["top"]) == 5


def test_unknown_view_is_404():
    r = Client().get("/api/views/zzzz-9999.json")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] is True and body["code"] == "soda.dataset.not-found" and "zzzz-9999" in body["message"]
    assert Client().get("/api/views/not-an-id.json").status_code == 404


def test_create_publish_permission_update_delete(pub_auth):
    c = Client()
    body = {
        "name": "Bins",
        "description": "Bin collections",
        "category": "Environment",
        "tags": ["Waste", "bins"],
        "columns": [
            {"fieldName": "uprn", "name": "UPRN", "dataTypeName": "text"},
            {"fieldName": "day", "name": "Day", "dataTypeName": "calendar_date"},
            {"fieldName": "weight", "name": "Weight", "dataTypeName": "number"},
        ],
        "metadata": {"rowIdentifier": "uprn"},
    }
    r = c.post("/api/views.json", data=json.dumps(body), content_type="application/json", **pub_auth)
    assert r.status_code == 200, r.content
    v = r.json()
    assert len(v["id"]) == 9 and v["publicationStage"] == "unpublished"
    assert [col["fieldName"] for col in v["columns"]] == ["uprn", "day", "weight"]
    assert v["tags"] == ["bins", "waste"]
    ds_id = v["id"]
    # unpublished: invisible to anonymous callers
    assert c.get(f"/api/views/{ds_id}.json").status_code == 404
    assert c.get(f"/api/views/{ds_id}.json", **pub_auth).status_code == 200
    r = c.post(f"/api/views/{ds_id}/publication.json", **pub_auth)
    assert r.status_code == 200 and r.json()["publicationStage"] == "published"
    assert c.get(f"/api/views/{ds_id}.json").status_code == 200
    # private needs an exemption: refused without one, with a message
    r = c.put(f"/api/views/{ds_id}.json?method=setPermission&value=private", **pub_auth)
    assert r.status_code == 400 and "exemption" in r.json()["message"]
    r = c.put(
        f"/api/views/{ds_id}.json?method=setPermission&value=private&exemption=s40&reason=addresses"
        "&review_date=2027-01-31",
        **pub_auth,
    )
    assert r.status_code == 200
    ds = Dataset.objects.get(pk=ds_id)
    assert (ds.visibility, ds.exemption, ds.exemption_reason, str(ds.exemption_review_date)) == (
        "private",
        "s40",
        "addresses",
        "2027-01-31",
    )
    assert c.get(f"/api/views/{ds_id}.json").status_code == 404
    r = c.put(f"/api/views/{ds_id}.json?method=setPermission&value=public.read", **pub_auth)
    assert r.status_code == 200 and Dataset.objects.get(pk=ds_id).visibility == "public"
    # metadata update answers the whole view
    r = c.put(f"/api/views/{ds_id}.json", data=json.dumps({"description": "Weekly", "licenseId": "CC0_10"}), **pub_auth)
    assert r.status_code == 200 and r.json()["description"] == "Weekly" and r.json()["licenseId"] == "CC0_10"
    # a round trip of the whole view is accepted (read-only keys ignored)
    full = c.get(f"/api/views/{ds_id}.json").json()
    full["name"] = "Bin collections"
    r = c.put(f"/api/views/{ds_id}.json", data=json.dumps(full), content_type="application/json", **pub_auth)
    assert r.status_code == 200 and r.json()["name"] == "Bin collections"
    r = c.put(f"/api/views/{ds_id}.json", data=json.dumps({"nonsense": 1}), **pub_auth)
    assert r.status_code == 400 and "nonsense" in r.json()["message"]
    actions = set(AuditEntry.objects.filter(dataset_id=ds_id).values_list("action", flat=True))
    assert {"publish", "publication", "visibility", "metadata"} <= actions
    r = c.delete(f"/api/views/{ds_id}.json", **pub_auth)
    assert r.status_code == 200
    assert not Dataset.objects.filter(pk=ds_id).exists()
    assert c.get(f"/api/views/{ds_id}.json", **pub_auth).status_code == 404


def test_create_rejects_bad_input(pub_auth):
    c = Client()
    bad = [
        ({"columns": []}, "name"),
        ({"name": "x", "columns": [{"fieldName": "a", "dataTypeName": "wibble"}]}, "wibble"),
        ({"name": "x", "columns": [{"fieldName": "Bad Name", "dataTypeName": "text"}]}, "field name"),
        ({"name": "x", "columns": [{"fieldName": "a"}], "metadata": {"rowIdentifier": "b"}}, "row identifier"),
    ]
    for body, word in bad:
        r = c.post("/api/views.json", data=json.dumps(body), content_type="application/json", **pub_auth)
        assert r.status_code == 400, (body, r.content)
        assert word in r.json()["message"].lower(), r.json()
    r = c.post("/api/views.json", data=b"{not json", content_type="application/json", **pub_auth)
    assert r.status_code == 400 and r.json()["code"] == "req.body.malformed-json"


def test_writes_need_a_publisher(dataset, viewer_auth):
    c = Client()
    r = c.post("/api/views.json", data=json.dumps({"name": "x"}), content_type="application/json")
    assert r.status_code == 401 and r.json()["error"] is True and "WWW-Authenticate" in r
    r = c.post("/api/views.json", data=json.dumps({"name": "x"}), content_type="application/json", **viewer_auth)
    assert r.status_code == 403
    from .conftest import basic

    r = c.delete(f"/api/views/{dataset.id}.json", HTTP_AUTHORIZATION=basic("pub", "wrong"))
    assert r.status_code == 401
    assert Dataset.objects.filter(pk=dataset.id).exists()


def test_api_key_and_oauth(dataset, publisher):
    from openborough.accounts.models import ApiKey

    from .conftest import basic

    key, secret = ApiKey.issue(publisher, "ci")
    c = Client()
    r = c.get("/api/users/current.json", HTTP_AUTHORIZATION=basic(key.key_id, secret))
    assert r.status_code == 200 and r.json()["screenName"] == "pub"
    r = c.get("/api/users/current.json", HTTP_AUTHORIZATION=f"OAuth {secret}")
    assert r.status_code == 200 and r.json()["roleName"] == "publisher"
    assert c.get("/api/users/current.json", HTTP_AUTHORIZATION="OAuth nope").status_code == 401
    assert c.get("/api/users/current.json").status_code == 401
    assert c.get("/api/users/current.json", HTTP_AUTHORIZATION="Basic !!!").status_code == 401
    key.active = False
    key.save()
    assert c.get("/api/users/current.json", HTTP_AUTHORIZATION=f"OAuth {secret}").status_code == 401
    # a revoked key stops working at once, even though the pair was verified moments ago
    assert c.get("/api/users/current.json", HTTP_AUTHORIZATION=basic(key.key_id, secret)).status_code == 401
    # and so does a changed password
    assert c.get("/api/users/current.json", HTTP_AUTHORIZATION=basic("pub", "pw-pub")).status_code == 200
    publisher.set_password("new-pw")
    publisher.save()
    assert c.get("/api/users/current.json", HTTP_AUTHORIZATION=basic("pub", "pw-pub")).status_code == 401


def test_session_writes_need_csrf(dataset, publisher):
    c = Client(enforce_csrf_checks=True)
    c.force_login(publisher)
    r = c.put(f"/api/views/{dataset.id}.json", data=json.dumps({"description": "x"}))
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    # reads with the session are fine
    assert c.get(f"/api/views/{dataset.id}.json").status_code == 200


def test_views_listing_hides_private(dataset, private_dataset):
    ids = {v["id"] for v in Client().get("/api/views.json").json()}
    assert dataset.id in ids and private_dataset.id not in ids
