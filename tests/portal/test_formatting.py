"""openborough.portal.formatting: every value the HTML pages show, as input → output tables,
and the pages that use it (data table, column statistics, chart figures and date groups)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from openborough.portal import charts, formatting
from openborough.soql.types import SoQLType as T

VALUES = [
    # (value, type, column name, shown)
    (None, None, "", ""),
    ("", T.TEXT, "street", ""),
    ("SOUTH END ROAD", T.TEXT, "street", "SOUTH END ROAD"),
    ("2020-08-13T00:00:00.000", T.FLOATING_TIMESTAMP, "cdate", "13 August 2020"),
    ("2020-08-13T15:34:00.000", T.FLOATING_TIMESTAMP, "cdate", "13 August 2020, 3:34pm"),
    ("2020-08-13T00:05:09.000", T.FLOATING_TIMESTAMP, "cdate", "13 August 2020, 12:05:09am"),
    ("2020-08-13T12:00:00.000Z", T.FIXED_TIMESTAMP, "at", "13 August 2020, 12:00pm UTC"),
    (dt.datetime(2017, 10, 6), None, "paid", "6 October 2017"),
    (dt.date(2017, 1, 2), None, "paid", "2 January 2017"),
    ("not a date", T.FLOATING_TIMESTAMP, "cdate", "not a date"),
    (2017, T.NUMBER, "fyr", "2017"),
    ("2017", T.NUMBER, "fyr", "2017"),
    (2017.0, T.NUMBER, "Financial year", "2017"),
    (2017, T.NUMBER, "Year of birth", "2017"),
    (2017, T.NUMBER, "amount", "2,017"),
    (1500000, T.NUMBER, "yearly_budget", "1,500,000"),
    ("1234567.5", T.NUMBER, "east", "1,234,567.5"),
    ("834.290", T.DOUBLE, "x", "834.29"),
    ("-1500", T.NUMBER, "x", "-1,500"),
    (1e-7, T.DOUBLE, "x", "0.0000001"),
    (Decimal("12"), None, "", "12"),
    ("834.29", T.MONEY, "amount", "£834.29"),
    (1140, T.MONEY, "amount", "£1,140.00"),
    ("-12.5", T.MONEY, "amount", "-£12.50"),
    (True, T.CHECKBOX, "paid", "Yes"),
    ("false", T.CHECKBOX, "paid", "No"),
    ({"type": "Point", "coordinates": [-0.16, 51.5]}, T.POINT, "loc", '{"type":"Point","coordinates":[-0.16,51.5]}'),
]


@pytest.mark.parametrize(("value", "kind", "name", "shown"), VALUES)
def test_value(value, kind, name, shown):
    assert formatting.value(value, kind, name) == shown


CELLS = [
    # data table cells: numbers may be codes, so no thousands separators
    ("527193", T.NUMBER, "east", "527193"),
    ("2020", T.NUMBER, "fyr", "2020"),
    ("1140", T.MONEY, "amount", "£1,140.00"),
    ("2020-08-13T00:00:00.000", T.FLOATING_TIMESTAMP, "cdate", "13 August 2020"),
]


@pytest.mark.parametrize(("value", "kind", "name", "shown"), CELLS)
def test_cell(value, kind, name, shown):
    assert formatting.value(value, kind, name, grouping=False) == shown


GROUPS = [
    ("2020-01-01T00:00:00.000", "y", "2020"),
    ("2020-08-01T00:00:00.000", "ym", "August 2020"),
    ("2020-08-13T00:00:00.000", "ymd", "13 August 2020"),
    (dt.datetime(2020, 8, 10), "week", "Week of 10 August 2020"),
]


@pytest.mark.parametrize(("value", "precision", "shown"), GROUPS)
def test_date_group_labels(value, precision, shown):
    assert formatting.timestamp(value, precision) == shown


FIGURES = [
    # chart figures and axis ticks
    (599.0, False, False, "599"),
    (1234.5678, False, False, "1,234.57"),
    (1140.0, True, False, "£1,140.00"),
    (1000.0, True, True, "£1,000"),
    (2.5, True, True, "£2.50"),
    (0.0, False, True, "0"),
]


@pytest.mark.parametrize(("v", "money", "axis", "shown"), FIGURES)
def test_chart_figures(v, money, axis, shown):
    assert charts.fmt(v, money=money, axis=axis) == shown


def test_counts():
    assert formatting.count(886) == "886" and formatting.count(12345) == "12,345"


@pytest.mark.django_db
def test_pages_show_dates_years_and_money_for_people(client, pcn):
    about = client.get(f"/datasets/{pcn.id}/").content.decode()
    assert "2017 – 2020" in about and "2,020" not in about  # fyr statistics
    assert "T00:00:00" not in about
    data = client.get(f"/datasets/{pcn.id}/data", {"sort": "cdate", "dir": "asc"}).content.decode()
    assert "T00:00:00" not in data
    assert re.search(r"<td class=\"govuk-table__cell\">\d{1,2} \w+ 20\d\d</td>", data)


@pytest.mark.django_db
def test_chart_groups_dates_by_year_month_week_or_day(client, pcn):
    url = f"/datasets/{pcn.id}/chart"
    year = client.get(url, {"x": "cdate", "by": "y", "agg": "count"}).content.decode()
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th><td[^>]*>([^<]+)</td>', year)
    assert [label for label, _ in rows] == sorted(label for label, _ in rows)
    assert {label for label, _ in rows} <= {"2017", "2018", "2019", "2020"} and len(rows) >= 2
    assert sum(int(n.replace(",", "")) for _, n in rows) == 886
    assert f"All {len(rows)} groups" in year
    month = client.get(url, {"x": "cdate", "by": "ym", "agg": "count"}).content.decode()
    assert re.search(r'header">(January|February|March|April|May|June|July|August|September|October|November'
                     r'|December) 20\d\d</th>', month)  # fmt: skip
    week = client.get(url, {"x": "cdate", "by": "week", "agg": "count"}).content.decode()
    assert re.search(r'header">20\d\d week \d{1,2}</th>', week)
    day = client.get(url, {"x": "cdate", "by": "ymd", "agg": "count"}).content.decode()
    m = re.search(r"Showing (\d+) of (\d+) groups", day)
    assert m and int(m.group(1)) == 200 and int(m.group(2)) > 200  # 380 days: says how many are hidden
    assert f"{int(m.group(2)) - 200} more are not shown" in day
    assert day.count('class="ob-bar"') == 200 and day.count("rotate(45)") == 40  # every 5th day labelled
    # the no-JavaScript links to the other groupings keep the chart's choices
    assert 'href="?x=cdate&amp;by=y&amp;agg=count&amp;y=&amp;type=bar"' in day
    bad = client.get(url, {"x": "cdate", "by": "fortnight"}).content.decode()
    assert "Choose how to group dates" in bad
    other = client.get(url, {"x": "street", "by": "fortnight"}).content.decode()  # ignored for a text column
    assert "Choose how to group dates" not in other and other.count('class="ob-bar"') == 2


@pytest.mark.django_db
def test_money_in_pounds_on_table_statistics_and_chart(client):
    from openborough.catalog.publishing import publish_file
    from openborough.ingest.options import IngestOptions
    from tests.portal.conftest import DEMO

    ds = publish_file(
        DEMO / "oxford_spending_over_500_2017q4.csv",
        meta={"name": "Spending"},
        options=IngestOptions(types={"amount": "money"}),
        actor="test",
    ).dataset
    assert ds.schema().get("amount").type == T.MONEY
    about = client.get(f"/datasets/{ds.id}/").content.decode()
    assert re.search(r"<td class=\"govuk-table__cell\">-?£[\d,]+\.\d\d – £[\d,]+\.\d\d</td>", about)
    data = client.get(f"/datasets/{ds.id}/data", {"sort": "amount", "dir": "desc"}).content.decode()
    assert re.search(r"<td class=\"govuk-table__cell\">£[\d,]+\.\d\d</td>", data)
    chart = client.get(f"/datasets/{ds.id}/chart", {"x": "service_area", "agg": "sum", "y": "amount"}).content.decode()
    assert re.search(r'numeric">£[\d,]+\.\d\d</td>', chart) and re.search(r">£[\d,]+</text>", chart)
    dated = client.get(f"/datasets/{ds.id}/chart", {"x": "paid_date", "agg": "count", "by": "ym"}).content.decode()
    assert re.findall(r'header">(\w+ 2017)</th>', dated) == ["October 2017", "November 2017", "December 2017"]


@pytest.mark.django_db
def test_chart_groups_fixed_timestamps(client, tmp_path):
    from openborough.catalog.publishing import publish_file
    from openborough.ingest.options import IngestOptions

    f = tmp_path / "events.csv"
    f.write_text(
        "at,n\n2024-03-04T10:00:00Z,1\n2024-03-05T23:30:00Z,2\n2024-03-12T08:00:00Z,3\n2024-04-01T00:00:00Z,4\n"
    )
    ds = publish_file(
        f, meta={"name": "Events"}, options=IngestOptions(types={"at": "fixed_timestamp"}), actor="test"
    ).dataset
    assert ds.schema().get("at").type == T.FIXED_TIMESTAMP
    url = f"/datasets/{ds.id}/chart"
    rows = r'<th scope="row" class="govuk-table__header">([^<]+)</th><td[^>]*>([^<]+)</td>'
    month = re.findall(rows, client.get(url, {"x": "at", "by": "ym", "agg": "sum", "y": "n"}).content.decode())
    assert month == [("March 2024", "6"), ("April 2024", "4")]
    week = re.findall(rows, client.get(url, {"x": "at", "by": "week"}).content.decode())
    assert week == [("2024 week 10", "2"), ("2024 week 11", "1"), ("2024 week 14", "1")]
    data = client.get(f"/datasets/{ds.id}/data", {"sort": "at", "dir": "asc"}).content.decode()
    assert "4 March 2024, 10:00am UTC" in data
