"""Sign-in throttling and lockout (django-axes) for the staff form and the
SODA API's HTTP Basic, and Django's password validators on every path that
sets a password (the real CLI, the staff users page)."""

from __future__ import annotations

import base64

import pytest
from django.core.cache import caches
from django.test import Client

from openborough.accounts.models import ApiKey, User
from tests.live import cli

pytestmark = pytest.mark.django_db

LIMIT = 4


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.OPENBOROUGH_SODA_ANON_RATE = settings.OPENBOROUGH_SODA_TOKEN_RATE = 0
    for name in settings.CACHES:
        caches[name].clear()


@pytest.fixture
def alice(db):
    return User.objects.create_user("alice", password="correct horse battery", role="publisher")


def _basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def _me(ip, username, password, **extra):
    return Client(REMOTE_ADDR=ip).get("/api/users/current.json", **_basic(username, password), **extra)


def test_basic_auth_locks_out_a_guessing_client(alice):
    assert _me("10.0.0.1", "alice", "correct horse battery").status_code == 200
    for i in range(LIMIT - 1):
        r = _me("10.0.0.1", "alice", f"guess {i}")
        assert r.status_code == 401, r.content
    assert _me("10.0.0.1", "alice", "guess").status_code == 429  # the LIMIT-th failure locks out
    caches["default"].clear()  # (a pair verified before the lockout is remembered for a minute)
    r = _me("10.0.0.1", "alice", "correct horse battery")  # even the right password, until the cool-off ends
    assert r.status_code == 429
    body = r.json()
    assert body["error"] is True and body["code"] == body["errorCode"] == "too_many_failed_sign_ins"
    assert int(r["Retry-After"]) == 15 * 60
    # a spoofed X-Forwarded-For is not another client
    assert _me("10.0.0.1", "alice", "correct horse battery", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
    # another client is not locked out
    assert _me("10.0.0.2", "alice", "correct horse battery").status_code == 200


def test_many_usernames_from_one_client_are_locked_out_too(alice):
    for i in range(LIMIT - 1):
        assert _me("10.0.1.1", f"user{i}", "pw").status_code == 401
    assert _me("10.0.1.1", "bob", "pw").status_code == 429
    assert _me("10.0.1.1", "alice", "correct horse battery").status_code == 429


def test_api_key_use_is_never_a_failed_sign_in(alice):
    key, secret = ApiKey.issue(alice, "sync job")
    for _ in range(LIMIT * 3):
        caches["default"].clear()  # past the verified-credentials memo: verify each time
        assert _me("10.0.2.1", key.key_id, secret).status_code == 200
    for i in range(LIMIT - 1):  # a wrong key secret is a failed sign-in
        assert _me("10.0.2.1", key.key_id, f"wrong {i}").status_code == 401
    assert _me("10.0.2.1", key.key_id, "wrong").status_code == 429
    assert _me("10.0.2.1", "alice", "correct horse battery").status_code == 429


def test_form_sign_in_locks_out(alice):
    c = Client(REMOTE_ADDR="10.0.3.1")
    for i in range(LIMIT - 1):
        r = c.post("/staff/sign-in", {"username": "alice", "password": f"guess {i}"})
        assert r.status_code == 200 and "Enter a correct username and password" in r.content.decode()
    assert c.post("/staff/sign-in", {"username": "alice", "password": "guess"}).status_code == 429
    r = c.post("/staff/sign-in", {"username": "alice", "password": "correct horse battery"})
    assert r.status_code == 429
    assert "Too many failed sign-ins" in r.content.decode() and r["Retry-After"] == "900"
    assert "_auth_user_id" not in c.session
    ok = Client(REMOTE_ADDR="10.0.3.2").post("/staff/sign-in", {"username": "alice", "password": "correct horse battery"})
    assert ok.status_code == 302


def test_a_good_account_does_not_reset_the_count(alice):
    """A guesser holding one valid account cannot interleave sign-ins to keep guessing."""
    for i in range(LIMIT - 1):
        assert _me("10.0.4.1", "bob", f"guess {i}").status_code == 401
        caches["default"].clear()
        assert _me("10.0.4.1", "alice", "correct horse battery").status_code == 200
    assert _me("10.0.4.1", "bob", "guess").status_code == 429


@pytest.mark.parametrize(
    "password, why",
    [
        ("abcde", "too short"),
        ("password1234", "too common"),
        ("384729104857", "entirely numeric"),
        ("carol-the-clerk", "too similar"),
    ],
)
def test_cli_user_add_validates_the_password(tmp_path, password, why):
    out = cli(tmp_path / "data", "user", "add", "carol-the-clerk", "--password", password, check=False)
    assert out.returncode == 2, out.stdout + out.stderr
    assert why in out.stderr
    ok = cli(tmp_path / "data", "user", "add", "carol-the-clerk", "--password", "Tuesday spreadsheet 42")
    assert "added carol-the-clerk" in ok.stdout


def test_staff_users_page_validates_the_password(client, django_user_model):
    admin = django_user_model.objects.create_user("root", password="admin password 1", role="admin")
    client.force_login(admin)
    for password in ("password1234", "123456789012", "short"):
        r = client.post("/staff/users", {"username": "newbie", "role": "viewer", "password": password})
        assert r.status_code in (200, 400) and not User.objects.filter(username="newbie").exists()
    r = client.post("/staff/users", {"username": "newbie", "role": "viewer", "password": "seven blue herons"})
    assert r.status_code == 302 and User.objects.get(username="newbie").check_password("seven blue herons")


@pytest.mark.parametrize(
    "meta, expected",
    [
        ({"REMOTE_ADDR": "203.0.113.9"}, "203.0.113.9"),
        ({"REMOTE_ADDR": "::1"}, "::1"),
        ({}, "0.0.0.0"),  # an internal sign-in (Django's force_login): PostgreSQL's inet column needs an address
        ({"REMOTE_ADDR": "unknown"}, "0.0.0.0"),
    ],
)
def test_sign_in_records_always_get_a_valid_address(meta, expected):
    from django.http import HttpRequest

    from openborough.soda.throttle import client_ip_address

    request = HttpRequest()
    request.META.update(meta)
    assert client_ip_address(request) == expected


def test_a_forwarded_value_that_is_no_address_falls_back_to_the_peer(settings):
    from django.http import HttpRequest

    from openborough.soda.throttle import client_ip_address

    settings.OPENBOROUGH_SODA_TRUST_X_FORWARDED_FOR = True
    request = HttpRequest()
    request.META.update(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>, 1.2.3.4")
    assert client_ip_address(request) == "10.0.0.5"
    request.META["HTTP_X_FORWARDED_FOR"] = "198.51.100.7, 10.0.0.1"
    assert client_ip_address(request) == "198.51.100.7"
