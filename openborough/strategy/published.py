"""The strategy records the portal publishes as open datasets (fixed ids).

Fields an officer marks confidential on a record are published empty and
named in that row's ``withheld_fields``; ``internal_notes`` and assessors'
names are never published.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from ..soql.types import Column, SoQLType
from . import models as m
from .opendata import OpenTable, register, schedule
from .ranking import RankingError
from .services import current_ranking

T, N = SoQLType.TEXT, SoQLType.NUMBER
INITIATIVES_ID = "stgy-init"
CRITERIA_ID = "stgy-crit"
SCORES_ID = "stgy-scor"
SAVINGS_ID = "stgy-svgs"
BUDGET_ID = "stgy-budg"

COMMON = {
    "category": "Digital strategy",
    "licence": "OGL-UK-3.0",
    "update_frequency": "irregular",
    "tags": ["digital strategy", "open by default"],
}


def _names(qs, attr="name") -> str:
    return "; ".join(str(getattr(o, attr)) for o in qs)


def initiative_rows() -> list[dict]:
    try:
        ranked = {r.key: r for r in current_ranking()}
    except RankingError:
        ranked = {}
    rows = []
    qs = m.Initiative.objects.select_related("owning_service").prefetch_related(
        "foundations", "aspirations", "outcomes", "services_changed", "years"
    )
    for i in qs:
        hidden = set(i.confidential_fields or [])
        t = i.totals()
        r = ranked.get(i.pk)
        rows.append(
            {
                "ref": i.ref,
                "name": i.name,
                "description": i.description,
                "owning_service": i.owning_service.name,
                "sponsor": None if "sponsor" in hidden else i.sponsor,
                "foundations": _names(i.foundations.all()),
                "aspirations": _names(i.aspirations.all()),
                "outcomes": _names(i.outcomes.all()),
                "services_changed": _names(i.services_changed.all()),
                "phase": i.get_phase_display(),
                "status": i.get_status_display(),
                "one_off_cost": None if "costs" in hidden else t["one_off_cost"],
                "running_cost": None if "costs" in hidden else t["running_cost"],
                "cashable_savings": None if "savings" in hidden else t["cashable_savings"],
                "non_cashable_savings": None if "savings" in hidden else t["non_cashable_savings"],
                "benefits_to_residents": i.benefits_to_residents,
                "dependencies": None if "dependencies" in hidden else i.dependencies,
                "risks": None if "risks" in hidden else i.risks,
                "weighted_score": round(r.score, 2) if r else None,
                "rank": r.rank if r else None,
                "withheld_fields": ", ".join(sorted(hidden)),
                "updated_at": i.updated_at,
            }
        )
    return rows


def criteria_rows() -> list[dict]:
    return [
        {
            "name": c.name,
            "description": c.description,
            "weight": c.weight,
            "scale_min": c.scale_min,
            "scale_max": c.scale_max,
            "descriptors": "; ".join(f"{d.value}: {d.descriptor}" for d in c.descriptors.all()),
        }
        for c in m.Criterion.objects.prefetch_related("descriptors")
    ]


def score_rows() -> list[dict]:
    return [
        {
            "initiative_ref": s.initiative.ref,
            "initiative": s.initiative.name,
            "criterion": s.criterion.name,
            "score": s.value,
            "scale_min": s.scale_min,
            "scale_max": s.scale_max,
            "rationale": s.rationale,
            "scored_at": s.scored_at,
        }
        for s in m.Score.objects.select_related("initiative", "criterion").order_by(
            "initiative__ref", "criterion__position", "criterion__name", "scored_at"
        )
    ]


def savings_rows() -> list[dict]:
    rows = []
    qs = m.SavingsProposal.objects.select_related("owning_service").prefetch_related("outcomes", "initiatives", "years")
    for p in qs:
        hidden = set(p.confidential_fields or [])
        share = float(p.digital_share_pct) / 100.0 if p.digital_kinds else 0.0
        for y in p.years.all():
            rows.append(
                {
                    "ref": p.ref,
                    "title": p.title,
                    "description": None if "description" in hidden else p.description,
                    "saving_type": p.get_saving_type_display(),
                    "owning_service": p.owning_service.name,
                    "outcomes": _names(p.outcomes.all()),
                    "financial_year": m.fy_label(y.year),
                    "amount": None if "amounts" in hidden else y.amount,
                    "delivery_status": p.get_rag_display(),
                    "achieved_to_date": None if "amounts" in hidden else p.achieved_to_date,
                    "digital_solution": bool(p.digital_kinds) and share > 0,
                    "digital_kinds": "; ".join(p.digital_kind_labels),
                    "digital_share_pct": p.digital_share_pct,
                    "digitally_dependent_amount": None if "amounts" in hidden else float(y.amount) * share,
                    "digital_dependency": None if "digital_dependency" in hidden else p.digital_dependency,
                    "initiatives": _names(p.initiatives.all(), "ref"),
                    "withheld_fields": ", ".join(sorted(hidden)),
                }
            )
    return rows


def budget_rows() -> list[dict]:
    return [
        {
            "outcome": a.outcome.name,
            "outcome_source": a.outcome.get_source_display(),
            "financial_year": m.fy_label(a.year),
            "amount": a.amount,
        }
        for a in m.BudgetAllocation.objects.select_related("outcome")
    ]


def C(field, t, name, desc=""):
    return Column(field, t, name, desc)


register(
    OpenTable(
        INITIATIVES_ID,
        {
            **COMMON,
            "name": "Digital initiatives register",
            "description": "Every digital initiative in the council's strategy with its costs, expected savings, "
            "weighted prioritisation score and rank. Fields marked confidential are empty and named in "
            "withheld_fields. Published automatically by the digital leadership toolkit.",
        },
        (
            C("ref", T, "Reference"),
            C("name", T, "Name"),
            C("description", T, "Description"),
            C("owning_service", T, "Owning service"),
            C("sponsor", T, "Sponsor"),
            C("foundations", T, "Digital foundations addressed"),
            C("aspirations", T, "Digital aspirations served"),
            C("outcomes", T, "Outcomes served"),
            C("services_changed", T, "Services it changes"),
            C("phase", T, "Phase"),
            C("status", T, "Status"),
            C("one_off_cost", SoQLType.MONEY, "One-off cost, all years (£)"),
            C("running_cost", SoQLType.MONEY, "Running cost, all years (£)"),
            C("cashable_savings", SoQLType.MONEY, "Expected cashable savings, all years (£)"),
            C("non_cashable_savings", SoQLType.MONEY, "Expected non-cashable savings, all years (£)"),
            C("benefits_to_residents", T, "Benefits to residents"),
            C("dependencies", T, "Dependencies"),
            C("risks", T, "Risks"),
            C("weighted_score", N, "Weighted score (0-100)"),
            C("rank", N, "Rank"),
            C("withheld_fields", T, "Fields withheld as confidential"),
            C("updated_at", SoQLType.FIXED_TIMESTAMP, "Last updated"),
        ),
        initiative_rows,
    )
)
register(
    OpenTable(
        CRITERIA_ID,
        {
            **COMMON,
            "name": "Digital initiative prioritisation criteria",
            "description": "The criteria the council scores digital initiatives on, their weights and scoring scales.",
        },
        (
            C("name", T, "Criterion"),
            C("description", T, "Description"),
            C("weight", N, "Weight"),
            C("scale_min", N, "Lowest score"),
            C("scale_max", N, "Highest score"),
            C("descriptors", T, "What each score means"),
        ),
        criteria_rows,
    )
)
register(
    OpenTable(
        SCORES_ID,
        {
            **COMMON,
            "name": "Digital initiative scores",
            "description": "Each assessor's score of each initiative on each criterion, with the reason given. "
            "Assessors' names are not published.",
        },
        (
            C("initiative_ref", T, "Initiative reference"),
            C("initiative", T, "Initiative"),
            C("criterion", T, "Criterion"),
            C("score", N, "Score"),
            C("scale_min", N, "Scale from"),
            C("scale_max", N, "Scale to"),
            C("rationale", T, "Reason for the score"),
            C("scored_at", SoQLType.FIXED_TIMESTAMP, "Scored at"),
        ),
        score_rows,
    )
)
register(
    OpenTable(
        SAVINGS_ID,
        {
            **COMMON,
            "name": "Savings plan and its reliance on digital",
            "description": "Planned savings by proposal and financial year, with the kinds of digital enablement "
            "each needs (Camden's six kinds) and how much of it depends on digital.",
        },
        (
            C("ref", T, "Reference"),
            C("title", T, "Title"),
            C("description", T, "Description"),
            C("saving_type", T, "Type"),
            C("owning_service", T, "Owning service"),
            C("outcomes", T, "Outcomes"),
            C("financial_year", T, "Financial year"),
            C("amount", SoQLType.MONEY, "Planned saving (£)"),
            C("delivery_status", T, "Delivery status"),
            C("achieved_to_date", SoQLType.MONEY, "Achieved to date (£)"),
            C("digital_solution", SoQLType.CHECKBOX, "Has a digital-technology-based solution"),
            C("digital_kinds", T, "Digital enablement needed"),
            C("digital_share_pct", N, "Share depending on digital (%)"),
            C("digitally_dependent_amount", SoQLType.MONEY, "Amount depending on digital (£)"),
            C("digital_dependency", T, "How it depends on digital"),
            C("initiatives", T, "Delivering initiatives"),
            C("withheld_fields", T, "Fields withheld as confidential"),
        ),
        savings_rows,
    )
)
register(
    OpenTable(
        BUDGET_ID,
        {
            **COMMON,
            "name": "Outcomes-based budget allocations",
            "description": "Budget allocated to each council outcome by financial year.",
        },
        (
            C("outcome", T, "Outcome"),
            C("outcome_source", T, "Kind of outcome"),
            C("financial_year", T, "Financial year"),
            C("amount", SoQLType.MONEY, "Allocation (£)"),
        ),
        budget_rows,
    )
)

# which datasets each model's changes affect
AFFECTS = {
    m.Initiative: (INITIATIVES_ID, SCORES_ID, SAVINGS_ID),
    m.InitiativeYear: (INITIATIVES_ID,),
    m.Criterion: (CRITERIA_ID, INITIATIVES_ID, SCORES_ID),
    m.ScaleDescriptor: (CRITERIA_ID,),
    m.Score: (SCORES_ID, INITIATIVES_ID),
    m.SavingsProposal: (SAVINGS_ID,),
    m.SavingsYear: (SAVINGS_ID,),
    m.BudgetAllocation: (BUDGET_ID,),
    m.Outcome: (INITIATIVES_ID, SAVINGS_ID, BUDGET_ID),
    m.Service: (INITIATIVES_ID, SAVINGS_ID),
    m.Foundation: (INITIATIVES_ID,),
    m.Aspiration: (INITIATIVES_ID,),
}


def _changed(sender, **kwargs):
    ids = AFFECTS.get(sender)
    if ids and not kwargs.get("raw"):
        schedule(*ids)


def _m2m(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(type(instance))


def connect() -> None:
    for model in AFFECTS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"strategy-open-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"strategy-open-del-{model.__name__}")
    for through in (
        m.Initiative.foundations.through,
        m.Initiative.aspirations.through,
        m.Initiative.outcomes.through,
        m.Initiative.services_changed.through,
        m.SavingsProposal.outcomes.through,
        m.SavingsProposal.initiatives.through,
    ):
        m2m_changed.connect(_m2m, sender=through, dispatch_uid=f"strategy-open-m2m-{through.__name__}")
