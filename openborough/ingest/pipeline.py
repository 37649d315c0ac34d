"""``prepare``: from a file to a schema, a report and typed batches."""

from __future__ import annotations

import os
import tempfile

import duckdb

from .analyse import Analyser, typed_expr
from .csvsource import csv_error_message, open_csv, to_ragged
from .errors import IngestError
from .geojson import read_geojson
from .jsonfile import read_json
from .options import IngestOptions
from .plan import build_columns
from .prepared import Prepared
from .report import MAX_EXAMPLES, Finding, ValidationReport
from .rowsjson import read_rows_json
from .sniff import detect_format, read_head
from .source import Source, q
from .sqltypes import install
from .xlsx import read_xlsx

MEMORY_LIMIT = "512MB"


def _connect(tmpdir: str):
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = '{os.path.join(tmpdir, 'duckdb')}'")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    install(con)
    return con


def _human(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return str(n)


def _open_source(path: str, fmt: str, tmpdir: str, head: bytes) -> Source:
    if fmt in ("csv", "tsv"):
        return open_csv(path, fmt, tmpdir, head)
    if fmt == "xlsx":
        return read_xlsx(path, tmpdir)
    if fmt == "json":
        return read_json(path, tmpdir)
    if fmt == "geojson":
        return read_geojson(path, tmpdir)
    return read_rows_json(path, tmpdir)


def prepare(path, options: IngestOptions | None = None, *, row_id: str | None = None) -> Prepared:
    """Read, sniff, infer and validate ``path``. Raises ``IngestError`` for a
    file that cannot be published as it is; the caller must ``close()`` the
    result (or use it as a context manager)."""
    opts = (options or IngestOptions()).checked()
    row_id = row_id or opts.row_id
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise IngestError("not-found", f"there is no file {path}")
    size = os.path.getsize(path)
    if opts.max_bytes is not None and size > opts.max_bytes:
        raise IngestError("too-large", f"the file is {_human(size)}, over the upload limit of {_human(opts.max_bytes)}")
    if size == 0:
        raise IngestError("empty", "the file is empty")
    head = read_head(path)
    if not head.strip(b" \t\r\n\x0b\x0c").removeprefix(b"\xef\xbb\xbf").strip():
        raise IngestError("empty", "the file holds only blank space")
    fmt = detect_format(path, head, opts.format)
    tmpdir = tempfile.mkdtemp(prefix="ob-ingest-")
    con = None
    try:
        src = _open_source(path, fmt, tmpdir, head)
        con = _connect(tmpdir)
        cols, name_warnings = build_columns(src, opts)
        analysis = _analyse(con, src, cols, opts, row_id)
        if analysis.row_count == 0:
            raise IngestError("no-rows", "the file has a header row but no data rows")
        report = ValidationReport(
            format=src.format,
            encoding=src.encoding,
            delimiter=src.delimiter,
            on_bad=opts.on_bad,
            row_count=analysis.row_count,
            columns=[
                {
                    "field_name": c.field_name,
                    "name": c.name,
                    "type": c.type.value,
                    "inferred": c.inferred,
                    "header": c.src.header if c.src is not None else None,
                }
                for c in cols
            ],
            problems=analysis.problems,
            hints=analysis.hints,
            warnings=src.warnings + name_warnings + analysis.warnings,
            coerced=analysis.coerced,
        )
        if report.problems and opts.on_bad == "reject":
            raise IngestError(
                "validation",
                f"{len(report.problems)} problem(s) in the data: {report.problems[0].message}. Fix the file, "
                "change the column types, or store bad cells as nulls (on_bad='null'; --on-bad null)",
                report=report,
            )
        if row_id:
            _check_row_id(con, src, cols, row_id, report, analysis.row_id_stats)
        prepared = Prepared(con, src, cols, report, tmpdir)
        con = None
        return prepared
    except BaseException:
        if con is not None:
            con.close()
        import shutil

        shutil.rmtree(tmpdir, ignore_errors=True)
        raise


def _run(con, src: Source, cols, opts, row_id):
    try:
        return Analyser(con, src, cols, opts, row_id).run()
    except duckdb.OutOfMemoryException:
        # a column that looked repetitive in the sample was not: check it cell by cell
        return Analyser(con, src, cols, opts, row_id, dedupe=False).run()


def _analyse(con, src: Source, cols, opts, row_id):
    try:
        return _run(con, src, cols, opts, row_id)
    except duckdb.Error as e:
        if src.format not in ("csv", "tsv") or src.ragged:
            raise IngestError("bad-format", f"the file does not read as {src.format}: {csv_error_message(e)}") from None
        strict_error = csv_error_message(e)
    # not every row has the header's number of cells, or the file bends the CSV rules:
    # read again, forgivingly, and count what is wrong
    to_ragged(src)
    try:
        analysis = _run(con, src, cols, opts, row_id)
    except duckdb.Error as e:
        raise IngestError("bad-format", f"the file does not read as {src.format}: {csv_error_message(e)}") from None
    if not analysis.ragged_rows:
        analysis.warnings.append(
            f"the file does not follow the CSV rules strictly ({strict_error}); it was read leniently, "
            "so check the rows around that line"
        )
    return analysis


def _check_row_id(con, src: Source, cols, row_id: str, report: ValidationReport, stats) -> None:
    col = next((c for c in cols if c.field_name == row_id), None)
    if col is None:
        raise IngestError(
            "duplicate-row-id",
            f"the row identifier {row_id!r} is not a column of the file; columns: "
            + ", ".join(c.field_name for c in cols),
            report=report,
        )
    expr = typed_expr(src, col)
    if stats is not None:
        nonnull, distinct = stats
        dupes, nulls = nonnull - distinct, report.row_count - nonnull
    else:
        dupes, nulls = con.execute(
            f"SELECT count(k) - count(DISTINCT k), count(*) - count(k) FROM (SELECT {expr} AS k FROM {src.sql})"
        ).fetchone()
    if not dupes and not nulls:
        return
    raw = src.text(col.src) if col.src is not None else "NULL"
    numbered = f"(SELECT row_number() OVER () AS __row, {expr} AS k, {raw} AS t FROM {src.sql})"
    if nulls:
        rows = [
            r for (r,) in con.execute(f"SELECT __row FROM {numbered} WHERE k IS NULL LIMIT {MAX_EXAMPLES}").fetchall()
        ]
        report.problems.append(
            Finding(
                kind="null-row-id",
                field=row_id,
                count=nulls,
                message=f"{nulls:,} rows have no {row_id}, the row identifier",
                rows=rows,
            )
        )
    if dupes:
        found = con.execute(
            f"SELECT coalesce(min(t), CAST(k AS VARCHAR)), list(__row ORDER BY __row)[1:5], count(*) FROM {numbered} "
            f"WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1 ORDER BY min(__row) LIMIT {MAX_EXAMPLES}"
        ).fetchall()
        rows = sorted({r for _, rs, _ in found for r in rs})
        report.problems.append(
            Finding(
                kind="duplicate-row-id",
                field=row_id,
                count=dupes,
                message=f"{dupes:,} rows repeat a {row_id} value of an earlier row; a row identifier must be unique",
                rows=rows[:20],
                examples=[f"{k} (rows {', '.join(map(str, rs))}{' …' if n > len(rs) else ''})" for k, rs, n in found],
            )
        )
    first = report.problems[-1]
    raise IngestError(
        "duplicate-row-id",
        f"{row_id} cannot identify rows: {first.message}"
        + (f", e.g. {first.examples[0]}" if first.examples else f" (rows {', '.join(map(str, first.rows))})"),
        report=report,
    )


__all__ = ["prepare", "q"]
