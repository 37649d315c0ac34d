"""Security headers on every page and API response, and no inline script or
style in any template (so the Content-Security-Policy needs no unsafe-inline)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.live import LiveServer, clean_env, cli

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
PATHS = ["/", "/datasets/", "/staff/sign-in", "/requests/", "/requests/foi/dashboard/", "/transparency/",
         "/api/views.json", "/api/catalog/v1", "/resource/zzzz-9999.json", "/data.json", "/no/such/page",
         "/requests/api/v1/requests"]  # fmt: skip


def _csp(value: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in value.split(";")) if d}


@pytest.mark.parametrize("path", PATHS)
def test_headers_on_every_response(client, path):
    r = client.get(path)
    assert r.status_code < 500, path
    csp = _csp(r["Content-Security-Policy"])
    assert "'unsafe-inline'" not in r["Content-Security-Policy"] and "'unsafe-eval'" not in r["Content-Security-Policy"]
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in r["Permissions-Policy"] and "geolocation=()" in r["Permissions-Policy"]
    assert "Strict-Transport-Security" not in r  # plain http: no HSTS


def _policy_with(tmp_path, **env) -> dict:
    """The CSP directives settings build for this environment (read in a fresh process)."""
    import json
    import subprocess
    import sys

    from tests.live import clean_env

    code = ("import json, django; from django.conf import settings; django.setup(); "
            "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
                         env=clean_env(DJANGO_SETTINGS_MODULE="openborough.settings",
                                       OPENBOROUGH_DATA_DIR=str(tmp_path), **env))  # fmt: skip
    return json.loads(out.stdout)


def test_map_tiles_host_is_allowed_for_images(tmp_path):
    default = _policy_with(tmp_path)
    assert default["img-src"] == ["'self'", "data:"]  # by default nothing leaves the portal (packaged basemap)
    tiles = _policy_with(tmp_path, OPENBOROUGH_MAP_TILE_URL="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                         OPENBOROUGH_MAP_BASEMAP_URL="https://maps.example.gov.uk/basemap.geojson")  # fmt: skip
    assert "https://tile.openstreetmap.org" in tiles["img-src"]
    assert "https://maps.example.gov.uk" in tiles["connect-src"]


def test_hsts_and_secure_cookies_behind_tls(tmp_path):
    """OPENBOROUGH_TLS=1 behind a proxy that sets X-Forwarded-Proto: HSTS, Secure cookies."""
    data = tmp_path / "data"
    env = clean_env(OPENBOROUGH_TLS="1")
    cli(data, "user", "add", "tls-user", "--password", "a password for tls", "--role", "viewer", env=env)
    srv = LiveServer(data, env=env, workers=1, threads=2)
    try:
        import requests

        s = requests.Session()
        https = {"X-Forwarded-Proto": "https"}
        r = s.get(srv.url + "/staff/sign-in", headers=https, timeout=30)
        assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "Secure" in r.headers["Set-Cookie"] and "csrftoken" in r.headers["Set-Cookie"]
        token = s.cookies["csrftoken"]  # (a Secure cookie: requests sends it only to https URLs, so by hand)
        origin = f"https://127.0.0.1:{srv.port}"
        r = requests.post(srv.url + "/staff/sign-in",
                          headers={**https, "Origin": origin, "Referer": origin + "/staff/sign-in",
                                   "Cookie": f"csrftoken={token}"},
                          data={"username": "tls-user", "password": "a password for tls", "csrfmiddlewaretoken": token},
                          allow_redirects=False, timeout=30)  # fmt: skip
        assert r.status_code == 302, r.text[:500]
        session = [c for c in r.raw.headers.getlist("Set-Cookie") if c.startswith("sessionid=")]
        assert session and "Secure" in session[0] and "HttpOnly" in session[0]
        plain = requests.get(srv.url + "/", timeout=30)  # without the proxy's header: no HSTS over http
        assert "Strict-Transport-Security" not in plain.headers
    finally:
        srv.stop()


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
FORBIDDEN = [
    ("inline <script>", INLINE_SCRIPT),
    ("<style> element", re.compile(r"<style\b", re.I)),
    ("style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("event-handler attribute", re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
]
#: rendered to PDF by WeasyPrint, never served as a page
NOT_SERVED = {"openborough/standards/templates/standards/report_pdf.html"}


def test_no_template_has_inline_script_or_style():
    found = []
    for path in sorted((REPO / "openborough").rglob("templates/**/*.html")):
        rel = str(path.relative_to(REPO))
        if rel in NOT_SERVED:
            continue
        text = path.read_text()
        found += [f"{rel}: {what}" for what, rx in FORBIDDEN if rx.search(text)]
    assert found == []


def test_no_python_made_markup_has_style_attributes():
    found = []
    for path in sorted((REPO / "openborough").rglob("*.py")):
        text = path.read_text()
        if re.search(r"""\bstyle=['"\\{]""", text) or "<style" in text or re.search(r"<script>", text):
            found.append(str(path.relative_to(REPO)))
    assert found == []


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def test_every_post_form_carries_a_csrf_token():
    missing = []
    for path in sorted((REPO / "openborough").rglob("templates/**/*.html")):
        for attrs, inner in FORM.findall(path.read_text()):
            if re.search(r'method\s*=\s*"post"', attrs, re.I) and "{% csrf_token %}" not in inner:
                missing.append(f"{path.relative_to(REPO)}: <form{attrs}>")
    assert missing == []


@pytest.mark.parametrize("path", ["/staff/sign-in", "/staff/sign-out", "/staff/users", "/staff/publish",
                                  "/staff/tokens", "/requests/new/", "/requests/foi/new/"])  # fmt: skip
def test_posts_without_the_csrf_token_are_refused(django_user_model, path):
    admin = django_user_model.objects.create_user("root", password="admin password 1", role="admin")
    c = Client(enforce_csrf_checks=True)
    c.force_login(admin)
    r = c.post(path, {"username": "x", "password": "y", "title": "t", "description": "d"})
    assert r.status_code == 403, (path, r.status_code)
