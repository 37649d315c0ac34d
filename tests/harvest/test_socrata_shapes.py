"""Real Socrata view metadata (the ``meta.view`` of two real rows.json exports),
and a Socrata source that misbehaves while sending rows."""

from __future__ import annotations

import json
import re

import pytest

from openborough.harvest.http import Client
from openborough.harvest.sources.socrata import SocrataSource, is_private
from openborough.soql.types import SoQLType
from tests.live import cli

from .conftest import REAL
from .fixture_server import FixtureServer


def real_view(name: str) -> dict:
    return json.loads((REAL / "socrata-rows-json" / name).read_text())["meta"]["view"]


def test_real_views_are_read_as_socrata_means_them():
    source = SocrataSource("https://data.cityofchicago.org", Client())
    chicago = real_view("chicago_christmas_tree_recycling_2018_rows.json")
    entry = source.entry(chicago)
    assert entry.local_id == "59m5-kbzg" and not entry.private
    assert entry.skip == "a Socrata map asset, not a table of rows"
    nyc = source.entry(real_view("nyc_dohmh_restaurant_inspections_rows.json"))
    assert nyc.private  # publicationStage "unpublished"
    assert nyc.skip == "a filtered view of xx67-kt59; harvest that dataset instead"
    assert nyc.local_id == "zzzz-zzzz"

    # the same view as its base dataset would be: system, hidden and computed-region columns are left out
    table = dict(chicago, assetType="dataset", displayType="table")
    entry = source.entry(table)
    assert entry.skip is None and entry.fetch is not None
    from openborough.harvest.sources.socrata import _columns

    cols = _columns(table)
    assert [c["field"] for c in cols] == [
        "community_area_name", "address", "free_mulch", "zip_code", "community_area", "ward",
        "x_coord", "y_coord", "latitude", "longitude", "location",
    ]  # fmt: skip
    assert {c["field"]: c["type"] for c in cols}["location"] is SoQLType.LOCATION
    assert {c["field"]: c["type"] for c in cols}["x_coord"] is SoQLType.NUMBER
    assert entry.meta["licence"] == "other"  # no licence at the source: not assumed to be the OGL
    assert entry.meta["category"] == "Environment & Sustainable Development"
    assert entry.meta["tags"] == ["recycling", "sustainability"] and entry.meta["attribution"] == "City of Chicago"
    assert entry.data_key.startswith("rows-updated:1452271090;")
    assert entry.meta["name"] == "Christmas Tree Recycling Locations 2018 - Map"


def test_private_by_grants():
    assert is_private({"grants": []})
    assert not is_private({"grants": [{"flags": ["public"]}]})
    assert is_private({"grants": [{"flags": ["public"]}], "publicationStage": "unpublished"})


VIEW = {
    "id": "loop-1234",
    "name": "Looping rows",
    "viewType": "tabular",
    "assetType": "dataset",
    "displayType": "table",
    "publicationStage": "published",
    "grants": [{"flags": ["public"]}],
    "rowsUpdatedAt": 1700000000,
    "columns": [
        {"id": 1, "fieldName": "code", "name": "Code", "dataTypeName": "text", "position": 1},
        {"id": 2, "fieldName": "amount", "name": "Amount", "dataTypeName": "number", "position": 2},
    ],
}


@pytest.fixture
def socrata():
    server = FixtureServer("ckan")  # any folder: routes are set by each test
    server.routes["/api/catalog/v1"] = (
        200, "application/json", json.dumps({"results": [{"resource": {"id": "loop-1234"}}], "resultSetSize": 1}).encode(),
    )  # fmt: skip
    server.routes["/api/views/loop-1234.json"] = (200, "application/json", json.dumps(VIEW).encode())
    yield server
    server.stop()


def harvest(data_dir, url, *args):
    return cli(data_dir, "harvest", url, "--quiet", "--source", "socrata", "--retries", "0", "--timeout", "5", *args,
               check=False)  # fmt: skip


def test_rows_that_page_forever(socrata, tmp_path):
    # every page is the same two rows, whatever the offset
    socrata.routes["/resource/loop-1234.csv"] = (200, "text/csv", b'":created_at",":updated_at","code","amount"\n'
        b'"2024-01-01T00:00:00.000Z","2024-01-01T00:00:00.000Z","A","1"\n"2024-01-01T00:00:00.000Z","2024-01-01T00:00:00.000Z","B","2"\n')  # fmt: skip
    out = harvest(tmp_path / "data", socrata.url, "--page-size", "2")
    assert out.returncode == 1
    assert "sent the same page twice" in out.stdout
    assert "1 failed" in out.stdout


def test_rows_answered_with_html(socrata, tmp_path):
    socrata.routes["/resource/loop-1234.csv"] = (200, "text/html", b"<!DOCTYPE html><html>Please sign in</html>")
    out = harvest(tmp_path / "data", socrata.url)
    assert out.returncode == 1 and "answered an HTML page, not CSV" in out.stdout


def test_row_failing_its_type(socrata, tmp_path):
    socrata.routes["/resource/loop-1234.csv"] = (200, "text/csv", b'":created_at",":updated_at","code","amount"\n'
        b'"2024-01-01T00:00:00.000Z","2024-01-01T00:00:00.000Z","A","1"\n"2024-01-01T00:00:00.000Z","2024-01-01T00:00:00.000Z","B","lots"\n')  # fmt: skip
    data = tmp_path / "data"
    out = harvest(data, socrata.url)
    assert out.returncode == 1
    assert "the rows could not be published" in out.stdout and "amount" in out.stdout
    # nothing half-published: the dataset does not exist
    out = cli(data, "harvest", socrata.url, "--dry-run", "--quiet", "--source", "socrata", check=False)
    assert "would create" in out.stdout


def test_portal_without_discovery_api_is_listed_by_views(socrata, tmp_path):
    socrata.routes["/api/catalog/v1"] = (404, "text/html", b"<!DOCTYPE html><html>Page not found</html>")
    socrata.routes["/api/views.json"] = (200, "application/json", json.dumps([VIEW]).encode())
    socrata.routes["/resource/loop-1234.csv"] = (200, "text/csv", b'":created_at",":updated_at","code","amount"\n'
        b'"2024-01-01T00:00:00.000Z","2024-01-02T00:00:00.000Z","A","1"\n')  # fmt: skip
    out = harvest(tmp_path / "data", socrata.url)
    assert out.returncode == 0, out.stdout
    assert re.search(r"created\s+loop-1234 'Looping rows', 1 rows", out.stdout), out.stdout
