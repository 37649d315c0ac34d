"""Acceptance: GDAL (through pyogrio, pinned, unchanged) opens
``/resource/ID.geojson`` by URL from a live ``openborough serve``, as QGIS,
fiona and geopandas users do. GDAL reads URLs through ``/vsicurl/``: a HEAD
for the size, then Range reads, so this fails without a HEAD Content-Length
equal to GET's and without Range support."""

from __future__ import annotations

import pytest
import requests

from tests.live import LiveServer, cli

pyogrio = pytest.importorskip("pyogrio")
pytestmark = pytest.mark.slow
WARDS = "openborough/demo_data/london_wards_2011.geojson"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from pathlib import Path

    data = tmp_path_factory.mktemp("gdal") / "data"
    root = Path(__file__).resolve().parents[2]
    ds = cli(data, "publish", str(root / WARDS), "--title", "London wards", "--quiet").stdout.strip()
    srv = LiveServer(data)
    yield srv, ds
    srv.stop()


def test_head_length_matches_get(server):
    srv, ds = server
    url = f"{srv.url}/resource/{ds}.geojson"
    head = requests.head(url, timeout=60)
    get = requests.get(url, timeout=60)
    assert head.status_code == get.status_code == 200
    assert int(head.headers["Content-Length"]) == len(get.content) > 100_000
    assert head.headers["Accept-Ranges"] == "bytes"


def test_pyogrio_opens_resource_geojson_by_url(server):
    srv, ds = server
    url = f"{srv.url}/resource/{ds}.geojson"
    info = pyogrio.read_info(url)
    assert info["driver"] == "GeoJSON" and info["geometry_type"] == "MultiPolygon"
    assert info["features"] == 628 and info["crs"] == "EPSG:4326"
    assert "cmwd11nm" in list(info["fields"])
    meta, _fids, geoms, fields = pyogrio.raw.read(url, where="lad11nm = 'Camden'")
    assert len(geoms) == 18  # Camden's wards
    names = list(meta["fields"])
    assert "Camden" in set(fields[names.index("lad11nm")])


def test_pyogrio_reads_a_soql_query_url(server):
    srv, ds = server
    # a SoQL query in the URL: GDAL passes the query string through untouched
    url = f"{srv.url}/resource/{ds}.geojson?$where=lad11nm%3D%27Camden%27&$limit=100000"
    assert pyogrio.read_info(url)["features"] == 18
