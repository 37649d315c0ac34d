"""Delimited text (CSV, TSV) read in place by DuckDB's CSV reader, every
column as text."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re

from .encoding import detect_encoding, transcode
from .errors import IngestError
from .sniff import sniff_delimiter
from .source import Source, SourceColumn, lit

HEADER_BYTES = 1 << 20
#: extra columns a ragged file is read with, to catch cells beyond the header
EXTRA = 32
NULL_SENTINEL = "\x1f\x1e<ob-missing>\x1e\x1f"


def _first_record(path: str, encoding: str, delimiter: str | None) -> tuple[list[str], str, int]:
    """(header cells, delimiter, lines before the header): blank lines and Excel's
    ``sep=;`` line come before the header in some files."""
    with open(path, "rb") as f:
        raw = f.read(HEADER_BYTES)
    text = codecs.getincrementaldecoder(encoding)("replace").decode(raw)
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    skip = 0
    while skip < len(lines) and not lines[skip].strip():
        skip += 1
    sep = re.fullmatch(r"sep=(.)", lines[skip].strip()) if skip < len(lines) else None
    if sep:
        delimiter = delimiter or sep.group(1)
        skip += 1
        while skip < len(lines) and not lines[skip].strip():
            skip += 1
    rest = "".join(lines[skip:])
    delim = delimiter or sniff_delimiter(rest)
    for row in csv.reader(io.StringIO(rest), delimiter=delim):
        return row, delim, skip
    return [], delim, skip


def open_csv(path: str, fmt: str, tmpdir: str, head: bytes) -> Source:
    """A Source over a delimited file; transcoded to UTF-8 first when it is not."""
    encoding = detect_encoding(path, head)
    warnings = []
    read_path = path
    if encoding not in ("utf-8", "utf-8-sig"):
        read_path = transcode(path, encoding, os.path.join(tmpdir, "utf8.csv"))
        warnings.append(f"the file is in {encoding}, not UTF-8; converted it")
    header, delim, skip = _first_record(read_path, "utf-8", "\t" if fmt == "tsv" else None)
    if not header or all(not h.strip() for h in header) and len(header) == 1:
        raise IngestError("empty", "the file has no header row (it is empty or blank)")
    if fmt == "csv" and delim == "\t":
        fmt = "tsv"
    cols = [SourceColumn(header=h, col=f"c{i}") for i, h in enumerate(header)]
    if skip:
        warnings.append(f"skipped {skip} line(s) before the header (blank lines or a sep= line)")
    src = Source(sql="", columns=cols, format=fmt, encoding=encoding, delimiter=delim, warnings=warnings, skip=skip)
    src.sql = csv_sql(read_path, len(cols), delim, ragged=False, skip=skip)
    src.path = read_path
    return src


def csv_sql(path: str, width: int, delim: str, ragged: bool, skip: int = 0) -> str:
    n = width + (EXTRA if ragged else 0)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    if ragged:
        columns += "".join(f", 'x{i}': 'VARCHAR'" for i in range(EXTRA))
    columns += "}"
    opts = [
        f"delim={lit(delim)}",
        "quote='\"'",
        "escape='\"'",
        "header=true",
        f"columns={columns}",
        "auto_detect=false",
        f"skip={int(skip)}",
    ]
    if ragged:
        opts += ["strict_mode=false", "null_padding=true", "parallel=false", f"nullstr={lit(NULL_SENTINEL)}"]
    assert n > 0
    return f"read_csv({lit(path)}, {', '.join(opts)})"


def to_ragged(src: Source) -> Source:
    """The same file read forgivingly: short rows padded, long rows caught in x0…"""
    src.sql = csv_sql(src.path, len(src.columns), src.delimiter, ragged=True, skip=src.skip)
    src.ragged = True
    src.extra_cols = [f"x{i}" for i in range(EXTRA)]
    return src


def csv_error_message(exc: Exception) -> str:
    """The useful first lines of a DuckDB CSV error."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    keep = [ln for ln in lines[:4] if not ln.startswith("Possible fixes")]
    text = " ".join(keep)
    return text.replace("Invalid Input Error: ", "").replace("CSV Error on Line", "CSV error on line")
