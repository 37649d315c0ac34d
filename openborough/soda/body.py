"""Request bodies of SODA writes: size limits, content types, JSON and CSV rows.

sodapy sends JSON without any Content-Type, so a missing type means JSON;
``text/csv`` bodies are RFC 4180 with API field names on the first line."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
from django.conf import settings

from .errors import SodaError

JSON_TYPES = {"application/json", "text/json", "application/x-json", "text/plain", ""}
CSV_TYPES = {"text/csv", "application/csv"}


def media_type(request) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()


def _too_large(limit: int) -> SodaError:
    return SodaError(
        413, "req.body.too-large", f"The request body is larger than the limit of {limit} bytes", {"limit": limit}
    )


def read_body(request, limit: int) -> bytes:
    length = request.META.get("CONTENT_LENGTH") or ""
    try:
        declared = int(length) if length else None
    except ValueError:
        raise SodaError(400, "req.content-length.malformed", "Content-Length is not a number") from None
    if declared is not None and declared > limit:
        raise _too_large(limit)
    data = request.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def body_kind(request) -> str:
    """``json`` or ``csv``; 415 for any other declared content type."""
    mt = media_type(request)
    if mt in CSV_TYPES:
        return "csv"
    if mt in JSON_TYPES or mt.endswith("+json"):
        return "json"
    raise SodaError(
        415,
        "req.content-type.not-json",
        f"Content-Type {mt} is not accepted; send application/json (a JSON array of rows) or text/csv",
        {"content-type": mt},
    )


def parse_json(data: bytes) -> Any:
    if not data.strip():
        raise SodaError(400, "req.body.missing", "The request body is empty; send a JSON array of rows")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise SodaError(
            400, "req.body.malformed-json", f"The body is not valid JSON: {e}", {"position": getattr(e, "pos", None)}
        ) from None


def parse_csv(data: bytes) -> list[dict[str, Any]]:
    """Rows as dicts of strings; empty cells are nulls."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SodaError(400, "req.body.malformed-csv", f"The CSV body is not UTF-8 (byte {e.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise SodaError(400, "req.body.malformed-csv", "The CSV body has no header line of field names")
        header = [h.strip() for h in header]
        out = []
        for line in reader:
            if not line:
                continue
            if len(line) != len(header):
                raise SodaError(
                    400,
                    "req.body.malformed-csv",
                    f"CSV line {reader.line_num} has {len(line)} cells; the header has {len(header)}",
                    {"line": reader.line_num},
                )
            out.append({h: (v if v != "" else None) for h, v in zip(header, line, strict=True)})
        return out
    except csv.Error as e:
        raise SodaError(
            400, "req.body.malformed-csv", f"The CSV body is malformed: {e}", {"line": reader.line_num}
        ) from None


def json_rows(request, *, single: bool = False) -> list:
    """The body as a list of rows (objects, or ``[rowid]`` deletions)."""
    kind = body_kind(request)
    limit = settings.OPENBOROUGH_SODA_MAX_JSON_BYTES if kind == "json" else settings.OPENBOROUGH_MAX_UPLOAD_BYTES
    data = read_body(request, limit)
    if kind == "csv":
        if single:
            raise SodaError(415, "req.content-type.not-json", "A single row is sent as a JSON object")
        return parse_csv(data)
    value = parse_json(data)
    if single:
        if not isinstance(value, dict):
            raise SodaError(400, "soda.row.upsert-row-not-an-object", "Send the row as a JSON object")
        return [value]
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise SodaError(400, "soda.row.upsert-row-not-an-object", "Send a JSON array of row objects")
    return value
