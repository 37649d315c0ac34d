"""Spam defence and escaping: throttling, honeypot, signed form token; markup in any field
is escaped in pages, emails, the JSON API and the open register."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.core import mail
from django.test import Client

from openborough.catalog.models import Dataset
from openborough.catalog.storage import get_store
from openborough.requests_foi import guard
from openborough.requests_foi.models import DatasetRequest
from openborough.requests_foi.register import REGISTER_ID

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_100_rapid_submissions_are_throttled(client, old_token, settings):
    settings.OPENBOROUGH_REQUESTS_PER_HOUR = 10
    codes = []
    for i in range(100):
        r = client.post(
            "/requests/new/",
            {"title": f"Flood {i}", "description": "spam", "form_token": old_token, "website": ""},
        )
        codes.append(r.status_code)
    assert codes[:10] == [302] * 10
    assert set(codes[10:]) == {429}
    assert DatasetRequest.objects.count() == 10
    # the refusal says why; another client is not affected
    r = client.post("/requests/new/", {"title": "x", "description": "y", "form_token": old_token})
    assert "Too many submissions" in r.content.decode()
    other = Client(REMOTE_ADDR="192.0.2.77")
    r = other.post("/requests/new/", {"title": "Fine", "description": "ok", "form_token": old_token})
    assert r.status_code == 302


def test_api_create_is_throttled_too(client, settings):
    settings.OPENBOROUGH_REQUESTS_PER_HOUR = 5
    codes = [
        client.post(
            "/requests/api/v1/requests",
            json.dumps({"title": f"t{i}", "description": "d"}),
            content_type="application/json",
        ).status_code
        for i in range(100)
    ]
    assert codes.count(201) == 5 and codes.count(429) == 95


def test_throttle_keys_hold_no_address(rf):
    req = rf.post("/requests/new/", REMOTE_ADDR="203.0.113.9")
    key = guard.client_key(req)
    assert "203.0.113.9" not in key and len(key) == 32


def test_honeypot_and_signed_token(client, old_token):
    r = client.post(
        "/requests/new/", {"title": "Bot", "description": "bot", "form_token": old_token, "website": "http://spam"}
    )
    assert r.status_code == 400 and "leave this empty" in r.content.decode()
    r = client.post("/requests/new/", {"title": "Forged", "description": "f", "form_token": "123.0"})
    assert r.status_code == 400 and "expired" in r.content.decode()
    r = client.post("/requests/new/", {"title": "No form", "description": "f"})
    assert r.status_code == 400 and "expired" in r.content.decode()
    stale = guard.form_token(time.time() - guard.MAX_FORM_AGE - 60)
    future = guard.form_token(time.time() + 3600)
    for token in (stale, future):
        r = client.post("/requests/new/", {"title": "Old", "description": "f", "form_token": token})
        assert r.status_code == 400 and "expired" in r.content.decode()
    assert not DatasetRequest.objects.exists()


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def test_a_fast_person_and_an_immediate_resend_are_accepted(client, settings):
    """No minimum fill time: a form sent back the moment it loads is a person pasting or typing fast."""
    settings.OPENBOROUGH_REQUESTS_PER_HOUR = 3
    token = _token(client.get("/requests/new/").content.decode())
    r = client.post("/requests/new/", {"title": "Tree survey", "description": "All street trees", "form_token": token})
    assert r.status_code == 302
    # a mistake, then the corrected form resent at once from the page that said what was wrong
    token = _token(client.get("/requests/new/").content.decode())
    bad = client.post("/requests/new/", {"title": "", "description": "Bins", "form_token": token})
    assert bad.status_code == 400
    again = client.post(
        "/requests/new/",
        {"title": "Bin collections", "description": "Bins", "form_token": _token(bad.content.decode())},
    )
    assert again.status_code == 302
    # forms refused for what they say are not counted: correcting a form never runs into the limit
    for _ in range(10):
        assert client.post("/requests/new/", {"title": "", "description": "x", "form_token": token}).status_code == 400
    r = client.post("/requests/new/", {"title": "Third", "description": "x", "form_token": token})
    assert r.status_code == 302
    r = client.post("/requests/new/", {"title": "Fourth", "description": "x", "form_token": token})
    assert r.status_code == 429
    assert DatasetRequest.objects.count() == 3


def test_markup_is_escaped_everywhere(client, staff_client, old_token):
    r = client.post(
        "/requests/new/",
        {
            "title": XSS,
            "description": XSS,
            "use": '=HYPERLINK("http://evil")',
            "email": "me@example.org",
            "form_token": old_token,
        },
    )
    assert r.status_code == 302
    req = DatasetRequest.objects.get()
    client.post(f"/requests/{req.pk}/comment/", {"comment": XSS, "name": XSS, "form_token": old_token})
    for url in (f"/requests/{req.pk}/", "/requests/", f"/requests/{req.pk}/sent/"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body, url
        if not url.endswith("/sent/"):
            assert "&lt;script&gt;" in body, url
    staff_body = staff_client.get(f"/requests/{req.pk}/manage/").content.decode()
    assert "<script>alert" not in staff_body
    # emails: subject, text and HTML parts
    client.post(re.search(r"http://testserver(/requests/confirm/[^/\s]+/)", mail.outbox[0].body).group(1))
    staff_client.post(f"/requests/{req.pk}/manage/", {"status": "under_review"})
    assert len(mail.outbox) == 2
    for m in mail.outbox:
        for part in (m.subject, m.body, m.alternatives[0][0]):
            assert "<script>" not in part and "<img src=x" not in part
    # JSON API: data as text (JSON escaping makes it inert); the register neutralises spreadsheet formulas
    data = client.get(f"/requests/api/v1/requests/{req.pk}").json()
    assert data["result"]["title"] == XSS
    ds = Dataset.objects.get(pk=REGISTER_ID)
    store = get_store()
    cur = store.execute(f"SELECT title, intended_use FROM {store.table(ds.id, ds.current_version).sql(store.dialect)}")
    ((title, use),) = list(cur)
    cur.close()
    assert title == XSS
    assert use == '\'=HYPERLINK("http://evil")'


def test_overlong_fields_are_refused(client, old_token):
    r = client.post("/requests/new/", {"title": "x" * 201, "description": "d", "form_token": old_token})
    assert r.status_code == 400 and "200 characters or fewer" in r.content.decode()
