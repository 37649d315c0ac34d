"""Periods, due dates, publishing against templates and the compliance dataset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openborough.catalog.models import AuditEntry, Dataset
from openborough.catalog.storage import get_store
from openborough.transparency.code import TEMPLATES
from openborough.transparency.compliance import (
    COMPLIANCE_ID,
    compliance,
    parse_period,
    period_for,
    refresh_compliance,
    status_of,
)
from openborough.transparency.models import Publication
from openborough.transparency.publish import NotPublished, publish

D = dt.date
SPENDING = TEMPLATES["spending-over-500"]
SPACES = TEMPLATES["parking-spaces"]
GOOD_SPENDING = (
    b"Date,Department,Supplier,Purpose,Amount,Irrecoverable VAT,Merchant Category\n"
    b"05/07/2025,Highways,Acme Ltd,Repairs,1200,,Construction\n"
    b"06/07/2025,Care,Jane Smith,Allowance,650,,Care\n"
    b"07/07/2025,Finance,Audit Co Ltd,Audit,900,,Professional\n"
)


def test_financial_year_periods_and_due_dates():
    q = period_for("quarterly", D(2025, 8, 15))
    assert (q.start, q.end, q.label) == (D(2025, 7, 1), D(2025, 9, 30), "2025/26 Q2")
    assert q.due("quarterly") == D(2025, 10, 31)
    q4 = period_for("quarterly", D(2026, 2, 1))
    assert (q4.start, q4.end, q4.label) == (D(2026, 1, 1), D(2026, 3, 31), "2025/26 Q4")
    assert q4.due("quarterly") == D(2026, 4, 30)
    y = period_for("annually", D(2025, 3, 31))
    assert (y.start, y.end, y.label) == (D(2024, 4, 1), D(2025, 3, 31), "2024/25")
    assert y.due("annually") == D(2025, 6, 30)
    with pytest.raises(ValueError, match="periods start on 01 July 2025"):
        parse_period("quarterly", "2025-08-01")


def test_status_up_to_date_due_overdue():
    pub = Publication(template_key=SPENDING.key, period_start=D(2025, 4, 1), period_end=D(2025, 6, 30))
    # Q1 published; Q2 (Jul–Sep) not ended yet on 15 Sep
    assert status_of(SPENDING, D(2025, 9, 15), pub).state == "ok"
    # Q2 ended, due 31 Oct
    s = status_of(SPENDING, D(2025, 10, 10), pub)
    assert (s.state, s.next_period.label, s.next_due) == ("due", "2025/26 Q2", D(2025, 10, 31))
    assert status_of(SPENDING, D(2025, 10, 31), pub).state == "due"
    assert status_of(SPENDING, D(2025, 11, 1), pub).state == "overdue"
    # never published: the latest ended period is what is due
    s = status_of(SPACES, D(2025, 8, 1), None)
    assert (s.next_period.label, s.next_due, s.state) == ("2024/25", D(2025, 6, 30), "overdue")


@pytest.mark.django_db
def test_publish_against_template_and_compliance_dataset(publisher):
    with pytest.raises(NotPublished) as e:
        publish(SPENDING.key, GOOD_SPENDING, period_start="2025-07-01", user=publisher)
    assert e.value.reason == "personal-data" and e.value.report.personal[0].value == "Jane Smith"
    assert not Publication.objects.exists()
    pub, _ = publish(SPENDING.key, GOOD_SPENDING, period_start="2025-07-01", user=publisher, redact=True)
    assert pub.rows == 3 and pub.redactions == 1 and pub.period_label == "2025/26 Q2"
    ds = pub.dataset
    store = get_store()

    def rows():
        cur = store.execute(
            f"SELECT period, beneficiary, amount FROM {store.table(ds.id, Dataset.objects.get(pk=ds.id).current_version).sql(store.dialect)} ORDER BY row_key"
        )
        try:
            return list(cur)
        finally:
            cur.close()

    assert rows() == [
        ("2025/26 Q2", "Acme Ltd", 1200.0),
        ("2025/26 Q2", "Redacted personal data", 650.0),
        ("2025/26 Q2", "Audit Co Ltd", 900.0),
    ]
    # republishing the period replaces its rows; another period is added alongside
    shorter = b"Date,Department,Supplier,Purpose,Amount,Irrecoverable VAT,Merchant Category\n05/07/2025,Highways,Acme Ltd,Repairs,1300,,Construction\n"
    publish(SPENDING.key, shorter, period_start="2025-07-01", user=publisher)
    publish(SPENDING.key, shorter, period_start="2025-04-01", user=publisher)
    assert sorted(rows()) == [("2025/26 Q1", "Acme Ltd", 1300.0), ("2025/26 Q2", "Acme Ltd", 1300.0)]
    assert AuditEntry.objects.filter(action="transparency.publish").count() == 3
    # invalid file: nothing published
    with pytest.raises(NotPublished) as e:
        publish(SPENDING.key, b"Amount\n1\n", period_start="2025-10-01", user=publisher)
    assert e.value.reason == "invalid"
    # compliance reads the latest period
    st = {s.template.key: s for s in compliance(D(2026, 1, 15))}
    assert st[SPENDING.key].last.period_label == "2025/26 Q2"
    assert st[SPENDING.key].state == "due" and st[SPENDING.key].next_due == D(2026, 1, 31)
    refresh_compliance()
    c = Dataset.objects.get(pk=COMPLIANCE_ID)
    cur = store.execute(
        f"SELECT template, status FROM {store.table(c.id, c.current_version).sql(store.dialect)} ORDER BY template"
    )
    got = dict(list(cur))
    cur.close()
    assert set(got) == set(TEMPLATES) and got["parking-spaces"] in ("Overdue", "Due")


@pytest.mark.django_db
def test_pages(client, staff_client):
    assert "Transparency Code compliance" in client.get("/transparency/").content.decode()
    assert client.get("/transparency/templates/").status_code == 200
    body = client.get("/transparency/templates/parking-account/").content.decode()
    assert "Penalty charge notice income".lower() in body.lower()
    csv_resp = client.get("/transparency/templates/parking-spaces.csv")
    assert csv_resp.content.decode().startswith("On-street or off-street,")
    assert client.get("/transparency/templates/nope/").status_code == 404
    assert client.get("/transparency/templates/parking-spaces/publish/").status_code == 302  # staff only
    up = SimpleUploadedFile("s.csv", b"Location,Spaces,Estimated\nOn-street,1200,no\nOff-street,300,yes\n")
    r = staff_client.post("/transparency/templates/parking-spaces/publish/", {"period": "2024-04-01", "file": up})
    assert r.status_code == 200 and "Published" in r.content.decode()
    up = SimpleUploadedFile("s.csv", b"Location,Spaces\n<script>x</script>,1\n")
    r = staff_client.post("/transparency/templates/parking-spaces/publish/", {"period": "2024-04-01", "file": up})
    assert r.status_code == 400 and "<script>x" not in r.content.decode() and "&lt;script&gt;" in r.content.decode()
    r = staff_client.post("/transparency/templates/parking-spaces/publish/", {"period": "2024-04-01"})
    assert r.status_code == 400
