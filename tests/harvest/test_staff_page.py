"""The staff page: start a harvest from the browser's form, watch its progress, read its report."""

from __future__ import annotations

import re
import time

import pytest
import requests

from tests.live import LiveServer, cli

from .fixture_server import FixtureServer


@pytest.fixture
def portal(tmp_path):
    data = tmp_path / "data"
    cli(data, "user", "add", "pat", "--password", "pw-pat-long-enough", "--role", "admin")
    cli(data, "user", "add", "pia", "--password", "pw-pia-long-enough", "--role", "publisher")
    server = LiveServer(data)
    yield server
    server.stop()


def signed_in(portal, who: str = "pat") -> requests.Session:
    s = requests.Session()
    page = s.get(portal.url + "/staff/sign-in", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    r = s.post(portal.url + "/staff/sign-in", data={"username": who, "password": f"pw-{who}-long-enough",
               "csrfmiddlewaretoken": token}, headers={"Referer": portal.url + "/staff/sign-in"}, timeout=30)  # fmt: skip
    assert r.status_code == 200 and "sign-in" not in r.url
    return s


def post_form(s, portal, **fields):
    page = s.get(portal.url + "/staff/harvest/", timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return s.post(portal.url + "/staff/harvest/", data={"csrfmiddlewaretoken": token, **fields},
                  headers={"Referer": portal.url + "/staff/harvest/"}, timeout=30)  # fmt: skip


def test_staff_start_and_watch_a_harvest(portal):
    ckan = FixtureServer("ckan")
    try:
        assert "/staff/sign-in" in requests.get(portal.url + "/staff/harvest/", timeout=30).url  # staff only
        # the server fetches what it is told to: administrators only, not every publisher
        assert signed_in(portal, "pia").get(portal.url + "/staff/harvest/", timeout=30).status_code == 403
        s = signed_in(portal)
        bad = post_form(s, portal, url="ftp://nowhere", kind="")
        assert bad.status_code == 400 and "starting http:// or https://" in bad.text
        r = post_form(s, portal, url=ckan.url, kind="ckan", ids="public-toilets")
        assert r.status_code == 200
        pk = int(re.search(r"/staff/harvest/(\d+)$", r.url).group(1))
        deadline = time.monotonic() + 60
        while True:
            progress = s.get(f"{portal.url}/staff/harvest/{pk}.json", timeout=30).json()
            if progress["status"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert progress["status"] == "finished", progress
        assert progress["done"] == progress["total"] == 1
        assert progress["report"]["totals"]["created"] == 1
        page = s.get(f"{portal.url}/staff/harvest/{pk}", timeout=30).text
        assert "Public toilets" in page and "created" in page and "1 datasets: 1 created" in page
        ident = progress["report"]["datasets"][0]["dataset_id"]
        assert requests.get(f"{portal.url}/resource/{ident}.json", timeout=30).json()[0]["name"] == "Market Square"
        listing = s.get(portal.url + "/staff/harvest/", timeout=30).text
        assert ckan.url in listing and "finished" in listing
    finally:
        ckan.stop()


def test_staff_pages_in_a_browser_are_accessible(portal, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.portal.browser import axe_violations, launch

    ckan = FixtureServer("ckan")
    try:
        with sync_playwright() as pw:
            browser = launch(pw)
            page = browser.new_page()
            page.goto(portal.url + "/staff/sign-in?next=/staff/harvest/")
            page.fill("[name=username]", "pat")
            page.fill("[name=password]", "pw-pat-long-enough")
            page.locator("form button[type=submit], form input[type=submit]").first.click()
            page.wait_for_url("**/staff/harvest/")
            assert axe_violations(page) == []
            page.fill("#url", ckan.url)
            page.select_option("#kind", "ckan")
            page.check("#dry_run")
            page.click("text=Start harvest")
            # the page refreshes itself until the run ends; totals of a partial report may show before that
            deadline = time.monotonic() + 60
            while page.locator('meta[http-equiv="refresh"]').count() and time.monotonic() < deadline:
                page.wait_for_timeout(500)
            page.reload()
            page.wait_for_selector("#totals", timeout=60_000)
            assert page.locator('meta[http-equiv="refresh"]').count() == 0, "the harvest did not finish in 60 s"
            assert "would be created" in page.inner_text("#report")
            assert "private: to review" in page.inner_text("#report")
            assert axe_violations(page) == []
            page.screenshot(path=str(tmp_path / "harvest-run.png"), full_page=True)
            browser.close()
    finally:
        ckan.stop()
