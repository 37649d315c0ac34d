"""FOI log: recording, CSV / disclosure-log import, s.21 links, measures and the figures dataset."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from openborough.catalog.models import Dataset
from openborough.catalog.publishing import create_dataset
from openborough.catalog.storage import get_store
from openborough.requests_foi import foi_measures
from openborough.requests_foi.foi_figures import FIGURES_ID, figure_rows, refresh_figures
from openborough.requests_foi.foi_import import import_csv, parse_outcome
from openborough.requests_foi.foi_measures import candidate_topics, measures
from openborough.requests_foi.models import FOIRequest, Outcome
from openborough.soql.types import Column, Schema, SoQLType

pytestmark = pytest.mark.django_db

D = dt.date


def ds(name):
    return create_dataset({"name": name}, Schema((Column("x", SoQLType.TEXT),)), actor="test")


def foi(ref, received, topic, *, outcome=Outcome.OPEN, answered=None, dataset=None, service=""):
    f = FOIRequest(
        reference=ref,
        received=received,
        topic=topic,
        outcome=outcome,
        answered=answered,
        dataset=dataset,
        service=service,
    )
    f.full_clean()
    f.save()
    return f


def test_s21_needs_a_dataset_and_only_s21_links_one():
    pcn = ds("Penalty charge notices")
    with pytest.raises(ValidationError, match="needs the dataset"):
        foi("F1", D(2025, 1, 2), "PCNs", outcome=Outcome.PUBLISHED_S21, answered=D(2025, 1, 9))
    with pytest.raises(ValidationError, match="only when"):
        foi("F2", D(2025, 1, 2), "PCNs", outcome=Outcome.GRANTED, answered=D(2025, 1, 9), dataset=pcn)
    with pytest.raises(ValidationError, match="before the date received"):
        foi("F3", D(2025, 1, 2), "PCNs", outcome=Outcome.GRANTED, answered=D(2024, 1, 9))


def test_measures_maths(settings):
    settings.OPENBOROUGH_FOI_COST_PER_REQUEST = "100.50"
    pcn, bays = ds("Penalty charge notices"), ds("Parking bays")
    s21 = Outcome.PUBLISHED_S21
    foi("A", D(2025, 1, 3), "pcn numbers", outcome=s21, answered=D(2025, 1, 10), dataset=pcn, service="Parking")
    foi("B", D(2025, 1, 20), "pcns by street", outcome=s21, answered=D(2025, 2, 2), dataset=pcn, service="Parking")
    foi("C", D(2025, 3, 1), "bay counts", outcome=s21, answered=D(2025, 3, 5), dataset=bays, service="Highways")
    foi("D", D(2025, 3, 1), "staff overtime", outcome=Outcome.GRANTED, answered=D(2025, 3, 9), service="HR")
    m = measures(as_of=D(2025, 4, 15))
    assert m.total == 4 and m.deflected == 3
    assert m.cost_per_foi == Decimal("100.50") and m.cost_saved == Decimal("301.50")
    assert m.by_month == [
        ("2025-01", 1, Decimal("100.50")),
        ("2025-02", 1, Decimal("100.50")),
        ("2025-03", 1, Decimal("100.50")),
        ("2025-04", 0, Decimal("0.00")),
    ]
    assert m.by_dataset == [
        (pcn.id, "Penalty charge notices", 2, Decimal("201.00")),
        (bays.id, "Parking bays", 1, Decimal("100.50")),
    ]
    assert m.by_service == [("Parking", 2, Decimal("201.00")), ("Highways", 1, Decimal("100.50"))]
    assert "set by the council" in m.cost_source
    rows = figure_rows(m)
    total = [r for r in rows if r["measure"] == "deflected_total"][0]
    assert total["foi_requests"] == 3 and total["cost_saved"] == Decimal("301.50")


def test_default_cost_and_bad_setting(settings):
    assert foi_measures.cost_per_foi() == Decimal("159.80")
    assert "UCL Constitution Unit" in foi_measures.cost_source()
    settings.OPENBOROUGH_FOI_COST_PER_REQUEST = "lots"
    with pytest.raises(ImproperlyConfigured, match="amount in pounds"):
        foi_measures.cost_per_foi()


def test_repeated_topics_without_a_dataset_are_candidates():
    pcn = ds("Penalty charge notices")
    foi("T1", D(2025, 1, 5), "Number of potholes reported 2023")
    foi("T2", D(2025, 4, 5), "potholes reported in 2024")
    foi("T3", D(2025, 9, 5), "Potholes reported")
    foi("T4", D(2025, 2, 5), "Agency staff spend")
    foi("T5", D(2025, 3, 5), "Agency staff spend")  # only twice: not a candidate
    foi("P1", D(2025, 2, 1), "PCNs issued")
    foi("P2", D(2025, 3, 1), "PCNs issued by street")
    foi("P3", D(2025, 4, 1), "PCNs issued", outcome=Outcome.PUBLISHED_S21, answered=D(2025, 4, 2), dataset=pcn)
    foi("OLD", D(2023, 1, 1), "Agency staff spend")  # outside the 12 months
    cands = candidate_topics(D(2025, 10, 1))
    assert [(c.count, sorted(c.references)) for c in cands] == [(3, ["T1", "T2", "T3"])]
    # a year on, the early requests fall out of the window
    assert candidate_topics(D(2026, 3, 1)) == []


def test_import_disclosure_log_and_all_or_nothing():
    pcn = ds("Penalty charge notices")
    good = (
        "FOI Ref,Date Received,Subject,Department,Outcome,Date Responded,Dataset,Exemptions applied\n"
        f"FOI-1,03/01/2025,PCN data,Parking,Section 21 - published,10/01/2025,{pcn.id},\n"
        "FOI-2,2025-01-04,Staff names,HR,Refused,2025-01-20,,s.40 personal data\n"
        "FOI-3,05/01/2025,Bins,Waste,Information provided,06/01/2025,,\n"
        "FOI-4,06/01/2025,Parks map,Parks,Information accessible on our website,08/01/2025,,\n"
        "FOI-5,07/01/2025,Ongoing,Parks,,,,\n"
    ).encode()
    rep = import_csv(good)
    assert rep.ok, rep.errors
    assert (rep.created, rep.updated) == (5, 0)
    got = dict(FOIRequest.objects.values_list("reference", "outcome"))
    assert got == {
        "FOI-1": "s21_published",
        "FOI-2": "refused",
        "FOI-3": "granted",
        "FOI-4": "s21_other",
        "FOI-5": "open",
    }
    assert FOIRequest.objects.get(reference="FOI-2").exemption == "s40"
    assert FOIRequest.objects.get(reference="FOI-1").dataset_id == pcn.id
    assert rep.unlinked_s21 == ["FOI-4"]
    # re-import updates, and one bad row stops the whole file
    bad = (
        b"Reference,Date received,Topic,Outcome,Date answered\n"
        b"FOI-3,05/01/2025,Bins collected,Information provided,06/01/2025\n"
        b"FOI-9,31/02/2025,Bad date,Information provided,06/03/2025\n"
        b"FOI-10,01/03/2025,Who knows,Maybe,02/03/2025\n"
        b"FOI-11,01/03/2025,Ghost data,s21,02/03/2025\n"
    )
    rep = import_csv(bad)
    assert not rep.ok and len(rep.errors) == 2
    assert rep.errors[0].startswith("line 3 (FOI-9): date received")
    assert "not recognised" in rep.errors[1]
    assert FOIRequest.objects.get(reference="FOI-3").topic == "Bins"
    assert not FOIRequest.objects.filter(reference__in=["FOI-9", "FOI-10", "FOI-11"]).exists()
    rep = import_csv(b"Name,Colour\nx,y\n")
    assert not rep.ok and "no column for reference, received, topic" in rep.errors[0]
    rep = import_csv("Reference,Date received,Topic\nR1,01/01/2025,Caf\xe9 licences\n".encode("cp1252"))
    assert rep.ok and FOIRequest.objects.get(reference="R1").topic == "Café licences"


def test_outcome_words():
    assert parse_outcome("Refused under section 43", "", False) == ("refused", "s43")
    assert parse_outcome("Refused - s12 cost limit", "", False) == ("cost_limit", "")
    assert parse_outcome("Not held", "", False) == ("not_held", "")
    assert parse_outcome("Partially provided", "s40", False) == ("partial", "s40")
    with pytest.raises(ValueError):
        parse_outcome("banana", "", False)


def test_staff_record_link_and_dashboard(client, staff_client):
    pcn = ds("Penalty charge notices")
    r = staff_client.post(
        "/requests/foi/new/",
        {
            "reference": "FOI/2025/001",
            "received": "2025-05-01",
            "answered": "2025-05-07",
            "topic": "Penalty charge notices <b>2024</b>",
            "service": "Parking",
            "outcome": "s21_published",
            "dataset_id": pcn.id,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    f = FOIRequest.objects.get()
    assert f.dataset_id == pcn.id and f.created_by is not None
    r = staff_client.post(
        "/requests/foi/new/",
        {
            "reference": "X",
            "received": "2025-05-01",
            "topic": "t",
            "outcome": "s21_published",
            "answered": "2025-05-02",
        },
    )
    assert r.status_code == 400 and "needs the dataset" in r.content.decode()
    assert client.get("/requests/foi/").status_code == 302  # staff only
    assert (
        client.post(f"/requests/foi/{f.pk}/delete/").status_code == 302 and FOIRequest.objects.filter(pk=f.pk).exists()
    )
    page = client.get("/requests/foi/dashboard/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "Penalty charge notices" in body and "£159.80" in body
    assert client.get("/requests/foi/charts/monthly.svg")["Content-Type"] == "image/svg+xml"
    assert client.get("/requests/foi/charts/nope.svg").status_code == 404
    # the figures are an open dataset
    refresh_figures()
    d = Dataset.objects.get(pk=FIGURES_ID)
    store = get_store()
    cur = store.execute(
        f"SELECT foi_requests, cost_saved FROM {store.table(d.id, d.current_version).sql(store.dialect)} "
        "WHERE measure = 'deflected_total'"
    )
    assert list(cur) == [(1.0, 159.8)]
    cur.close()
    # staff delete a wrong entry: audited, and the figures follow
    assert staff_client.post(f"/requests/foi/{f.pk}/delete/").status_code == 302
    assert not FOIRequest.objects.exists()
    from openborough.catalog.models import AuditEntry

    assert AuditEntry.objects.filter(action="foi.delete").exists()
    d.refresh_from_db()
    cur = store.execute(
        f"SELECT foi_requests FROM {store.table(d.id, d.current_version).sql(store.dialect)} "
        "WHERE measure = 'deflected_total'"
    )
    assert list(cur) == [(0.0,)]
    cur.close()


def test_import_page(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    up = SimpleUploadedFile("log.csv", b"Reference,Date received,Topic\nR1,01/01/2025,Trees\n", content_type="text/csv")
    r = staff_client.post("/requests/foi/import/", {"file": up})
    assert r.status_code == 200 and "1 added" in r.content.decode()
    r = staff_client.post("/requests/foi/import/", {})
    assert r.status_code == 400


def test_refresh_registers_command():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("refresh_registers", stdout=out)
    text = out.getvalue()
    assert "dreq-rgst" in text and "foid-fgrs" in text and "tcod-cmpl" in text
    assert Dataset.objects.get(pk="tcod-cmpl").row_count == 13


@pytest.mark.django_db(transaction=True)
def test_candidate_datasets_come_from_the_catalogue_search(staff_client):
    pcn = create_dataset(
        {"name": "Parking penalty charge notices", "description": "Every PCN issued", "tags": ["parking"]},
        Schema((Column("street", SoQLType.TEXT),)),
        actor="test",
    )
    create_dataset({"name": "Street trees"}, Schema((Column("species", SoQLType.TEXT),)), actor="test")
    got = [d.id for d in foi_measures.suggest_datasets("How many parking tickets were issued last year?")]
    assert got and got[0] == pcn.id
    assert foi_measures.suggest_datasets("") == []
    f = foi("FOI-77", D(2025, 6, 1), "Parking tickets on my street")
    body = staff_client.get(f"/requests/foi/{f.pk}/").content.decode()
    suggestions = body[body.index("Datasets that may answer it") :]
    assert "Parking penalty charge notices" in suggestions
    if "Street trees" in suggestions:  # SQLite's FTS also matches on "street"; the better match comes first
        assert suggestions.index("Parking penalty charge notices") < suggestions.index("Street trees")


def _form_values(html: str) -> dict[str, str]:
    """What a browser would send back for the page's first POST form, unchanged."""
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values, self.date_values, self._select, self._textarea, self.done = {}, {}, None, None, False

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if self.done:
                return
            if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "radio", "submit"):
                self.values[a["name"]] = a.get("value") or ""
                if a.get("type") == "date":
                    self.date_values[a["name"]] = a.get("value") or ""
            elif tag == "select":
                self._select = a["name"]
                self.values.setdefault(self._select, "")
            elif tag == "option" and self._select and "selected" in a:
                self.values[self._select] = a.get("value", "")
            elif tag == "textarea":
                self._textarea = a["name"]
                self.values[self._textarea] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self._select = None
            elif tag == "textarea":
                self._textarea = None
            elif tag == "form" and self.values:
                self.done = True

        def handle_data(self, data):
            if self._textarea:
                self.values[self._textarea] += data.removeprefix("\n")

    p = P()
    p.feed(html)
    return p.values, p.date_values


def test_edit_form_shows_iso_dates_and_saves_unchanged(staff_client):
    """type="date" inputs hold ISO dates only (a browser shows nothing for 02/11/2026), and
    sending the edit form back as it is saves the record unchanged."""
    pcn = ds("Penalty charge notices")
    f = foi("FOI/2026/7", D(2026, 11, 2), "Parking fines", outcome=Outcome.PUBLISHED_S21,
            answered=D(2026, 11, 20), dataset=pcn, service="Parking")  # fmt: skip
    page = staff_client.get(f"/requests/foi/{f.pk}/")
    values, dates = _form_values(page.content.decode())
    assert dates == {"received": "2026-11-02", "answered": "2026-11-20"}
    r = staff_client.post(f"/requests/foi/{f.pk}/", values)
    assert r.status_code == 302, r.content.decode()[:3000]
    f2 = FOIRequest.objects.get(pk=f.pk)
    assert (f2.received, f2.answered, f2.dataset_id, f2.outcome) == (D(2026, 11, 2), D(2026, 11, 20), pcn.id, f.outcome)
    # the UK way of typing a date is still read
    r = staff_client.post(f"/requests/foi/{f.pk}/", {**values, "received": "03/11/2026"})
    assert r.status_code == 302 and FOIRequest.objects.get(pk=f.pk).received == D(2026, 11, 3)


def test_every_date_input_renders_iso():
    """Django renders a date widget with the first input format: ISO, whatever form it is in."""
    from django import forms

    class F(forms.Form):
        d = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        t = forms.DateField()

    html = str(F(initial={"d": D(2026, 11, 2), "t": D(2027, 3, 31)}))
    assert 'type="date" name="d" value="2026-11-02"' in html and 'value="2027-03-31"' in html
    assert F({"d": "2026-11-02", "t": "31/03/2027"}).is_valid()
