"""CSV and XLSX downloads of a toolkit table."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from ..catalog.spreadsheet import neutralise

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(rows: list[dict], columns: list[tuple[str, str]], name: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([neutralise(label) for _, label in columns])
        for r in rows:
            w.writerow(["" if r.get(k) is None else neutralise(r.get(k)) for k, _ in columns])
        resp = HttpResponse(buf.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(name[:31])
        ws.append([neutralise(label) for _, label in columns])
        for r in rows:
            ws.append([neutralise(r.get(k)) for k, _ in columns])
        out = io.BytesIO()
        wb.save(out)
        resp = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp
