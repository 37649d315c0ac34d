"""Geospatial export /api/geospatial/{id}?method=export&format=…, read back with pyogrio (GDAL)."""

from __future__ import annotations

import io
import zipfile

import pyogrio
import pyogrio.raw
import pytest
import shapely
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "tests.soda.extra_urls"


def _export(ds, fmt):
    r = Client().get(f"/api/geospatial/{ds.id}", {"method": "export", "format": fmt})
    return r, (b"".join(r.streaming_content) if r.streaming else r.content)


def _read(data: bytes, **kw):
    meta, _, geoms, fields = pyogrio.raw.read(io.BytesIO(data), **kw)
    return meta, [None if g is None else shapely.from_wkb(g) for g in geoms], fields


@pytest.mark.parametrize("fmt", ["GeoJSON", "geojson", "KML", "KMZ"])
def test_geojson_kml_kmz(dataset, fmt, tmp_path):
    r, data = _export(dataset, fmt)
    assert r.status_code == 200, data[:300]
    assert r["Content-Length"] == str(len(data)) and "attachment" in r["Content-Disposition"]
    if fmt == "KMZ":
        assert zipfile.ZipFile(io.BytesIO(data)).namelist()  # a zip holding the KML
    path = tmp_path / f"export.{fmt.lower()}"
    path.write_bytes(data)
    meta, _, raw, fields = pyogrio.raw.read(str(path))
    geoms = [None if g is None else shapely.from_wkb(g) for g in raw]
    names = [n.lower() for n in meta["fields"]]  # KML readers call a placemark's name "Name"
    assert "name" in names and "amount" in names and len(geoms) == 5
    by_name = dict(zip(fields[names.index("name")], geoms, strict=True))
    assert by_name["item 1"].equals(shapely.Point(-0.139, 51.55)) and by_name["item 0"] is None


def test_zipped_shapefile_with_prj(dataset):
    r, data = _export(dataset, "Shapefile")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(data))
    exts = sorted(n.rsplit(".", 1)[1] for n in z.namelist())
    assert {"shp", "shx", "dbf", "prj"} <= set(exts)
    assert "WGS" in z.read(next(n for n in z.namelist() if n.endswith(".prj"))).decode()
    meta, geoms, fields = _read(data)
    assert meta["geometry_type"] == "Point" and "4326" in (meta["crs"] or "")
    names = list(meta["fields"])
    assert list(fields[names.index("amount")]) == [0, 1.5, 3, 4.5, 6]
    assert list(fields[names.index("name")]) == [f"item {i}" for i in range(5)]
    assert sum(g is not None for g in geoms) == 3


def test_bad_requests(dataset, private_dataset, db):
    from openborough.catalog.publishing import create_dataset
    from openborough.soql.types import Column, Schema, SoQLType

    c = Client()
    r = c.get(f"/api/geospatial/{dataset.id}", {"method": "export", "format": "Excel"})
    assert r.status_code == 400 and r.json()["code"] == "req.format.unsupported"
    r = c.get(f"/api/geospatial/{dataset.id}", {"format": "GeoJSON"})
    assert r.status_code == 400 and r.json()["error"] is True
    flat = create_dataset({"name": "No geometry"}, Schema((Column("a", SoQLType.TEXT),)), actor="test")
    r = c.get(f"/api/geospatial/{flat.id}", {"method": "export", "format": "GeoJSON"})
    assert r.status_code == 400 and r.json()["code"] == "geo.no-geometry"
    r = c.get(f"/api/geospatial/{private_dataset.id}", {"method": "export", "format": "GeoJSON"})
    assert r.status_code == 404


@pytest.mark.slow
def test_pyogrio_opens_the_export_by_url(tmp_path):
    """GDAL reads the export straight from a live server's URL (/vsizip/{/vsicurl/…} for the zipped shapefile)."""
    from tests.live import LiveServer, cli

    src = tmp_path / "wards.geojson"
    src.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"ward":"Belsize","pop":11000},'
        '"geometry":{"type":"Polygon","coordinates":[[[-0.17,51.54],[-0.16,51.54],[-0.16,51.55],[-0.17,51.54]]]}},'
        '{"type":"Feature","properties":{"ward":"Frognal","pop":9000},'
        '"geometry":{"type":"Polygon","coordinates":[[[-0.19,51.55],[-0.18,51.55],[-0.18,51.56],[-0.19,51.55]]]}}'
        "]}"
    )
    data = tmp_path / "data"
    ds_id = cli(data, "publish", str(src), "--title", "Wards", "--quiet").stdout.strip()
    srv = LiveServer(data, workers=1, threads=2)
    try:
        base = f"{srv.url}/api/geospatial/{ds_id}?method=export&format="
        for fmt in ("GeoJSON", "KML"):
            meta, _, geoms, fields = pyogrio.raw.read(base + fmt)
            names = list(meta["fields"])
            assert list(fields[names.index("ward")]) == ["Belsize", "Frognal"], fmt
            assert shapely.from_wkb(geoms[0]).geom_type in ("Polygon", "MultiPolygon")
        meta, _, geoms, fields = pyogrio.raw.read(f"/vsizip/{{/vsicurl/{base}Shapefile}}")
        names = list(meta["fields"])
        assert list(fields[names.index("pop")]) == [11000, 9000] and "4326" in meta["crs"]
    finally:
        srv.stop()
