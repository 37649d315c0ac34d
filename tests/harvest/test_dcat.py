"""DCAT: DCAT-AP RDF (Turtle with Hydra paging, JSON-LD) from recorded feeds on
loopback, the real 2013 Socrata data.json catalogues, and another openborough's
own /data.json."""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.live import LiveServer, cli

from .conftest import CATALOG, PRIVATE_ID, SOURCES
from .fixture_server import FixtureServer


@pytest.fixture
def feeds():
    server = FixtureServer("dcat")
    yield server
    server.stop()


def harvest(data_dir, url, *args):
    return cli(data_dir, "harvest", url, "--quiet", "--timeout", "5", "--retries", "0", *args, check=False)


def test_dcat_ap_turtle_with_hydra_paging(feeds, tmp_path):
    data = tmp_path / "data"
    report_path = tmp_path / "r.json"
    out = harvest(data, feeds.url + "/catalog.ttl", "--report", str(report_path))
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(report_path.read_text())
    assert report["kind"] == "dcat-ap"
    got = {d["source_id"]: d for d in report["datasets"]}
    assert set(got) == {"rcyc-2024", "plan-2024", "council-tax-bands-2024", "ward-maps"}
    assert got["rcyc-2024"]["dataset_id"] == "rcyc-2024" and got["rcyc-2024"]["rows"] == 3
    assert got["plan-2024"]["private"] is True  # dct:accessRights NON_PUBLIC
    assert got["council-tax-bands-2024"]["action"] == "created" and got["council-tax-bands-2024"]["rows"] == 4
    assert re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}", got["council-tax-bands-2024"]["dataset_id"])
    assert got["ward-maps"]["action"] == "skipped"
    site = LiveServer(data)
    try:
        view = site.get("/api/views/rcyc-2024.json").json()
        assert view["name"] == "Household waste recycling centres"
        assert view["tags"] == ["recycling", "waste"] and view["category"] == "Environment"
        assert view["licenseId"] == "UK_OGL_30"
        assert [c["fieldName"] for c in view["columns"]] == [
            "site",
            "town",
            "opening_hours",
            "accepts_electricals",
            "last_updated",
        ]
        assert site.get("/resource/plan-2024.json").status_code in (403, 404)
        tax = site.get(f"/api/views/{got['council-tax-bands-2024']['dataset_id']}.json").json()
        assert tax["licenseId"] == "CC_40_BY"
    finally:
        site.stop()
    again = harvest(data, feeds.url + "/catalog.ttl")
    assert "0 created, 0 updated, 0 metadata only, 3 unchanged, 1 skipped" in again.stdout, again.stdout


def test_json_ld(feeds, tmp_path):
    out = harvest(tmp_path / "data", feeds.url + "/catalog.jsonld")
    assert out.returncode == 0, out.stdout
    assert re.search(r"created\s+rcyc-2024 'Household waste recycling centres', 3 rows", out.stdout)


def test_invalid_rdf_and_loops_are_reported(feeds, tmp_path):
    out = harvest(tmp_path / "a", feeds.url + "/broken.ttl")
    assert out.returncode == 1 and "is not valid TURTLE RDF" in out.stdout
    assert "Traceback" not in out.stderr
    out = harvest(tmp_path / "b", feeds.url + "/loop.ttl")
    assert out.returncode == 1 and "leads back to" in out.stdout
    feeds.routes["/catalog.ttl"] = (200, "text/html", b"<!DOCTYPE html><html><body>Sign in</body></html>")
    out = harvest(tmp_path / "c", feeds.url + "/catalog.ttl")
    assert out.returncode == 1 and "HTML page" in out.stdout


def test_real_socrata_data_json_2013(feeds, tmp_path):
    """A real 2013 Socrata /data.json (Project Open Data 1.0, a JSON array): the
    plan keeps every 4x4 id and skips what has no table to read (no network)."""
    raw = (CATALOG / "data.cityofchicago.org.json").read_bytes()
    entries = json.loads(raw)
    feeds.routes["/data.json"] = (200, "application/json", raw)
    report_path = tmp_path / "plan.json"
    out = harvest(tmp_path / "data", feeds.url + "/data.json", "--dry-run", "--report", str(report_path))
    report = json.loads(report_path.read_text())
    assert report["kind"] == "dcat-us" and report["dry_run"] is True
    lines = report["datasets"]
    assert len(lines) == len(entries) - 1  # the first entry is the catalogue itself
    assert {d["dataset_id"] for d in lines} == {e["identifier"] for e in entries[1:]}
    would = [d for d in lines if d["action"] == "created"]
    assert would and all(d["action"] in ("created", "skipped") for d in lines)
    csv_ids = {
        e["identifier"]
        for e in entries[1:]
        if any("csv" in (f.get("value") or "") for d in e.get("distribution") or [] for f in d.get("formats") or [])
    }
    assert {d["dataset_id"] for d in would} >= csv_ids
    assert "dry run: nothing was changed" in out.stdout


def test_openborough_data_json_round_trip(source, tmp_path):
    """Another openborough's /data.json: ids, titles, columns and row counts arrive."""
    server, _ = source
    data = tmp_path / "data"
    out = harvest(data, server.url + "/data.json")
    public = sorted(ident for _, _, ident, _ in SOURCES if ident != PRIVATE_ID)
    assert f"{len(public)} datasets: {len(public)} created" in out.stdout, out.stdout
    site = LiveServer(data)
    try:
        for ident in public:
            src = requests.get(f"{server.url}/api/views/{ident}.json", timeout=30).json()
            got = site.get(f"/api/views/{ident}.json").json()
            assert got["name"] == src["name"] and got["rowCount"] == src["rowCount"], ident
            # the feed's CSV download is Socrata's rows.csv, headed by display names: those arrive unchanged
            # (field names are made from them; the Socrata source keeps field names too)
            assert [c["name"] for c in got["columns"]] == [c["name"] for c in src["columns"]], ident
    finally:
        site.stop()


def test_rdf_xml(feeds, tmp_path):
    import rdflib

    ttl = (feeds.folder / "files" / "catalog.ttl").read_text().replace("{{base}}", feeds.url)
    g = rdflib.Graph().parse(data=ttl, format="turtle")
    g.remove((None, rdflib.URIRef("http://www.w3.org/ns/hydra/core#next"), None))
    feeds.routes["/catalog.rdf"] = (200, "application/rdf+xml", g.serialize(format="xml").encode())
    out = harvest(tmp_path / "data", feeds.url + "/catalog.rdf")
    assert out.returncode == 0, out.stdout
    assert "2 datasets: 2 created" in out.stdout


def test_datasets_gone_from_the_source_are_reported_and_kept(feeds, tmp_path):
    data = tmp_path / "data"
    assert harvest(data, feeds.url + "/catalog.ttl").returncode == 0
    first_page_only = (
        (feeds.folder / "files" / "catalog.ttl")
        .read_bytes()
        .replace(b"hydra:next <{{base}}/catalog-2.ttl>", b'dct:title "x"')
    )
    feeds.routes["/catalog.ttl"] = (200, "text/turtle", first_page_only)
    out = harvest(data, feeds.url + "/catalog.ttl")
    assert re.search(r"gone\s+\S+ 'Council tax band charges 2024/25'.*no longer lists it", out.stdout), out.stdout
    assert "1 no longer at the source" in out.stdout and out.returncode == 0
    assert "Ward maps" not in out.stdout  # skipped before, so never ours: nothing to report
