"""Arrow → COPY CSV and PostGIS EWKB → Python, without a server."""

from __future__ import annotations

import csv
import io
import struct

import pyarrow as pa
import pytest
import shapely

from openborough.soql.types import Column, SoQLType
from openborough.store.base import StoreError
from openborough.store.pg_encode import csv_chunks, decode_ewkb


def ewkb(geom, srid=4326, byte_order=1) -> bytes:
    geom = shapely.set_srid(geom, srid) if srid else geom
    return shapely.to_wkb(geom, include_srid=bool(srid), byte_order=byte_order, flavor="extended")


def test_points_decode_to_lon_lat():
    assert decode_ewkb(ewkb(shapely.Point(-0.14, 51.53))) == {"lon": -0.14, "lat": 51.53}
    assert decode_ewkb(ewkb(shapely.Point(1, 2), srid=0, byte_order=0)) == {"lon": 1.0, "lat": 2.0}
    empty = b"\x01" + struct.pack("<I", 1) + struct.pack("<dd", float("nan"), float("nan"))
    assert decode_ewkb(empty) is None


@pytest.mark.parametrize("byte_order", [0, 1])
def test_other_geometries_decode_to_plain_wkb(byte_order):
    poly = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 0)])
    out = decode_ewkb(ewkb(poly, byte_order=byte_order))
    assert isinstance(out, bytes)
    back = shapely.from_wkb(out)
    assert back.equals(poly) and shapely.get_srid(back) == 0
    assert out == shapely.to_wkb(poly, byte_order=byte_order)  # exactly the SRID-less WKB


def test_three_dimensional_values_come_back_2d():
    line = shapely.LineString([(0, 0, 5), (1, 1, 6)])
    out = shapely.from_wkb(decode_ewkb(ewkb(line)))
    assert not shapely.has_z(out) and out.equals(shapely.LineString([(0, 0), (1, 1)]))
    assert decode_ewkb(ewkb(shapely.Point(3, 4, 5))) == {"lon": 3.0, "lat": 4.0}


def _rows(chunks) -> list[list[str]]:
    out = []
    for chunk in chunks:
        out += list(csv.reader(io.StringIO(chunk.to_pybytes().decode())))
    return out


def test_csv_chunks_are_bounded_and_numbered():
    cols = (Column("t", SoQLType.TEXT),)
    batches = [pa.record_batch({"t": [f"r{i}" for i in range(start, start + 7)]}) for start in (0, 7)]
    reader = pa.RecordBatchReader.from_batches(batches[0].schema, batches)
    chunks = list(csv_chunks(reader, cols, first_id=1, chunk_rows=3))
    assert [len(_rows([c])) for c in chunks] == [3, 3, 1, 3, 3, 1]
    assert _rows(chunks) == [[str(i + 1), f"r{i}"] for i in range(14)]


def test_csv_keeps_null_apart_from_empty_and_quotes_text():
    cols = (Column("t", SoQLType.TEXT), Column("u", SoQLType.URL), Column("p", SoQLType.POINT))
    point = pa.struct([("lon", pa.float64()), ("lat", pa.float64())])
    url = pa.struct([("url", pa.string()), ("description", pa.string())])
    batch = pa.record_batch(
        {
            "t": ["", None, 'a "b", c'],
            "u": pa.array([None, {"url": "http://x", "description": None}, {"url": None, "description": "d"}], url),
            "p": pa.array([{"lon": 0.1 + 0.2, "lat": -1e-7}, None, None], point),
        }
    )
    (chunk,) = csv_chunks(pa.RecordBatchReader.from_batches(batch.schema, [batch]), cols)
    lines = chunk.to_pybytes().decode().splitlines()
    assert lines[0] == '1,"",,"SRID=4326;POINT(0.30000000000000004 -1e-7)"'
    assert lines[1] == '2,,"{""url"":""http://x""}",'
    assert lines[2] == '3,"a ""b"", c","{""description"":""d""}",'


def test_geometry_kind_and_wkb_are_checked():
    cols = (Column("g", SoQLType.MULTILINE),)
    line = shapely.to_wkb(shapely.LineString([(0, 0), (1, 1)]))
    batch = pa.record_batch({"g": pa.array([None, line], pa.binary())})
    with pytest.raises(StoreError, match="row 2: a LineString cannot be stored in a multiline column"):
        list(csv_chunks(pa.RecordBatchReader.from_batches(batch.schema, [batch]), cols))
