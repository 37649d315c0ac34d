"""Browser test: an officer scores an initiative, the ranking changes and the councillors'
dashboard shows it; axe-core finds no WCAG A/AA violations on any toolkit page."""

from __future__ import annotations

import os

import pytest

from tests.portal.browser import axe_violations, launch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def site(live_server, transactional_db):
    from openborough.accounts.models import User
    from openborough.strategy.demo import load_demo_strategy
    from openborough.strategy.models import Service, ToolkitRole

    load_demo_strategy(first_year=2025)
    parking = Service.objects.get(name="Parking permits (Demo)")
    for name, role, service in (("olu", "officer", parking), ("cllr", "councillor", None)):
        user = User.objects.create_user(name, password=f"pw-{name}-long-enough", first_name=name.title())
        ToolkitRole.objects.create(user=user, role=role, service=service)
    return {"url": live_server.url, "parking": parking}


def sign_in(page, base, username):
    page.goto(f"{base}/staff/sign-in?next=/strategy/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-long-enough")
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()


def rank_of(page, base, name):
    page.goto(f"{base}/strategy/ranking/")
    row = page.locator("table:has(caption:has-text('Initiatives by weighted score')) tbody tr", has_text=name)
    return int(row.locator("td").first.inner_text())


def test_officer_scores_and_the_councillor_dashboard_shows_it(browser, site):
    base = site["url"]
    ctx = browser.new_context()
    page = ctx.new_page()
    sign_in(page, base, "olu")
    name = "Licensing applications online (Demo)"
    before = rank_of(page, base, name)
    page.goto(f"{base}/strategy/initiatives/DEMO-11/score/")
    assert axe_violations(page) == []
    for select in page.locator("select[name^='score_']").all():
        select.select_option("5")
    for box in page.locator("textarea[name^='why_']").all():
        box.fill("Strong case after user research")
    page.click("button:has-text('Save scores')")
    page.wait_for_url(f"{base}/strategy/initiatives/DEMO-11/")
    assert "Strong case after user research" in page.content()
    after = rank_of(page, base, name)
    assert after < before
    ctx.close()

    ctx = browser.new_context()
    page = ctx.new_page()
    sign_in(page, base, "cllr")
    page.goto(f"{base}/strategy/")
    top = page.locator("table:has(caption:has-text('Top five initiatives')) tbody").inner_text()
    assert (name in top) == (after <= 5)
    page.goto(f"{base}/strategy/ranking/")
    assert name in page.content()
    # a councillor has no scoring button
    page.goto(f"{base}/strategy/initiatives/DEMO-11/")
    assert page.locator("a:has-text('Score this initiative')").count() == 0
    ctx.close()


def test_axe_on_every_toolkit_page(browser, site):
    from openborough.standards.models import Assessment

    base = site["url"]
    parking = site["parking"]
    a = Assessment.objects.filter(service=parking).first()
    pages = [
        "/strategy/",
        "/strategy/discovery/",
        "/strategy/initiatives/",
        "/strategy/initiatives/DEMO-01/",
        "/strategy/initiatives/DEMO-01/edit/",
        "/strategy/criteria/",
        "/strategy/ranking/?w_1=1&w_2=1&w_3=1&w_4=1&w_5=9",
        "/strategy/portfolio/",
        "/strategy/budget/",
        "/strategy/budget/import/",
        "/standards/",
        "/standards/services/",
        f"/standards/services/{parking.pk}/",
        f"/standards/services/{parking.pk}/assess/",
        f"/standards/assessments/{a.pk}/",
    ]
    failures, wide = {}, {}
    for width in (1280, 320):  # and on a 320 px screen (WCAG 1.4.10 reflow)
        ctx = browser.new_context(viewport={"width": width, "height": 800})
        page = ctx.new_page()
        sign_in(page, base, "olu")
        for path in pages:
            resp = page.goto(base + path)
            assert resp.status == 200 and page.url == base + path, path
            if os.environ.get("TOOLKIT_SHOTS") and width == 1280:
                page.screenshot(
                    path=f"{os.environ['TOOLKIT_SHOTS']}/{path.strip('/').replace('/', '_')[:60]}.png", full_page=True
                )
            found = axe_violations(page)
            if found:
                failures[f"{path} at {width} px"] = found
            if (scroll := page.evaluate("document.documentElement.scrollWidth")) > width:
                wide[path] = scroll
        ctx.close()
    assert wide == {}
    assert failures == {}
