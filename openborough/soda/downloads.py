"""Socrata's whole-dataset downloads, byte for byte as Socrata writes them:
``/api/views/{id}/rows.csv?accessType=DOWNLOAD`` (display names as the header,
``05/01/2022 12:00:03 AM`` timestamps, RFC 4180 quoting only where needed),
the legacy ``rows.json`` document (``{"meta": {"view": …}, "data": [[…]]}``
with Socrata's eight system positions first) and ``rows.xml``.

Values start as SODA 2.1 JSON values (``render.json_values``, the one
conversion from store values) and are only re-spelt here. Every format streams."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

import orjson
import shapely.geometry
from django.conf import settings

from ..soql.types import SoQLType
from . import render
from .viewshape import view_json

XML_TYPE = "text/xml; charset=utf-8"
#: the system positions that open every legacy rows.json row
META_COLUMNS = ("sid", "id", "position", "created_at", "created_meta", "updated_at", "updated_meta", "meta")
CSV_TIME = "%m/%d/%Y %I:%M:%S %p"


def _local_zone():
    return ZoneInfo(settings.TIME_ZONE or "UTC")


def _parse_ts(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:  # years beyond 9999 or before 1: kept as SODA wrote them
        return None


def _wkt(value) -> str:
    return shapely.geometry.shape(value).wkt


def _csv_cell(t: SoQLType, v, zone) -> str:
    """One SODA JSON value as Socrata's CSV download spells it."""
    if v is None:
        return ""
    if t == SoQLType.FLOATING_TIMESTAMP:
        ts = _parse_ts(v)
        return ts.strftime(CSV_TIME) if ts else v
    if t == SoQLType.FIXED_TIMESTAMP:
        ts = _parse_ts(v)
        return ts.astimezone(zone).strftime(CSV_TIME) if ts else v
    return render.csv_cell(v)


class _Line:
    """A csv.writer target that hands back what was written."""

    def __init__(self):
        self.buf = io.StringIO()

    def write(self, s):
        self.buf.write(s)

    def take(self) -> bytes:
        out = self.buf.getvalue().encode("utf-8")
        self.buf.seek(0)
        self.buf.truncate()
        return out


def encode_csv(columns, display: list[str], rows: Iterable[tuple], bom: bool = False) -> Iterator[bytes]:
    types = [SoQLType(getattr(c.type, "value", c.type)) for c in columns]
    zone = _local_zone()

    def parts():
        line = _Line()
        w = csv.writer(line, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        if bom:
            yield render.BOM
        w.writerow(display)
        yield line.take()
        for vals in render.json_values(columns, rows):
            w.writerow([_csv_cell(t, v, zone) for t, v in zip(types, vals, strict=False)])
            yield line.take()

    return render._buffered(parts())


def _legacy_value(t: SoQLType, v):
    """A SODA JSON value as the legacy rows.json ``data`` arrays hold it."""
    if v is None:
        return None
    if t == SoQLType.FLOATING_TIMESTAMP and isinstance(v, str) and v.endswith(".000"):
        return v[:-4]
    if t.is_geometry and isinstance(v, dict):
        return _wkt(v)
    if t == SoQLType.LOCATION and isinstance(v, dict):
        return [v.get("human_address"), v.get("latitude"), v.get("longitude"), None, False]
    if t == SoQLType.URL and isinstance(v, dict):
        return [v.get("url"), v.get("description")]
    return v


def _epoch(text) -> int | None:
    ts = _parse_ts(text) if isinstance(text, str) else None
    return int(ts.timestamp()) if ts else None


def meta_columns() -> list[dict]:
    return [
        {
            "id": -1,
            "name": n,
            "dataTypeName": "meta_data",
            "fieldName": f":{n}",
            "position": 0,
            "renderTypeName": "meta_data",
            "format": {},
            "flags": ["hidden"],
        }
        for n in META_COLUMNS
    ]


def encode_rows_json(ds, user, columns, rows: Iterable[tuple]) -> Iterator[bytes]:
    """``columns`` are ``:id, :created_at, :updated_at`` then the dataset's columns."""
    view = view_json(ds, user=user)
    view["columns"] = meta_columns() + view["columns"]
    types = [SoQLType(getattr(c.type, "value", c.type)) for c in columns[3:]]
    head = orjson.dumps({"meta": {"view": view}})[:-1]  # without the closing brace

    def parts():
        yield head + b',"data":[\n'
        sep = b""
        for vals in render.json_values(columns, rows):
            rid, created, updated = vals[0], _epoch(vals[1]), _epoch(vals[2])
            pos = int(rid.removeprefix("row-")) if isinstance(rid, str) and rid[4:].isdigit() else 0
            row = [rid, rid, pos, created, None, updated, None, "{ }"]
            row += [_legacy_value(t, v) for t, v in zip(types, vals[3:], strict=False)]
            yield sep + orjson.dumps(row)
            sep = b",\n"
        yield b"\n]}\n"

    return render._buffered(parts())


def _xml_text(t: SoQLType, v) -> str:
    if t == SoQLType.CHECKBOX:
        return "true" if v else "false"
    if t.is_geometry and isinstance(v, dict):
        return _wkt(v)
    return render.csv_cell(v)


def encode_xml(base_url: str, columns, rows: Iterable[tuple]) -> Iterator[bytes]:
    """SODA 2.0's XML rows: ``<response><row><row _id … _address …><field>…</field></row>…``."""
    types = [SoQLType(getattr(c.type, "value", c.type)) for c in columns[3:]]
    names = [c.name for c in columns[3:]]  # field names are valid XML names (lower-case letter first)

    def parts():
        yield b'<?xml version="1.0" encoding="UTF-8"?>\n<response><row>'
        for vals in render.json_values(columns, rows):
            rid = vals[0]
            pos = rid.removeprefix("row-") if isinstance(rid, str) else ""
            cells = "".join(
                f"<{n}>{escape(_xml_text(t, v))}</{n}>"
                for n, t, v in zip(names, types, vals[3:], strict=False)
                if v is not None
            )
            attrs = (
                f"_id={quoteattr(str(rid))} _uuid={quoteattr(str(rid))} _position={quoteattr(pos)} "
                f"_address={quoteattr(f'{base_url}/{rid}')}"
            )
            yield f"<row {attrs}>{cells}</row>".encode()
        yield b"</row></response>\n"

    return render._buffered(parts())
