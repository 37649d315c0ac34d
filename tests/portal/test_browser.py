"""Browser tests: axe-core on every page type (signed out and in), the
search → dataset → filter → CSV download journey, publishing through the
wizard with the keyboard, and the pages with JavaScript off. Screenshots of
the main pages go to docs/screenshots/ when OPENBOROUGH_SCREENSHOTS=1
(scripts/screenshots)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from tests.portal.browser import REPO, axe_violations, launch
from tests.portal.conftest import DEMO

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

SHOTS = REPO / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def site(live_server, transactional_db, settings):
    """The demo parking dataset, a spending dataset with money and dates, and a publisher."""
    from openborough.accounts.models import User
    from openborough.catalog.publishing import publish_file

    settings.OPENBOROUGH_MAP_TILE_URL = ""  # no network: the map draws without tiles
    settings.OPENBOROUGH_SITE_NAME = "Camden Open Data"
    pcn = publish_file(
        DEMO / "camden_pcns.csv",
        meta={
            "name": "Parking penalty charge notices",
            "description": "Penalty Charge Notices issued by **Camden** around South End Green.",
            "category": "Parking",
            "tags": ["parking", "pcn"],
            "organisation": "London Borough of Camden",
            "attribution": "London Borough of Camden. Open Government Licence v3.0.",
            "update_frequency": "monthly",
        },
        actor="test",
    ).dataset
    spend = publish_file(
        DEMO / "oxford_spending_over_500_2017q4.csv",
        meta={"name": "Spending over £500", "category": "Finance", "organisation": "Oxford City Council"},
        actor="test",
    ).dataset
    User.objects.create_user("ada", password="pw-ada-long-enough", role="admin")
    return {"url": live_server.url, "pcn": pcn, "spend": spend}


def sign_in(page, base):
    page.goto(f"{base}/staff/sign-in")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "pw-ada-long-enough")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/staff/")


def public_pages(site):
    ds = site["pcn"].id
    return {
        "home": "/",
        "catalogue": "/datasets/?q=parking",
        "dataset": f"/datasets/{ds}/",
        "data": f"/datasets/{ds}/data?filter=street:eq:south+hill+park&sort=cdate&dir=desc",
        "chart": f"/datasets/{ds}/chart?x=street&agg=count&type=bar",
        "map": f"/datasets/{ds}/map",
        "api": f"/datasets/{ds}/api",
        "organisations": "/organisations/",
        "organisation": f"/organisations/{site['pcn'].organisation.slug}/",
        "not-found": "/no-such-page",
        "sign-in": "/staff/sign-in",
    }


def staff_pages(site):
    ds = site["pcn"].id
    return {
        "staff-home": "/staff/",
        "staff-dataset": f"/staff/datasets/{ds}/",
        "staff-edit": f"/staff/datasets/{ds}/edit",
        "publish": "/staff/publish",
        "audit": "/staff/audit",
        "tokens": "/staff/tokens",
        "users": "/staff/users",
    }


def test_axe_finds_no_violations_signed_out_and_in(browser, site):
    page = browser.new_page()
    found = {}
    for name, path in public_pages(site).items():
        page.goto(site["url"] + path, wait_until="networkidle")  # the map has drawn its markers
        if v := axe_violations(page):
            found[name] = v
    sign_in(page, site["url"])
    for name, path in {**public_pages(site), **staff_pages(site)}.items():
        if name == "sign-in":
            continue
        page.goto(site["url"] + path, wait_until="networkidle")
        if v := axe_violations(page):
            found["signed-in " + name] = v
    # the wizard's later steps and a form with errors
    page.goto(site["url"] + "/staff/publish")
    page.set_input_files("#id_file", str(DEMO / "camden_pcns.csv"))
    page.click("button:has-text('Upload and check the file')")
    page.wait_for_url("**/columns")
    if v := axe_violations(page):
        found["wizard columns"] = v
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/metadata")
    if v := axe_violations(page):
        found["wizard metadata"] = v
    page.fill("#id_m-name", "")
    page.click("button:has-text('Publish')")
    page.wait_for_selector(".govuk-error-summary")
    if v := axe_violations(page):
        found["wizard errors"] = v
    page.close()
    assert not found, found


def test_axe_reports_targets_smaller_than_24_px(browser):
    """The WCAG 2.2 target-size rule is on (axe leaves it off unless asked)."""
    page = browser.new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><p>'
        '<a href="/a" style="display:inline-block;width:12px;height:12px;font-size:8px">a</a>'
        '<a href="/b" style="display:inline-block;width:12px;height:12px;font-size:8px">b</a>'
        "</p></main></body></html>"
    )
    assert "target-size" in {v["id"] for v in axe_violations(page)}
    page.close()


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus (fails if the keyboard cannot reach it)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"the keyboard never reached {selector}")


def test_search_open_filter_and_download_csv_with_the_keyboard(browser, site):
    page = browser.new_page(accept_downloads=True)
    page.goto(site["url"] + "/")
    tab_to(page, "#search-q")
    page.keyboard.type("penalty charge")
    page.keyboard.press("Enter")
    page.wait_for_url("**/datasets/?q=*")
    tab_to(page, f"a[href='/datasets/{site['pcn'].id}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/datasets/{site['pcn'].id}/")
    tab_to(page, "nav[aria-label='Dataset sections'] a[href$='/data']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/data")
    tab_to(page, "#filter-col")
    page.select_option("#filter-col", "street")  # a focused <select>: what the arrow keys would choose
    tab_to(page, "#filter-op")
    page.select_option("#filter-op", "eq")
    tab_to(page, "#filter-val")
    page.keyboard.type("south hill park")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=of 287")
    tab_to(page, "#downloads ~ ul a[href*='.csv']")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    path = info.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 287
    assert {r["street"] for r in rows} == {"SOUTH HILL PARK"}
    page.close()


def test_staff_publishes_with_the_keyboard_and_finds_it_in_search(browser, site, tmp_path):
    csv_path = tmp_path / "street_trees.csv"
    csv_path.write_text("tree_id,species,height_m\n1,London plane,21.5\n2,Silver birch,12\n3,English oak,18.25\n")
    page = browser.new_page()
    page.goto(site["url"] + "/staff/sign-in")
    page.focus("#id_username")
    page.keyboard.type("ada")
    page.keyboard.press("Tab")
    page.keyboard.type("pw-ada-long-enough")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/")
    page.goto(site["url"] + "/staff/publish")
    page.set_input_files("#id_file", str(csv_path))  # a file chooser is the one step no keyboard can script
    page.focus("#id_file")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/columns")
    assert page.locator("#id_type_2").input_value() == "number"
    page.focus("#id_description_1")
    page.keyboard.type("Common name of the species")
    page.locator("button:has-text('Continue')").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/metadata")
    page.focus("#id_m-name")
    page.keyboard.press("Control+A")
    page.keyboard.type("Street trees of Camden")
    page.keyboard.press("Tab")
    page.keyboard.type("Every council-owned street tree.")
    page.locator("button:has-text('Publish')").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Published Street trees of Camden")
    page.goto(site["url"] + "/datasets/?q=street+trees")
    page.click("text=Street trees of Camden")
    assert "Common name of the species" in page.content()
    page.close()


def test_pages_work_with_javascript_off(browser, site):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site["url"] + "/datasets/")
    page.fill("#q", "spending")
    page.click("button:has-text('Search')")
    page.click("text=Spending over £500")
    page.click("nav[aria-label='Dataset sections'] >> text=Chart")
    page.select_option("#chart-x", "service_area")
    page.select_option("#chart-agg", "sum")
    page.select_option("#chart-y", "amount")
    page.click("button:has-text('Show chart')")
    assert page.locator("svg.ob-chart rect.ob-bar").count() > 1
    assert page.locator("table th[scope=row]").count() == page.locator("svg.ob-chart rect.ob-bar").count()
    ctx.close()


def test_map_draws_points_on_the_packaged_basemap_without_tiles(browser, site):
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site["url"] + f"/datasets/{site['pcn'].id}/map")
    page.wait_for_selector(".marker-cluster, .leaflet-marker-icon", timeout=10_000)
    page.wait_for_selector("#ob-map[data-basemap-drawn]", timeout=10_000)
    assert page.locator("img.leaflet-tile").count() == 0  # no tile URL configured
    assert page.locator(".leaflet-ob-basemap-pane canvas").count() >= 1  # boroughs and wards
    assert page.locator(".ob-map-label--ward", has_text="Hampstead Town").count() == 1  # zoomed in on the tickets
    assert "ONS Census Merged Wards 2011" in page.locator(".leaflet-control-attribution").inner_text()
    assert not errors, errors
    page.close()


def test_map_popup_writes_values_as_the_other_pages_do(browser, site, tmp_path):
    from openborough.catalog.publishing import publish_file
    from openborough.ingest.options import IngestOptions
    from openborough.portal import formatting
    from openborough.soql.types import SoQLType

    f = tmp_path / "one.csv"
    f.write_text(
        'Place,Issued at,Fine,Paid,location\nSouth End Green,2020-08-13T15:34:00,-1140.5,true,"(51.5559, -0.1667)"\n'
    )
    ds = publish_file(
        f, meta={"name": "One ticket"}, options=IngestOptions(types={"fine": "money"}), actor="test"
    ).dataset
    page = browser.new_page()
    page.goto(site["url"] + f"/datasets/{ds.id}/map", wait_until="networkidle")
    page.wait_for_selector("#ob-map[data-basemap-drawn]")
    page.locator("#ob-map").scroll_into_view_if_needed()
    box = page.locator("#ob-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the one point is in the middle
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    cells = dict(zip(popup.locator("th").all_inner_texts(), popup.locator("td").all_inner_texts(), strict=True))
    assert cells["Issued at"] == formatting.value("2020-08-13T15:34:00.000", SoQLType.FLOATING_TIMESTAMP)
    assert cells["Issued at"] == "13 August 2020, 3:34pm"
    assert cells["Fine"] == formatting.value("-1140.5", SoQLType.MONEY) == "-£1,140.50"
    assert cells["Paid"] == "Yes" and cells["Place"] == "South End Green"
    page.close()


def test_map_outside_london_draws_no_london_basemap(browser, site):
    from openborough.catalog.publishing import publish_file

    la = publish_file(DEMO / "la_parking_meters.csv", meta={"name": "LA parking meters"}, actor="test").dataset
    page = browser.new_page()
    page.goto(site["url"] + f"/datasets/{la.id}/map", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster, .leaflet-marker-icon", timeout=10_000)
    assert page.get_attribute("#ob-map", "data-basemap-drawn") is None
    assert page.locator(".ob-map-label").count() == 0
    assert "ONS" not in page.locator(".leaflet-control-attribution").inner_text()
    assert "ward" not in page.locator("main").inner_text().lower()
    page.close()


def test_every_page_fits_320_px_with_a_collapsed_menu(browser, site):
    """WCAG 1.4.10 reflow: nothing wider than a 320 px screen (wide tables scroll in their own box), the header
    menu collapses behind a Menu button (GOV.UK service navigation), and axe finds nothing at that width."""
    ctx = browser.new_context(viewport={"width": 320, "height": 640})
    page = ctx.new_page()
    wide, found = {}, {}
    extra = {
        "transparency": "/transparency/",
        "requests": "/requests/",
        "foi-log": "/requests/foi/",
        "spend-data": f"/datasets/{site['spend'].id}/data",
        "spend-chart": f"/datasets/{site['spend'].id}/chart?x=paid_date&by=ymd",
    }

    def check(name, path):
        page.goto(site["url"] + path, wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[name] = width
        if v := axe_violations(page):
            found[name] = v

    for name, path in {**public_pages(site), **extra}.items():
        check(name, path)
    page.goto(site["url"] + "/")
    toggle = page.locator(".govuk-service-navigation__toggle")
    assert toggle.is_visible() and toggle.inner_text() == "Menu"
    assert not page.locator("#navigation").is_visible()
    toggle.click()
    assert page.locator("#navigation").is_visible() and toggle.get_attribute("aria-expanded") == "true"
    sign_in(page, site["url"])
    for name, path in {**staff_pages(site), "staff-transparency": "/transparency/"}.items():
        check("signed-in " + name, path)
    ctx.close()
    assert not wide, wide
    assert not found, found
    nojs = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = nojs.new_page()
    page.goto(site["url"] + "/")
    assert page.locator("#navigation").is_visible()  # without JavaScript the menu is simply open
    assert not page.locator(".govuk-service-navigation__toggle").is_visible()
    nojs.close()


@pytest.mark.skipif(os.environ.get("OPENBOROUGH_SCREENSHOTS") != "1", reason="run by scripts/screenshots")
def test_screenshots(browser, site):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    shots = {k: v for k, v in public_pages(site).items() if k not in ("not-found", "organisation")}
    for name, path in shots.items():
        page.goto(site["url"] + path, wait_until="networkidle")
        page.wait_for_timeout(500)  # let the map's clusters finish animating
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
    sign_in(page, site["url"])
    for name in ("staff-home", "publish", "staff-dataset"):
        page.goto(site["url"] + staff_pages(site)[name])
        page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.close()
