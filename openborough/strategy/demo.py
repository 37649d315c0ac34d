"""A fictional demo borough's digital strategy, so the toolkit shows something on first start.

Everything here is invented and labelled "Demo" – the borough, people and
figures are not any real council's. ``load_demo_strategy()`` is idempotent:
it replaces earlier demo records (those whose references start ``DEMO-``,
``DSAV-``) and leaves the council's own records alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..standards.models import Action, Assessment, PointResult
from ..standards.points import LGDSS, POINTS
from .models import (
    Aspiration,
    BudgetAllocation,
    Criterion,
    Foundation,
    Initiative,
    InitiativeYear,
    Outcome,
    SavingsProposal,
    SavingsYear,
    ScaleDescriptor,
    Score,
    Service,
)
from .opendata import deferred

LABEL = "(Demo)"
ASSESSOR = "demo-assessor"

SERVICES = [
    # name, area, owner, phase, channels, users a year
    ("Parking permits (Demo)", "Environment", "Head of Parking", "live", "online, phone", 42000),
    ("Waste and recycling (Demo)", "Environment", "Head of Street Services", "live", "online, phone, app", 98000),
    ("Council tax (Demo)", "Finance", "Head of Revenues", "live", "online, phone, face to face", 110000),
    ("Housing repairs (Demo)", "Housing", "Head of Repairs", "beta", "online, phone", 36000),
    ("Adult social care assessments (Demo)", "Adults", "Director of Adult Care", "alpha", "phone, face to face", 9000),
    ("Libraries (Demo)", "Communities", "Head of Libraries", "live", "online, face to face", 250000),
    ("Planning applications (Demo)", "Regeneration", "Head of Planning", "live", "online", 5200),
    ("Licensing (Demo)", "Environment", "Head of Licensing", "beta", "online, phone", 3100),
    ("School admissions (Demo)", "Children", "Head of Admissions", "live", "online", 7800),
    ("Customer contact centre (Demo)", "Corporate", "Head of Customer Services", "live", "phone, web chat", 400000),
]

OUTCOMES = [
    ("Clean, green and safe streets (Demo)", "plan", "Director of Environment"),
    ("Healthy, independent lives (Demo)", "plan", "Director of Adult Care"),
    ("Good homes for everyone (Demo)", "plan", "Director of Housing"),
    ("A strong, fair economy (Demo)", "plan", "Director of Regeneration"),
    ("Statutory duties (Demo)", "statutory", "Chief Executive"),
    ("Well-run council (Demo)", "governance", "Director of Finance"),
]

CRITERIA = [
    # Camden's four investment tests, plus deliverability
    (
        "Tackle inequality",
        "Does it narrow gaps between residents?",
        3,
        ["Widens gaps", "No effect", "Small help", "Clear help", "Major help", "Transformative"],
    ),
    ("Focus on outcomes", "Does it move a council outcome measurably?", 3, None),
    ("Invest in prevention", "Does it prevent need rather than meet it later?", 2, None),
    (
        "Make every pound count",
        "Cashable savings against cost",
        4,
        [
            "Costs more than it saves",
            "Breaks even",
            "Pays back in 5 years",
            "Pays back in 3 years",
            "Pays back in 2 years",
            "Pays back within a year",
        ],
    ),
    ("Deliverability", "Skills, suppliers and dependencies in place", 2, None),
]

FOUNDATIONS = [
    (
        "Services own their digital change (Demo)",
        "behavioural",
        0,
        "ICT-led projects",
        "Service-led with ICT support",
        "in_progress",
    ),
    (
        "Digital skills for frontline staff (Demo)",
        "skills",
        9,
        "Patchy",
        "Every team has a digital champion",
        "in_progress",
    ),
    ("One resident record (Demo)", "data", 9, "14 separate systems", "A matched resident index", "not_started"),
    ("Cloud hosting and single sign-on (Demo)", "technology", 2, "Two data centres", "Cloud first", "in_progress"),
    ("User research in every change (Demo)", "process", 9, "Occasional", "Research at every phase", "not_started"),
]

ASPIRATIONS = [
    ("Nobody left behind online (Demo)", "Digital inclusion", [1, 3]),
    ("A digitally skilled workforce (Demo)", "Workforce development", [5]),
    ("Data that drives decisions (Demo)", "Better use of data", [5, 0]),
    ("Connected high streets (Demo)", "Regeneration and connectivity", [3]),
]

# ref, name, service index, phase, status, foundations, aspirations, outcomes, costs (one-off, running per
# year), cashable savings per year over three years, scores per criterion
INITIATIVES = [
    (
        "DEMO-01",
        "Online parking permits",
        0,
        "live",
        "in_delivery",
        [0],
        [0],
        [0],
        (180, 20),
        (150, 220, 220),
        [3, 4, 2, 5, 5],
    ),
    (
        "DEMO-02",
        "Resident account and single sign-on",
        9,
        "beta",
        "in_delivery",
        [3, 2],
        [0],
        [5],
        (600, 80),
        (100, 400, 650),
        [4, 4, 3, 4, 3],
    ),
    (
        "DEMO-03",
        "Mobile working for care staff",
        4,
        "alpha",
        "approved",
        [1],
        [1],
        [1],
        (350, 60),
        (120, 300, 320),
        [4, 5, 4, 4, 3],
    ),
    (
        "DEMO-04",
        "Predictive repairs analytics",
        3,
        "discovery",
        "proposed",
        [2],
        [2],
        [2],
        (250, 40),
        (0, 150, 300),
        [3, 4, 5, 3, 2],
    ),
    (
        "DEMO-05",
        "Waste round optimisation",
        1,
        "live",
        "in_delivery",
        [],
        [2],
        [0],
        (90, 15),
        (200, 200, 200),
        [2, 3, 1, 5, 4],
    ),
    (
        "DEMO-06",
        "Digital council tax and benefits",
        2,
        "beta",
        "in_delivery",
        [3],
        [0],
        [5, 4],
        (300, 50),
        (150, 350, 400),
        [3, 3, 2, 4, 4],
    ),
    (
        "DEMO-07",
        "Resident index (matched records)",
        9,
        "alpha",
        "approved",
        [2],
        [2],
        [5, 1],
        (400, 70),
        (0, 200, 450),
        [4, 4, 4, 3, 2],
    ),
    (
        "DEMO-08",
        "Library self-service and makerspace",
        5,
        "live",
        "complete",
        [],
        [0, 3],
        [3],
        (120, 20),
        (60, 60, 60),
        [5, 3, 3, 2, 5],
    ),
    (
        "DEMO-09",
        "Online planning with open data",
        6,
        "beta",
        "in_delivery",
        [4],
        [3, 2],
        [3],
        (200, 30),
        (80, 120, 150),
        [2, 3, 1, 3, 4],
    ),
    (
        "DEMO-10",
        "Web chat and contact centre channel shift",
        9,
        "live",
        "in_delivery",
        [0, 1],
        [0],
        [5],
        (150, 60),
        (250, 350, 400),
        [2, 3, 2, 5, 4],
    ),
    (
        "DEMO-11",
        "Licensing applications online",
        7,
        "alpha",
        "proposed",
        [4],
        [],
        [4],
        (110, 15),
        (30, 60, 60),
        [1, 2, 1, 3, 4],
    ),
    (
        "DEMO-12",
        "School admissions data sharing",
        8,
        "discovery",
        "proposed",
        [2],
        [2],
        [4, 1],
        (90, 10),
        (0, 40, 60),
        [4, 3, 4, 2, 3],
    ),
]

# ref, title, type, service, outcomes, £k per year, digital kinds, % dependent, initiatives, rag
SAVINGS = [
    (
        "DSAV-01",
        "Permits online only, paper by request",
        "efficiency",
        0,
        [0],
        (300, 350, 350),
        ["channel_shift"],
        90,
        ["DEMO-01"],
        "green",
    ),
    (
        "DSAV-02",
        "Contact centre demand reduced by web chat",
        "efficiency",
        9,
        [5],
        (800, 1200, 1400),
        ["channel_shift", "integration"],
        80,
        ["DEMO-10", "DEMO-02"],
        "amber",
    ),
    (
        "DSAV-03",
        "Care staff mobile working: fewer office bases",
        "efficiency",
        4,
        [1],
        (400, 900, 1000),
        ["agile_mobile"],
        70,
        ["DEMO-03"],
        "amber",
    ),
    (
        "DSAV-04",
        "Targeted repairs cut emergency call-outs",
        "service_change",
        3,
        [2],
        (0, 600, 900),
        ["analytics"],
        60,
        ["DEMO-04"],
        "red",
    ),
    (
        "DSAV-05",
        "Optimised waste rounds",
        "efficiency",
        1,
        [0],
        (500, 500, 500),
        ["analytics", "application"],
        75,
        ["DEMO-05"],
        "green",
    ),
    (
        "DSAV-06",
        "Council tax e-billing and self-service",
        "efficiency",
        2,
        [5, 4],
        (350, 600, 700),
        ["channel_shift", "application"],
        85,
        ["DEMO-06"],
        "green",
    ),
    (
        "DSAV-07",
        "Shared services for school admissions",
        "service_change",
        8,
        [4],
        (0, 250, 300),
        ["info_sharing"],
        50,
        ["DEMO-12"],
        "amber",
    ),
    (
        "DSAV-08",
        "Libraries: reduced opening of two branches",
        "service_change",
        5,
        [3],
        (200, 200, 200),
        [],
        0,
        [],
        "amber",
    ),
    ("DSAV-09", "Parking enforcement income review", "income", 0, [0], (250, 250, 250), [], 0, [], "green"),
    ("DSAV-10", "Stop the printed residents' magazine", "stop", 9, [5], (120, 120, 120), [], 0, [], "delivered"),
    (
        "DSAV-11",
        "Resident index replaces duplicate checks",
        "efficiency",
        9,
        [5, 1],
        (0, 400, 800),
        ["integration", "info_sharing"],
        90,
        ["DEMO-07"],
        "amber",
    ),
]

BUDGET = [  # £m per outcome per year
    (0, (42.0, 41.2, 40.5)),
    (1, (118.0, 116.5, 115.0)),
    (2, (64.0, 63.0, 62.0)),
    (3, (18.0, 17.5, 17.0)),
    (4, (210.0, 209.0, 208.0)),
    (5, (35.0, 33.0, 31.5)),
]

# per service: assessments as (months ago, share of points met: list of outcomes per point via a pattern)
ASSESSMENT_PATTERNS = {
    0: [(14, "mmmpmmmppmmmpmm"), (2, "mmmmmmmmmmmmpmm")],
    1: [(8, "mmpmmpmmnmmpmpm")],
    2: [(20, "mpnmpmmnpnmpmnm"), (5, "mmpmmmmpmpmmmpm")],
    3: [(4, "mmmppmmpnmpmmpp")],
    4: [(3, "mppmpmnpnpnpnpn")],
    5: [(16, "mmmmmmmmmmmmmmm")],
    6: [(6, "mmmmpmmmmmmmpmm")],
    7: [(1, "pmmpmmpnmpmmnmp")],
    8: [(30, "mnpnmpnnpnmnpnm")],
    9: [(13, "mmpmmpmmmmmpmmm")],  # over a year ago: shows as overdue
}
OUTCOME_CODES = {"m": "met", "p": "partial", "n": "not_met"}


def _months_ago(months: int) -> dt.date:
    today = timezone.localdate()
    y, m = divmod(today.month - 1 - months, 12)
    return dt.date(today.year + y, m + 1, min(today.day, 28))


def _clear() -> None:
    Assessment.objects.filter(service__name__endswith=LABEL).delete()
    SavingsProposal.objects.filter(ref__startswith="DSAV-").delete()
    Initiative.objects.filter(ref__startswith="DEMO-").delete()
    BudgetAllocation.objects.filter(outcome__name__endswith=LABEL).delete()
    Foundation.objects.filter(name__endswith=LABEL).delete()
    Aspiration.objects.filter(name__endswith=LABEL).delete()


def load_demo_strategy(first_year: int | None = None) -> dict[str, int]:
    """Load (or reload) the demo borough's strategy; returns counts of what was loaded."""
    first_year = first_year or (
        timezone.localdate().year if timezone.localdate().month >= 4 else timezone.localdate().year - 1
    )
    years = [first_year, first_year + 1, first_year + 2]
    with deferred(), transaction.atomic():
        _clear()
        services = []
        for name, area, owner, phase, channels, users in SERVICES:
            s, _ = Service.objects.update_or_create(
                name=name,
                defaults={
                    "service_area": area,
                    "owner": owner,
                    "phase": phase,
                    "channels": channels,
                    "users_per_year": users,
                },
            )
            services.append(s)
        outcomes = []
        for name, source, lead in OUTCOMES:
            o, _ = Outcome.objects.update_or_create(
                name=name,
                defaults={
                    "source": source,
                    "delivery_lead": lead,
                    "description": "A fictional outcome of the demo borough.",
                },
            )
            outcomes.append(o)
        criteria = []
        for pos, (name, desc, weight, descriptors) in enumerate(CRITERIA, start=1):
            c, created = Criterion.objects.get_or_create(
                name=name,
                defaults={"description": desc, "weight": weight, "scale_min": 0, "scale_max": 5, "position": pos},
            )
            if created and descriptors:
                for v, text in enumerate(descriptors):
                    ScaleDescriptor.objects.create(criterion=c, value=v, descriptor=text)
            criteria.append(c)
        foundations = [
            Foundation.objects.create(
                name=n,
                kind=k,
                owning_service=services[si],
                current_state=cur,
                target_state=tgt,
                status=st,
                evidence="Demo borough staff survey (fictional)",
            )
            for n, k, si, cur, tgt, st in FOUNDATIONS
        ]
        aspirations = []
        for n, prio, oi in ASPIRATIONS:
            a = Aspiration.objects.create(
                name=n, council_priority=prio, principle=f"Demo principle for {prio.lower()}."
            )
            a.outcomes.set([outcomes[i] for i in oi])
            aspirations.append(a)
        assessor, _ = get_user_model().objects.get_or_create(
            username=ASSESSOR, defaults={"first_name": "Demo", "last_name": "Assessor", "is_active": False}
        )
        inits = {}
        for ref, name, si, phase, status, fi, ai, oi, (one_off, running), savings, scores in INITIATIVES:
            i = Initiative.objects.create(
                ref=ref,
                name=f"{name} {LABEL}",
                owning_service=services[si],
                phase=phase,
                status=status,
                sponsor="Cabinet Member for Finance and Digital (Demo)",
                description=f"A fictional initiative of the demo borough: {name.lower()}.",
                benefits_to_residents="Quicker, simpler service; fewer repeat contacts (demo figures).",
                dependencies="Resident account (DEMO-02)" if ref not in ("DEMO-02",) else "Cloud hosting",
                risks="Supplier capacity; staff adoption (demo).",
            )
            i.foundations.set([foundations[x] for x in fi])
            i.aspirations.set([aspirations[x] for x in ai])
            i.outcomes.set([outcomes[x] for x in oi])
            i.services_changed.set([services[si]])
            for n, (y, saving) in enumerate(zip(years, savings, strict=True)):
                InitiativeYear.objects.create(
                    initiative=i,
                    year=y,
                    one_off_cost=Decimal(one_off * 1000 if n == 0 else 0),
                    running_cost=Decimal(running * 1000),
                    cashable_savings=Decimal(saving * 1000),
                    non_cashable_savings=Decimal(saving * 250),
                )
            for c, v in zip(criteria, scores, strict=True):
                Score.objects.create(
                    initiative=i, criterion=c, assessor=assessor, value=v, rationale=f"Demo score for {c.name.lower()}."
                )
            inits[ref] = i
        for ref, title, stype, si, oi, amounts, kinds, share, init_refs, rag in SAVINGS:
            p = SavingsProposal.objects.create(
                ref=ref,
                title=f"{title} {LABEL}",
                saving_type=stype,
                owning_service=services[si],
                rag=rag,
                digital_kinds=kinds,
                digital_share_pct=Decimal(share),
                achieved_to_date=Decimal(amounts[0] * 1000 * (1 if rag in ("green", "delivered") else 0.5)),
                digital_dependency="Depends on the delivering initiatives going live (demo)." if kinds else "",
            )
            p.outcomes.set([outcomes[x] for x in oi])
            p.initiatives.set([inits[r] for r in init_refs])
            for y, amount in zip(years, amounts, strict=True):
                SavingsYear.objects.create(proposal=p, year=y, amount=Decimal(amount * 1000))
        for oi, amounts in BUDGET:
            for y, amount in zip(years, amounts, strict=True):
                BudgetAllocation.objects.create(outcome=outcomes[oi], year=y, amount=Decimal(str(amount)) * 1_000_000)
        n_assess = 0
        for si, history in ASSESSMENT_PATTERNS.items():
            for months, pattern in history:
                a = Assessment.objects.create(
                    service=services[si],
                    standard=LGDSS,
                    phase=services[si].phase,
                    assessed_on=_months_ago(months),
                    lead_assessor="Demo peer review panel",
                    panel="User researcher, designer, technical lead (demo)",
                    overall="met",
                    summary="A fictional assessment of a demo borough service.",
                )
                for (number, label, _), code in zip(POINTS[LGDSS], pattern, strict=True):
                    outcome = OUTCOME_CODES[code]
                    r = PointResult.objects.create(
                        assessment=a,
                        point=number,
                        outcome=outcome,
                        evidence=f"Demo evidence for {label.lower()}.",
                        recommendations="" if outcome == "met" else f"Demo recommendation: strengthen {label.lower()}.",
                    )
                    if outcome != "met":
                        Action.objects.create(
                            result=r,
                            description=f"Address {label.lower()} (demo)",
                            owner=services[si].owner,
                            due=a.assessed_on + dt.timedelta(days=90),
                        )
                a.overall = a.suggested_overall()
                a.save()
                n_assess += 1
    return {
        "services": len(services),
        "initiatives": len(inits),
        "criteria": len(criteria),
        "savings": len(SAVINGS),
        "assessments": n_assess,
    }
