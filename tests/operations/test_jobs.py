"""Background publishing from the web, as a publisher meets it: the upload
answers at once with a progress page, a worker publishes, and a worker killed
mid-publish is replaced without losing or doubling anything."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.live import LiveServer, clean_env, cli
from tests.portal.test_staff import column_form_values

pytestmark = pytest.mark.slow
PASSWORD = "a long enough passphrase"
ROWS = 400_000
KILL_ROWS = 1_500_000
PUBLISHED = "<h1 class=\"govuk-panel__title\">Published</h1>"


def _csrf(session: requests.Session, page: str) -> str:
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert m, page[:2000]
    return m.group(1)


def _big_csv(path, rows=ROWS):
    with open(path, "w") as f:
        f.write("Reference,Street,Amount,Issued\n")
        for i in range(rows):
            f.write(f"R{i:07d},{['High St', 'Mill Lane', 'Church Rd'][i % 3]},{60 + i % 7 * 5},2024-0{1 + i % 9}-1{i % 10}\n")
    return path


def _start_publish(server: LiveServer, path) -> tuple[requests.Session, str, float]:
    """Sign in, go through the wizard; the job page's URL and how long the final step took."""
    s = requests.Session()
    page = s.get(server.url + "/staff/sign-in", timeout=30).text
    r = s.post(server.url + "/staff/sign-in", data={"username": "pub", "password": PASSWORD,
               "csrfmiddlewaretoken": _csrf(s, page)}, timeout=30)  # fmt: skip
    assert r.status_code == 200 and "Sign out" in r.text, r.text[:2000]
    page = s.get(server.url + "/staff/publish", timeout=30).text
    with open(path, "rb") as fh:
        r = s.post(server.url + "/staff/publish", data={"csrfmiddlewaretoken": _csrf(s, page)},
                   files={"file": (path.name, fh, "text/csv")}, timeout=300)  # fmt: skip
    assert r.status_code == 200, r.text[:3000]
    columns_url = r.url
    form = column_form_values(r.text)
    form["csrfmiddlewaretoken"] = _csrf(s, r.text)
    r = s.post(columns_url, data=form, timeout=300)
    assert r.status_code == 200 and "m-name" in r.text, r.text[:3000]
    data = {
        "csrfmiddlewaretoken": _csrf(s, r.text), "m-name": "Big tickets", "m-description": "", "m-category": "",
        "m-tags": "", "m-organisation": "Demo Borough Council", "m-licence": "OGL-UK-3.0",
        "m-update_frequency": "", "v-visibility": "public",
    }  # fmt: skip
    start = time.monotonic()
    r = s.post(r.url, data=data, timeout=300, allow_redirects=False)
    took = time.monotonic() - start
    assert r.status_code == 302, r.text[:3000]
    assert "/staff/jobs/" in r.headers["Location"]
    return s, server.url + r.headers["Location"], took


def _wait_for(s, url, text, timeout=300, every=0.5) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = s.get(url, timeout=30).text
        if text in page:
            return page
        assert "was not published" not in page, page
        time.sleep(every)
    raise AssertionError(f"{text!r} did not appear on {url}:\n{page[:3000]}")


def _dataset_id(page: str) -> str:
    return re.search(r'href="/datasets/([a-z0-9]{4}-[a-z0-9]{4})/"', page).group(1)


def _count(server, ds) -> int:
    return int(server.get(f"/resource/{ds}.json", params={"$select": "count(*)"}).json()[0]["count"])


@pytest.fixture
def portal(tmp_path):
    data = tmp_path / "data"
    env = clean_env(OPENBOROUGH_BACKGROUND_PUBLISH_BYTES="1", OPENBOROUGH_JOB_STALE_SECONDS="4")
    cli(data, "init", env=env)
    cli(data, "user", "add", "pub", "--password", PASSWORD, "--role", "publisher", env=env)
    return data, env, _big_csv(tmp_path / "big-tickets.csv")


def test_a_large_upload_is_published_by_the_servers_worker_with_progress(portal):
    data, env, big = portal
    server = LiveServer(data, env=env, workers=1, threads=4)
    try:
        s, job_url, _ = _start_publish(server, big)
        first = s.get(job_url, timeout=30).text
        assert "Publishing Big tickets" in first and 'http-equiv="refresh"' in first  # not done yet: the request did not wait
        page = _wait_for(s, job_url, PUBLISHED)
        assert f"{ROWS} rows" in page and 'http-equiv="refresh"' not in page
        assert _count(server, _dataset_id(page)) == ROWS
    finally:
        server.stop()


def test_a_worker_killed_mid_publish_is_replaced_and_nothing_is_lost_or_doubled(portal, tmp_path):
    data, env, _ = portal
    big_kill = _big_csv(tmp_path / "bigger-tickets.csv", KILL_ROWS)  # long enough to be caught mid-way
    server = LiveServer(data, env=env, workers=1, threads=4)  # tests/live starts serve; its own worker is stopped below
    worker = None
    try:
        # stop the server's own worker so that this test's worker is the only one
        subprocess.run(["pkill", "-f", f"openborough.cli worker --data-dir {data}"], check=False)
        s, job_url, _ = _start_publish(server, big_kill)
        worker = subprocess.Popen([sys.executable, "-m", "openborough.cli", "worker", "--data-dir", str(data)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        _wait_for(s, job_url, "rows written", timeout=120, every=0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        page = s.get(job_url, timeout=30).text
        assert PUBLISHED not in page
        worker = subprocess.Popen([sys.executable, "-m", "openborough.cli", "worker", "--data-dir", str(data)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        page = _wait_for(s, job_url, PUBLISHED)
        ds = _dataset_id(page)
        assert _count(server, ds) == KILL_ROWS
        meta = server.get(f"/api/views/{ds}.json").json()
        assert meta["name"] == "Big tickets"
        versions = s.get(f"{server.url}/staff/datasets/{ds}/", timeout=30).text
        assert versions.count("(background job") == 1  # one version, written once
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        server.stop()
