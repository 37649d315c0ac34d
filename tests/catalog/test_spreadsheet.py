"""Formula injection: one guard (catalog.spreadsheet.neutralise), applied only
when a CSV or XLSX is written for a spreadsheet; data is stored and served by
the API as given."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from openborough.catalog.models import Dataset
from openborough.catalog.spreadsheet import neutralise
from openborough.catalog.storage import get_store
from openborough.requests_foi.models import DatasetRequest
from openborough.requests_foi.register import REGISTER_ID, refresh_register
from openborough.strategy.exports import export_response

pytestmark = pytest.mark.django_db

EVIL = ['=HYPERLINK("http://evil","x")', "+1+1", "-2-2", "@SUM(A1)", "\tTAB", "\rCR", "\nLF"]


@pytest.mark.parametrize("value", EVIL)
def test_formula_starts_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "", "a=b", "1-2", "'=already quoted", None, -5, 3.5])
def test_other_values_are_unchanged(value):
    assert neutralise(value) == value


def _register_with(title):
    DatasetRequest.objects.create(title=title, description="d", use="=cmd|' /C calc'!A0")
    refresh_register()
    return Dataset.objects.get(pk=REGISTER_ID)


def test_register_stores_text_as_given_and_downloads_neutralise(client):
    ds = _register_with(EVIL[0])
    store = get_store()
    cur = store.execute(f"SELECT title, intended_use FROM {store.table(ds.id, ds.current_version).sql(store.dialect)}")
    assert list(cur) == [(EVIL[0], "=cmd|' /C calc'!A0")]
    cur.close()
    # the SODA API answers data as stored
    api = __import__("json").loads(client.get(f"/resource/{ds.id}.json").content)
    assert api[0]["title"] == EVIL[0]
    # the portal's downloads, for spreadsheets, neutralise
    text = b"".join(client.get(f"/datasets/{ds.id}/download.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["title"] == "'" + EVIL[0] and rows[0]["intended_use"] == "'=cmd|' /C calc'!A0"
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(f"/datasets/{ds.id}/download.xlsx").streaming_content)))
    cells = [c.value for row in wb.active.iter_rows(min_row=2) for c in row]
    assert "'" + EVIL[0] in cells and EVIL[0] not in cells


def test_toolkit_exports_neutralise_text_and_labels():
    rows = [{"name": v, "n": -3} for v in EVIL]
    cols = [("name", "=Name"), ("n", "Number")]
    body = export_response(rows, cols, "t", "csv").content.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(body)))
    assert parsed[0] == ["'=Name", "Number"]
    assert [r[0] for r in parsed[1:]] == ["'" + v for v in EVIL] and all(r[1] == "-3" for r in parsed[1:])
    wb = openpyxl.load_workbook(io.BytesIO(export_response(rows, cols, "t", "xlsx").content))
    values = list(wb.active.iter_rows(values_only=True))
    assert values[0] == ("'=Name", "Number")
    # (XLSX keeps line breaks as \n)
    assert [r[0] for r in values[1:]] == ["'" + v.replace("\r", "\n") for v in EVIL]
    assert all(r[1] == -3 for r in values[1:])
