"""Downloads the portal writes itself: XLSX and Parquet of a (filtered) query.

CSV, JSON and GeoJSON come from the SODA endpoints. Spreadsheet cells that
start like a formula are neutralised so opening a download never runs one."""

from __future__ import annotations

import datetime as dt
import decimal
import tempfile
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ..catalog.spreadsheet import neutralise
from ..soql.output import row_to_json
from ..soql.types import SoQLType

XLSX_MAX_ROWS = 1_048_575  # one row of the sheet holds the column names


def _cell_value(value, col):
    if value is None:
        return None
    if isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date | dt.time):
        return value
    json_value = row_to_json((value,), [col]).get(col.name)
    if json_value is None:
        return None
    if not isinstance(json_value, str):
        import orjson

        json_value = orjson.dumps(json_value).decode()
    # strip characters XML 1.0 cannot hold (openpyxl would raise on them)
    json_value = "".join(ch for ch in json_value if ch in "\t\n\r" or ord(ch) >= 0x20)
    return neutralise(json_value)


class _Line:
    """A file-like that hands back what csv.writer wrote for one row."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text = text


def csv_lines(columns, rows: Iterable[tuple]):
    """CSV text, row by row (for a streaming response): a header of field names, values as in
    SODA's JSON; text that a spreadsheet would take for a formula is neutralised (numbers are not)."""
    import csv

    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    yield "\ufeff" + line.text  # a BOM so spreadsheet programs read UTF-8
    text_cols = [c.type in (SoQLType.TEXT, SoQLType.URL, SoQLType.BLOB) for c in columns]
    for row in rows:
        values = row_to_json(row, columns)
        out = []
        for c, is_text in zip(columns, text_cols, strict=True):
            v = values.get(c.name)
            if v is None:
                out.append("")
                continue
            if not isinstance(v, str):
                import orjson

                v = orjson.dumps(v).decode()
            out.append(neutralise(v) if is_text else v)
        writer.writerow(out)
        yield line.text


def write_xlsx(columns, rows: Iterable[tuple], title: str):
    """An XLSX workbook in a temporary file (rewound); raises OverflowError past the sheet's row limit."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(neutralise(title)[:31] or "data").translate(str.maketrans("[]:*?/\\", "_______")))
    ws.append([neutralise(c.name) for c in columns])
    n = 0
    for row in rows:
        n += 1
        if n > XLSX_MAX_ROWS:
            raise OverflowError(f"more than {XLSX_MAX_ROWS:,} rows: too many for one spreadsheet")
        ws.append([WriteOnlyCell(ws, value=_cell_value(v, c)) for v, c in zip(row, columns, strict=False)])
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


def _parquet_type(col) -> pa.DataType:
    t = col.type
    if t.is_numeric:
        return pa.float64()
    if t == SoQLType.CHECKBOX:
        return pa.bool_()
    if t == SoQLType.FLOATING_TIMESTAMP:
        return pa.timestamp("ms")
    if t == SoQLType.FIXED_TIMESTAMP:
        return pa.timestamp("ms", tz="UTC")
    return pa.string()  # text, and geometry/location/url as their SODA JSON text


def write_parquet(columns, rows: Iterable[tuple], batch: int = 50_000):
    """A Parquet file of the rows in a temporary file (rewound)."""
    schema = pa.schema([pa.field(c.name, _parquet_type(c)) for c in columns])
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    writer = pq.ParquetWriter(out, schema)
    buffer: list[tuple] = []

    def flush():
        arrays = []
        for i, (c, f) in enumerate(zip(columns, schema, strict=True)):
            values = [r[i] for r in buffer]
            if pa.types.is_string(f.type):
                values = [_text_value(v, c) for v in values]
            elif pa.types.is_floating(f.type):
                values = [None if v is None else float(v) for v in values]
            arrays.append(pa.array(values, type=f.type))
        writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
        buffer.clear()

    try:
        for row in rows:
            buffer.append(row)
            if len(buffer) >= batch:
                flush()
        if buffer:
            flush()
    finally:
        writer.close()
    out.seek(0)
    return out


def _text_value(value, col):
    if value is None or isinstance(value, str):
        return value
    json_value = row_to_json((value,), [col]).get(col.name)
    if json_value is None or isinstance(json_value, str):
        return json_value
    import orjson

    return orjson.dumps(json_value).decode()
