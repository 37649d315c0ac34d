"""Adding and changing outcomes, foundations, aspirations, services and savings proposals."""

from __future__ import annotations

import pytest

from openborough.strategy.models import Foundation, Outcome, SavingsProposal

pytestmark = pytest.mark.django_db


def savings_post(service, **extra):
    data = {
        "ref": "SAV-9", "title": "Paperless permits", "saving_type": "efficiency", "owning_service": service.pk,
        "rag": "amber", "achieved_to_date": "0", "digital_kinds": ["channel_shift"], "digital_share_pct": "60",
        "years-TOTAL_FORMS": "2", "years-INITIAL_FORMS": "0",
        "years-0-year": "2025", "years-0-amount": "1000", "years-1-year": "2026", "years-1-amount": "2000",
    }  # fmt: skip
    data.update(extra)
    return data


def test_officer_adds_a_saving_for_their_service_only(client, basics, make_user):
    parking, care = basics["parking"], basics["care"]
    client.force_login(make_user("olu", "officer", parking))
    resp = client.post("/strategy/records/savings/new/", savings_post(care))
    assert resp.status_code == 200 and not SavingsProposal.objects.exists()
    resp = client.post("/strategy/records/savings/new/", savings_post(parking))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    p = SavingsProposal.objects.get()
    assert p.total() == 3000 and p.digital_kinds == ["channel_shift"]
    # the model's rule: kinds without a dependent share are refused
    resp = client.post(f"/strategy/records/savings/{p.pk}/edit/", savings_post(parking, digital_share_pct="0"))
    assert resp.status_code == 200 and "must say how much of it depends" in resp.content.decode()


def test_officer_cannot_change_another_services_saving(client, basics, make_user):
    p = SavingsProposal.objects.create(ref="S1", title="x", saving_type="stop", owning_service=basics["care"])
    client.force_login(make_user("olu", "officer", basics["parking"]))
    assert client.get(f"/strategy/records/savings/{p.pk}/edit/").status_code == 403


def test_outcomes_and_aspirations_are_for_administrators(client, basics, make_user):
    client.force_login(make_user("olu", "officer", basics["parking"]))
    assert client.get("/strategy/records/outcomes/new/").status_code == 403
    assert client.get("/strategy/records/aspirations/new/").status_code == 403
    assert client.get("/strategy/records/services/new/").status_code == 403
    assert client.get(f"/strategy/records/services/{basics['parking'].pk}/edit/").status_code == 200
    assert client.get(f"/strategy/records/services/{basics['care'].pk}/edit/").status_code == 403
    assert client.get("/strategy/records/nonsense/new/").status_code == 404
    client.force_login(make_user("root", "admin"))
    resp = client.post("/strategy/records/outcomes/new/", {"name": "Statutory duties", "source": "statutory"})
    assert resp.status_code == 302 and Outcome.objects.filter(name="Statutory duties").exists()


def test_officer_adds_a_foundation_owned_by_their_service(client, basics, make_user):
    client.force_login(make_user("olu", "officer", basics["parking"]))
    resp = client.post(
        "/strategy/records/foundations/new/",
        {
            "name": "Digital champions",
            "owning_service": basics["parking"].pk,
            "kind": "skills",
            "status": "in_progress",
        },
    )
    assert resp.status_code == 302
    assert Foundation.objects.get().owning_service == basics["parking"]
    html = client.get("/strategy/discovery/").content.decode()
    assert "Digital champions" in html


def test_administrator_gives_and_removes_toolkit_roles(client, basics, make_user):
    from openborough.catalog.models import AuditEntry
    from openborough.strategy.models import ToolkitRole

    admin = make_user("root", "admin")
    newbie = make_user("nina")
    client.force_login(make_user("olu", "officer", basics["parking"]))
    assert client.get("/strategy/people/").status_code == 403
    client.force_login(admin)
    resp = client.post("/strategy/people/", {"username": "nina", "role": "officer"})
    assert resp.status_code == 200 and "choose the service" in resp.content.decode()
    resp = client.post("/strategy/people/", {"username": "ghost", "role": "councillor"})
    assert "There is no account named ghost" in resp.content.decode()
    assert (
        client.post(
            "/strategy/people/", {"username": "nina", "role": "officer", "service": basics["care"].pk}
        ).status_code
        == 302
    )
    assert ToolkitRole.objects.get(user=newbie).service == basics["care"]
    assert AuditEntry.objects.filter(action="toolkit-role").count() == 1
    assert client.post("/strategy/people/", {"username": "nina", "role": ""}).status_code == 302
    assert not ToolkitRole.objects.filter(user=newbie).exists()
    assert client.post("/strategy/people/", {"username": "root", "role": "councillor"}).status_code == 403


def test_administrator_adds_an_allocation_and_duplicates_are_refused(client, basics, make_user):
    from openborough.strategy.models import BudgetAllocation

    client.force_login(make_user("root", "admin"))
    data = {"outcome": basics["streets"].pk, "year": "2025", "amount": "1000000"}
    assert client.post("/strategy/records/allocations/new/", data).status_code == 302
    resp = client.post("/strategy/records/allocations/new/", data)
    assert resp.status_code == 200 and BudgetAllocation.objects.count() == 1
    assert "already exists" in resp.content.decode()
    resp = client.post("/strategy/records/allocations/new/", {**data, "year": "1999"})
    assert "not a financial year" in resp.content.decode()
