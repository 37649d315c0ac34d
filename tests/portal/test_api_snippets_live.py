"""The API tab's sodapy snippet, copied from the page and run unchanged against a
live ``openborough serve`` over plain http (sodapy assumes https by default)."""

from __future__ import annotations

import ast
import html
import re
import subprocess
import sys

import pytest

from tests.live import LiveServer, clean_env, cli

pytestmark = pytest.mark.slow


def _snippet(page: str) -> str:
    m = re.search(r'<code class="ob-code" id="snippet-sodapy"[^>]*>(.*?)</code>', page, re.S)
    assert m, "no sodapy snippet on the page"
    return html.unescape(m.group(1))


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("snippet")
    data = tmp / "data"
    src = tmp / "trees.csv"
    src.write_text("tree_id,species,height\nT1,Oak,12.5\nT2,Ash,8\nT3,Lime,15\n")
    out = cli(data, "publish", str(src), "--title", "Street trees", "--quiet")
    server = LiveServer(data, workers=1, threads=2)
    yield server, out.stdout.strip()
    server.stop()


def test_sodapy_snippet_runs_over_http(live):
    server, ds_id = live
    page = server.get(f"/datasets/{ds_id}/api")
    assert page.status_code == 200
    code = _snippet(page.text)
    assert f'Socrata("127.0.0.1:{server.port}"' in code and 'where="tree_id IS NOT NULL"' in code
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=clean_env())
    assert run.returncode == 0, run.stderr
    rows = ast.literal_eval(run.stdout.strip())  # the snippet prints the list of row dicts
    assert sorted(r["tree_id"] for r in rows) == ["T1", "T2", "T3"] and rows[0]["species"] in {"Oak", "Ash", "Lime"}


def test_https_pages_give_the_plain_snippet(client, pcn):
    """Behind https the default sodapy client is right: no adapter is suggested."""
    code = _snippet(client.get(f"/datasets/{pcn.id}/api", secure=True).content.decode())
    assert 'Socrata("testserver", None)' in code and "HTTPAdapter" not in code
    plain = _snippet(client.get(f"/datasets/{pcn.id}/api").content.decode())
    assert '"prefix": "http://"' in plain
