"""The packaged vector basemap (London boroughs and wards from the shipped ONS boundaries):
served from the package, compressed, and replaced or switched off by settings."""

from __future__ import annotations

import gzip

import orjson
import pytest
from shapely.geometry import Point, shape

pytestmark = pytest.mark.django_db


def test_basemap_covers_camden_and_is_small(client):
    resp = client.get("/maps/basemap.geojson", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/geo+json"
    assert resp["Content-Encoding"] == "gzip" and "Accept-Encoding" in resp["Vary"]
    assert len(resp.content) < 200_000  # what the browser downloads
    geo = orjson.loads(gzip.decompress(resp.content))
    assert "Open Government Licence" in geo["attribution"]
    kinds = {}
    for f in geo["features"]:
        kinds.setdefault(f["properties"]["kind"], []).append(f)
    assert len(kinds["borough"]) == 33 and len(kinds["ward"]) == 628 and len(kinds["label"]) == 33
    assert len(kinds["ward-label"]) == 628
    camden = next(f for f in kinds["borough"] if f["properties"]["name"] == "Camden")
    south_end_green = Point(-0.1667, 51.5559)  # where the demo's parking tickets are
    assert shape(camden["geometry"]).contains(south_end_green)
    assert not any(shape(f["geometry"]).contains(south_end_green) for f in kinds["borough"] if f is not camden)
    hampstead = next(f for f in kinds["ward"] if shape(f["geometry"]).contains(south_end_green))
    assert hampstead["properties"]["name"] == "Hampstead Town"
    plain = client.get("/maps/basemap.geojson")
    assert "Content-Encoding" not in plain and orjson.loads(plain.content) == geo


def test_map_page_uses_the_configured_tiles_or_basemap(client, pcn, settings):
    settings.OPENBOROUGH_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.OPENBOROUGH_MAP_BASEMAP_URL = ""
    html = client.get(f"/datasets/{pcn.id}/map").content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in html and 'data-basemap=""' in html
    settings.OPENBOROUGH_MAP_TILE_URL = ""
    settings.OPENBOROUGH_MAP_BASEMAP_URL = "/static/oxford-basemap.geojson"
    html = client.get(f"/datasets/{pcn.id}/map").content.decode()
    assert 'data-basemap="/static/oxford-basemap.geojson"' in html
