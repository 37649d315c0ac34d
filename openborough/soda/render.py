"""Streaming encoders for query results: SODA 2.1 JSON, CSV and GeoJSON.

Each takes the output columns and an iterator of raw rows and yields byte
chunks of about 64 KiB, so a response of any size is written with bounded
memory (the rows come from a store cursor in batches)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator

import orjson
import shapely.geometry

JSON_TYPE = "application/json;charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
GEOJSON_TYPE = "application/vnd.geo+json;charset=utf-8"
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
CHUNK = 64 * 1024
BOM = "\ufeff".encode()


def _output():
    from ..soql import output

    return output


def _buffered(parts: Iterable[bytes]) -> Iterator[bytes]:
    buf = bytearray()
    for p in parts:
        buf += p
        if len(buf) >= CHUNK:
            yield bytes(buf)
            buf.clear()
    if buf:
        yield bytes(buf)


def _formatter(t):
    """A fast formatter for one column's values, equal to ``soql.output.format_value``
    (which the uncommon cases fall back to)."""
    from ..soql.types import SoQLType

    fmt = _output().format_value
    value = getattr(t, "value", None)
    if value in (SoQLType.TEXT.value, SoQLType.BLOB.value):
        return lambda v: v if v.__class__ is str else fmt(v, t)
    if value == SoQLType.CHECKBOX.value:
        return bool
    if getattr(t, "is_numeric", False):

        def number(v):
            if v.__class__ is float:
                if v.is_integer() and -1e15 < v < 1e15:
                    return str(int(v))
                r = repr(v)
                # a shortest round-trip repr of at most 15 digits is what %.15g gives
                if "e" not in r and "n" not in r and sum(ch.isdigit() for ch in r) <= 15:
                    return r
            return fmt(v, t)

        return number
    if value == SoQLType.FLOATING_TIMESTAMP.value:

        def floating(v):
            if v.__class__ is dt.datetime and v.year >= 1000 and v.tzinfo is None:
                return v.isoformat(timespec="milliseconds")
            return fmt(v, t)

        return floating
    if value == SoQLType.FIXED_TIMESTAMP.value:

        def fixed(v):
            if v.__class__ is dt.datetime and v.year >= 1000 and v.tzinfo is not None:
                return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
            return fmt(v, t)

        return fixed
    return lambda v: fmt(v, t)


def json_values(columns, rows: Iterable[tuple]) -> Iterator[list]:
    """Each row as a list of SODA JSON values (None for null), column by column."""
    fmts = [_formatter(c.type) for c in columns]
    for row in rows:
        yield [None if v is None else f(v) for v, f in zip(row, fmts, strict=False)]


def encode_json(columns, rows: Iterable[tuple]) -> Iterator[bytes]:
    names = [c.name for c in columns]

    def parts():
        yield b"["
        sep = b""
        for vals in json_values(columns, rows):
            yield sep + orjson.dumps({n: v for n, v in zip(names, vals, strict=False) if v is not None})
            sep = b"\n,"
        yield b"]\n"

    return _buffered(parts())


def csv_cell(value) -> str:
    """A SODA JSON value as Socrata writes it in CSV (before quoting)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, dict):
        if "coordinates" in value or "geometries" in value:
            return shapely.geometry.shape(value).wkt
        if "url" in value or "description" in value:
            url, desc = value.get("url"), value.get("description")
            if url and desc:
                return f"{desc} ({url})"
            return url or desc or ""
        if "latitude" in value or "human_address" in value:
            lines = []
            addr = value.get("human_address")
            if addr:
                try:
                    a = json.loads(addr) if isinstance(addr, str) else addr
                    if a.get("address"):
                        lines.append(a["address"])
                    tail = ", ".join(x for x in (a.get("city"), a.get("state")) if x)
                    tail = " ".join(x for x in (tail, a.get("zip")) if x)
                    if tail:
                        lines.append(tail)
                except (ValueError, AttributeError):
                    lines.append(str(addr))
            if value.get("latitude") is not None and value.get("longitude") is not None:
                lines.append(f"({value['latitude']}, {value['longitude']})")
            return "\n".join(lines)
    return orjson.dumps(value).decode()


def _quote(v) -> str:
    if v is None:
        return ""
    text = v if v.__class__ is str else csv_cell(v)
    return '"' + (text.replace('"', '""') if '"' in text else text) + '"'


def _csv_line(cells: list, sep: str = ",") -> bytes:
    return (sep.join(map(_quote, cells)) + "\n").encode("utf-8")


def encode_csv(columns, rows: Iterable[tuple], bom: bool = False, sep: str = ",") -> Iterator[bytes]:
    """``sep``: the field separator (SODA3's ``serializationOptions.separator``)."""

    def parts():
        if bom:
            yield BOM
        yield _csv_line([c.name for c in columns], sep)
        for vals in json_values(columns, rows):
            yield _csv_line(vals, sep)

    return _buffered(parts())


def _geo_index(columns) -> int | None:
    for i, c in enumerate(columns):
        if getattr(c.type, "is_geometry", False):
            return i
    return None


def feature(columns, vals: list, geo: int | None) -> dict:
    props = {c.name: v for i, (c, v) in enumerate(zip(columns, vals, strict=False)) if i != geo}
    return {"type": "Feature", "geometry": vals[geo] if geo is not None else None, "properties": props}


def encode_geojson(columns, rows: Iterable[tuple]) -> Iterator[bytes]:
    geo = _geo_index(columns)

    def parts():
        yield b'{"type":"FeatureCollection","features":['
        sep = b""
        for vals in json_values(columns, rows):
            yield sep + orjson.dumps(feature(columns, vals, geo))
            sep = b",\n"
        yield b'],"crs":' + orjson.dumps(CRS) + b"}\n"

    return _buffered(parts())


def single_row(fmt: str, columns, row: tuple) -> tuple[bytes, str]:
    """One row as ``/resource/{id}/{rowid}`` answers it: a bare object or Feature."""
    vals = next(json_values(columns, [row]))
    if fmt == "geojson":
        f = feature(columns, vals, _geo_index(columns))
        f["crs"] = CRS
        return orjson.dumps(f), GEOJSON_TYPE
    if fmt == "csv":
        return _csv_line([c.name for c in columns]) + _csv_line(vals), CSV_TYPE
    return orjson.dumps({c.name: v for c, v in zip(columns, vals, strict=False) if v is not None}), JSON_TYPE
