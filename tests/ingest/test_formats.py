"""Each accepted format: CSV dialects and encodings, TSV, XLSX, JSON, GeoJSON, rows.json."""

from __future__ import annotations

import datetime as dt

import orjson
import pyarrow as pa
import pytest
import shapely

from openborough.ingest import IngestError, IngestOptions, prepare
from openborough.soql.types import SoQLType

from .conftest import read_all


def types_of(p) -> dict:
    return {c.field_name: c.type for c in p.schema.columns}


def test_utf8_bom(write):
    p, t = read_all(write("bom.csv", "\ufeffName,Amount\nCafé,1.50\n"))
    assert [c.field_name for c in p.schema.columns] == ["name", "amount"]
    assert t.column("name").to_pylist() == ["Café"]
    assert p.encoding == "utf-8-sig"


def test_cp1252_pound_sign(write):
    p, t = read_all(write("spend.csv", "Supplier,Note\nAcme,£500 paid\n", encoding="cp1252"))
    assert p.encoding == "cp1252"
    assert t.column("note").to_pylist() == ["£500 paid"]
    assert any("cp1252" in w for w in p.report.warnings)


def test_utf16_from_excel(write):
    p, t = read_all(write("u16.csv", "\ufeffa\tb\n1\t£2\n", encoding="utf-16-le"))
    assert t.column("b").to_pylist() == ["£2"]
    assert p.delimiter == "\t"


def test_tsv(write):
    p, t = read_all(write("x.tsv", "name\tcount\nA, B\t3\n"))
    assert p.format == "tsv" and p.delimiter == "\t"
    assert t.column("name").to_pylist() == ["A, B"]
    assert types_of(p)["count"] is SoQLType.NUMBER


@pytest.mark.parametrize("delim", [";", "|"])
def test_other_delimiters_are_sniffed(write, delim):
    p, t = read_all(write("x.csv", f"a{delim}b\n1{delim}x,y\n2{delim}z\n"))
    assert p.delimiter == delim
    assert t.column("b").to_pylist() == ["x,y", "z"]


def test_quoted_newlines_and_mixed_line_endings(write):
    text = 'id,notes\r\n1,"two\nlines"\n2,plain\r\n3,"a ""quote"""\n'
    p, t = read_all(write("x.csv", text))
    assert t.column("notes").to_pylist() == ["two\nlines", "plain", 'a "quote"']
    assert p.row_count == 3


def test_format_override(write):
    path = write("data.txt", "a\tb\n1\t2\n")
    p, t = read_all(path, IngestOptions(format="tsv"))
    assert p.format == "tsv" and t.num_rows == 1


def test_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ward", "Tickets", "Issued", "Paid", "Code"])
    ws.append(["Belsize", 12, dt.datetime(2020, 8, 13, 15, 34), True, "007"])
    ws.append(["Hampstead Town", 3.5, dt.date(2020, 8, 14), False, "010"])
    ws.append([None, None, None, None, None])
    ws.append(["Frognal", None, dt.datetime(2020, 8, 15), True, "011"])
    wb.create_sheet("Notes").append(["ignored"])
    path = tmp_path / "wards.xlsx"
    wb.save(path)
    p, t = read_all(path)
    assert p.format == "xlsx"
    assert types_of(p) == {
        "ward": SoQLType.TEXT,
        "tickets": SoQLType.NUMBER,
        "issued": SoQLType.FLOATING_TIMESTAMP,
        "paid": SoQLType.CHECKBOX,
        "code": SoQLType.TEXT,
    }
    assert t.column("tickets").to_pylist() == [12.0, 3.5, None]
    assert t.column("issued").to_pylist()[0] == dt.datetime(2020, 8, 13, 15, 34)
    assert t.column("code").to_pylist() == ["007", "010", "011"]
    assert p.row_count == 3
    assert any("empty row" in w for w in p.report.warnings)
    assert any("2 sheets" in w for w in p.report.warnings)


def test_json_array(write):
    rows = [
        {"ref": "A1", "amount": 1500, "paid": "2021-04-01", "url": "https://example.org/a"},
        {"ref": "A2", "amount": 20.5, "paid": "2021-04-02", "extra": {"x": 1}},
    ]
    p, t = read_all(write("x.json", orjson.dumps(rows)))
    assert p.format == "json"
    ty = types_of(p)
    assert ty["amount"] is SoQLType.NUMBER
    assert ty["paid"] is SoQLType.FLOATING_TIMESTAMP
    assert ty["url"] is SoQLType.URL
    assert t.column("extra").to_pylist() == [None, '{"x":1}']
    assert t.column("url").to_pylist()[0] == {"url": "https://example.org/a", "description": None}


def test_geojson_polygons_become_multipolygons(write):
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "a", "area": 1.5},
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
            },
            {
                "type": "Feature",
                "properties": {"name": "b"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[2, 2], [3, 2], [3, 3], [2, 2]]]],
                },
            },
        ],
    }
    p, t = read_all(write("x.geojson", orjson.dumps(fc)))
    assert types_of(p)["the_geom"] is SoQLType.MULTIPOLYGON
    assert t.schema.field("the_geom").type == pa.binary()
    geoms = [shapely.from_wkb(b) for b in t.column("the_geom").to_pylist()]
    assert [g.geom_type for g in geoms] == ["MultiPolygon", "MultiPolygon"]
    assert len(geoms[1].geoms) == 2
    assert t.column("area").to_pylist() == [1.5, None]


def test_geojson_points_become_point_column(write):
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"n": 1}, "geometry": {"type": "Point", "coordinates": [-0.14, 51.5]}},
            {"type": "Feature", "properties": {"n": 2}, "geometry": None},
        ],
    }
    p, t = read_all(write("x.geojson", orjson.dumps(fc)))
    assert types_of(p)["the_geom"] is SoQLType.POINT
    assert t.column("the_geom").to_pylist() == [{"lon": -0.14, "lat": 51.5}, None]


def test_geojson_mixed_kinds_and_projected_crs_are_refused(write):
    mixed = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
            },
        ],
    }
    with pytest.raises(IngestError) as e:
        prepare(write("m.geojson", orjson.dumps(mixed)))
    assert e.value.code == "bad-format" and "mix" in e.value.message
    bng = dict(mixed, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}})
    with pytest.raises(IngestError) as e:
        prepare(write("b.geojson", orjson.dumps(bng)))
    assert "27700" in e.value.message


def test_socrata_rows_json(write):
    doc = {
        "meta": {
            "view": {
                "id": "abcd-1234",
                "columns": [
                    {"id": -1, "name": "sid", "dataTypeName": "meta_data", "fieldName": ":sid"},
                    {"id": -1, "name": "id", "dataTypeName": "meta_data", "fieldName": ":id"},
                    {"id": 1, "name": "Zip", "dataTypeName": "text", "fieldName": "zip"},
                    {"id": 2, "name": "Score", "dataTypeName": "number", "fieldName": "score"},
                    {"id": 3, "name": "Date", "dataTypeName": "calendar_date", "fieldName": "inspected"},
                    {"id": 4, "name": "Where", "dataTypeName": "location", "fieldName": "where"},
                    {"id": 5, "name": "Shape", "dataTypeName": "multipolygon", "fieldName": "shape"},
                ],
            }
        },
        "data": [
            [
                "row-1",
                "x",
                "01234",
                "7",
                "2014-12-30T00:00:00",
                [None, "41.8", "-87.6", None, False],
                "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))",
            ],
            ["row-2", "y", "11225", None, None, [None, None, None, None, False], None],
        ],
    }
    p, t = read_all(write("rows.json", orjson.dumps(doc)))
    assert p.format == "socrata-rows-json"
    assert types_of(p) == {
        "zip": SoQLType.TEXT,
        "score": SoQLType.NUMBER,
        "inspected": SoQLType.FLOATING_TIMESTAMP,
        "where": SoQLType.LOCATION,
        "shape": SoQLType.MULTIPOLYGON,
    }
    assert t.column("zip").to_pylist() == ["01234", "11225"]
    assert t.column("where").to_pylist()[0] == {"latitude": 41.8, "longitude": -87.6, "human_address": None}
    assert shapely.from_wkb(t.column("shape").to_pylist()[0]).geom_type == "MultiPolygon"
    assert [c.name for c in p.schema.columns][:2] == ["Zip", "Score"]


def test_blank_lines_and_excel_sep_line_before_the_header(write):
    p, t = read_all(write("lead.csv", "\r\n\r\na,b\r\n1,2\r\n"))
    assert t.to_pylist() == [{"a": 1.0, "b": 2.0}]
    p, t = read_all(write("sep.csv", "sep=;\na;b\n1,5;2\n"))
    assert p.delimiter == ";"
    assert t.to_pylist() == [{"a": "1,5", "b": 2.0}]
    assert any("sep=" in w for w in p.report.warnings)


def test_xlsx_cells_beyond_the_header_are_long_rows(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b"])
    ws.append([1, 2])
    ws.append([3, 4, "stray"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    with pytest.raises(IngestError) as e:
        prepare(path)
    assert e.value.code == "validation"
    assert e.value.report.problems[0].kind == "long-row" and e.value.report.problems[0].rows == [2]
    p, t = read_all(path, IngestOptions(on_bad="null"))
    assert t.num_rows == 2 and p.report.coerced == {"(cells beyond the header)": 1}
