"""Acceptance on a live ``openborough serve``: the curl lines of Socrata's own
docs (SODA3 query and export, serializationOptions, HEAD, the Metadata API,
SoQL implicit aliases), run with the real curl, only the host changed.

URL (or curl line) → expected JSON, as the docs pages show them."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import pytest

from tests.live import LiveServer, cli

pytestmark = pytest.mark.slow
ROWS = 60


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if shutil.which("curl") is None:
        pytest.fail("these tests run Socrata's documented curl lines: install curl (Debian: apt-get install curl)",
                    pytrace=False)  # fmt: skip
    tmp = tmp_path_factory.mktemp("soda3")
    data = tmp / "data"
    path = tmp / "requests.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ref", "status", "amount", "opened"])
        for i in range(ROWS):
            w.writerow(
                [f"SR{i:04d}", ["Open", "Closed", "Closed", "Pending"][i % 4], 10 + i, f"2024-{1 + i % 12:02d}-15"]
            )
    ds = cli(data, "publish", str(path), "--title", "Service requests", "--row-id", "ref", "--quiet").stdout.strip()
    cli(data, "user", "add", "alice", "--password", "s3cret-pw-long-enough", "--role", "publisher")
    srv = LiveServer(data)
    yield srv, ds
    srv.stop()


def curl(*args: str) -> tuple[int, dict, bytes]:
    out = subprocess.run(["curl", "-s", "-i", *args], capture_output=True, timeout=60, check=True).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    return status, headers, body


AUTH = ("--user", "alice:s3cret-pw-long-enough")


def test_soda3_query_post_with_json_body(server):
    srv, ds = server
    body = (
        '{"query": "SELECT ref, status WHERE status = \'Open\' ORDER BY ref", "page": {"pageNumber": 2, "pageSize": 5}}'
    )
    status, headers, out = curl(*AUTH, "--json", body, f"{srv.url}/api/v3/views/{ds}/query.json")
    assert status == 200, out
    assert json.loads(out) == [{"ref": f"SR{i:04d}", "status": "Open"} for i in range(20, 40, 4)]
    assert int(headers["content-length"]) == len(out)


def test_soda3_query_get_form(server):
    srv, ds = server
    status, _, out = curl(
        *AUTH,
        "--get",
        "--data-urlencode",
        "query=SELECT status, count(*) GROUP BY status ORDER BY count DESC, status",
        "--data",
        "pageNumber=1&pageSize=2&includeSynthetic=false",
        f"{srv.url}/api/v3/views/{ds}/query.json",
    )
    assert status == 200 and json.loads(out) == [{"status": "Closed", "count": "30"}, {"status": "Open", "count": "15"}]


def test_soda3_export_with_serialization_options(server):
    """dev.socrata.com/docs/queries/serializationoptions, the curl line as given."""
    srv, ds = server
    status, headers, out = curl(
        *AUTH,
        "--json",
        '{"serializationOptions":{"separator":"\\t","bom":true}}',
        f"{srv.url}/api/v3/views/{ds}/export.csv",
    )
    assert status == 200 and headers["content-type"] == "text/csv; charset=utf-8"
    text = out.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter="\t"))
    assert rows[0] == ["ref", "status", "amount", "opened"] and len(rows) == ROWS + 1


def test_soda3_needs_a_user_or_an_app_token(server):
    srv, ds = server
    status, headers, out = curl("--json", '{"query": "SELECT *"}', f"{srv.url}/api/v3/views/{ds}/query.json")
    assert status == 403 and headers["content-type"].startswith("application/json")
    assert json.loads(out)["code"] == "authentication_required"
    status, _, out = curl("-H", "X-App-Token: nonsense", "--json", "{}", f"{srv.url}/api/v3/views/{ds}/query.json")
    assert status == 403 and json.loads(out)["code"] == "invalid_app_token"
    status, _, out = curl(*AUTH, "--json", "{not json", f"{srv.url}/api/v3/views/{ds}/query.json")
    assert status == 400 and json.loads(out)["error"] is True


# SoQL docs pages' examples (dev.socrata.com/docs/queries/*), on this dataset: URL → expected JSON
SOQL_DOCS = [
    ("$select=status,count(*)&$group=status&$order=count DESC,status",
     [{"status": "Closed", "count": "30"}, {"status": "Open", "count": "15"}, {"status": "Pending", "count": "15"}]),
    ("$select=status,sum(amount)&$group=status&$having=sum_amount>600&$order=sum_amount",
     [{"status": "Pending", "sum_amount": "615"}, {"status": "Closed", "sum_amount": "1185"}]),
    ("$select=date_trunc_ym(opened),count(*)&$group=date_trunc_ym_opened&$order=date_trunc_ym_opened&$limit=2",
     [{"date_trunc_ym_opened": "2024-01-01T00:00:00.000", "count": "5"},
      {"date_trunc_ym_opened": "2024-02-01T00:00:00.000", "count": "5"}]),
    ("$query=SELECT max(amount) WHERE status='Open'", [{"max_amount": "66"}]),
    ("$select=ref&$where=amount between 67 and 68&$order=ref", [{"ref": "SR0057"}, {"ref": "SR0058"}]),
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), SOQL_DOCS)
def test_soql_docs_examples(server, query, expected):
    srv, ds = server
    status, _, out = curl("-g", f"{srv.url}/resource/{ds}.json?{query.replace(' ', '%20')}")
    assert status == 200, out
    assert json.loads(out) == expected


def test_head_content_length_and_unknown_api_paths(server):
    srv, ds = server
    _, get_headers, body = curl(f"{srv.url}/resource/{ds}.geojson")
    status, head_headers, head_body = curl("-I", f"{srv.url}/resource/{ds}.geojson")
    assert status == 200 and head_body == b""
    assert head_headers["content-length"] == get_headers["content-length"] == str(len(body))
    status, headers, out = curl(f"{srv.url}/api/no/such/endpoint.json")
    assert status == 404 and headers["content-type"].startswith("application/json")
    assert json.loads(out)["code"] == "not_found"


def test_metadata_api(server):
    srv, ds = server
    status, _, out = curl(f"{srv.url}/api/views/metadata/v1/{ds}")
    m = json.loads(out)
    assert status == 200 and m["id"] == ds and m["name"] == "Service requests"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", m["dataUpdatedAt"])
    status, _, out = curl(f"{srv.url}/api/views/metadata/v1?limit=1")
    assert [x["id"] for x in json.loads(out)] == [ds]
    status, _, out = curl(f"{srv.url}/views/{ds}.json")
    assert json.loads(out)["columns"][1]["fieldName"] == "status"


def test_no_row_cap_on_the_download_line(server):
    srv, ds = server
    status, headers, out = curl("-g", f"{srv.url}/resource/{ds}.csv?$limit=1000000")
    assert status == 200 and out.count(b"\n") == ROWS + 1
