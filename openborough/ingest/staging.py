"""Rows from a Python reader (XLSX, JSON, GeoJSON, rows.json) written to a
Parquet file of text columns (and WKB for geometry), in bounded batches, so
they go through the same SQL as CSV."""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.parquet as pq

from .source import RowIssue, Source, SourceColumn, lit

BATCH = 50_000


class StagingWriter:
    def __init__(self, tmpdir: str, columns: list[SourceColumn], binary: set[int] = frozenset()):
        self.path = os.path.join(tmpdir, "staged.parquet")
        self.columns = columns
        for i, c in enumerate(columns):
            c.col = f"c{i}"
        self.schema = pa.schema(
            [pa.field(c.col, pa.binary() if i in binary else pa.string()) for i, c in enumerate(columns)]
        )
        self._writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self._rows: list[list] = []
        self.count = 0
        self.long_rows = RowIssue(kind="long-row")

    def add(self, row: list) -> None:
        """Add one row of text/bytes/None cells; cells beyond the columns are counted as a long row."""
        self.count += 1
        width = len(self.columns)
        if len(row) > width:
            extra = [v for v in row[width:] if v not in (None, "")]
            if extra:
                self.long_rows.count += 1
                self.long_rows.cells += len(extra)
                if len(self.long_rows.rows) < 10:
                    self.long_rows.rows.append(self.count)
            row = row[:width]
        elif len(row) < width:
            row = list(row) + [None] * (width - len(row))
        self._rows.append(row)
        if len(self._rows) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        cols = list(zip(*self._rows, strict=True))
        arrays = [pa.array(list(c), type=f.type) for c, f in zip(cols, self.schema, strict=True)]
        self._writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
        self._rows = []

    def finish(self, fmt: str, warnings: list[str] | None = None) -> Source:
        self._flush()
        self._writer.close()
        return Source(
            sql=f"read_parquet({lit(self.path)})",
            columns=self.columns,
            format=fmt,
            warnings=list(warnings or []),
            long_rows=self.long_rows if self.long_rows.count else None,
            path=self.path,
        )
