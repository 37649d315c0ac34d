"""Toolkit pages: who may see and change what, rendering with the demo borough, hostile text escaped."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from openborough.standards.models import Assessment
from openborough.strategy.demo import load_demo_strategy
from openborough.strategy.models import Initiative, Score, Service

pytestmark = pytest.mark.django_db

PAGES = [
    "/strategy/",
    "/strategy/discovery/",
    "/strategy/initiatives/",
    "/strategy/initiatives/DEMO-01/",
    "/strategy/ranking/",
    "/strategy/criteria/",
    "/strategy/ranking/?w_1=10&w_2=0&w_3=1&w_4=1&w_5=1",
    "/strategy/portfolio/",
    "/strategy/budget/",
    "/standards/",
    "/standards/?standard=gds-14",
    "/standards/services/",
]


@pytest.fixture
def demo(db):
    return load_demo_strategy(first_year=2025)


def test_demo_loads_and_reloads(demo):
    assert demo == {"services": 10, "initiatives": 12, "criteria": 5, "savings": 11, "assessments": 12}
    again = load_demo_strategy(first_year=2025)
    assert again == demo
    assert Initiative.objects.filter(ref__startswith="DEMO-").count() == 12
    assert all("(Demo)" in i.name for i in Initiative.objects.all())


def test_anonymous_is_sent_to_sign_in_and_roleless_users_are_refused(client, make_user, demo):
    resp = client.get("/strategy/")
    assert resp.status_code == 302 and "next=%2Fstrategy%2F" in resp["Location"]
    client.force_login(make_user("nobody"))
    resp = client.get("/strategy/")
    assert resp.status_code == 403 and b"toolkit role" in resp.content


@pytest.mark.parametrize("url", PAGES)
def test_councillor_sees_every_page(client, make_user, demo, url):
    client.force_login(make_user("cllr", "councillor"))
    resp = client.get(url)
    assert resp.status_code == 200, resp.content[:2000]
    assert b"<svg" in resp.content or url.endswith(
        ("/initiatives/", "/services/", "discovery/", "DEMO-01/", "criteria/")
    )


def test_pages_with_detail_ids(client, make_user, demo):
    client.force_login(make_user("cllr", "councillor"))
    service = Service.objects.get(name="Parking permits (Demo)")
    a = Assessment.objects.filter(service=service).first()
    for url in (f"/standards/services/{service.pk}/", f"/standards/assessments/{a.pk}/"):
        assert client.get(url).status_code == 200
    report = client.get(f"/standards/assessments/{a.pk}/").content.decode()
    assert "report-print.css" in report and 'media="print"' in report and "Understand user needs" in report


def test_dashboard_shows_the_headline_digital_share(client, make_user, demo):
    client.force_login(make_user("cllr", "councillor"))
    html = client.get("/strategy/").content.decode()
    # digital proposals carry £13.1m of £14.81m planned
    assert "88%" in html
    assert "Top-ranked initiatives" in html and "datasets published openly" in html


def test_councillor_cannot_change_anything(client, make_user, demo):
    client.force_login(make_user("cllr", "councillor"))
    assert client.get("/strategy/initiatives/DEMO-01/edit/").status_code == 403
    assert client.post("/strategy/initiatives/DEMO-01/score/", {}).status_code == 403
    assert client.get("/strategy/initiatives/new/").status_code == 403
    assert client.get("/strategy/budget/import/").status_code == 403
    service = Service.objects.first()
    assert client.get(f"/standards/services/{service.pk}/assess/").status_code == 403


def test_officer_edits_only_their_own_service(client, make_user, demo):
    parking = Service.objects.get(name="Parking permits (Demo)")
    client.force_login(make_user("olu", "officer", parking))
    assert client.get("/strategy/initiatives/DEMO-01/edit/").status_code == 200
    assert client.get("/strategy/initiatives/DEMO-02/edit/").status_code == 403
    other = Service.objects.get(name="Libraries (Demo)")
    assert client.get(f"/standards/services/{other.pk}/assess/").status_code == 403
    assert client.get(f"/standards/services/{parking.pk}/assess/").status_code == 200
    # a new initiative can only be filed under the officer's service
    resp = client.post(
        "/strategy/initiatives/new/",
        {
            "ref": "NEW-1",
            "name": "Sneaky",
            "owning_service": other.pk,
            "phase": "idea",
            "status": "proposed",
            "years-TOTAL_FORMS": "0",
            "years-INITIAL_FORMS": "0",
        },
    )
    assert resp.status_code == 200 and not Initiative.objects.filter(ref="NEW-1").exists()
    resp = client.post(
        "/strategy/initiatives/new/",
        {
            "ref": "NEW-1",
            "name": "Meters online",
            "owning_service": parking.pk,
            "phase": "idea",
            "status": "proposed",
            "years-TOTAL_FORMS": "1",
            "years-INITIAL_FORMS": "0",
            "years-0-year": "2025",
            "years-0-one_off_cost": "1000",
            "years-0-running_cost": "0",
            "years-0-cashable_savings": "500",
            "years-0-non_cashable_savings": "0",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    assert Initiative.objects.get(ref="NEW-1").totals()["one_off_cost"] == 1000


def test_officer_scores_an_initiative_and_the_ranking_moves(client, make_user, demo):
    from openborough.strategy.services import current_ranking

    officer = make_user("olu", "officer", Service.objects.get(name="Parking permits (Demo)"))
    client.force_login(officer)
    target = Initiative.objects.get(ref="DEMO-11")  # ranked last in the demo
    before = {r.key: r.rank for r in current_ranking()}[target.pk]
    form = client.get("/strategy/initiatives/DEMO-11/score/")
    assert form.status_code == 200
    data = {}
    for c in target.scores.values_list("criterion_id", flat=True).distinct():
        data[f"score_{c}"] = "5"
        data[f"why_{c}"] = "Strong case"
    # a score without a reason is refused
    bad = dict(data)
    first = next(iter(k for k in bad if k.startswith("why_")))
    bad[first] = ""
    assert client.post("/strategy/initiatives/DEMO-11/score/", bad).status_code == 200
    assert not Score.objects.filter(assessor=officer).exists()
    resp = client.post("/strategy/initiatives/DEMO-11/score/", data)
    assert resp.status_code == 302
    after = {r.key: r.rank for r in current_ranking()}[target.pk]
    assert after < before
    page = client.get("/strategy/initiatives/DEMO-11/").content.decode()
    assert "Strong case" in page and "olu" in page


def test_portfolio_exports(client, make_user, demo):
    client.force_login(make_user("cllr", "councillor"))
    parking = Service.objects.get(name="Parking permits (Demo)")
    csv_resp = client.get(f"/strategy/portfolio/?service={parking.pk}&format=csv")
    text = csv_resp.content.decode("utf-8-sig")
    assert csv_resp["Content-Type"].startswith("text/csv")
    assert "DEMO-01" in text and "DEMO-02" not in text
    x = client.get("/strategy/portfolio/?format=xlsx")
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Reference" and len(rows) == 13
    assert client.get("/strategy/portfolio/?format=pdf").status_code == 404


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_text_is_escaped_everywhere(client, make_user, demo):
    i = Initiative.objects.get(ref="DEMO-01")
    i.name = HOSTILE
    i.description = HOSTILE
    i.save()
    s = Service.objects.get(name="Parking permits (Demo)")
    s.name = HOSTILE + " service"
    s.save()
    client.force_login(make_user("cllr", "councillor"))
    urls = PAGES + [f"/standards/services/{s.pk}/", f"/standards/assessments/{s.assessments.first().pk}/"]
    for url in urls:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url


def test_import_page_reports_bad_rows(client, make_user, demo):
    parking = Service.objects.get(name="Parking permits (Demo)")
    client.force_login(make_user("olu", "officer", parking))
    bad = io.BytesIO(
        b"ref,title,type,service,year,amount\nX1,T,cuts,Parking permits (Demo),2025,10\n"
        b"X2,T,income,Libraries (Demo),2025,10\n"
    )
    bad.name = "plan.csv"
    resp = client.post("/strategy/budget/import/", {"kind": "savings", "file": bad})
    html = resp.content.decode()
    assert resp.status_code == 200 and "Nothing was imported" in html
    assert "cuts" in html and "your own service" in html
    good = io.BytesIO(b"ref,title,type,service,year,amount\nX1,T,income,Parking permits (Demo),2025,10\n")
    good.name = "plan.csv"
    assert client.post("/strategy/budget/import/", {"kind": "savings", "file": good}).status_code == 302
    budget = io.BytesIO(b"outcome,year,amount\nWell-run council (Demo),2025,1\n")
    budget.name = "b.csv"
    assert client.post("/strategy/budget/import/", {"kind": "budget", "file": budget}).status_code == 403


def test_admin_sets_criteria_and_officers_cannot(client, make_user, demo):
    from openborough.strategy.models import Criterion
    from openborough.strategy.services import current_ranking

    c = Criterion.objects.get(name="Make every pound count")
    client.force_login(make_user("olu", "officer", Service.objects.first()))
    assert client.get("/strategy/criteria/").status_code == 200
    assert client.get(f"/strategy/criteria/{c.pk}/edit/").status_code == 403
    client.force_login(make_user("root", "admin"))
    base = {"d-TOTAL_FORMS": "0", "d-INITIAL_FORMS": "0"}
    # a descriptor outside the scale is refused
    bad = {
        **base,
        "name": "Equality impact",
        "weight": "2",
        "scale_min": "0",
        "scale_max": "3",
        "position": "9",
        "d-TOTAL_FORMS": "1",
        "d-0-value": "4",
        "d-0-descriptor": "Off the scale",
    }
    resp = client.post("/strategy/criteria/new/", bad)
    assert resp.status_code == 200 and "outside the scale 0 to 3" in resp.content.decode()
    assert not Criterion.objects.filter(name="Equality impact").exists()
    good = {**bad, "d-0-value": "3", "d-0-descriptor": "Major positive impact"}
    assert client.post("/strategy/criteria/new/", good).status_code == 302
    assert Criterion.objects.get(name="Equality impact").descriptors.get().value == 3
    # rescaling a scored criterion keeps the ranking computable and says so
    before = [r.key for r in current_ranking()]
    resp = client.post(
        f"/strategy/criteria/{c.pk}/edit/",
        {
            **base,
            "name": c.name,
            "weight": "4",
            "scale_min": "1",
            "scale_max": "10",
            "position": "4",
        },
        follow=True,
    )
    assert "earlier score(s) were given on another scale" in resp.content.decode()
    assert [r.key for r in current_ranking()] == before
    assert client.get("/strategy/ranking/").status_code == 200


def test_dashboard_open_data_progress_counts_requests_and_deflected_fois(client, make_user, db):
    import datetime as dt

    from openborough.catalog.models import Dataset
    from openborough.requests_foi.models import DatasetRequest, FOIRequest

    ds = Dataset.objects.create(id="park-0001", name="Parking bays")
    Dataset.objects.create(
        id="priv-0001",
        name="Staff",
        visibility="private",
        exemption="s40",
        exemption_reason="personal",
        exemption_review_date=dt.date(2030, 1, 1),
    )
    DatasetRequest.objects.create(title="Bays", description="all bays", status="published", dataset=ds)
    DatasetRequest.objects.create(title="Trees", description="street trees")
    FOIRequest.objects.create(
        reference="FOI-1",
        received=dt.date(2025, 5, 1),
        answered=dt.date(2025, 5, 2),
        topic="parking bays",
        outcome="s21_published",
        dataset=ds,
    )
    FOIRequest.objects.create(reference="FOI-2", received=dt.date(2025, 5, 1), topic="other")
    client.force_login(make_user("cllr", "councillor"))
    html = client.get("/strategy/").content.decode()
    section = html.split("Open data</h2>")[1]
    assert "1 of 2 (1 published)" in section  # requests answered
    assert "1 of 2 logged" in section  # FOIs answered by pointing to published data
    assert "Not shown" not in section


def test_what_if_with_all_weights_zero_explains_and_keeps_the_current_ranking(client, make_user, demo):
    from openborough.strategy.models import Criterion

    client.force_login(make_user("cllr", "councillor"))
    params = {f"w_{c.pk}": "0" for c in Criterion.objects.all()}
    html = client.get("/strategy/ranking/", params).content.decode()
    assert "These weights cannot rank the initiatives" in html
    assert "Initiatives by weighted score" in html
    params = {f"w_{c.pk}": "-1" for c in Criterion.objects.all()}
    assert client.get("/strategy/ranking/", params).status_code == 200
