"""Type inference rules, publisher overrides, ragged rows and the report."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from openborough.ingest import IngestError, IngestOptions, prepare
from openborough.soql.types import SoQLType

from .conftest import read_all


def infer(write, text, options=None):
    p, t = read_all(write("x.csv", text), options)
    return {c.field_name: c.type for c in p.schema.columns}, t, p


def test_numbers(write):
    ty, t, _ = infer(write, 'a,b,c,d\n1,1.5,-2,"1,500.00"\n20,,3e2,12\n')
    assert ty == {k: SoQLType.NUMBER for k in "abcd"}
    assert t.column("d").to_pylist() == [1500.0, 12.0]
    assert t.column("b").to_pylist() == [1.5, None]


def test_leading_zeros_and_long_numbers_stay_text(write):
    ty, t, _ = infer(write, "code,big,ok\n007,12345678901234567,123456789012345\n010,1,2\n")
    assert ty["code"] is SoQLType.TEXT
    assert ty["big"] is SoQLType.TEXT
    assert ty["ok"] is SoQLType.NUMBER
    assert t.column("code").to_pylist() == ["007", "010"]
    assert t.column("big").to_pylist() == ["12345678901234567", "1"]


def test_one_bad_value_keeps_text_and_gives_a_hint(write):
    rows = "".join(f"{i}\n" for i in range(1, 60)) + "n/a\n"
    ty, t, p = infer(write, "amount\n" + rows)
    assert ty["amount"] is SoQLType.TEXT
    assert t.column("amount").to_pylist()[-1] == "n/a"
    hint = p.report.hints[0]
    assert hint.field == "amount" and hint.count == 1 and hint.rows == [60]
    assert "kept as text" in hint.message and "n/a" in hint.message


def test_checkbox_url_point(write):
    text = (
        "flag,site,where,pair\n"
        'true,https://camden.gov.uk/a,POINT (-0.14 51.55),"(51.55, -0.14)"\n'
        'FALSE,http://example.org,POINT(-0.1 51.5),"(51.5,-0.1)"\n'
    )
    ty, t, _ = infer(write, text)
    assert ty == {"flag": SoQLType.CHECKBOX, "site": SoQLType.URL, "where": SoQLType.POINT, "pair": SoQLType.POINT}
    assert t.column("flag").to_pylist() == [True, False]
    assert t.column("where").to_pylist()[0] == {"lon": -0.14, "lat": 51.55}
    assert t.column("pair").to_pylist()[1] == {"lon": -0.1, "lat": 51.5}


def test_ftp_is_not_a_url(write):
    ty, _, _ = infer(write, "u\nftp://x.org/a\nhttps://x.org\n")
    assert ty["u"] is SoQLType.TEXT


def test_dates_day_first_when_unambiguous(write):
    ty, t, _ = infer(write, "d\n13/01/2014\n02/03/2014\n", IngestOptions(date_order="mdy"))
    assert ty["d"] is SoQLType.FLOATING_TIMESTAMP
    assert t.column("d").to_pylist() == [dt.datetime(2014, 1, 13), dt.datetime(2014, 3, 2)]


def test_dates_month_first_when_unambiguous(write):
    _, t, _ = infer(write, "d\n01/13/2014 04:05 PM\n02/03/2014\n")
    assert t.column("d").to_pylist() == [dt.datetime(2014, 1, 13, 16, 5), dt.datetime(2014, 2, 3)]


@pytest.mark.parametrize("order,expected", [("dmy", dt.datetime(2014, 3, 2)), ("mdy", dt.datetime(2014, 2, 3))])
def test_ambiguous_dates_follow_date_order(write, order, expected):
    _, t, p = infer(write, "d\n02/03/2014\n", IngestOptions(date_order=order))
    assert t.column("d").to_pylist() == [expected]
    assert any("both day/month orders" in w for w in p.report.warnings)


def test_iso_and_named_month_dates(write):
    ty, t, _ = infer(write, "a,b\n2020-08-13,1 Jan 2014\n2020-08-13T15:34:00,14-Feb-2015\n")
    assert ty == {"a": SoQLType.FLOATING_TIMESTAMP, "b": SoQLType.FLOATING_TIMESTAMP}
    assert t.column("a").to_pylist()[1] == dt.datetime(2020, 8, 13, 15, 34)
    assert t.column("b").to_pylist()[1] == dt.datetime(2015, 2, 14)


def test_fixed_timestamps(write):
    ty, t, _ = infer(write, "at\n2020-08-13T15:34:00Z\n2020-08-13 16:34:00+01:00\n")
    assert ty["at"] is SoQLType.FIXED_TIMESTAMP
    values = t.column("at").to_pylist()
    assert values[0] == values[1] == dt.datetime(2020, 8, 13, 15, 34, tzinfo=dt.UTC)


def test_times_alone_stay_text(write):
    ty, _, _ = infer(write, "t\n00:00:00\n15:34\n")
    assert ty["t"] is SoQLType.TEXT


def test_blank_cells_are_null_and_padding_is_kept(write):
    ty, t, _ = infer(write, 'n,s\n1,"  padded  "\n,\n3,x\n')
    assert ty["n"] is SoQLType.NUMBER
    assert t.column("n").to_pylist() == [1.0, None, 3.0]
    assert t.column("s").to_pylist() == ["  padded  ", None, "x"]


def test_all_blank_column_is_text(write):
    ty, _, _ = infer(write, "a,b\n1,\n2,\n")
    assert ty["b"] is SoQLType.TEXT


def test_headers_cleaned_blank_and_duplicates(write):
    p, t = read_all(write("x.csv", ",Amount (£),Amount (£),Days In Effect   ,2019 total\n1,2,3,4,5\n"))
    names = [c.field_name for c in p.schema.columns]
    assert names == ["column_1", "amount", "amount_2", "days_in_effect", "_2019_total"]
    assert [c.name for c in p.schema.columns][1:4] == ["Amount (£)", "Amount (£)", "Days In Effect"]
    text = " ".join(p.report.warnings)
    assert "blank header" in text and "repeats" in text


def test_short_rows_are_padded_with_a_warning(write):
    p, t = read_all(write("x.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n"))
    assert t.column("c").to_pylist() == ["3", None, "8"] or t.column("c").to_pylist() == [3.0, None, 8.0]
    assert any("fewer cells" in w and "rows 2" in w for w in p.report.warnings)


def test_long_rows_are_rejected(write):
    path = write("x.csv", "a,b\n1,2\n3,4,5\n6,7\n")
    with pytest.raises(IngestError) as e:
        prepare(path)
    assert e.value.code == "validation"
    finding = e.value.report.problems[0]
    assert finding.kind == "long-row" and finding.rows == [2] and finding.examples == ["5"]


def test_long_rows_under_null_are_counted(write):
    p, t = read_all(write("x.csv", "a,b\n1,2\n3,4,5,6\n6,7\n"), IngestOptions(on_bad="null"))
    assert p.row_count == 3
    assert p.report.coerced == {"(cells beyond the header)": 2}
    assert p.report.errors


def test_trailing_empty_cells_are_only_a_warning(write):
    p, t = read_all(write("x.csv", "a,b\n1,2,\n3,4,\n5\n"))
    assert p.row_count == 3 and not p.report.errors
    assert t.column("b").to_pylist() == [2.0, 4.0, None]


def test_junk_rows_are_kept(write):
    p, t = read_all(write("x.csv", "a,b,c\n1,2,3\n,,xxx\n"))
    assert p.row_count == 2
    assert t.column("c").to_pylist() == ["3", "xxx"]


def test_override_that_does_not_fit_is_rejected(write):
    path = write("x.csv", "amount\n10\nten\n30\n")
    with pytest.raises(IngestError) as e:
        prepare(path, IngestOptions(types={"amount": "number"}))
    assert e.value.code == "validation"
    f = e.value.report.problems[0]
    assert f.field == "amount" and f.rows == [2] and f.examples == ["ten"]
    assert "ten" in e.value.report.summary_text()


def test_override_under_null_counts_coerced_cells(write):
    p, t = read_all(write("x.csv", "amount\n10\nten\n30\n"), IngestOptions(types={"Amount": "money"}, on_bad="null"))
    assert p.schema.get("amount").type is SoQLType.MONEY
    assert t.column("amount").to_pylist() == [10.0, None, 30.0]
    assert p.report.coerced == {"amount": 1}
    d = orjson.loads(orjson.dumps(p.report.to_dict()))
    assert d["coerced_total"] == 1 and d["errors"] is True


def test_override_to_text_keeps_leading_digits(write):
    ty, t, _ = infer(write, "zip\n10001\n10002\n", IngestOptions(types={"zip": SoQLType.TEXT}))
    assert ty["zip"] is SoQLType.TEXT
    assert t.column("zip").to_pylist() == ["10001", "10002"]


def test_override_for_a_missing_column_is_a_warning(write):
    _, _, p = infer(write, "a\n1\n", IngestOptions(types={"gone": "number"}))
    assert any("gone" in w for w in p.report.warnings)


def test_renames_names_descriptions(write):
    opts = IngestOptions(
        renames={"Ward Name": "ward"}, names={"ward": "Ward"}, descriptions={"count": "Tickets issued"}
    )
    p, t = read_all(write("x.csv", "Ward Name,Count\nBelsize,3\n"), opts)
    c = p.schema.columns
    assert (c[0].field_name, c[0].name) == ("ward", "Ward")
    assert c[1].description == "Tickets issued"
    assert t.column_names == ["ward", "count"]


def test_drop_columns(write):
    path = write("x.csv", "ref,ward,count\nA,Belsize,3\nB,,oops\n")
    p, t = read_all(path, IngestOptions(drop=("count",), renames={"ward": "area"}))
    assert t.column_names == ["ref", "area"] and t.column("area").to_pylist() == ["Belsize", None]
    with pytest.raises(IngestError) as e:
        read_all(path, IngestOptions(drop=("nope",)))
    assert e.value.code == "bad-option"
    with pytest.raises(IngestError):
        read_all(path, IngestOptions(drop=("ref", "ward", "count")))


def test_point_from_lat_lon(write):
    opts = IngestOptions(point_from=("lat", "lon"))
    p, t = read_all(write("x.csv", "lat,lon\n51.5,-0.1\n,\n"), opts)
    assert p.schema.get("location").type is SoQLType.POINT
    assert t.column("location").to_pylist() == [{"lon": -0.1, "lat": 51.5}, None]


def test_point_from_out_of_range_is_a_problem(write):
    with pytest.raises(IngestError) as e:
        prepare(write("x.csv", "y,x\n6474486.8,1845002.3\n"), IngestOptions(point_from=("y", "x")))
    assert e.value.report.problems[0].field == "location"


def test_sample_rows_infers_from_the_head(write):
    text = "n\n" + "1\n" * 10 + "x\n"
    with pytest.raises(IngestError) as e:
        prepare(write("x.csv", text), IngestOptions(sample_rows=5))
    assert e.value.report.problems[0].rows == [11]


def test_progress_and_batches(write):
    path = write("x.csv", "n\n" + "".join(f"{i}\n" for i in range(100_000)))
    seen = []
    with prepare(path) as p:
        total = sum(b.num_rows for b in p.reader(progress=seen.append))
    assert total == 100_000
    assert seen[-1] == 100_000 and len(seen) >= 2


def test_report_summary_and_dict(write):
    p, _ = read_all(write("x.csv", ",a\n1,2\n"))
    d = p.report.to_dict()
    orjson.dumps(d)
    assert d["row_count"] == 1 and d["errors"] is False
    assert d["columns"][0] == {
        "field_name": "column_1",
        "name": "column_1",
        "type": "number",
        "inferred": True,
        "header": "",
    }
    assert "1 rows, 2 columns" in p.report.summary_text()


def test_writes_through_the_duckdb_store(write, duck_store):
    p_path = write("x.csv", "id,amount,when\n1,1.5,2020-01-02\n2,,2020-01-03\n")
    with prepare(p_path, row_id="id") as p:
        info = duck_store.write_version("abcd-1234", 1, p.schema, p.reader())
    assert info.row_count == 2
    cur = duck_store.execute(f'SELECT amount, "when" FROM {duck_store.table("abcd-1234", 1).sql("duckdb")} ORDER BY id')
    assert list(cur) == [(1.5, dt.datetime(2020, 1, 2)), (None, dt.datetime(2020, 1, 3))]


def test_fixed_timestamp_override_reads_local_iso_times_as_utc(write):
    opts = IngestOptions(types={"at": "fixed_timestamp"})
    _, t, _ = infer(write, "at\n2020-08-13 15:34:00\n2020-08-13T16:34:00+01:00\n", opts)
    utc = dt.datetime(2020, 8, 13, 15, 34, tzinfo=dt.UTC)
    assert t.column("at").to_pylist() == [utc, utc]


def test_unterminated_quote_is_read_leniently_with_a_warning(write):
    p, t = read_all(write("x.csv", 'a,b\n1,"unterminated\n2,3\n'))
    assert t.column("b").to_pylist() == ["unterminated\n2,3\n"] or t.num_rows == 1
    assert any("unterminated quote" in w for w in p.report.warnings)


def test_near_miss_far_down_the_file_gets_a_hint(write):
    rows = "".join(f"{i}\n" for i in range(1, 8000)) + "TBC\n"
    ty, t, p = infer(write, "amount\n" + rows)
    assert ty["amount"] is SoQLType.TEXT
    assert p.report.hints[0].rows == [8000]
    assert p.report.hints[0].examples == ["TBC"]
