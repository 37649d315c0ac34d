"""Values in and out of PostgreSQL for ``PostgresStore``.

In: Arrow record batches (the physical types of ``soql.types``) become CSV
for ``COPY … FROM STDIN (FORMAT csv)``. Text COPY is used because Arrow's C++
CSV writer renders a whole batch at once (no Python per value), which is
several times faster than psycopg's per-row binary ``write_row``. CSV keeps
NULL (an unquoted empty field) apart from the empty string (``""``, Arrow
quotes every string). Points become EWKT (``SRID=4326;POINT(lon lat)``),
other geometries hex EWKB via shapely (which also checks the WKB and the
geometry kind), location/url JSON objects with null keys left out.

Out: psycopg loaders for PostGIS ``geometry`` that give the same Python
values DuckDBStore gives, so ``soql.output`` formats both stores alike: a
point is ``{"lon": x, "lat": y}``; any other geometry is 2D ISO WKB bytes
without SRID.
"""

from __future__ import annotations

import struct

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import shapely
from psycopg.adapt import Loader
from psycopg.pq import Format

from ..soql.types import GEOMETRY_KINDS, SYSTEM_ARROW_FIELDS, Column, SoQLType, arrow_type
from .base import StoreError

#: PostgreSQL column type of each SoQL type (see the table in soql.types)
_GEOMETRY_KIND = GEOMETRY_KINDS
# shapely.get_type_id numbers for each kind
_SHAPELY_TYPE_ID = {
    SoQLType.POINT: 0,
    SoQLType.LINE: 1,
    SoQLType.POLYGON: 3,
    SoQLType.MULTIPOINT: 4,
    SoQLType.MULTILINE: 5,
    SoQLType.MULTIPOLYGON: 6,
}
_SHAPELY_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}
SRID = 4326


def pg_type(t: SoQLType) -> str:
    """The PostgreSQL column type (SQL text, no user input) of a SoQL type."""
    if t in (SoQLType.TEXT, SoQLType.BLOB):
        return "text"
    if t.is_numeric:
        return "double precision"
    if t is SoQLType.CHECKBOX:
        return "boolean"
    if t is SoQLType.FLOATING_TIMESTAMP:
        return "timestamp(3) without time zone"
    if t is SoQLType.FIXED_TIMESTAMP:
        return "timestamp(3) with time zone"
    if t.is_geometry:
        return f"geometry({_GEOMETRY_KIND[t]},{SRID})"
    if t in (SoQLType.LOCATION, SoQLType.URL):
        return "jsonb"
    raise ValueError(t)  # pragma: no cover - the enum is exhaustive


# -- Arrow → CSV -------------------------------------------------------------


def _user_column(batch: pa.RecordBatch, col: Column) -> pa.Array:
    """The batch's array for ``col``, in the column's physical type."""
    idx = batch.schema.get_field_index(col.field_name)
    if idx < 0:
        raise StoreError(f"incoming rows have no column {col.field_name!r}; they have " + ", ".join(batch.schema.names))
    arr = batch.column(idx)
    want = arrow_type(col.type)
    if arr.type != want:
        # timestamps are held to the millisecond (soql.types): finer input is truncated, as documented
        lossy_ok = pa.types.is_timestamp(want) and pa.types.is_timestamp(arr.type)
        try:
            arr = arr.cast(want, safe=not lossy_ok)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
            raise StoreError(f"column {col.field_name!r}: cannot store {arr.type} as {col.type.value}: {e}") from None
    return arr


def _text(arr: pa.Array, name: str, first_row: int) -> pa.Array:
    if pc.any(pc.match_substring(arr, "\x00")).as_py():
        row = pc.index(pc.match_substring(arr, "\x00"), True).as_py()
        raise StoreError(
            f"column {name!r}, row {first_row + row + 1}: text contains a NUL character, which PostgreSQL cannot store"
        )
    return arr


def _point(arr: pa.StructArray, name: str, first_row: int) -> pa.Array:
    lon, lat = arr.field("lon"), arr.field("lat")
    if arr.null_count:
        # a null struct's children can hold anything; mask them
        valid = pc.is_valid(arr)
        lon = pc.if_else(valid, lon, pa.scalar(None, pa.float64()))
        lat = pc.if_else(valid, lat, pa.scalar(None, pa.float64()))
    half = pc.xor(pc.is_null(lon), pc.is_null(lat))
    if pc.any(half).as_py():
        row = pc.index(half, True).as_py()
        raise StoreError(f"column {name!r}, row {first_row + row + 1}: a point needs both lon and lat")
    return pc.binary_join_element_wise(
        f"SRID={SRID};POINT(",
        pc.cast(lon, pa.string()),
        " ",
        pc.cast(lat, pa.string()),
        ")",
        "",
    )


def _geometry(arr: pa.Array, col: Column, first_row: int) -> pa.Array:
    values = np.array(arr.to_pylist(), dtype=object)
    try:
        geoms = shapely.from_wkb(values)
    except shapely.errors.GEOSException as e:
        raise StoreError(f"column {col.field_name!r}: not valid WKB: {e}") from None
    present = ~shapely.is_missing(geoms)
    ids = shapely.get_type_id(geoms)
    wrong = present & (ids != _SHAPELY_TYPE_ID[col.type])
    if wrong.any():
        row = int(np.argmax(wrong))
        raise StoreError(
            f"column {col.field_name!r}, row {first_row + row + 1}: a {_SHAPELY_NAMES.get(int(ids[row]), '?')} "
            f"cannot be stored in a {col.type.value} column"
        )
    geoms = shapely.set_srid(geoms, SRID)
    return pa.array(shapely.to_wkb(geoms, hex=True, include_srid=True, output_dimension=2), pa.string())


def _json(arr: pa.Array) -> pa.Array:
    out = []
    for item in arr.to_pylist():
        if item is None:
            out.append(None)
        else:
            out.append(orjson.dumps({k: v for k, v in item.items() if v is not None}).decode())
    return pa.array(out, pa.string())


def encode_column(arr: pa.Array, col: Column, first_row: int) -> pa.Array:
    """An array CSV can write and PostgreSQL can read into ``pg_type(col.type)``."""
    t = col.type
    if t in (SoQLType.TEXT, SoQLType.BLOB):
        return _text(arr, col.field_name, first_row)
    if t is SoQLType.POINT:
        return _point(arr, col.field_name, first_row)
    if t.is_geometry:
        return _geometry(arr, col, first_row)
    if t in (SoQLType.LOCATION, SoQLType.URL):
        return _json(arr)
    return arr  # numbers, booleans and timestamps: Arrow's CSV text is PostgreSQL's input syntax


_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


def csv_chunks(
    reader: pa.RecordBatchReader,
    columns: tuple[Column, ...],
    *,
    first_id: int | None = None,
    chunk_rows: int = 20_000,
):
    """Yield CSV buffers of at most ``chunk_rows`` rows each, one batch at a time.

    With ``first_id`` a leading ``:id`` column numbers rows from it; otherwise a
    leading sequence number (1, 2, …) in stream order is written (merge uses it
    so the last of repeated keys wins)."""
    seq = 1 if first_id is None else first_id
    row = 0
    for batch in reader:
        for start in range(0, batch.num_rows, chunk_rows):
            part = batch.slice(start, chunk_rows)
            n = part.num_rows
            if not n:
                continue
            arrays = [pa.array(np.arange(seq, seq + n, dtype=np.int64))]
            names = ["n"]
            for i, col in enumerate(columns):
                arrays.append(encode_column(_user_column(part, col), col, row))
                names.append(f"c{i}")
            sink = pa.BufferOutputStream()
            pa_csv.write_csv(pa.Table.from_arrays(arrays, names=names), sink, _CSV_OPTIONS)
            yield sink.getvalue()
            seq += n
            row += n


def exported_csv_chunks(reader: pa.RecordBatchReader, columns: tuple[Column, ...], *, chunk_rows: int = 20_000):
    """Like ``csv_chunks`` for rows that carry their own system columns
    (``:id``, ``:created_at``, ``:updated_at``, then ``columns``): a restore."""
    row = 0
    for batch in reader:
        for start in range(0, batch.num_rows, chunk_rows):
            part = batch.slice(start, chunk_rows)
            if not part.num_rows:
                continue
            # held to the millisecond like every stored timestamp (truncated, as _user_column does)
            arrays = [
                part.column(part.schema.get_field_index(f.name)).cast(f.type, safe=False) for f in SYSTEM_ARROW_FIELDS
            ]
            arrays += [encode_column(_user_column(part, col), col, row) for col in columns]
            sink = pa.BufferOutputStream()
            names = [f"c{i}" for i in range(len(arrays))]
            pa_csv.write_csv(pa.Table.from_arrays(arrays, names=names), sink, _CSV_OPTIONS)
            yield sink.getvalue()
            row += part.num_rows


# -- PostGIS → Python -------------------------------------------------------

_SRID_FLAG = 0x20000000
_Z_FLAG = 0x80000000
_M_FLAG = 0x40000000


def decode_ewkb(data: bytes):
    """PostGIS EWKB → ``{"lon", "lat"}`` for a 2D point, else ISO WKB bytes without SRID."""
    order = "<" if data[0] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", data, 1)
    base = kind & 0x0FFFFFFF
    if kind & (_Z_FLAG | _M_FLAG) or base > 1000:
        # 3D/measured input never comes from the stores' writers; hand it to GEOS
        return _shapely_2d(data)
    offset = 9 if kind & _SRID_FLAG else 5
    if base == 1:
        lon, lat = struct.unpack_from(order + "dd", data, offset)
        if lon != lon and lat != lat:  # POINT EMPTY
            return None
        return {"lon": lon, "lat": lat}
    if not kind & _SRID_FLAG:
        return bytes(data)
    return data[:1] + struct.pack(order + "I", base) + data[9:]


def _shapely_2d(data: bytes):
    geom = shapely.from_wkb(bytes(data))
    if shapely.get_type_id(geom) == 0:
        return {"lon": shapely.get_x(geom), "lat": shapely.get_y(geom)}
    return shapely.to_wkb(geom, output_dimension=2, include_srid=False)


class GeometryTextLoader(Loader):
    """``geometry`` in text format (hex EWKB)."""

    def load(self, data):
        return decode_ewkb(bytes.fromhex(bytes(data).decode("ascii")))


class GeometryBinaryLoader(Loader):
    """``geometry`` in binary format (EWKB)."""

    format = Format.BINARY

    def load(self, data):
        return decode_ewkb(bytes(data))
