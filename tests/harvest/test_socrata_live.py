"""Acceptance: another openborough on loopback is the Socrata source; the
harvest into a fresh data directory keeps every id, column and row."""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.live import LiveServer, cli

from .conftest import PRIVATE_ID, SOURCES, admin_key

IDS = sorted(ident for _, _, ident, _ in SOURCES)


def view(base: str, ident: str, auth=None) -> dict:
    r = requests.get(f"{base}/api/views/{ident}.json", auth=auth, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def columns(v: dict) -> list[tuple]:
    return [
        (c["fieldName"], c["name"], c["dataTypeName"], c.get("description", ""), c["position"]) for c in v["columns"]
    ]


def rows(base: str, ident: str, auth=None) -> list[dict]:
    r = requests.get(
        f"{base}/resource/{ident}.json",
        params={"$select": ":id, :created_at, :updated_at, *", "$order": ":id", "$limit": 50000},
        auth=auth,
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return r.json()


def harvest(data_dir, url, *args, check=True):
    return cli(data_dir, "harvest", url, "--quiet", *args, check=check)


@pytest.fixture(scope="module")
def harvested(source, tmp_path_factory):
    server, key = source
    dest = tmp_path_factory.mktemp("dest") / "data"
    report_path = dest.parent / "report.json"
    first = harvest(dest, server.url, "--auth", key, "--report", str(report_path))
    mirror = LiveServer(dest)
    mirror.auth = tuple(admin_key(dest).split(":", 1))
    yield dest, first, json.loads(report_path.read_text()), mirror
    mirror.stop()


def test_every_id_column_and_row_equal(source, harvested):
    server, key = source
    auth = tuple(key.split(":", 1))
    dest, first, report, mirror = harvested
    assert report["totals"]["failed"] == 0, first.stdout
    assert sorted(d["dataset_id"] for d in report["datasets"]) == IDS
    assert report["totals"]["created"] == len(IDS)
    for ident in IDS:
        src, got = view(server.url, ident, auth), view(mirror.url, ident, mirror.auth)
        assert got["id"] == ident
        for key_ in ("name", "description", "category", "tags", "licenseId", "attribution", "rowCount"):
            assert got.get(key_) == src.get(key_), (ident, key_)
        assert columns(got) == columns(src), ident
        assert got["metadata"].get("rowIdentifier") == src["metadata"].get("rowIdentifier"), ident
        assert rows(mirror.url, ident, mirror.auth) == rows(server.url, ident, auth), ident
    # the Socrata ids keep working: a row of the Camden PCNs by its row identifier
    one = rows(server.url, "ncbg-6agr")[5]
    r = mirror.get(f"/resource/ncbg-6agr/{one['socrata']}.json")
    assert r.status_code == 200 and r.json()["socrata"] == one["socrata"]


def test_private_source_datasets_arrive_private_to_review(harvested):
    dest, first, report, mirror = harvested
    line = next(d for d in report["datasets"] if d["dataset_id"] == PRIVATE_ID)
    assert line["private"] is True
    assert mirror.get(f"/resource/{PRIVATE_ID}.json").status_code in (403, 404)
    assert mirror.get(f"/api/views/{PRIVATE_ID}.json").status_code in (403, 404)
    assert PRIVATE_ID not in mirror.get("/data.json").text
    catalog = mirror.get("/api/catalog/v1").json()
    assert PRIVATE_ID not in {r["resource"]["id"] for r in catalog["results"]}
    assert "to review" in first.stdout


def test_anonymous_harvest_cannot_see_private(source, tmp_path):
    server, _ = source
    out = harvest(tmp_path / "anon", server.url)
    assert PRIVATE_ID not in out.stdout
    assert f"{len(IDS) - 1} datasets: {len(IDS) - 1} created" in out.stdout


def test_rerun_changes_nothing_and_dry_run_changes_nothing(source, harvested):
    server, key = source
    dest, first, report, mirror = harvested
    before = {i: view(mirror.url, i, mirror.auth)["oid"] for i in IDS}
    again = harvest(dest, server.url, "--auth", key)
    assert f"{len(IDS)} datasets: 0 created, 0 updated, 0 metadata only, {len(IDS)} unchanged" in again.stdout
    after = {i: view(mirror.url, i, mirror.auth)["oid"] for i in IDS}
    assert after == before  # no new versions


def test_source_changes_are_followed(source, harvested, tmp_path):
    server, key = source
    dest, first, report, mirror = harvested
    auth = tuple(key.split(":", 1))
    # metadata only: a new description at the source
    r = requests.patch(f"{server.url}/api/views/spxm-tnai.json", json={"description": "Where to leave your tree"},
                       auth=auth, timeout=30)  # fmt: skip
    assert r.status_code == 200, r.text
    # rows: an upsert to the Camden PCNs
    row = rows(server.url, "ncbg-6agr")[0]
    row = {k: v for k, v in row.items() if not k.startswith(":")}
    row["status"] = "Paid"
    r = requests.post(f"{server.url}/resource/ncbg-6agr.json", json=[row], auth=auth, timeout=30)
    assert r.status_code == 200, r.text
    plan = harvest(dest, server.url, "--auth", key, "--dry-run")
    assert re.search(r"would update metadata of\s+spxm-tnai", plan.stdout), plan.stdout
    assert re.search(r"would update\s+ncbg-6agr", plan.stdout), plan.stdout
    assert view(mirror.url, "spxm-tnai")["description"] != "Where to leave your tree"
    out = harvest(dest, server.url, "--auth", key)
    assert re.search(r"metadata\s+spxm-tnai", out.stdout), out.stdout
    assert re.search(r"updated\s+ncbg-6agr", out.stdout), out.stdout
    assert view(mirror.url, "spxm-tnai")["description"] == "Where to leave your tree"
    assert rows(mirror.url, "ncbg-6agr") == rows(server.url, "ncbg-6agr")
    assert "0 created" in out.stdout


def test_rows_paged_by_id(source, tmp_path):
    """Small pages: the rows come in many /resource pages ordered by :id and still add up."""
    server, key = source
    out = harvest(tmp_path / "paged", server.url, "--id", "ncbg-6agr", "--id", "erm2-nwe9", "--page-size", "100")
    assert "2 datasets: 2 created" in out.stdout
    mirror = LiveServer(tmp_path / "paged")
    try:
        for ident in ("ncbg-6agr", "erm2-nwe9"):
            assert rows(mirror.url, ident) == rows(server.url, ident)
    finally:
        mirror.stop()


def test_made_private_at_the_source_goes_private_here(source, harvested):
    server, key = source
    dest, first, report, mirror = harvested
    auth = tuple(key.split(":", 1))
    assert mirror.get("/resource/erm2-nwe9.json").status_code == 200
    r = requests.put(
        f"{server.url}/api/views/erm2-nwe9",
        params={"method": "setPermission", "value": "private", "exemption": "s31", "reason": "under review"},
        auth=auth,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    out = harvest(dest, server.url, "--auth", key)
    assert re.search(r"metadata\s+erm2-nwe9 .*\[private: to review\]", out.stdout), out.stdout
    assert mirror.get("/resource/erm2-nwe9.json").status_code in (403, 404)
    v = view(mirror.url, "erm2-nwe9", mirror.auth)
    assert v["metadata"]["exemption"]["section"] == "review"
