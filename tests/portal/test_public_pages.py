"""Public pages through Django's test client: status, key content, escaping
of hostile text, the table/chart/download query path, and visibility."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import openpyxl
import pyarrow.parquet as pq
import pytest

from tests.portal.conftest import HOSTILE, signed_in

pytestmark = pytest.mark.django_db


def body(resp) -> str:
    return resp.content.decode()


def status_text(html: str) -> str:
    m = re.search(r'role="status">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else ""


def test_home_lists_categories_recent_and_charter(client, pcn, settings):
    settings.OPENBOROUGH_SITE_NAME = "Camden Open Data"
    html = body(client.get("/"))
    assert "Camden Open Data" in html
    assert 'Parking</a> <span class="ob-facet-count">(1)</span>' in html
    assert "Parking penalty charge notices" in html
    assert "Open by default" in html
    assert 'class="govuk-phase-banner"' in html and "Open Government Licence v3.0" in html


def test_catalogue_search_facets_and_escaping(client, pcn):
    resp = client.get("/datasets/", {"q": "penalty"})
    html = body(resp)
    assert resp.status_code == 200
    assert status_text(html).startswith("1 dataset matching penalty")
    assert f"/datasets/{pcn.id}/" in html
    assert 'name="category" type="checkbox" value="Parking"' in html
    assert "Map (GeoJSON)" in html and "Table (CSV, Excel, JSON, Parquet)" in html
    assert status_text(body(client.get("/datasets/", {"format": "map"}))).startswith("1 dataset")
    assert status_text(body(client.get("/datasets/", {"format": "none"}))).startswith("0 datasets")
    filtered = body(client.get("/datasets/", {"category": "Leisure"}))
    assert status_text(filtered).startswith("0 datasets")
    hostile = body(client.get("/datasets/", {"q": HOSTILE}))
    assert HOSTILE not in hostile and "&lt;script&gt;" in hostile
    # nonsense paging and ordering fall back instead of failing
    assert client.get("/datasets/", {"page": "abc", "order": "nonsense"}).status_code == 200
    assert client.get("/datasets/", {"page": "99999"}).status_code == 200


def test_atom_feed_lists_new_datasets(client, pcn):
    resp = client.get("/datasets/feed.atom")
    assert resp["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(resp.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.text for e in root.findall("a:entry/a:title", ns)]
    assert titles == ["Parking penalty charge notices"]
    summary = root.find("a:entry/a:summary", ns).text
    assert "<script>" not in summary and "Camden" in summary


def test_dataset_about_shows_metadata_columns_stats_and_sanitised_markdown(client, pcn):
    html = body(client.get(f"/datasets/{pcn.id}/"))
    assert "<strong>Camden</strong>" in html
    assert HOSTILE not in html and "javascript:" not in html
    assert "Open Government Licence v3.0</a>" in html and 'rel="license"' in html
    assert "Contains public sector information" in html
    assert ">886<" in html and "Monthly" in html
    assert "<code>street</code>" in html and "floating_timestamp" in html
    assert "SOUTH END ROAD (599)" in html  # top values
    street_row = re.search(r"<code>street</code>.*?</tr>", html, re.S).group(0)
    assert re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', street_row)[2:4] == ["0", "2"]  # empty, distinct
    assert "1 April 2017 – 13 August 2020" in html  # min – max of the date column
    # downloads: SODA formats and the portal's own
    for link in (f"/resource/{pcn.id}.csv", f"/resource/{pcn.id}.geojson", f"/datasets/{pcn.id}/download.xlsx"):
        assert link in html
    assert "1 view," in html and "2 views," in body(client.get(f"/datasets/{pcn.id}/"))  # views are counted


def test_data_table_filters_sorts_pages_and_links_downloads(client, pcn):
    url = f"/datasets/{pcn.id}/data"
    assert "of 886" in status_text(body(client.get(url)))
    html = body(client.get(url, {"filter": "street:eq:south hill park", "sort": "cdate", "dir": "desc"}))
    assert status_text(html).startswith("Rows 1 to 50 of 287")
    shown = re.findall(r"<td class=\"govuk-table__cell\">(\d{1,2} [A-Z][a-z]+ 20\d\d)</td>", html)
    dates = [dt.datetime.strptime(d, "%d %B %Y") for d in shown]
    assert dates == sorted(dates, reverse=True) and dates
    assert 'aria-sort="descending"' in html
    # the CSV download applies the same filter
    csv_link = re.search(r'href="(/resource/[^"]+\.csv\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "%24where=upper%28street%29+%3D+%27SOUTH+HILL+PARK%27" in csv_link
    own_csv = re.search(r'href="(/datasets/[^"]+/download\.csv\?[^"]+)"', html).group(1).replace("&amp;", "&")
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get(own_csv).streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 287 and {r["street"] for r in rows} == {"SOUTH HILL PARK"}
    assert [r["cdate"] for r in rows] == sorted((r["cdate"] for r in rows), reverse=True)
    page2 = body(client.get(url, {"filter": "street:eq:south hill park", "page": "2"}))
    assert status_text(page2).startswith("Rows 51 to 100 of 287")
    # the add-a-filter form's separate fields
    added = body(client.get(url, {"col": "ccode", "op": "ge", "val": "80"}))
    assert "matching rows" in status_text(added)


def test_data_table_bad_input_gets_a_message_not_a_crash(client, pcn):
    url = f"/datasets/{pcn.id}/data"
    html = body(client.get(url, {"filter": "ccode:gt:lots"}))
    assert "ccode: enter a number" in html
    html = body(client.get(url, {"filter": ["nosuch:eq:1", "street:zz:1", "broken"], "sort": "nosuch"}))
    assert "there is no such column" in html and "unknown comparison" in html and "Cannot sort by nosuch" in html
    html = body(client.get(url, {"filter": f"street:eq:{HOSTILE}"}))
    assert HOSTILE not in html and "No rows match" in html
    assert client.get(url, {"page": "-5"}).status_code == 200


def test_xlsx_and_parquet_downloads_match_the_filter(client, pcn):
    resp = client.get(f"/datasets/{pcn.id}/download.xlsx", {"filter": "street:eq:south hill park"})
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment;")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    assert ws.max_row == 288  # header + 287
    street = [c.value for c in ws[1]].index("street")
    assert {r[street] for r in ws.iter_rows(min_row=2, values_only=True)} == {"SOUTH HILL PARK"}
    resp = client.get(f"/datasets/{pcn.id}/download.parquet", {"filter": "ccode:eq:12"})
    table = pq.read_table(io.BytesIO(b"".join(resp.streaming_content)))
    assert table.num_rows > 0 and set(table.column("ccode").to_pylist()) == {12.0}
    assert client.get(f"/datasets/{pcn.id}/download.xlsx", {"filter": "ccode:gt:x"}).status_code == 400


def test_xlsx_neutralises_formulas(client, db, tmp_path):
    from openborough.catalog.publishing import publish_file

    p = tmp_path / "evil.csv"
    p.write_text('name,note,amount\n"=HYPERLINK(""http://evil"",""x"")",+1+1,-5\n@SUM(A1),-2-2,3\nplain,ok,-1.5\n')
    ds = publish_file(p, meta={"name": "Evil cells"}, actor="test").dataset
    ws = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(f"/datasets/{ds.id}/download.xlsx").streaming_content))
    ).active
    cells = [c.value for row in ws.iter_rows(min_row=2) for c in row]
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for v in cells), cells
    assert '\'=HYPERLINK("http://evil","x")' in cells and "plain" in cells
    assert -5 in cells or -5.0 in cells  # numbers stay numbers
    resp = client.get(f"/datasets/{ds.id}/download.csv")
    assert resp["Content-Type"].startswith("text/csv") and resp["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(resp.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["name", "note", "amount"]
    assert rows[1] == ['\'=HYPERLINK("http://evil","x")', "'+1+1", "-5"]
    assert rows[2] == ["'@SUM(A1)", "'-2-2", "3"] and rows[3] == ["plain", "ok", "-1.5"]


def test_chart_svg_and_accessible_table(client, pcn):
    html = body(client.get(f"/datasets/{pcn.id}/chart", {"x": "street", "agg": "count", "type": "bar"}))
    assert html.count('class="ob-bar"') == 2
    assert re.search(r'<th scope="row" class="govuk-table__header">SOUTH END ROAD</th><td[^>]*>599</td>', html)
    line = body(client.get(f"/datasets/{pcn.id}/chart", {"x": "fyr", "agg": "avg", "y": "ccode", "type": "line"}))
    assert 'class="ob-line"' in line and "Average of ccode" in line
    bad = body(client.get(f"/datasets/{pcn.id}/chart", {"x": "nosuch", "agg": "sum", "y": "street"}))
    assert "Choose a column to group by" in bad and "Choose a number column" in bad


def test_map_and_api_tabs(client, pcn, settings):
    settings.OPENBOROUGH_MAP_TILE_URL = ""
    html = body(client.get(f"/datasets/{pcn.id}/map"))
    assert f"/resource/{pcn.id}.geojson" in html and 'data-tiles=""' in html and "<noscript>" in html
    assert 'data-basemap="/maps/basemap.geojson"' in html and "ward boundaries" not in html
    api = body(client.get(f"/datasets/{pcn.id}/api"))
    for needle in (
        "curl --get",
        "from sodapy import Socrata",
        "read.socrata",
        "await fetch",
        f"/resource/{pcn.id}.json",
    ):
        assert needle in api
    wards = client.get("/maps/wards.geojson")
    assert wards.status_code == 200 and b"FeatureCollection" in b"".join(wards.streaming_content)


def test_private_datasets_are_for_staff_only(client, pcn, private_ds, viewer):
    assert client.get(f"/datasets/{private_ds.id}/").status_code == 404
    assert client.get(f"/datasets/{private_ds.id}/download.xlsx").status_code == 404
    assert "Allotment" not in body(client.get("/datasets/"))
    assert private_ds.id not in body(client.get("/sitemap.xml"))
    signed_in(client, viewer)
    html = body(client.get(f"/datasets/{private_ds.id}/"))
    assert "This dataset is private" in html
    assert "Allotment holders" in body(client.get("/datasets/"))


def test_organisations_sitemap_robots_and_errors(client, pcn):
    html = body(client.get("/organisations/"))
    assert "London Borough of Camden</a>" in html
    org_html = body(client.get(f"/organisations/{pcn.organisation.slug}/"))
    assert "Parking penalty charge notices" in org_html
    root = ET.fromstring(client.get("/sitemap.xml").content)
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"http://testserver/datasets/{pcn.id}/" in locs
    robots = body(client.get("/robots.txt"))
    assert "Disallow: /staff/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots
    for missing in ("/nope", "/datasets/zzzz-zzzz/", "/organisations/nobody/", "/d/zzzz-zzzz"):
        resp = client.get(missing)
        assert resp.status_code == 404 and "Page not found" in body(resp)
    assert client.get(f"/d/{pcn.id}")["Location"] == f"/datasets/{pcn.id}/"


def test_500_page_renders_without_context():
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html


def test_hostile_metadata_is_escaped_everywhere(client, db, tmp_path):
    from openborough.catalog.publishing import publish_file

    p = tmp_path / "x.csv"
    p.write_text(f'col\n"{HOSTILE}"\n')
    ds = publish_file(
        p,
        meta={"name": HOSTILE, "category": HOSTILE, "tags": [HOSTILE], "organisation": HOSTILE, "attribution": HOSTILE},
        actor="test",
    ).dataset
    for url in (
        "/",
        "/datasets/",
        f"/datasets/{ds.id}/",
        f"/datasets/{ds.id}/data",
        f"/datasets/{ds.id}/chart?x=col",
        f"/datasets/{ds.id}/api",
        "/organisations/",
        "/datasets/feed.atom",
        "/sitemap.xml",
    ):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert HOSTILE not in body(resp), url


def test_pages_work_without_javascript(client, pcn):
    """Every control is a link or a form that submits to the server: no page needs a script to work."""
    for url in ("/", "/datasets/", f"/datasets/{pcn.id}/", f"/datasets/{pcn.id}/data", f"/datasets/{pcn.id}/chart"):
        html = body(client.get(url))
        assert "onclick" not in html and 'href="#"' not in html and "javascript:" not in html
    data = body(client.get(f"/datasets/{pcn.id}/data"))
    assert re.search(r'<form method="get" action="/datasets/[^"]+/data">', data)


def test_usage_counts_views_downloads_and_api_calls_without_personal_data(client, pcn):
    from openborough.portal.models import DailyUsage

    client.get(f"/datasets/{pcn.id}/", REMOTE_ADDR="203.0.113.9")
    b"".join(client.get(f"/datasets/{pcn.id}/download.parquet").streaming_content)
    resp = client.get(f"/resource/{pcn.id}.json", {"$limit": "1"})
    assert resp.status_code == 200
    client.get("/resource/zzzz-zzzz.json")  # a failed call is not counted
    row = DailyUsage.objects.get(dataset_id=pcn.id)
    assert (row.views, row.downloads, row.api_calls) == (1, 1, 1)
    assert not DailyUsage.objects.filter(dataset_id="zzzz-zzzz").exists()
    stored = [str(v) for v in DailyUsage.objects.values_list(flat=False)]
    assert not any("203.0.113.9" in s for s in stored)
    assert "1 API call" in body(client.get(f"/datasets/{pcn.id}/"))


def test_api_download_links_respect_the_api_row_maximum(client, pcn, settings):
    settings.OPENBOROUGH_SODA_MAX_LIMIT = 100
    html = body(client.get(f"/datasets/{pcn.id}/"))
    assert f"/resource/{pcn.id}.json?%24limit=100" in html and "first 100 rows" in html
    assert client.get(f"/resource/{pcn.id}.json", {"$limit": "100"}).status_code == 200
    own = body(client.get(f"/datasets/{pcn.id}/"))
    assert f'href="/datasets/{pcn.id}/download.csv"' in own  # the portal's own downloads have no maximum


def test_bad_filter_is_dropped_and_every_download_link_keeps_filter_and_sort(client, pcn):
    """A filter value the column cannot take is refused once, not kept applied (nor stacked when the
    form is sent again); each download link gives exactly the table's rows in the table's order."""
    import json

    url = f"/datasets/{pcn.id}/data"
    good = "street:eq:south hill park"
    html = body(client.get(url, {"filter": [good, good, "ccode:gt:lots"], "sort": "cdate", "dir": "desc"}))
    assert "Ignored a filter – ccode: enter a number" in html
    assert 'value="ccode:gt:lots"' not in html and "lots" not in re.sub(r"Ignored a filter[^<]*", "", html)
    assert html.count(f'name="filter" value="{good}"') == 1  # the same filter sent twice applies once
    assert status_text(html).startswith("Rows 1 to 50 of 287")
    # sending the page's form again with another bad value does not stack errors or filters
    again = body(
        client.get(url, {"filter": good, "sort": "cdate", "dir": "desc", "col": "ccode", "op": "gt", "val": "x"})
    )
    assert again.count("Ignored a filter") == 1 and again.count('name="filter"') == 1

    downloads = re.search(r'id="downloads">.*?</ul>', html, re.S).group(0)
    links = {m[1]: m[0].replace("&amp;", "&") for m in re.findall(r'href="([^"]+)" download>([^<]+)<', downloads)}
    assert set(links) == {"CSV", "JSON", "GeoJSON", "XLSX", "Parquet", "API CSV"}

    def fetch(link):
        resp = client.get(link)
        assert resp.status_code == 200, (link, resp.content[:300])
        return b"".join(resp.streaming_content) if resp.streaming else resp.content

    got = {}
    for label in ("CSV", "API CSV"):
        rows = list(csv.DictReader(io.StringIO(fetch(links[label]).decode("utf-8-sig"))))
        got[label] = [(r["street"], r["cdate"][:19]) for r in rows]
    got["JSON"] = [(r["street"], r["cdate"][:19]) for r in json.loads(fetch(links["JSON"]))]
    feats = json.loads(fetch(links["GeoJSON"]))["features"]
    got["GeoJSON"] = [(f["properties"]["street"], f["properties"]["cdate"][:19]) for f in feats]
    ws = openpyxl.load_workbook(io.BytesIO(fetch(links["XLSX"]))).active
    head = [c.value for c in ws[1]]
    got["XLSX"] = [
        (r[head.index("street")], str(r[head.index("cdate")]).replace(" ", "T")[:19])
        for r in ws.iter_rows(min_row=2, values_only=True)
    ]
    t = pq.read_table(io.BytesIO(fetch(links["Parquet"])))
    got["Parquet"] = [
        (s, c.isoformat()[:19])
        for s, c in zip(t.column("street").to_pylist(), t.column("cdate").to_pylist(), strict=True)
    ]
    for label, rows in got.items():
        assert len(rows) == 287 and {s for s, _ in rows} == {"SOUTH HILL PARK"}, label
        dates = [d for _, d in rows]
        assert dates == sorted(dates, reverse=True), label
    # a download link with a bad filter is refused rather than giving every row
    bad = client.get(f"/datasets/{pcn.id}/download.csv", {"filter": "ccode:gt:lots"})
    assert bad.status_code == 400 and "enter a number" in bad.content.decode()


def _most_viewed(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(r"Most viewed</h2>(.*?)</ul>", html, re.S).group(1)))


def test_home_most_viewed_counts_public_views_only(client, pcn, private_ds, viewer):
    html = body(client.get("/"))
    assert "Nothing published yet" not in html  # datasets exist, nobody has looked at one yet
    assert _most_viewed(html).strip() == "No dataset has been viewed in the last 30 days yet."
    client.get(f"/resource/{pcn.id}.json")  # an API call is not a view
    assert "Parking penalty" not in _most_viewed(body(client.get("/")))
    signed_in(client, viewer).get(f"/datasets/{private_ds.id}/")
    client.logout()
    client.get(f"/datasets/{pcn.id}/")
    popular = _most_viewed(body(client.get("/")))
    assert "Parking penalty charge notices" in popular and "Allotment" not in popular


def test_organisations_list_the_council_for_datasets_that_name_no_publisher(client, pcn, settings):
    from openborough.catalog.publishing import create_dataset, update_metadata
    from openborough.soql.types import Column, Schema, SoQLType

    settings.OPENBOROUGH_DEFAULT_ORGANISATION = "Camden Council"
    schema = Schema((Column("x", SoQLType.TEXT),))
    made = [create_dataset({"name": f"Register {i}"}, schema, actor="test") for i in range(3)]
    assert {d.organisation.name for d in made} == {"Camden Council"}
    html = body(client.get("/organisations/"))
    assert 'Camden Council</a> <span class="ob-facet-count">(3 datasets)' in html
    assert "London Borough of Camden</a>" in html
    org_page = body(client.get("/organisations/camden-council/"))
    assert all(f"Register {i}" in org_page for i in range(3))
    # a publisher named later replaces the default; editing other fields keeps it
    update_metadata(made[0], {"organisation": "Camden Parking Services"})
    update_metadata(made[0], {"description": "x"})
    made[0].refresh_from_db()
    assert made[0].organisation.name == "Camden Parking Services"
