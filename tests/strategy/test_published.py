"""Open by default: toolkit records become portal datasets and follow every change."""

from __future__ import annotations

import pytest

from openborough.catalog.models import AuditEntry, Dataset
from openborough.strategy import opendata
from openborough.strategy.models import Criterion, InitiativeYear, SavingsProposal, SavingsYear, Score
from openborough.strategy.published import CRITERIA_ID, INITIATIVES_ID, SAVINGS_ID, SCORES_ID

from .conftest import read_dataset

pytestmark = pytest.mark.django_db(transaction=True)


def test_initiative_register_is_published_and_follows_changes(basics, make_user):
    officer = make_user("olu", "officer", basics["parking"])
    a = basics["a"]
    a.sponsor = "Cllr Example"
    a.internal_notes = "do not publish this"
    a.save()
    ds = Dataset.objects.get(pk=INITIATIVES_ID)
    assert ds.is_public and ds.licence == "OGL-UK-3.0"
    assert ("DIG-01", "Cllr Example") in read_dataset(INITIATIVES_ID, "ref, sponsor")
    first_version = ds.current_version

    Score.objects.create(initiative=a, criterion=basics["sav"], assessor=officer, value=5, rationale="big")
    Score.objects.create(initiative=basics["b"], criterion=basics["sav"], assessor=officer, value=1)
    rows = dict((r[0], r[1:]) for r in read_dataset(INITIATIVES_ID, "ref, weighted_score, rank"))
    assert rows["DIG-01"] == (75.0, 1.0) and rows["DIG-02"] == (15.0, 2.0)
    assert Dataset.objects.get(pk=INITIATIVES_ID).current_version > first_version
    scores = read_dataset(SCORES_ID, "initiative_ref, criterion, score, rationale")
    assert ("DIG-01", "Savings", 5.0, "big") in scores
    columns = {c.field_name for c in Dataset.objects.get(pk=SCORES_ID).columns.all()}
    assert "assessor" not in columns

    # reweighting moves the published rank
    res = basics["res"]
    Score.objects.create(initiative=basics["b"], criterion=res, assessor=officer, value=5)
    res.weight = 10
    res.save()
    rows = dict((r[0], r[1]) for r in read_dataset(INITIATIVES_ID, "ref, rank"))
    assert rows["DIG-02"] == 1.0
    assert ("Resident impact", 10.0) in read_dataset(CRITERIA_ID, "name, weight")

    # the internal notes never leave the toolkit
    cols = {c.field_name for c in Dataset.objects.get(pk=INITIATIVES_ID).columns.all()}
    assert "internal_notes" not in cols


def test_confidential_fields_are_withheld_and_named(basics):
    a = basics["a"]
    InitiativeYear.objects.create(initiative=a, year=2025, one_off_cost=1000, running_cost=10, cashable_savings=500)
    a.confidential_fields = ["costs", "risks"]
    a.risks = "supplier may fail"
    a.save()
    (row,) = [
        r
        for r in read_dataset(INITIATIVES_ID, "ref, one_off_cost, risks, cashable_savings, withheld_fields")
        if r[0] == "DIG-01"
    ]
    assert row == ("DIG-01", None, None, 500.0, "costs, risks")


def test_savings_plan_dataset_with_digital_solution(basics):
    p = SavingsProposal.objects.create(
        ref="SAV-1",
        title="Permits online",
        saving_type="efficiency",
        owning_service=basics["parking"],
        digital_kinds=["channel_shift"],
        digital_share_pct=50,
    )
    SavingsYear.objects.create(proposal=p, year=2025, amount=1000)
    p.initiatives.add(basics["a"])
    rows = read_dataset(
        SAVINGS_ID, "ref, financial_year, amount, digital_solution, digitally_dependent_amount, initiatives"
    )
    assert rows == [("SAV-1", "2025/26", 1000.0, True, 500.0, "DIG-01")]
    p.confidential_fields = ["amounts"]
    p.save()
    assert read_dataset(SAVINGS_ID, "amount, digitally_dependent_amount, withheld_fields") == [(None, None, "amounts")]


def test_one_refresh_per_transaction_and_none_after_rollback(basics, monkeypatch):
    from django.db import transaction

    calls = []
    monkeypatch.setattr(opendata, "refresh", lambda d: calls.append(d))
    with transaction.atomic():
        for w in (2, 3, 4):
            basics["sav"].weight = w
            basics["sav"].save()
    assert calls.count(CRITERIA_ID) == 1
    calls.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        Criterion.objects.create(name="Risk", weight=1)
        raise RuntimeError("rolled back")
    assert calls == []
    Criterion.objects.create(name="Equality", weight=1)
    assert CRITERIA_ID in calls


def test_failed_publish_keeps_the_change_and_is_audited(basics, monkeypatch):
    def boom(d):
        raise OSError("disk full")

    monkeypatch.setattr(opendata, "refresh", boom)
    basics["sav"].weight = 7
    basics["sav"].save()
    assert Criterion.objects.get(pk=basics["sav"].pk).weight == 7
    entry = AuditEntry.objects.filter(action="publish-failed", dataset_id=CRITERIA_ID).first()
    assert entry is not None and "disk full" in entry.summary


def test_deferred_bulk_load_refreshes_once(basics, monkeypatch):
    calls = []
    monkeypatch.setattr(opendata, "refresh", lambda d: calls.append(d))
    with opendata.deferred():
        for n in range(5):
            Criterion.objects.create(name=f"C{n}", weight=1)
        assert calls == []
    assert calls.count(CRITERIA_ID) == 1


def test_register_through_the_soda_api_follows_a_new_score(basics, make_user):
    import json

    from django.test import Client

    def soda(params):
        resp = Client().get(f"/resource/{INITIATIVES_ID}.json", params)
        assert resp.status_code == 200
        return json.loads(b"".join(resp.streaming_content) if resp.streaming else resp.content)

    officer = make_user("olu", "officer", basics["parking"])
    Score.objects.create(initiative=basics["a"], criterion=basics["sav"], assessor=officer, value=2)
    Score.objects.create(initiative=basics["b"], criterion=basics["sav"], assessor=officer, value=3)
    top = soda({"$order": "rank, ref", "$limit": "1", "$select": "ref, rank"})
    assert top == [{"ref": "DIG-02", "rank": "1"}]
    Score.objects.create(initiative=basics["a"], criterion=basics["res"], assessor=officer, value=5)
    top = soda({"$order": "rank, ref", "$limit": "1", "$select": "ref, rank"})
    assert top == [{"ref": "DIG-01", "rank": "1"}]


def test_publish_toolkit_command_publishes_all_six(basics):
    from django.core.management import call_command

    call_command("publish_toolkit")
    ids = set(Dataset.objects.filter(category="Digital strategy").values_list("id", flat=True))
    assert ids == {"stgy-init", "stgy-crit", "stgy-scor", "stgy-svgs", "stgy-budg", "lgds-rslt"}
    assert all(d.is_public and d.licence == "OGL-UK-3.0" for d in Dataset.objects.filter(pk__in=ids))
    assert Dataset.objects.get(pk=INITIATIVES_ID).row_count == 3
