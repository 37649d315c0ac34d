"""Excel workbooks (.xlsx): the first sheet, streamed with openpyxl's read-only mode."""

from __future__ import annotations

import zipfile

from .celltext import cell_text
from .errors import IngestError
from .source import Source, SourceColumn
from .staging import StagingWriter


def read_xlsx(path: str, tmpdir: str) -> Source:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise IngestError("bad-format", f"this is not an Excel .xlsx workbook we can read ({e})") from None
    warnings = []
    try:
        if not wb.worksheets:
            raise IngestError("empty", "the workbook has no sheets")
        ws = wb.worksheets[0]
        if len(wb.worksheets) > 1:
            warnings.append(f"the workbook has {len(wb.worksheets)} sheets; read only the first, {ws.title!r}")
        rows = ws.iter_rows(values_only=True)
        header = None
        skipped_top = 0
        for row in rows:
            if any(v not in (None, "") for v in row):
                header = [cell_text(v) or "" for v in row]
                break
            skipped_top += 1
        if header is None:
            raise IngestError("empty", "the first sheet is empty")
        while header and header[-1] == "":
            header.pop()
        if skipped_top:
            warnings.append(f"skipped {skipped_top} empty row(s) above the header")
        writer = StagingWriter(tmpdir, [SourceColumn(header=h, col="") for h in header])
        empty = 0
        for row in rows:
            cells = [cell_text(v) for v in row]
            if not any(c not in (None, "") for c in cells):
                empty += 1
                continue
            writer.add(cells)
        if empty:
            warnings.append(f"skipped {empty} empty row(s) in the sheet")
        return writer.finish("xlsx", warnings)
    finally:
        wb.close()
