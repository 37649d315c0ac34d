"""A prepared file: its schema, report and a streaming reader of typed rows."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pyarrow as pa

from ..soql.types import Column, Schema, arrow_type
from .analyse import typed_expr
from .plan import OutColumn
from .report import ValidationReport
from .source import Source, q

BATCH_ROWS = 65_536


class Prepared:
    def __init__(self, con, src: Source, cols: list[OutColumn], report: ValidationReport, tmpdir: str):
        self._con = con
        self._src = src
        self._cols = cols
        self._tmpdir = tmpdir
        self.report = report
        self.row_count = report.row_count
        self.format = src.format
        self.encoding = src.encoding
        self.delimiter = src.delimiter
        self.schema = Schema(
            tuple(Column(field_name=c.field_name, type=c.type, name=c.name, description=c.description) for c in cols)
        )

    def select_sql(self) -> str:
        exprs = [f"{typed_expr(self._src, c)} AS {q(c.field_name)}" for c in self._cols]
        return f"SELECT {', '.join(exprs)} FROM {self._src.sql}"

    def reader(self, progress: Callable[[int], None] | None = None) -> pa.RecordBatchReader:
        """User columns in the physical types of ``schema``, batch by batch, in file order."""
        if self._con is None:
            raise RuntimeError("this prepared file is closed")
        target = pa.schema([pa.field(c.field_name, arrow_type(c.type)) for c in self.schema.columns])
        cur = self._con.cursor()
        cur.execute("SET TimeZone = 'UTC'")
        source = cur.sql(self.select_sql()).to_arrow_reader(BATCH_ROWS)

        def batches():
            done = 0
            for batch in source:
                arrays = []
                for col, f in zip(batch.columns, target, strict=True):
                    arrays.append(col if col.type == f.type else col.cast(f.type, safe=False))
                out = pa.RecordBatch.from_arrays(arrays, schema=target)
                done += out.num_rows
                yield out
                if progress is not None:
                    progress(done)

        return pa.RecordBatchReader.from_batches(target, batches())

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self) -> Prepared:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):  # a forgotten close still removes the temp files
        try:
            self.close()
        except Exception:
            pass
