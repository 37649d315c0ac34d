"""``openborough demo`` as a newcomer runs it: load, then serve from the same process under browser load."""

from __future__ import annotations

import concurrent.futures as cf
import re
import time

import pytest
import requests

from tests.live import LiveServer

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
