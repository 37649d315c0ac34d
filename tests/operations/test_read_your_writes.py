"""Without read replicas the read-your-writes middleware stays out of the way (no cookie)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_no_replicas_no_primary_cookie():
    from openborough.operations.replicas import COOKIE

    r = Client().post("/staff/sign-in", {"username": "nobody", "password": "not the password at all"})
    assert r.status_code in (200, 302, 403, 429)
    assert COOKIE not in r.cookies
