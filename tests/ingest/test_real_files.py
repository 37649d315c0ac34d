"""Every real dataset in ../shared/data/real prepares and streams completely,
with its cells intact and its quirks handled (see that folder's README)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
import shapely

from openborough.ingest import IngestError, IngestOptions, prepare
from openborough.soql.types import SoQLType

from .conftest import read_all

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"


def dataset_files() -> list[Path]:
    if not REAL.is_dir():
        return []
    files = [p for p in REAL.rglob("*") if p.suffix in (".csv", ".geojson") or p.name.endswith("rows.json")]
    return sorted(p for p in files if "catalog" not in p.parts)


def source_rows(path: Path) -> tuple[list[str] | None, list[list[str]]]:
    """(header, data rows) as Python's csv module sees them; (None, rows) for JSON formats."""
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if r]
        return rows[0], rows[1:]
    doc = json.loads(path.read_text(encoding="utf-8"))
    return None, doc["features"] if "features" in doc else doc["data"]


def check_cell(raw: str, value, ty: SoQLType) -> None:
    if raw == "" or (ty is not SoQLType.TEXT and not raw.strip()):
        assert value is None
    elif ty is SoQLType.TEXT:
        assert value == raw
    elif ty is SoQLType.NUMBER:
        assert value == float(raw.strip().replace(",", ""))
    elif ty is SoQLType.FLOATING_TIMESTAMP:
        assert isinstance(value, dt.datetime) and str(value.year) in raw
        assert {value.day, value.month} <= {int(n) for n in re.findall(r"\d+", raw)}
    elif ty is SoQLType.POINT:
        numbers = [float(n) for n in re.findall(r"-?\d+\.?\d*", raw)]
        assert value["lat"] in numbers and value["lon"] in numbers
    else:  # pragma: no cover - no other inferred type in these files
        raise AssertionError(f"unexpected type {ty}")


@pytest.mark.parametrize("path", dataset_files(), ids=lambda p: p.name)
def test_real_file_prepares_and_streams(shared_dir, path):
    header, rows = source_rows(path)
    p, table = read_all(path)
    assert p.row_count == len(rows) == table.num_rows
    assert table.schema.names == [c.field_name for c in p.schema.columns]
    if header is None:
        return
    assert len(p.schema.columns) == len(header)
    types = [c.type for c in p.schema.columns]
    sample = list(range(min(200, len(rows)))) + list(range(max(0, len(rows) - 20), len(rows)))
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    for r in sample:
        for i, ty in enumerate(types):
            raw = rows[r][i] if i < len(rows[r]) else ""
            check_cell(raw, columns[i][r], ty)


def test_the_shared_folder_has_the_datasets(shared_dir):
    assert len(dataset_files()) >= 30


def _path(shared_dir, rel):
    return shared_dir / "data" / "real" / rel


NYC15 = "parking/nyc-parking-violations/ParkingViolations2015-Partial.csv"


def test_nyc_blank_first_header_and_trailing_spaces(shared_dir):
    p, t = read_all(_path(shared_dir, NYC15))
    cols = {c.field_name: c for c in p.schema.columns}
    assert p.schema.columns[0].field_name == "column_1"
    assert cols["days_parking_in_effect"].name == "Days Parking In Effect"
    assert cols["community_council"].name == "Community Council"
    assert any("blank header" in w for w in p.report.warnings)
    assert cols["summons_number"].type is SoQLType.NUMBER
    assert cols["issue_date"].type is SoQLType.FLOATING_TIMESTAMP
    assert cols["violation_time"].type is SoQLType.TEXT  # 0143A
    # issued outside the fiscal year, read month-first because some days are over 12
    assert min(t.column("issue_date").to_pylist()) == dt.datetime(2000, 12, 12)


def test_nyc_2015_summons_numbers_repeat(shared_dir):
    with pytest.raises(IngestError) as e:
        prepare(_path(shared_dir, NYC15), row_id="summons_number")
    assert e.value.code == "duplicate-row-id"
    assert e.value.report.problems[0].count == 667


def test_la_citations_state_plane_numbers_stay_numbers(shared_dir):
    p, t = read_all(_path(shared_dir, "parking/los-angeles/la_parking_citations_2020-07-01_to_07-09.csv"))
    assert p.schema.get("latitude").type is SoQLType.NUMBER
    assert t.column("latitude").to_pylist()[0] == 6474486.820731
    assert t.column("route").to_pylist()[0] == "00400"  # leading zeros: text
    assert p.schema.columns[0].field_name == "column_1"


def test_la_citations_refuse_to_become_points(shared_dir):
    path = _path(shared_dir, "parking/los-angeles/la_parking_citations_2020-07-01_to_07-09.csv")
    with pytest.raises(IngestError) as e:
        prepare(path, IngestOptions(point_from=("latitude", "longitude")))
    assert e.value.code == "validation"
    assert "latitude/longitude" in e.value.report.problems[0].message


def test_la_meters_latlng_is_a_point(shared_dir):
    p, t = read_all(_path(shared_dir, "parking/los-angeles/LADOT_Metered_Parking_Inventory___Policies.csv"))
    assert p.schema.get("latlng").type is SoQLType.POINT
    assert t.column("latlng").to_pylist()[0] == {"lon": -118.296664, "lat": 34.098024}
    assert t.column("raterange").to_pylist()[1] == "$0.5 - $1"


def test_camden_vcat_stays_text_and_location_is_a_point(shared_dir):
    p, t = read_all(_path(shared_dir, "parking/camden-pcn/camden_pcn_south_end_green_2017-2020.csv"))
    assert p.schema.get("vcat").type is SoQLType.TEXT
    assert "1n/A" in t.column("vcat").to_pylist()
    assert p.schema.get("location").type is SoQLType.POINT
    assert p.schema.get("cdate").type is SoQLType.FLOATING_TIMESTAMP
    assert p.schema.get("ctime").type is SoQLType.TEXT


def test_camden_socrata_id_is_a_row_id(shared_dir):
    p, t = read_all(_path(shared_dir, "parking/camden-pcn/camden_pcn_south_end_green_2017-2020.csv"), row_id="socrata")
    assert p.row_count == 886


OXFORD = "spending/oxford-city-council-over-500/"


def test_oxford_junk_row_kept_and_padding_preserved(shared_dir):
    p, t = read_all(_path(shared_dir, OXFORD + "expenditure-over-500-jan-mar-2014.csv"))
    assert t.column("expenditure_category").to_pylist()[-1] == "xxx"
    assert t.column("amount").to_pylist()[-1] is None
    assert "CgMs Ltd. " in t.column("supplier_name").to_pylist()
    assert p.schema.get("amount").type is SoQLType.NUMBER
    assert p.schema.get("paid_date").type is SoQLType.FLOATING_TIMESTAMP
    assert t.column("paid_date").to_pylist()[0] == dt.datetime(2014, 1, 21)


def test_oxford_misspelt_headers_and_lost_dates(shared_dir):
    p, _ = read_all(_path(shared_dir, OXFORD + "expenditure-over-500-jan-mar-2017.csv"))
    assert p.schema.get("expenditure_catergory").name == "Expenditure Catergory"
    p, t = read_all(_path(shared_dir, OXFORD + "expenditure-over-500-apr-jun-2014.csv"))
    assert p.schema.get("paid_date").type is SoQLType.TEXT
    assert set(t.column("paid_date").to_pylist()) == {"00:00:00"}
    assert min(t.column("amount").to_pylist()) < 0  # refunds
    p, _ = read_all(_path(shared_dir, OXFORD + "expenditure-over-500-apr-jun-2015.csv"))
    assert p.schema.get("organisatonal_unit") is not None


def test_london_wards_geojson(shared_dir):
    p, t = read_all(_path(shared_dir, "geo/census-merged-wards-2011-london/E09000007.geojson"))
    assert p.row_count == 18
    assert p.schema.get("the_geom").type is SoQLType.MULTIPOLYGON
    assert "Belsize" in t.column("cmwd11nm").to_pylist()
    g = shapely.from_wkb(t.column("the_geom").to_pylist()[0])
    assert g.geom_type == "MultiPolygon" and -0.3 < g.centroid.x < 0 and 51.5 < g.centroid.y < 51.6


def test_nyc_rows_json_padding_and_types(shared_dir):
    p, t = read_all(_path(shared_dir, "socrata-rows-json/nyc_dohmh_restaurant_inspections_rows.json"))
    assert p.row_count == 2014
    assert p.schema.columns[0].field_name == "camis"
    assert "sid" not in t.column_names and ":id" not in t.column_names
    assert t.column("building").to_pylist()[0] == "469       "
    assert p.schema.get("score").type is SoQLType.NUMBER
    assert p.schema.get("inspection_date").type is SoQLType.FLOATING_TIMESTAMP
    assert t.column("inspection_date").to_pylist()[0] == dt.datetime(2014, 12, 30)
    assert p.schema.get("zipcode").type is SoQLType.TEXT


def test_chicago_rows_json_location(shared_dir):
    p, t = read_all(_path(shared_dir, "socrata-rows-json/chicago_christmas_tree_recycling_2018_rows.json"))
    assert p.row_count == 24
    assert p.schema.get("location").type is SoQLType.LOCATION
    loc = t.column("location").to_pylist()[0]
    assert loc["latitude"] == pytest.approx(41.8379017347) and loc["longitude"] == pytest.approx(-87.6133377317)
    assert t.column("x_coord").to_pylist()[0] == pytest.approx(1180450.455266103)
    assert p.schema.get("computed_region_awaf_s7ux") is not None
