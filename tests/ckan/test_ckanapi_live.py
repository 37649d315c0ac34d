"""Acceptance: ckanapi's RemoteCKAN (unchanged, pinned) against a live
``openborough serve``: every action, paging past 1,000 packages and 1,000
DataStore records, package_search → package_show round trips, and private
datasets in no answer for anonymous callers."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest

from tests.live import LiveServer, backend_env, cli

pytestmark = pytest.mark.slow
ROWS = 2500
EXTRA = 1050  # description-only datasets, so the catalogue has over 1,000 packages

SEED = """
import django
django.setup()
from openborough.catalog.models import Dataset, Organisation
from openborough.catalog.search import reindex_all
org, _ = Organisation.objects.get_or_create(name="Camden Council", defaults={"slug": "camden-council"})
Dataset.objects.bulk_create([
    Dataset(id=f"bulk-{i:04d}", name=f"Register number {i}", description="A description-only entry",
            category="Registers", tags=["register"], organisation=org)
    for i in range(EXTRA)
])
reindex_all()
""".replace("EXTRA", str(EXTRA))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ckan")
    data = tmp / "data"
    env = {**backend_env(data), "OPENBOROUGH_SODA_ANON_RATE": "100000", "OPENBOROUGH_SODA_TOKEN_RATE": "100000"}
    path = tmp / "fines.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ref", "ward", "amount", "issued"])
        for i in range(ROWS):
            w.writerow([f"PCN{i:05d}", ["Hampstead", "Belsize", "Camden Town"][i % 3], 40 + (i % 5) * 10,
                        f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}"])  # fmt: skip
    fines = cli(data, "publish", str(path), "--id", "fine-2020", "--title", "Penalty charge notices", "--row-id",
                "ref", "--category", "Parking", "--tags", "parking,fines", "--organisation", "Camden Council",
                "--quiet", env=env).stdout.strip()  # fmt: skip
    secret = cli(data, "publish", str(path), "--id", "secr-3333", "--title", "Secret enforcement notes",
                 "--category", "Parking", "--tags", "parking,hidden", "--organisation", "Camden Council",
                 "--private", "--exemption", "s40", "--reason", "Personal data", "--quiet", env=env)  # fmt: skip
    assert secret.returncode == 0
    subprocess.run([sys.executable, "-c", SEED], env={**env, "OPENBOROUGH_DATA_DIR": str(data),
                    "DJANGO_SETTINGS_MODULE": "openborough.settings"}, check=True, timeout=300)  # fmt: skip
    cli(data, "user", "add", "vera", "--password", "pw-vera-123-long-enough", "--role", "viewer", env=env)
    key = cli(data, "user", "key", "vera", env=env).stdout
    server = LiveServer(data, env=env)
    try:
        yield server, fines, key
    finally:
        server.stop()


@pytest.fixture(scope="module")
def ckan(site):
    return ckanapi.RemoteCKAN(site[0].url, user_agent="openborough-tests")


def test_site_and_status(ckan):
    assert ckan.action.site_read() is True
    status = ckan.action.status_show()
    assert status["ckan_version"].startswith("2.") and "datastore" in status["extensions"]
    licences = {lic["id"]: lic for lic in ckan.action.license_list()}
    assert licences["uk-ogl"]["url"].startswith("https://www.nationalarchives.gov.uk/")


def test_package_list_and_current(ckan, site):
    names = ckan.action.package_list()
    assert len(names) == EXTRA + 1 and site[1] in names and "secr-3333" not in names
    assert ckan.action.package_list(limit=5, offset=2) == names[2:7]
    current = ckan.action.current_package_list_with_resources(limit=3)
    assert len(current) == 3 and all(p["private"] is False for p in current)


def test_package_search_pages_past_1000_and_round_trips(ckan):
    seen, start = [], 0
    while True:
        page = ckan.action.package_search(q="*:*", rows=400, start=start, sort="name asc")
        seen += page["results"]
        start += 400
        if start >= page["count"]:
            break
    assert page["count"] == EXTRA + 1 == len(seen) == len({p["id"] for p in seen})
    assert "secr-3333" not in {p["id"] for p in seen}
    for searched in seen[:30] + [p for p in seen if p["id"] == "fine-2020"]:
        assert ckan.action.package_show(id=searched["name"]) == searched


def test_package_search_query_filters_and_facets(ckan):
    r = ckan.action.package_search(q="penalty notices", fq='tags:parking organization:"camden-council"',
                                   **{"facet.field": ["tags", "organization", "groups", "license_id"], "facet.limit": 5})  # fmt: skip
    assert [p["id"] for p in r["results"]] == ["fine-2020"]
    pkg = r["results"][0]
    assert pkg["organization"]["name"] == "camden-council" and pkg["groups"][0]["name"] == "parking"
    assert {t["name"] for t in pkg["tags"]} == {"parking", "fines"}
    assert pkg["resources"][0]["datastore_active"] is True
    assert r["facets"]["tags"] == {"fines": 1, "parking": 1}
    assert r["search_facets"]["organization"]["items"][0]["display_name"] == "Camden Council"
    assert [
        p["id"] for p in ckan.action.package_search(q='penalty tags:fines organization:"camden-council"')["results"]
    ] == ["fine-2020"]
    assert ckan.action.package_search(q="penalty tags:registers")["count"] == 0
    groups = ckan.action.package_search(fq="groups:registers", rows=0)
    assert groups["count"] == EXTRA
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(sort="colour desc")
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="owner:me")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(rows="many")


def test_private_datasets_hidden_from_anonymous(ckan, site):
    for call in (
        lambda: ckan.action.package_show(id="secr-3333"),
        lambda: ckan.action.resource_show(id="secr-3333"),
        lambda: ckan.action.datastore_search(resource_id="secr-3333"),
        lambda: ckan.action.datastore_search_sql(sql='SELECT * FROM "secr-3333"'),
    ):
        with pytest.raises(ckanapi.NotFound):
            call()
    everything = ckan.action.package_search(q="secret enforcement", include_private=True)
    assert everything["count"] == 0
    assert "hidden" not in ckan.action.tag_list()
    org = ckan.action.organization_show(id="camden-council", include_datasets=True)
    assert "secr-3333" not in {p["id"] for p in org["packages"]}
    assert org["package_count"] == EXTRA + 1


def test_staff_token_sees_private(site):
    server, _, key = site
    secret = next(line.split()[-1] for line in key.splitlines() if line.startswith("secret:"))
    staff = ckanapi.RemoteCKAN(server.url, apikey=secret)
    r = staff.action.package_search(q="secret enforcement", include_private=True)
    assert [p["id"] for p in r["results"]] == ["secr-3333"] and r["results"][0]["private"] is True
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(server.url, apikey="not-a-key").action.site_read()


def test_organisations_groups_tags(ckan):
    assert ckan.action.organization_list() == ["camden-council"]
    orgs = ckan.action.organization_list(all_fields=True)
    assert orgs[0]["title"] == "Camden Council" and orgs[0]["package_count"] == EXTRA + 1
    assert sorted(ckan.action.group_list()) == ["parking", "registers"]
    assert ckan.action.group_show(id="parking")["package_count"] == 1
    assert ckan.action.tag_list(query="fin") == ["fines"]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.group_show(id="nothing-here")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="nobody")


def test_resource_show(ckan):
    pkg = ckan.action.package_show(id="fine-2020")
    for res in pkg["resources"]:
        assert ckan.action.resource_show(id=res["id"]) == res
    assert {r["format"] for r in pkg["resources"]} >= {"CSV", "XLSX", "JSON", "Parquet"}
    with pytest.raises(ckanapi.NotFound):
        ckan.action.resource_show(id="fine-2020-pdf")


def test_datastore_search_pages_past_1000(ckan):
    refs, offset = [], 0
    while True:
        page = ckan.action.datastore_search(resource_id="fine-2020", limit=1000, offset=offset)
        refs += [r["ref"] for r in page["records"]]
        offset += 1000
        if not page["records"]:
            break
    assert page["total"] == ROWS == len(refs) == len(set(refs))
    assert [f["id"] for f in page["fields"]][:2] == ["_id", "ref"]


def test_datastore_search_options(ckan):
    r = ckan.action.datastore_search(resource_id="fine-2020", filters={"ward": "Belsize", "amount": [40, 50]},
                                     fields=["ref", "amount"], sort="amount desc, ref", limit=3)  # fmt: skip
    assert r["total"] == sum(1 for i in range(ROWS) if i % 3 == 1 and i % 5 in (0, 1))
    assert [rec["amount"] for rec in r["records"]] == [50, 50, 50]
    assert list(r["records"][0]) == ["ref", "amount"]
    lists = ckan.action.datastore_search(resource_id="fine-2020", q="PCN00007", records_format="lists")
    assert lists["total"] == 1 and lists["records"][0][1] == "PCN00007"
    as_csv = ckan.action.datastore_search(resource_id="fine-2020", fields="ref,ward", limit=2, records_format="csv")
    assert as_csv["records"].splitlines() == ["PCN00000,Hampstead", "PCN00001,Belsize"]
    assert "total" not in ckan.action.datastore_search(resource_id="fine-2020", include_total=False, limit=1)
    assert "offset=1" in ckan.action.datastore_search(resource_id="fine-2020", limit=1)["_links"]["next"]
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id="fine-2020", filters={"colour": "red"})
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id="fine-2020", limit=-1)
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search(resource_id="nope-0000")


def test_datastore_search_sql(ckan):
    r = ckan.action.datastore_search_sql(
        sql='SELECT ward, count(*) AS n, sum(amount) AS total FROM "fine-2020" GROUP BY ward ORDER BY ward'
    )
    assert [(x["ward"], x["n"]) for x in r["records"]] == [("Belsize", 833), ("Camden Town", 833), ("Hampstead", 834)]
    r = ckan.action.datastore_search_sql(
        sql='WITH w AS (SELECT ward FROM "fine-2020" GROUP BY ward) SELECT count(*) AS n FROM w W, "fine-2020" F WHERE F.ward = W.ward'
    )
    assert r["records"] == [{"n": ROWS}]
    r = ckan.action.datastore_search_sql(sql='SELECT "_id", ref FROM "fine-2020" f WHERE f.ref = \'PCN00002\'')
    assert r["records"] == [{"_id": 3, "ref": "PCN00002"}]
    for bad in (
        'DELETE FROM "fine-2020"',
        "SELECT 1; DROP TABLE x",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT current_setting('data_directory')",
        "SELECT pg_read_file('/etc/passwd') FROM \"fine-2020\"",
        "SELECT * FROM main.x",
        "COPY (SELECT 1) TO '/tmp/x'",
        "SELECT 1",
        "SELEC nothing",
        'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT * FROM r, "fine-2020"',
        'SELECT * FROM (WITH "x.csv" AS (SELECT 1) SELECT * FROM "x.csv") t, "x.csv", "fine-2020"',
        'SELECT nonexistent FROM "fine-2020"',
    ):
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.datastore_search_sql(sql=bad)
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search_sql(sql='SELECT * FROM "secr-3333"')


def test_get_requests_and_unknown_action(site):
    server = site[0]
    r = server.get("/api/3/action/package_show?id=fine-2020")
    assert r.status_code == 200 and r.json()["success"] is True and r.json()["help"].endswith("name=package_show")
    r = server.get("/api/3/action/package_show?id=nope-0000")
    assert r.status_code == 404 and r.json()["error"]["__type"] == "Not Found Error"
    r = server.get("/api/3/action/package_fly")
    assert r.status_code == 400 and r.json()["success"] is False
    r = server.get('/api/3/action/datastore_search?resource_id=fine-2020&filters={"ward":"Belsize"}&limit=1')
    assert r.json()["result"]["total"] == 833


def test_get_only_client(site):
    """ckanapi's GET mode: lists as repeated keys, objects as JSON text."""
    ckan = ckanapi.RemoteCKAN(site[0].url, get_only=True)
    r = ckan.action.package_search(fq="tags:fines", **{"facet.field": ["tags", "groups"]})
    assert r["count"] == 1 and set(r["facets"]) == {"tags", "groups"}
    r = ckan.action.datastore_search(resource_id="fine-2020", filters='{"ward": "Hampstead"}', limit=2)
    assert r["total"] == 834 and all(x["ward"] == "Hampstead" for x in r["records"])
    pkg = ckan.action.package_show(id="fine-2020")
    assert pkg == ckanapi.RemoteCKAN(site[0].url).action.package_show(id="fine-2020")


def test_ckanapi_command_line_dump_and_search(site, tmp_path):
    """The ckanapi command harvesters script with: dump every dataset, and search."""
    import json
    import shutil

    exe = shutil.which("ckanapi", path=str(Path(sys.executable).parent)) or shutil.which("ckanapi")
    assert exe, "the ckanapi command is installed with the package"
    out = tmp_path / "datasets.jsonl"
    env = {
        **os.environ,
        "PATH": f"{Path(exe).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }  # its workers run "ckanapi"
    run = subprocess.run([exe, "dump", "datasets", "--all", "-r", site[0].url, "-O", str(out), "-p", "2", "-q"],
                         capture_output=True, text=True, timeout=600, env=env)  # fmt: skip
    assert run.returncode == 0, run.stderr
    dumped = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(dumped) == EXTRA + 1 and "secr-3333" not in {d["id"] for d in dumped}
    run = subprocess.run([exe, "search", "datasets", "q=penalty", "-r", site[0].url],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert [json.loads(line)["id"] for line in run.stdout.splitlines()] == ["fine-2020"]
