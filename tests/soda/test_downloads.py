"""Socrata's download formats: rows.csv?accessType=DOWNLOAD, legacy rows.json, rows.xml."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.test import Client

from openborough.soql.types import SoQLType

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"


def _body(r) -> bytes:
    return b"".join(r.streaming_content) if r.streaming else r.content


def _get(path, **kw):
    return Client().get(path, **kw)


def test_csv_download_is_socratas(dataset):
    r = _get(f"/api/views/{dataset.id}/rows.csv", data={"accessType": "DOWNLOAD"})
    assert r.status_code == 200 and r.streaming and r["Content-Type"] == "text/csv; charset=utf-8"
    lines = _body(r).decode().split("\n")
    # display names, no quotes where none are needed, Socrata's 12-hour timestamps
    assert lines[0] == "Name,Amount,Issued,Paid,Location"
    assert lines[1] == "item 0,0,01/01/2020 12:00:00 AM,true,"
    assert lines[2] == "item 1,1.5,01/02/2020 12:00:00 AM,false,POINT (-0.139 51.55)"
    assert lines[-1] == "" and len(lines) == 7


def test_csv_quotes_only_where_rfc4180_needs_it(db):
    import datetime as dt

    import pyarrow as pa

    from openborough.catalog.publishing import create_dataset, write_rows
    from openborough.soql.types import Column, Schema

    schema = Schema(
        (
            Column("note", SoQLType.TEXT, "Note, free text"),
            Column("at", SoQLType.FLOATING_TIMESTAMP, "Seen at"),
            Column("fixed", SoQLType.FIXED_TIMESTAMP, "Logged"),
        )
    )
    ds = create_dataset({"name": "Quoting"}, schema, actor="test")
    notes = ['say "hi"', "a,b", "two\nlines", "plain", None]
    at = [dt.datetime(2022, 5, 1, 0, 0, 3), dt.datetime(2022, 5, 1, 12, 30), dt.datetime(2022, 5, 1, 23, 59, 59), None,
          None]  # fmt: skip
    fixed = [dt.datetime(2022, 7, 1, 11, 0, tzinfo=dt.UTC)] + [None] * 4
    write_rows(ds, pa.table({"note": notes, "at": pa.array(at, pa.timestamp("ms")),
                             "fixed": pa.array(fixed, pa.timestamp("ms", tz="UTC"))}),
               schema, mode="replace", actor="test")  # fmt: skip
    text = _body(_get(f"/api/views/{ds.id}/rows.csv", data={"accessType": "DOWNLOAD"})).decode()
    assert text == (
        '"Note, free text",Seen at,Logged\n'
        '"say ""hi""",05/01/2022 12:00:03 AM,07/01/2022 12:00:00 PM\n'  # BST: 11:00 UTC is noon in London
        '"a,b",05/01/2022 12:30:00 PM,\n'
        '"two\nlines",05/01/2022 11:59:59 PM,\n'
        "plain,,\n"
        ",,\n"
    )


def test_csv_matches_the_real_socrata_export_header_style(db):
    """The NYC 311 download kept in ../shared starts as ours does: display names, bare timestamps."""
    real = (REAL / "service-requests" / "nyc_311_2022-05-01_sample.csv").read_text().split("\n")
    assert real[0].startswith("Unique Key,Created Date,")
    assert real[1].split(",")[1] == "05/01/2022 12:00:03 AM"


def test_rows_json_is_the_legacy_document(dataset):
    r = _get(f"/api/views/{dataset.id}/rows.json", data={"accessType": "DOWNLOAD"})
    assert r.status_code == 200 and r.streaming
    doc = json.loads(_body(r))
    assert set(doc) == {"meta", "data"} and set(doc["meta"]) == {"view"}
    view = doc["meta"]["view"]
    assert view["id"] == dataset.id and view["name"] == "Parking fines"
    real = json.loads((REAL / "socrata-rows-json" / "chicago_christmas_tree_recycling_2018_rows.json").read_text())
    real_meta = [c for c in real["meta"]["view"]["columns"] if c["id"] == -1]
    assert view["columns"][:8] == real_meta  # the eight system columns, exactly as Socrata lists them
    assert [c["fieldName"] for c in view["columns"][8:]] == ["name", "amount", "issued", "paid", "location"]
    assert len(doc["data"]) == 5
    row = doc["data"][1]
    assert len(row) == 8 + 5
    assert row[0] == row[1] == "row-2" and row[2] == 2 and isinstance(row[3], int) and row[7] == "{ }"
    assert row[8:] == ["item 1", "1.5", "2020-01-02T00:00:00", False, "POINT (-0.139 51.55)"]
    # the same positions as Socrata's own files: system fields first, then text/number/date as strings
    assert [type(v) for v in real["data"][0][:4]] == [str, str, int, int]


def test_rows_json_reads_back_through_the_rows_json_importer(dataset, tmp_path):
    from openborough.ingest import prepare

    path = tmp_path / "rows.json"
    path.write_bytes(_body(_get(f"/api/views/{dataset.id}/rows.json")))
    with prepare(path) as p:
        t = p.reader().read_all()
    assert [c.field_name for c in p.schema.columns] == ["name", "amount", "issued", "paid", "location"]
    assert t.column("name").to_pylist() == [f"item {i}" for i in range(5)]
    assert t.column("amount").to_pylist() == [0, 1.5, 3, 4.5, 6]


def test_rows_xml(dataset):
    r = _get(f"/api/views/{dataset.id}/rows.xml", data={"accessType": "DOWNLOAD"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/xml")
    root = ET.fromstring(_body(r))
    rows = root.find("row").findall("row")
    assert len(rows) == 5
    first = rows[1]
    assert first.get("_id") == "row-2" and first.get("_address").endswith(f"/resource/{dataset.id}/row-2")
    assert {c.tag: c.text for c in first} == {
        "name": "item 1",
        "amount": "1.5",
        "issued": "2020-01-02T00:00:00.000",
        "paid": "false",
        "location": "POINT (-0.139 51.55)",
    }


def test_bad_format_and_private(dataset, private_dataset):
    r = _get(f"/api/views/{dataset.id}/rows.xlsx")
    assert r.status_code == 406 and r.json()["code"] == "req.format.unsupported"
    for fmt in ("csv", "json", "xml"):
        r = _get(f"/api/views/{private_dataset.id}/rows.{fmt}")
        assert r.status_code == 404 and r.json()["error"] is True


@pytest.mark.slow
def test_pandas_reads_the_download_from_a_live_server(tmp_path):
    """pandas.read_csv of the URL notebooks use, against ``openborough serve``."""
    import pandas as pd

    from tests.live import LiveServer, cli

    csv_path = tmp_path / "fines.csv"
    csv_path.write_text(
        "Ticket ref,Ward name,Amount (GBP),Issued on\n"
        "PCN1,Belsize,40,2022-05-01T00:00:03\n"
        'PCN2,"Camden, Town",60.5,2022-05-01T13:15:00\n'
    )
    data = tmp_path / "data"
    ds_id = cli(data, "publish", str(csv_path), "--title", "Fines", "--quiet").stdout.strip()
    srv = LiveServer(data, workers=1, threads=2)
    try:
        df = pd.read_csv(f"{srv.url}/api/views/{ds_id}/rows.csv?accessType=DOWNLOAD")
        assert list(df.columns) == ["Ticket ref", "Ward name", "Amount (GBP)", "Issued on"]
        assert df["Ward name"].tolist() == ["Belsize", "Camden, Town"]
        assert df["Amount (GBP)"].tolist() == [40, 60.5]
        assert df["Issued on"].tolist() == ["05/01/2022 12:00:03 AM", "05/01/2022 01:15:00 PM"]
        parsed = pd.to_datetime(df["Issued on"], format="%m/%d/%Y %I:%M:%S %p")
        assert parsed[1] == pd.Timestamp("2022-05-01 13:15:00")
    finally:
        srv.stop()


def test_every_type_in_every_download(db, tmp_path):
    import datetime as dt

    import pyarrow as pa
    import shapely

    from openborough.catalog.publishing import create_dataset, write_rows
    from openborough.soql.types import LOCATION_STRUCT, URL_STRUCT, Column, Schema

    schema = Schema(
        (
            Column("fee", SoQLType.MONEY, "Fee"),
            Column("logged", SoQLType.FIXED_TIMESTAMP, "Logged"),
            Column("site", SoQLType.LOCATION, "Site"),
            Column("link", SoQLType.URL, "Link"),
            Column("area", SoQLType.MULTIPOLYGON, "Area"),
            Column("total_2020", SoQLType.NUMBER, "2020 total"),
        )
    )
    ds = create_dataset({"name": "Types"}, schema, actor="test")
    square = shapely.MultiPolygon([shapely.box(-0.2, 51.5, -0.1, 51.6)])
    write_rows(
        ds,
        pa.table(
            {
                "fee": pa.array([12.5, None]),
                "logged": pa.array([dt.datetime(2022, 1, 1, 9, 30, tzinfo=dt.UTC), None], pa.timestamp("ms", tz="UTC")),
                "site": pa.array([{"latitude": 51.55, "longitude": -0.15, "human_address": None}, None],
                                 LOCATION_STRUCT),
                "link": pa.array([{"url": "https://camden.gov.uk", "description": "Camden"}, None], URL_STRUCT),
                "area": pa.array([shapely.to_wkb(square), None], pa.binary()),
                "total_2020": pa.array([3.0, None]),
            }
        ),
        schema,
        mode="replace",
        actor="test",
    )  # fmt: skip
    csv_text = _body(_get(f"/api/views/{ds.id}/rows.csv")).decode().split("\n")
    assert csv_text[0] == "Fee,Logged,Site,Link,Area,2020 total"
    assert csv_text[1].startswith(
        '12.5,01/01/2022 09:30:00 AM,"(51.55, -0.15)",Camden (https://camden.gov.uk),"MULTIPOLYGON'
    )
    assert csv_text[2] == ",,,,,"
    doc = json.loads(_body(_get(f"/api/views/{ds.id}/rows.json")))
    row = doc["data"][0][8:]
    assert row[:4] == ["12.5", "2022-01-01T09:30:00.000Z", [None, "51.55", "-0.15", None, False],
                       ["https://camden.gov.uk", "Camden"]]  # fmt: skip
    assert shapely.from_wkt(row[4]).equals(square) and row[5] == "3"
    assert doc["data"][1][8:] == [None] * 6
    root = ET.fromstring(_body(_get(f"/api/views/{ds.id}/rows.xml")))
    first, second = root.find("row").findall("row")
    assert first.find("total_2020").text == "3" and first.find("fee").text == "12.5"
    assert list(second) == []
