"""In a real browser, with the Content-Security-Policy enforced: every page
still works (GOV.UK Frontend starts, the map draws, charts show) and the
console reports no CSP violation."""

from __future__ import annotations

import pytest

from tests.portal.test_browser import browser, public_pages, sign_in, site, staff_pages  # noqa: F401

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""
OTHER_PAGES = ["/requests/", "/requests/new/", "/requests/foi/dashboard/", "/transparency/", "/strategy/",
               "/standards/adoption/"]  # fmt: skip


def _visit(page, url, problems):
    r = page.goto(url)
    assert r.status < 500, url
    page.wait_for_load_state("networkidle")
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    classes = page.evaluate("document.body.className")
    if "js-enabled" not in classes or "govuk-frontend-supported" not in classes:
        problems.append(f"{url}: js-enabled script did not run ({classes!r})")
    if not page.evaluate("!!document.querySelector('[data-govuk-skip-link-init]')"):
        problems.append(f"{url}: GOV.UK Frontend did not start")
    problems += [f"{url}: {v}" for v in page.evaluate("window.__csp")]


def test_pages_work_under_the_csp_with_no_violations(browser, site):  # noqa: F811
    ctx = browser.new_context()
    ctx.add_init_script(LISTEN)
    page = ctx.new_page()
    console = []
    page.on("console", lambda m: console.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    problems = []
    for path in list(public_pages(site).values()) + OTHER_PAGES:
        _visit(page, site["url"] + path, problems)
    page.goto(site["url"] + f"/datasets/{site['pcn'].id}/map")
    page.wait_for_selector(".marker-cluster, .leaflet-marker-icon", timeout=10_000)
    page.goto(site["url"] + f"/datasets/{site['pcn'].id}/chart?x=street&agg=count&type=bar")
    assert page.locator("svg .ob-bar").count() >= 1
    sign_in(page, site["url"])
    for path in staff_pages(site).values():
        _visit(page, site["url"] + path, problems)
    csp_console = [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert problems == [] and csp_console == [], problems + csp_console
    ctx.close()


def test_an_injected_inline_script_is_blocked(browser, site):  # noqa: F811
    """The policy is really enforced: a script a page did not load from this site does not run."""
    ctx = browser.new_context()
    ctx.add_init_script(LISTEN)
    page = ctx.new_page()
    page.goto(site["url"] + "/")
    page.evaluate("""() => { const s = document.createElement('script');
                      s.textContent = 'window.__ran = true'; document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))
    ctx.close()


XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


def test_hostile_names_markdown_columns_and_cells_never_run(browser, site, tmp_path):  # noqa: F811
    """Executed in a real browser: hostile text in every field of a dataset runs nowhere."""
    from openborough.catalog.publishing import publish_file

    p = tmp_path / "hostile.csv"
    p.write_text(f'"{XSS.replace(chr(34), chr(34) * 2)}",amount\n"{XSS.replace(chr(34), chr(34) * 2)}",1\n'
                 '"<svg onload=window.__xss=1>",2\n')  # fmt: skip
    ds = publish_file(
        p,
        meta={
            "name": f"Hostile {XSS}",
            "description": f"{XSS}\n\n[click](javascript:window.__xss=1) <a href=\"javascript:window.__xss=1\">x</a>",
            "category": XSS,
            "tags": ["<b onmouseover=window.__xss=1>t</b>"],
            "organisation": f"Org {XSS}",
        },
        actor="test",
    ).dataset
    ctx = browser.new_context()
    ctx.add_init_script(LISTEN)
    page = ctx.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    col = ds.schema().columns[0].field_name
    paths = [f"/datasets/{ds.id}/", f"/datasets/{ds.id}/data", f"/datasets/{ds.id}/api",
             f"/datasets/{ds.id}/chart?x={col}&agg=count&type=bar", "/datasets/?q=hostile", "/",
             "/organisations/", f"/datasets/{ds.id}/data?filter={col}:eq:x"]  # fmt: skip
    ran = []
    for path in paths:
        page.goto(site["url"] + path)
        page.wait_for_load_state("networkidle")
        for link in page.locator("a[href^='javascript:']").all():
            ran.append(f"{path}: javascript: link {link.get_attribute('href')}")
        page.mouse.move(10, 10)
        if page.evaluate("window.__xss !== undefined"):
            ran.append(path)
    sign_in(page, site["url"])
    for path in (f"/staff/datasets/{ds.id}/", f"/staff/datasets/{ds.id}/edit", "/staff/"):
        page.goto(site["url"] + path)
        page.wait_for_load_state("networkidle")
        if page.evaluate("window.__xss !== undefined"):
            ran.append(path)
    assert ran == [] and dialogs == []
    ctx.close()
