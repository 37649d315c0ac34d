"""``openborough demo`` as a newcomer runs it: load, then serve from the same process under browser load."""

from __future__ import annotations

import concurrent.futures as cf
import re
import time

import pytest
import requests

from tests.live import LiveServer, cli

pytestmark = pytest.mark.slow

#: seconds one request may take on a loaded 2-core machine (a hang never answers at all)
BOUND = 30


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo") / "data"
    server = LiveServer(data, command="demo", start_timeout=300)
    yield data, server
    server.stop()


def _urls(server) -> list[str]:
    """Every page a visitor opens for every public dataset of the demo, and what those pages fetch."""
    views = server.get("/api/views.json").json()
    assert len(views) >= 4
    urls = ["/", "/datasets/", "/organisations/", "/maps/wards.geojson"]
    for view in views:
        ds = view["id"]
        cols = view["columns"]
        urls += [f"/datasets/{ds}/", f"/datasets/{ds}/data", f"/datasets/{ds}/map", f"/datasets/{ds}/api"]
        urls += [f"/resource/{ds}.json", f"/resource/{ds}.csv", f"/resource/{ds}.json?$select=count(*)"]
        urls.append(f"/datasets/{ds}/chart")
        text = [c["fieldName"] for c in cols if c["dataTypeName"] == "text"]
        if text:
            urls.append(f"/datasets/{ds}/chart?x={text[0]}&agg=count&type=bar")
            urls.append(f"/datasets/{ds}/data?sort={text[0]}")
        if any(c["dataTypeName"] in ("point", "multipolygon", "polygon", "location", "line", "multiline",
                                     "multipoint") for c in cols):  # fmt: skip
            urls.append(f"/resource/{ds}.geojson?$limit=5000")  # what the map page fetches
    return urls


def test_every_demo_page_answers_under_concurrent_load(demo):
    data, server = demo
    urls = _urls(server)
    assert any("cpcn-nw3s" in u for u in urls) and any(".geojson" in u for u in urls)

    def fetch(url):
        start = time.monotonic()
        try:
            r = requests.get(server.url + url, timeout=BOUND)
        except requests.RequestException as e:
            return url, None, f"{type(e).__name__} after {time.monotonic() - start:.0f} s"
        return url, r.status_code, f"{time.monotonic() - start:.1f} s"

    # twice over, sixteen at a time: each worker thread meets the store many times
    with cf.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(fetch, urls + urls))
    bad = [(u, s, t) for u, s, t in results if s != 200]
    assert not bad, f"{len(bad)} of {len(results)} requests failed: {bad[:10]}\n" + server.log_path.read_text()[-3000:]


def test_the_data_table_shows_rows(demo):
    _, server = demo
    page = server.get("/datasets/cpcn-nw3s/data").text
    assert len(re.findall(r"<tr", page)) > 10


def _sign_in(server, username, password) -> requests.Session:
    s = requests.Session()
    page = s.get(server.url + "/staff/sign-in", timeout=BOUND).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    r = s.post(
        server.url + "/staff/sign-in",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/staff/"},
        headers={"Referer": server.url + "/staff/sign-in"},
        timeout=BOUND,
    )
    assert r.status_code == 200 and r.url.endswith("/staff/"), r.text[:2000]
    return s


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_printed_staff_sign_in_works(demo):
    data, server = demo
    log = server.log_path.read_text()
    m = re.search(r"staff sign-in: http://\S+/staff/sign-in as (\S+), password (\S+) \(kept in (\S+)\)", log)
    assert m, log
    user, password, kept = m.groups()
    assert user == "admin" and len(password) >= 12
    assert open(kept).read().strip() == password
    staff = _sign_in(server, user, password)
    assert staff.get(server.url + "/staff/users", timeout=BOUND).status_code == 200  # an administrator
    with pytest.raises(AssertionError):
        _sign_in(server, user, password + "x")


def test_the_demo_borough_has_requests_an_foi_log_and_its_transparency_publication(demo):
    _, server = demo
    reqs = server.get("/requests/api/v1/requests").json()["result"]
    status = {r["title"]: r["status"] for r in reqs}
    published = [r for r in reqs if r["status"] == "published"]
    declined = [r for r in reqs if r["status"] == "declined"]
    assert len(published) >= 2 and len(declined) == 1 and len(reqs) >= 4, status
    assert {r["accepted_dataset_id"] for r in published} <= {"cpcn-nw3s", "oxsp-2017", "lapm-mtrs", "ldnw-2011"}
    # the register of requests and the FOI figures are open datasets
    assert int(server.get("/resource/dreq-rgst.json?$select=count(*)").json()[0]["count"]) == len(reqs)
    # FOI log entries answered by pointing to the demo's datasets (s.21)
    per_dataset = server.get(
        "/resource/foid-fgrs.json", params={"measure": "deflected_per_dataset", "$select": "dataset_id, foi_requests"}
    ).json()
    per_dataset = {r["dataset_id"]: int(r["foi_requests"]) for r in per_dataset}
    assert per_dataset.get("cpcn-nw3s") == 2 and len(per_dataset) >= 3, per_dataset
    # the spending dataset is the Transparency Code publication for its quarter
    page = _text(server.get("/transparency/").text)
    row = page[page.index("Expenditure over £500") :][:300]
    assert "2017/18 Q3" in row, row
    assert "not yet published" in page and "13 overdue" not in page
    assert re.search(r'href="/datasets/oxsp-2017/"', server.get("/transparency/").text)
    cols = {c["fieldName"] for c in server.get("/api/views/oxsp-2017.json").json()["columns"]}
    assert {"date", "beneficiary", "amount", "merchant_category", "irrecoverable_vat"} <= cols


def test_loading_the_demo_again_changes_nothing(demo, tmp_path):
    data, server = demo

    def state():
        views = server.get("/api/views.json").json()
        pages = {v["id"]: re.search(r"Last updated.*?</dd>", server.get(f"/datasets/{v['id']}/").text, re.S).group(0)
                 for v in views}  # fmt: skip
        reqs = server.get("/requests/api/v1/requests").text
        return {v["id"]: (v.get("rowsUpdatedAt"), v.get("viewLastModified")) for v in views}, pages, reqs

    before = state()
    out = cli(data, "demo", "--no-serve")
    assert "password" in out.stdout
    assert state() == before
