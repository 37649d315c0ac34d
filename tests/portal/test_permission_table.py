"""Permissions as a table: role × route × method → allowed? Anonymous callers
are sent to sign in (pages) or get 401 (API); signed-in users below the route's
role get 403; the rest get through."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from openborough.accounts.models import User

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "publisher", "admin"]
RANK = {r: i for i, r in enumerate(ROLES)}
PASSWORD = "table of permissions 1"

#: (method, path, least role that may, how an anonymous caller is refused)
TABLE = [
    ("GET", "/", "anonymous", None),
    ("GET", "/datasets/{pub}/", "anonymous", None),
    ("GET", "/datasets/{priv}/", "viewer", 404),
    ("GET", "/resource/{priv}.json", "viewer", 404),
    ("GET", "/api/views/{priv}.json", "viewer", 404),
    ("GET", "/staff/", "viewer", 302),
    ("GET", "/staff/audit", "viewer", 302),
    ("GET", "/staff/tokens", "viewer", 302),
    ("GET", "/staff/datasets/{priv}/", "viewer", 302),
    ("GET", "/staff/publish", "publisher", 302),
    ("GET", "/staff/datasets/{pub}/edit", "publisher", 302),
    ("GET", "/staff/users", "admin", 302),
    ("POST", "/resource/{pub}.json", "publisher", 401),
    ("DELETE", "/resource/{pub}/item 1.json", "publisher", 401),
    ("PUT", "/api/views/{pub}.json?method=setPermission&value=public.read", "publisher", 401),
    ("DELETE", "/api/views/{pub}.json", "publisher", 401),
]


@pytest.fixture
def world(db):
    from openborough.catalog.publishing import set_visibility
    from tests.soda.conftest import make_dataset

    for role in ROLES[1:]:
        User.objects.create_user(role, password=PASSWORD, role=role)
    pub = make_dataset("Public one")
    priv = make_dataset("Private one")
    set_visibility(priv, "private", exemption="s40", reason="personal data", actor="test")
    return {"pub": pub.id, "priv": priv.id}


def _call(role, method, path):
    c = Client()
    extra = {}
    api = path.startswith(("/resource/", "/api/"))
    if role != "anonymous":
        if api:
            extra["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(f"{role}:{PASSWORD}".encode()).decode()
        else:
            c.force_login(User.objects.get(username=role))
    body = json.dumps([{"name": "item 9", "amount": 1}]) if method == "POST" else ""
    return c.generic(method, path, body, content_type="application/json", **extra)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, least, anon_refusal", TABLE, ids=[f"{m} {p}" for m, p, _, _ in TABLE])
def test_permission_table(world, role, method, path, least, anon_refusal):
    r = _call(role, method, path.format(**world))
    allowed = RANK[role] >= RANK[least]
    if allowed:
        assert r.status_code in (200, 302 if method == "POST" else 200), (role, method, path, r.status_code)
        if r.status_code == 302:
            assert "/staff/sign-in" not in r["Location"]
    elif role == "anonymous":
        assert r.status_code == anon_refusal, (role, method, path, r.status_code)
    else:
        assert r.status_code in (403, 404), (role, method, path, r.status_code)
