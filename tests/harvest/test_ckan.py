"""CKAN: recorded action-API responses (package_search pages, DataStore pages,
resources) served on loopback, harvested by the real command."""

from __future__ import annotations

import json
import re

import pytest

from tests.live import LiveServer, cli

from .fixture_server import FixtureServer


@pytest.fixture
def ckan():
    server = FixtureServer("ckan")
    yield server
    server.stop()


def harvest(data_dir, url, *args, check=False):
    return cli(data_dir, "harvest", url, "--quiet", "--timeout", "2", "--retries", "0", *args, check=check)


def line(out: str, slug: str) -> str:
    return next(x for x in out.splitlines() if slug in x)


def test_ckan_portal_harvest(ckan, tmp_path):
    data = tmp_path / "data"
    report_path = tmp_path / "report.json"
    out = harvest(data, ckan.url, "--page-size", "3", "--api-key", "token-for-private", "--report", str(report_path))
    assert out.returncode == 1  # some datasets failed, and the run says so
    report = json.loads(report_path.read_text())
    assert report["kind"] == "ckan"
    by_title = {d["title"]: d for d in report["datasets"]}
    assert len(by_title) == 7
    assert by_title["Public toilets"]["action"] == "created" and by_title["Public toilets"]["rows"] == 5
    assert by_title["Spending over £500, April to June 2015"]["action"] == "created"
    assert by_title["Spending over £500, April to June 2015"]["rows"] > 1000
    draft = by_title["Parking bay suspensions (draft)"]
    assert draft["action"] == "created" and draft["private"] is True
    assert by_title["Councillors' allowances 2023/24"]["action"] == "skipped"
    assert "PDF" in by_title["Councillors' allowances 2023/24"]["reason"]
    assert by_title["Street lights"]["action"] == "failed"
    assert "HTML page" in by_title["Street lights"]["reason"]
    assert by_title["Air quality readings"]["action"] == "failed"
    assert "n/a" in by_title["Air quality readings"]["reason"] or "number" in by_title["Air quality readings"]["reason"]
    assert by_title["Gritting routes"]["action"] == "failed"
    assert "did not answer in time" in by_title["Gritting routes"]["reason"]
    # the DataStore was read page by page (limit 3: offsets 0 and 3)
    assert any("offset=3" in r and "datastore_search" in r for r in ckan.requests)
    assert re.search(r"failed\s+\S+ 'Street lights'.*HTML page", out.stdout)
    assert "7 datasets: 3 created, 0 updated, 0 metadata only, 0 unchanged, 1 skipped, 3 failed" in out.stdout

    site = LiveServer(data)
    try:
        toilets = by_title["Public toilets"]["dataset_id"]
        view = site.get(f"/api/views/{toilets}.json").json()
        assert [(c["fieldName"], c["name"], c["dataTypeName"]) for c in view["columns"]] == [
            ("name", "Name", "text"),
            ("ward", "Ward", "text"),
            ("accessible", "Wheelchair accessible", "checkbox"),
            ("opening_hours", "Opening hours", "text"),
            ("latitude", "Latitude", "number"),
            ("longitude", "Longitude", "number"),
            ("last_inspected", "Last inspected", "calendar_date"),
            ("cubicles", "Cubicles", "number"),
        ]
        assert view["columns"][0]["description"] == "Where the toilet is"
        assert view["licenseId"] == "UK_OGL_30" and view["tags"] == ["accessibility", "public conveniences", "toilets"]
        assert view["category"] == "Environment"
        rows = site.get(f"/resource/{toilets}.json", params={"$order": ":id"}).json()
        assert [r["name"] for r in rows] == [
            "Market Square",
            "Riverside Park",
            "Bus Station",
            "Hill Top Car Park",
            "Cemetery Lane",
        ]
        assert rows[0]["accessible"] is True and rows[0]["last_inspected"] == "2024-04-03T09:15:00.000"
        assert "opening_hours" not in rows[3]
        assert site.get(f"/resource/{draft['dataset_id']}.json").status_code in (403, 404)
    finally:
        site.stop()

    again = harvest(data, ckan.url, "--page-size", "3", "--api-key", "token-for-private")
    assert re.search(r"unchanged\s+\S+ 'Public toilets'", again.stdout), again.stdout
    assert re.search(r"unchanged\s+\S+ 'Spending over", again.stdout), again.stdout
    assert "0 created, 0 updated" in again.stdout


def test_dry_run_changes_nothing(ckan, tmp_path):
    out = harvest(tmp_path / "data", ckan.url, "--dry-run")
    assert re.search(r"would create\s+\S+ 'Public toilets'", out.stdout), out.stdout
    assert "dry run: nothing was changed" in out.stdout
    assert not any("datastore_search" in r for r in ckan.requests)
    again = harvest(tmp_path / "data", ckan.url, "--dry-run")
    assert re.search(r"would create\s+\S+ 'Public toilets'", again.stdout)


def test_paging_that_never_ends_is_stopped(ckan, tmp_path):
    ckan.mode = "forever"
    out = harvest(tmp_path / "data", ckan.url, "--source", "ckan")
    assert out.returncode == 1
    assert "error: package_search repeats items it already sent" in out.stdout
    assert sum("package_search" in r for r in ckan.requests) == 2
    assert re.search(r"created\s+\S+ 'Public toilets'", out.stdout)  # what came before the loop is kept


def test_html_instead_of_api(ckan, tmp_path):
    ckan.routes["/api/3/action/package_search"] = (200, "text/html", b"<!DOCTYPE html><html>Maintenance</html>")
    out = harvest(tmp_path / "data", ckan.url, "--source", "ckan")
    assert out.returncode == 1
    assert "answered an HTML page, not JSON" in out.stdout
    assert "Traceback" not in out.stderr


def test_unreachable_source(tmp_path):
    from tests.live import free_port

    out = harvest(tmp_path / "data", f"http://127.0.0.1:{free_port()}", "--source", "ckan")
    assert out.returncode == 1 and "could not connect" in out.stdout


def test_xlsx_resource_by_id(ckan, tmp_path):
    """``--id`` reads the package with package_show; an XLSX resource goes through the ingest pipeline."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Ward", "Councillor", "Elected"])
    ws.append(["Abbey", "J. Smith", 2022])
    ws.append(["Riverside", "A. Khan", 2023])
    xlsx = tmp_path / "councillors.xlsx"
    wb.save(xlsx)
    pkg = json.loads((ckan.folder / "package_search_start2.json").read_text())["result"]["results"][1]
    pkg = dict(pkg, name="councillors-by-ward", title="Councillors by ward", id="pkg-xlsx")
    pkg["resources"] = [dict(pkg["resources"][0], format="XLSX", url="{{base}}/files/councillors.xlsx", mimetype=None)]
    ckan.routes["/api/3/action/package_show"] = (
        200,
        "application/json",
        json.dumps({"help": "", "success": True, "result": pkg}).encode(),
    )
    ckan.routes["/files/councillors.xlsx"] = (
        200,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        xlsx.read_bytes(),
    )
    data = tmp_path / "data"
    out = harvest(data, ckan.url, "--id", "councillors-by-ward")
    assert out.returncode == 0, out.stdout
    assert re.search(r"created\s+\S+ 'Councillors by ward'.*, 2 rows", out.stdout), out.stdout
