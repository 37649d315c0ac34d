"""Budget and savings imports from CSV and XLSX: good files, and bad rows reported one by one."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from openborough.strategy.importing import ImportFileError, import_budget, import_savings, parse_year, read_table
from openborough.strategy.models import BudgetAllocation, SavingsProposal

pytestmark = pytest.mark.django_db


def csv_rows(text: str):
    return read_table(text.encode("utf-8"), "plan.csv")


def test_budget_csv_imports_and_updates(basics):
    res = import_budget(
        csv_rows(
            'Outcome,Year,Amount\nClean, safe streets,2025/26,"£1,200,000"\n'
            "clean, safe streets,2026,1100000\nHealthy, independent lives,2025-26,5e6\n".replace(
                "Clean, safe streets", '"Clean, safe streets"'
            )
            .replace("clean, safe streets", '"clean, safe streets"')
            .replace("Healthy, independent lives", '"Healthy, independent lives"')
        )
    )
    assert res.ok, res.errors
    assert (res.created, res.updated) == (3, 0)
    assert BudgetAllocation.objects.get(outcome=basics["streets"], year=2025).amount == Decimal("1200000.00")
    res = import_budget(csv_rows('outcome,year,amount\n"Clean, safe streets",2025/26,900\n'))
    assert (res.created, res.updated) == (0, 1)
    assert BudgetAllocation.objects.get(outcome=basics["streets"], year=2025).amount == Decimal("900.00")


def test_budget_bad_rows_are_each_reported_and_nothing_is_imported(basics):
    text = (
        "outcome,year,amount\n"
        '"Clean, safe streets",2025/26,100\n'
        "Nowhere,2025/26,100\n"
        '"Clean, safe streets",2025/27,100\n'
        '"Clean, safe streets",2026,-5\n'
        '"Clean, safe streets",2027,lots\n'
        ",,\n"
        '"Clean, safe streets",2025,100\n'
        '"Clean, safe streets",,100\n'
    )
    res = import_budget(csv_rows(text))
    found = {(e.row, e.column) for e in res.errors}
    assert found == {(3, "outcome"), (4, "year"), (5, "amount"), (6, "amount"), (8, ""), (9, "year")}
    assert "no outcome named 'Nowhere'" in str(res.errors[0])
    assert BudgetAllocation.objects.count() == 0


def test_missing_columns_are_reported_against_the_header(basics):
    res = import_budget(csv_rows("outcome,amount\nx,1\n"))
    assert [(e.row, e.column) for e in res.errors] == [(1, "year")]


SAVINGS_CSV = (
    "ref,title,type,service,outcomes,year,amount,rag,digital_kinds,digital_share_pct,initiatives\n"
    'SAV-1,Online permits,efficiency,Parking,"Clean, safe streets",2025/26,100000,green,Channel shift;analytics,80,DIG-01\n'
    "SAV-1,Online permits,efficiency,Parking,,2026/27,50000,,,,\n"
    "SAV-2,Stop paper tickets,stop,Parking,,2025/26,20000,amber,,,\n"
)


def test_savings_csv_groups_years_by_ref(basics):
    res = import_savings(csv_rows(SAVINGS_CSV))
    assert res.ok, [str(e) for e in res.errors]
    p = SavingsProposal.objects.get(ref="SAV-1")
    assert [(y.year, y.amount) for y in p.years.all()] == [(2025, Decimal("100000.00")), (2026, Decimal("50000.00"))]
    assert p.digital_kinds == ["analytics", "channel_shift"] and p.digital_share_pct == 80
    assert list(p.initiatives.values_list("ref", flat=True)) == ["DIG-01"]
    assert list(p.outcomes.all()) == [basics["streets"]]
    # importing again replaces the years given
    res = import_savings(csv_rows(SAVINGS_CSV.replace("50000", "70000")))
    assert (res.created, res.updated) == (0, 2)
    assert p.years.get(year=2026).amount == Decimal("70000.00")


def test_savings_bad_rows(basics):
    text = (
        "ref,title,type,service,year,amount,digital_kinds,digital_share_pct,outcomes,initiatives\n"
        "S1,Fine,income,Parking,2025,10,,,,\n"
        "S2,Bad type,cuts,Parking,2025,10,,,,\n"
        "S3,Bad service,income,Libraries,2025,10,,,,\n"
        "S4,Kind without share,income,Parking,2025,10,analytics,,,\n"
        "S5,Share without kind,income,Parking,2025,10,,50,,\n"
        "S6,Unknown kind,income,Parking,2025,10,blockchain,50,,\n"
        "S7,Share too big,income,Parking,2025,10,analytics,150,,\n"
        "S8,Unknown links,income,Parking,2025,10,,,Moon;Clean,DIG-99\n"
        "S1,Different title,income,Parking,2026,10,,,,\n"
        "S1,Fine,income,Parking,2025,10,,,,\n"
        ",No ref,income,Parking,2025,10,,,,\n"
    )
    res = import_savings(csv_rows(text))
    found = {(e.row, e.column) for e in res.errors}
    assert found == {
        (3, "type"),
        (4, "service"),
        (5, "digital_share_pct"),
        (6, "digital_kinds"),
        (7, "digital_kinds"),
        (8, "digital_share_pct"),
        (9, "outcomes"),
        (9, "initiatives"),
        (10, "title"),
        (11, "year"),
        (12, "ref"),
    }
    assert SavingsProposal.objects.count() == 0


def test_xlsx_import(basics):
    wb = Workbook()
    ws = wb.active
    ws.append(["Ref", "Title", "Type", "Service", "Year", "Amount", "Digital kinds", "Digital share %"])
    ws.append(["X-1", "Mobile working", "Efficiency", "Adult social care", "2025/26", 250000.0, "agile_mobile", 100])
    ws.append([None, None, None, None, None, None, None, None])
    ws.append(["X-1", "Mobile working", "Efficiency", "Adult social care", 2026, 125000, "agile_mobile", 100])
    buf = io.BytesIO()
    wb.save(buf)
    res = import_savings(read_table(buf.getvalue(), "plan.xlsx"))
    assert res.ok, [str(e) for e in res.errors]
    p = SavingsProposal.objects.get(ref="X-1")
    assert p.total() == 375000 and p.digital_kinds == ["agile_mobile"]


def test_unreadable_files():
    with pytest.raises(ImportFileError, match="csv or .xlsx"):
        read_table(b"x", "plan.pdf")
    with pytest.raises(ImportFileError, match="xlsx"):
        read_table(b"not a zip", "plan.xlsx")
    with pytest.raises(ImportFileError, match="empty"):
        read_table(b"", "plan.csv")
    with pytest.raises(ImportFileError, match="twice"):
        read_table(b"year,Year\n1,2\n", "plan.csv")


def test_windows_1252_csv_is_read():
    rows = read_table("outcome,year,amount\nCaf\xe9 culture,2025,£5\n".encode("cp1252"), "b.csv")
    assert rows[0][1]["outcome"] == "Café culture" and rows[0][1]["amount"] == "£5"


@pytest.mark.parametrize(
    "text, year",
    [
        ("2025/26", 2025),
        ("2025-2026", 2025),
        ("FY2030", 2030),
        ("1999/00", None),
        ("2025/27", None),
        ("2099/00", 2099),
        ("next year", None),
    ],
)
def test_parse_year(text, year):
    if year is None:
        with pytest.raises(ValueError):
            parse_year(text)
    else:
        assert parse_year(text) == year


def test_unknown_columns_are_not_ignored_silently(basics):
    res = import_budget(csv_rows('outcome,year,amount,notes\n"Clean, safe streets",2025,1,hello\n'))
    assert [(e.row, e.column) for e in res.errors] == [(1, "notes")]
    res = import_budget(csv_rows('outcome,year,amount\n"Clean, safe streets",2025,1,surplus\n'))
    assert [(e.row, e.column) for e in res.errors] == [(2, "")]
    assert BudgetAllocation.objects.count() == 0
