"""Template validation and personal-data flags."""

from __future__ import annotations

import datetime as dt

import pytest

from openborough.transparency import personal
from openborough.transparency.code import TEMPLATES
from openborough.transparency.validation import apply_redactions, validate

REQUIRED = {
    "spending-over-500",
    "procurement-card",
    "tenders-over-5000",
    "contracts-over-5000",
    "land-and-assets",
    "grants-vcse",
    "organisation-chart",
    "senior-salaries",
    "pay-multiple",
    "trade-union-facility-time",
    "fraud",
    "parking-account",
    "parking-spaces",
}

SPENDING = (
    "Body Name,Service Area,Supplier Name,Date,Expenses Type,Amount,Irrecoverable VAT,Procurement Category,Notes\n"
    'Demo BC,Highways,Acme Surfacing Ltd,05/07/2025,Road repairs,"£12,500.00",,Construction,x\n'
    "Demo BC,Children's Services,Mrs Jane Smith,06/07/2025,Foster care allowance,650.00,0,Care,\n"
    "Demo BC,Finance,Smith & Sons,07/07/2025,Audit,(1200.50),,Professional,\n"
    "Demo BC,Parks,Oak Tree Services,08/07/2025,Tree works,420,,Grounds,\n"
)


def test_every_required_dataset_has_a_template():
    assert REQUIRED <= set(TEMPLATES)
    for t in TEMPLATES.values():
        assert t.frequency in ("quarterly", "annually")
        assert any(f.required for f in t.fields)


def test_spending_file_checks_fields_types_and_personal_data():
    rep = validate(TEMPLATES["spending-over-500"], SPENDING.encode())
    assert rep.ok, rep.errors
    assert rep.columns["beneficiary"] == "Supplier Name" and rep.columns["department"] == "Service Area"
    assert rep.columns["merchant_category"] == "Procurement Category"
    assert "Notes" in rep.ignored_columns and "Body Name" in rep.ignored_columns
    assert [r["amount"] for r in rep.rows] == [12500.0, 650.0, -1200.5, 420.0]
    assert rep.rows[0]["date"] == dt.date(2025, 7, 5)
    assert any("below £500" in w for w in rep.warnings)
    assert [(f.line, f.value, f.suggestion) for f in rep.personal] == [(3, "Mrs Jane Smith", "Redacted personal data")]
    assert apply_redactions(rep) == 1
    assert rep.rows[1]["beneficiary"] == "Redacted personal data"


def test_missing_columns_and_bad_values_are_listed():
    rep = validate(TEMPLATES["spending-over-500"], b"Supplier,Amount\nAcme Ltd,10\n")
    assert not rep.ok and "no column for" in rep.errors[0] and "Date incurred" in rep.errors[0]
    bad = (
        "Date,Department,Supplier,Purpose,Amount,Irrecoverable VAT,Merchant Category\n"
        "31/02/2025,Parks,Acme Ltd,Mowing,12.5.0,,Grounds\n"
        "01/03/2025,,Acme Ltd,Mowing,900,,Grounds\n"
    )
    rep = validate(TEMPLATES["spending-over-500"], bad.encode())
    assert rep.error_count == 3
    assert rep.errors[0].startswith("line 2: Date incurred:")
    assert "not an amount" in rep.errors[1]
    assert rep.errors[2] == "line 3: Department is empty"


def test_choices_yes_no_postcodes_and_cross_row_checks():
    land = (
        "UPRN,Asset ID,Name,Street number,Street name,Post town,Postcode,Easting,Northing,Tenure,Tenure category\n"
        "100021234567,LA-1,Town Hall,1,High Street,London,NW1 2AB,529000,183000,Freehold,occupied by LA\n"
        "12AB,LA-2,Depot,,Mill Lane,London,NOT A CODE,529100,183100,Rented,licence\n"
    )
    rep = validate(TEMPLATES["land-and-assets"], land.encode())
    msgs = " | ".join(rep.errors)
    assert "not a UPRN" in msgs and "not a UK postcode" in msgs and "not one of: freehold, leasehold, other" in msgs
    account = "Category,Item,Amount\nOn-street income,Pay and display,1000\nExpenditure,Enforcement,400\n"
    rep = validate(TEMPLATES["parking-account"], account.encode())
    assert not rep.ok
    assert any("off-street income, penalty charge notice income" in e for e in rep.errors)
    assert any("surplus of £600.00" in e for e in rep.errors)
    spaces = "Location,Spaces,Estimated\nOn-street,1200,no\nOff-street,300,maybe\n"
    rep = validate(TEMPLATES["parking-spaces"], spaces.encode())
    assert rep.errors == ["line 3: Estimated (bays not marked): 'maybe' is not yes or no"]
    pay = "Date,Highest earnings,Median earnings,Pay multiple\n31/03/2025,200000,25000,6.5\n"
    rep = validate(TEMPLATES["pay-multiple"], pay.encode())
    assert any("does not match" in e for e in rep.errors)


def test_senior_salary_names_only_above_150k():
    data = "Job title,Remuneration,Name\nChief Executive,185000,Alex Example\nDirector,120000,Sam Sample\n"
    rep = validate(TEMPLATES["senior-salaries"], data.encode())
    assert rep.ok
    flagged = {(f.line, f.value) for f in rep.personal}
    assert (3, "Sam Sample") in flagged
    assert not any(f.line == 2 and "£150,000" in f.kind for f in rep.personal)
    apply_redactions(rep)
    assert rep.rows[1]["name"] is None


@pytest.mark.parametrize(
    "value,person",
    [
        ("Mr J Smith", True),
        ("Jane Smith", True),
        ("SMITH, John", True),
        ("Acme Surfacing Ltd", False),
        ("Smith & Sons", False),
        ("London Borough of Camden", False),
        ("Redacted personal data", False),
        ("BT", False),
        ("Oak Tree Services", False),
    ],
)
def test_looks_like_person(value, person):
    assert personal.looks_like_person(value) is person


def test_contact_details_flagged_anywhere():
    found = personal.find("Call 07700 900123 or jane.smith@example.org, info@example.org", may_name_person=False)
    kinds = {k for k, _ in found}
    assert kinds == {"personal email address", "mobile phone number"}
    red = personal.redact("Call 07700 900123 or jane.smith@example.org, info@example.org")
    assert red == "Call [redacted] or [redacted], info@example.org"
    assert personal.find("NI AB 12 34 56 C", may_name_person=False)[0][0] == "National Insurance number"
