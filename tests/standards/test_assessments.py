"""Recording assessments against the LGDSS (or GDS), action plans, and the published results."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from openborough.standards.models import Action, Assessment, PointResult
from openborough.standards.points import GDS, LGDSS, POINTS
from openborough.standards.published import RESULTS_ID

pytestmark = pytest.mark.django_db


def soda(client, dataset_id, params):
    resp = client.get(f"/resource/{dataset_id}.json", params)
    assert resp.status_code == 200
    return json.loads(b"".join(resp.streaming_content) if resp.streaming else resp.content)


def post_data(standard=LGDSS, not_met=(), when=None):
    data = {
        "standard": standard,
        "phase": "live",
        "assessed_on": (when or timezone.localdate()).isoformat(),
        "lead_assessor": "Lead Assessor",
        "panel": "",
        "overall": "partial",
        "summary": "Good progress",
    }
    for n, _, _ in POINTS[standard]:
        data[f"p{n}-outcome"] = "not_met" if n in not_met else "met"
        data[f"p{n}-evidence"] = f"evidence {n}"
        if n in not_met:
            data[f"p{n}-recommendations"] = "do better"
            data[f"p{n}-action"] = "fix it"
            data[f"p{n}-action_owner"] = "Head of Parking"
            data[f"p{n}-action_due"] = "2030-01-31"
    return data


def test_officer_records_an_assessment_with_actions(client, basics, make_user):
    parking = basics["parking"]
    client.force_login(make_user("olu", "officer", parking))
    resp = client.post(f"/standards/services/{parking.pk}/assess/", post_data(not_met=(9, 13)))
    assert resp.status_code == 302, resp.content.decode()[:3000]
    a = Assessment.objects.get(service=parking)
    assert a.standard == LGDSS and a.results.count() == 15
    assert a.counts() == {"met": 13, "partial": 0, "not_met": 2, "unassessed": 0}
    assert a.suggested_overall() == "not_met"
    actions = Action.objects.filter(result__assessment=a)
    assert sorted(x.result.point for x in actions) == [9, 13]
    report = client.get(resp["Location"]).content.decode()
    assert "Make a plan for being offline" in report and "fix it" in report


def test_a_point_not_met_needs_recommendations_and_an_action(client, basics, make_user):
    parking = basics["parking"]
    client.force_login(make_user("olu", "officer", parking))
    data = post_data(not_met=(2,))
    del data["p2-action_owner"]
    data["p2-recommendations"] = ""
    resp = client.post(f"/standards/services/{parking.pk}/assess/", data)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Name who owns the action" in html and "Say what must change" in html
    assert not Assessment.objects.exists()


def test_gds_standard_is_selectable(client, basics, make_user):
    client.force_login(make_user("root", "admin"))
    care = basics["care"]
    form = client.get(f"/standards/services/{care.pk}/assess/?standard={GDS}").content.decode()
    assert "Operate a reliable service" in form and "Make a plan for being offline" not in form
    resp = client.post(f"/standards/services/{care.pk}/assess/", post_data(standard=GDS))
    assert resp.status_code == 302
    assert Assessment.objects.get(service=care).results.count() == 14


def test_future_dates_and_unknown_points_are_refused(basics):
    a = Assessment(
        service=basics["parking"],
        standard=GDS,
        phase="live",
        lead_assessor="x",
        overall="met",
        assessed_on=timezone.localdate() + dt.timedelta(days=3),
    )
    with pytest.raises(ValidationError, match="future"):
        a.full_clean()
    a.assessed_on = timezone.localdate()
    a.save()
    with pytest.raises(ValidationError, match="no point 15"):
        PointResult(assessment=a, point=15, outcome="met").full_clean()


def test_history_and_overdue_on_the_adoption_page(client, basics, make_user):
    client.force_login(make_user("root", "admin"))
    parking = basics["parking"]
    old = timezone.localdate() - dt.timedelta(days=500)
    client.post(f"/standards/services/{parking.pk}/assess/", post_data(not_met=(1, 2, 3), when=old))
    html = client.get("/standards/").content.decode()
    assert "Overdue for assessment" in html
    # parking is overdue (assessed 500 days ago), care (beta) was never assessed
    overdue = html.split("Overdue for assessment")[1]
    assert "Parking" in overdue and "Adult social care" in overdue
    client.post(f"/standards/services/{parking.pk}/assess/", post_data())
    assert Assessment.objects.filter(service=parking).count() == 2
    page = client.get(f"/standards/services/{parking.pk}/").content.decode()
    assert page.count("/standards/assessments/") >= 2
    assert "Parking" not in client.get("/standards/").content.decode().split("Overdue for assessment")[1]


def test_action_marked_done(client, basics, make_user):
    parking = basics["parking"]
    officer = make_user("olu", "officer", parking)
    client.force_login(officer)
    client.post(f"/standards/services/{parking.pk}/assess/", post_data(not_met=(4,)))
    action = Action.objects.get()
    client.force_login(make_user("cllr", "councillor"))
    assert client.post(f"/standards/actions/{action.pk}/done/").status_code == 403
    client.force_login(officer)
    assert client.post(f"/standards/actions/{action.pk}/done/").status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.completed_on == timezone.localdate()


@pytest.mark.django_db(transaction=True)
def test_results_are_published_and_queryable_through_soda(basics, make_user):
    client = Client()
    parking = basics["parking"]
    client.force_login(make_user("olu", "officer", parking))
    client.post(f"/standards/services/{parking.pk}/assess/", post_data(not_met=(9,)))
    anon = Client()
    rows = soda(anon, RESULTS_ID, {"$where": "result = 'Not met'"})
    assert len(rows) == 1 and rows[0]["point"] == "9" and rows[0]["service"] == "Parking"
    assert "lead_assessor" not in rows[0]
    # a second assessment shows up at once
    client.post(f"/standards/services/{parking.pk}/assess/", post_data(not_met=(9, 10)))
    rows = soda(anon, RESULTS_ID, {"$select": "count(*) AS n", "$where": "result = 'Not met'"})
    assert rows == [{"n": "3"}]


def test_report_downloads_as_pdf_with_escaped_text(client, basics, make_user):
    parking = basics["parking"]
    parking.name = '<script>alert("x")</script> Parking'
    parking.save()
    client.force_login(make_user("olu", "officer", parking))
    client.post(f"/standards/services/{parking.pk}/assess/", post_data(not_met=(9,)))
    a = Assessment.objects.get()
    html = client.get(f"/standards/assessments/{a.pk}/").content.decode()
    assert "report.pdf" in html
    resp = client.get(f"/standards/assessments/{a.pk}/report.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-") and len(resp.content) > 5000
    assert 'filename="assessment-scriptalertxscript-parking-' in resp["Content-Disposition"]
    client.force_login(make_user("nobody"))
    assert client.get(f"/standards/assessments/{a.pk}/report.pdf").status_code == 403
