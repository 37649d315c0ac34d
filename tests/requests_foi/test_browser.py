"""In a real browser: a member of the public requests a dataset and votes, staff
accept it, publish a dataset and link it, and the requester's email (file
backend) carries the links; axe-core finds no WCAG A/AA violations on any
requests, FOI or Transparency Code page."""

from __future__ import annotations

import os
import re
from email import message_from_bytes
from pathlib import Path

import pytest

from tests.portal.browser import axe_violations, launch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO = Path(__file__).resolve().parents[2] / "openborough" / "demo_data"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def site(live_server, transactional_db, settings, tmp_path):
    from openborough.accounts.models import User

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.OPENBOROUGH_MAP_TILE_URL = ""
    User.objects.create_user("ada", password="pw-ada-long-enough", role="admin")
    return {"url": live_server.url, "mail": tmp_path / "mail"}


def sign_in(page, base):
    page.goto(f"{base}/staff/sign-in")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "pw-ada-long-enough")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/staff/")


def mails(folder: Path) -> list:
    out = []
    # Django's file backend names files <second>-<object id>: within one second that order is arbitrary,
    # so read them in the order they were written
    for f in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
        # the file backend writes messages separated by a line of dashes
        for chunk in f.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                out.append(message_from_bytes(chunk.strip()))
    return out


def text_of(msg) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def test_request_vote_accept_publish_link_email_and_axe(browser, site):
    from openborough.catalog.publishing import publish_file

    base, found = site["url"], {}
    page = browser.new_page()

    def check(name, on=None):
        if v := axe_violations(on or page):
            found[name] = v

    page.goto(base + "/requests/new/")
    check("request form")
    page.fill("#title", "Parking <b>bay</b> locations")
    page.fill("#description", "Every on-street bay and its type.")
    page.fill("#email", "resident@example.org")
    page.click("button:has-text('Send request')")
    page.wait_for_url("**/sent/")
    check("request sent")
    rid = int(re.search(r"/requests/(\d+)/sent/", page.url).group(1))
    # the first email: the link to follow the request, and one to confirm the address for updates
    (ack,) = mails(site["mail"])
    assert f"{base}/requests/{rid}/" in text_of(ack)
    page.goto(re.search(r"(http://\S+/requests/confirm/\S+/)", text_of(ack)).group(1))
    check("confirm address")
    page.click("button:has-text('Yes, email me')")
    page.wait_for_selector("text=Address confirmed")
    page.goto(f"{base}/requests/{rid}/")
    check("request page")
    page.click("button:has-text('I need this too')")
    page.wait_for_selector("text=1 person needs this")
    assert page.locator("button:has-text('Take back my vote')").count() == 1
    page.goto(base + "/requests/")
    check("request list")

    # a form with errors
    page.goto(base + "/requests/new/")
    page.click("button:has-text('Send request')")
    page.wait_for_selector(".govuk-error-summary")
    check("request form errors")

    staff = browser.new_page()
    sign_in(staff, base)
    staff.goto(f"{base}/requests/{rid}/manage/")
    check("manage request", staff)
    staff.select_option("#status", "under_review")
    staff.click("button:has-text('Save changes')")
    staff.wait_for_selector("text=Under review")
    staff.select_option("#status", "accepted")
    staff.click("button:has-text('Save changes')")
    staff.wait_for_selector("strong.govuk-tag:has-text('Accepted')")
    ds = publish_file(DEMO / "la_parking_meters.csv", meta={"name": "Parking meters"}, actor="test").dataset
    staff.select_option("#status", "published")
    staff.fill("#dataset", ds.id)
    staff.click("button:has-text('Save changes')")
    staff.wait_for_selector("strong.govuk-tag:has-text('Published')")
    staff.goto(base + "/requests/staff/")
    check("triage queue", staff)
    for name, path in {
        "foi log": "/requests/foi/",
        "foi new": "/requests/foi/new/",
        "foi import": "/requests/foi/import/",
        "foi dashboard": "/requests/foi/dashboard/",
        "compliance": "/transparency/",
        "templates": "/transparency/templates/",
        "template": "/transparency/templates/spending-over-500/",
        "publish against template": "/transparency/templates/parking-spaces/publish/",
    }.items():
        staff.goto(base + path)
        check(name, staff)

    # forms with errors
    staff.goto(base + "/requests/foi/new/")
    staff.click("button:has-text('Save')")
    staff.wait_for_selector(".govuk-error-summary")
    check("foi form errors", staff)
    staff.goto(base + "/transparency/templates/parking-spaces/publish/")
    bad = site["mail"].parent / "spaces.csv"
    bad.write_text("Location,Spaces\nsomewhere,many\n")
    staff.set_input_files("#file", str(bad))
    staff.click("button:has-text('Check and publish')")
    staff.wait_for_selector(".govuk-error-summary")
    check("transparency publish errors", staff)

    # the public page links the dataset
    page.goto(f"{base}/requests/{rid}/")
    page.click("text=Parking meters")
    assert ds.id in page.url

    # the requester's emails, as files: acknowledgement with the follow link, then each status
    msgs = mails(site["mail"])
    assert [m["To"] for m in msgs] == ["resident@example.org"] * 4
    assert f"{base}/requests/{rid}/" in text_of(msgs[0])
    last = text_of(msgs[-1])
    assert "published" in msgs[-1]["Subject"]
    assert f"{base}/datasets/{ds.id}/" in last and f"{base}/requests/{rid}/" in last
    assert "<b>" not in last
    staff.close()
    page.close()
    assert not found, found
