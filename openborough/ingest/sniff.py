"""What kind of file this is, and which delimiter a text table uses."""

from __future__ import annotations

import csv
import io
import os
import re

from .errors import IngestError

HEAD_BYTES = 1 << 16
DELIMITERS = (",", "\t", ";", "|")
_MARKUP = re.compile(rb"^\s*<(!doctype|html|head|body|table|\?xml|!--|[a-z][a-z0-9]*[\s>])", re.I)
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file; unzip it first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 (.xls) workbook; save it as .xlsx or CSV"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


def read_head(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read(HEAD_BYTES)


def _strip_bom(head: bytes) -> bytes:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            return head[len(bom) :]
    return head


def detect_format(path: str, head: bytes, declared: str | None) -> str:
    """One of csv, tsv, xlsx, json, geojson, socrata-rows-json; IngestError for
    files that are no table at all."""
    for sig, what in _SIGNATURES:
        if head.startswith(sig):
            raise IngestError("not-tabular", f"this is {what}, not a table")
    if head.startswith(b"PK\x03\x04"):
        if declared not in (None, "xlsx"):
            raise IngestError("bad-format", f"this is a zip file (an Excel workbook?), not {declared}")
        return "xlsx"
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    body = _strip_bom(head)
    if not utf16 and b"\x00" in body:
        raise IngestError("not-tabular", "this is a binary file, not a table (it has NUL bytes)")
    controls = sum(1 for b in body if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D))
    if not utf16 and body and controls > max(2, len(body) // 100):
        raise IngestError("not-tabular", "this is a binary file, not a table (it is full of control bytes)")
    if not utf16 and _MARKUP.match(body):
        kind = "an HTML web page" if re.search(rb"<html|<!doctype html|<body|<head", body, re.I) else "XML or HTML"
        raise IngestError("not-tabular", f"this is {kind}, not a table (was a web page saved instead of the data?)")
    stripped = body.lstrip()
    ext = os.path.splitext(path)[1].lower()
    if declared in ("json", "geojson", "socrata-rows-json", "xlsx"):
        return declared
    if declared in ("csv", "tsv"):
        return declared
    if stripped.startswith((b"{", b"[")) or ext in (".json", ".geojson"):
        if re.search(rb'"type"\s*:\s*"FeatureCollection"', body) or ext == ".geojson":
            return "geojson"
        if re.search(rb'"meta"\s*:\s*\{\s*"view"', body):
            return "socrata-rows-json"
        return "json"
    if ext in (".tsv", ".tab"):
        return "tsv"
    return "csv"


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first rows of ``sample`` most consistently."""
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and len(sample) >= HEAD_BYTES // 2:
        lines = lines[:-1]  # probably cut short
    text = "".join(lines[:200])
    best = (",", (0.0, 0))
    for delim in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(text), delimiter=delim) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        data = rows[1:] or rows
        consistent = sum(1 for r in data if len(r) == width) / len(data)
        score = (consistent, width)
        if consistent >= 0.5 and score > best[1]:
            best = (delim, score)
    return best[0]
