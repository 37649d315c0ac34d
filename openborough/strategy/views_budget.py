"""Outcomes-based budget, savings plan, digital share of savings, invest vs spend, import."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.shortcuts import redirect

from . import charts, digital_share, permissions
from .access import forbidden, page, toolkit_view
from .forms import ImportForm
from .importing import ImportFileError, import_budget, import_savings, read_table
from .investment import payback
from .models import BudgetAllocation, DigitalKind, Initiative, Outcome, SavingsProposal, Service, fy_label
from .services import saving_lines


def pct(v):
    return "no savings planned" if v is None else f"{v:.0%}"


def share_rows(shares, names):
    return [
        {
            "label": names(s.group),
            "total": s.total,
            "digital_value": s.digital_value,
            "dependent_value": s.dependent_value,
            "by_value": s.share_by_value,
            "by_count": s.share_by_count,
            "count": s.count,
            "digital_count": s.digital_count,
        }
        for s in shares
    ]


def invest_vs_spend() -> list[dict]:
    """Per initiative: investment, savings it enables in the plan, its own estimate, and payback."""
    enabled: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for p in SavingsProposal.objects.prefetch_related("years", "initiatives"):
        inits = list(p.initiatives.all())
        if not inits or not p.digital_kinds:
            continue
        share = float(p.digital_share_pct) / 100.0
        for y in p.years.all():
            for i in inits:
                enabled[i.pk][y.year] += float(y.amount) * share / len(inits)
    rows = []
    for i in Initiative.objects.select_related("owning_service").prefetch_related("years"):
        costs = {y.year: float(y.one_off_cost + y.running_cost) for y in i.years.all()}
        own = {y.year: float(y.cashable_savings) for y in i.years.all() if y.cashable_savings}
        plan = dict(enabled.get(i.pk, {}))
        basis, savings = ("savings plan", plan) if plan else ("initiative's own estimate", own)
        pb = payback(costs, savings)
        rows.append(
            {
                "i": i,
                "investment": pb.investment,
                "plan_savings": sum(plan.values()),
                "own_savings": sum(own.values()),
                "basis": basis,
                "payback": pb.payback_years,
                "ratio": pb.return_ratio,
                "net": pb.net,
            }
        )
    rows.sort(key=lambda r: (r["payback"] is None, r["payback"] or 0, r["i"].ref))
    return rows


@toolkit_view
def budget(request):
    lines = saving_lines()
    years = sorted(
        {line.year for line in lines} | set(BudgetAllocation.objects.values_list("year", flat=True).distinct())
    )
    outcomes = {o.pk: o.name for o in Outcome.objects.all()}
    services = {s.pk: s.name for s in Service.objects.all()}
    overall = digital_share.overall(lines)
    by_year = share_rows(digital_share.by_year(lines, years), fy_label)
    by_outcome = share_rows(digital_share.by_outcome(lines), lambda k: outcomes.get(k, "No outcome given"))
    by_service = share_rows(digital_share.by_service(lines), lambda k: services.get(k, "?"))
    by_kind = share_rows(digital_share.by_kind(lines), lambda k: DigitalKind(k).label)

    alloc = defaultdict(dict)
    for a in BudgetAllocation.objects.select_related("outcome"):
        alloc[a.outcome.name][a.year] = float(a.amount)
    alloc_rows = [(name, [per.get(y) for y in years], sum(per.values())) for name, per in sorted(alloc.items())]
    alloc_totals = [sum(per.get(y, 0) for per in alloc.values()) for y in years]

    proposals = SavingsProposal.objects.select_related("owning_service").prefetch_related("years", "initiatives")
    plan = [
        (p, [next((float(y.amount) for y in p.years.all() if y.year == yr), None) for yr in years], p.total())
        for p in proposals
    ]
    ctx = {
        "years": [fy_label(y) for y in years],
        "overall": overall,
        "by_year": by_year,
        "by_outcome": by_outcome,
        "by_service": by_service,
        "by_kind": by_kind,
        "alloc_rows": alloc_rows,
        "alloc_totals": alloc_totals,
        "plan": plan,
        "invest": invest_vs_spend(),
        "can_import": permissions.can_score(request.user),
        "chart_year": charts.hbar(
            [(r["label"], r["by_value"] or 0) for r in by_year],
            title="Share of planned savings with a digital solution, by year (table below)",
            maximum=1,
            fmt=lambda v: f"{v:.0%}",
        ),
        "chart_outcome": charts.stacked(
            [(r["label"], [r["digital_value"], r["total"] - r["digital_value"]]) for r in by_outcome],
            ["With a digital solution", "Without"],
            title="Planned savings by outcome, split by reliance on digital (table below)",
        ),
        "chart_kind": charts.hbar(
            [(r["label"], r["digital_value"]) for r in by_kind],
            title="Planned savings needing each kind of digital enablement (£, table below)",
            fmt=lambda v: f"£{v:,.0f}",
        ),
    }
    return page(request, "strategy/budget.html", ctx)


@toolkit_view
def budget_import(request):
    if not permissions.can_score(request.user):  # officers and admins
        return forbidden(request, "Only officers and administrators import budgets and savings.")
    form = ImportForm(request.POST or None, request.FILES or None)
    result, file_error = None, ""
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        try:
            rows = read_table(upload.read(), upload.name)
        except ImportFileError as e:
            file_error = str(e)
        else:
            if kind == "budget":
                if not permissions.is_admin(request.user):
                    return forbidden(request, "Only administrators import the budget allocations.")
                result = import_budget(rows)
            else:
                allowed = None
                if not permissions.is_admin(request.user):
                    own = permissions.service_of(request.user)
                    allowed = {own.pk} if own else set()
                result = import_savings(rows, allowed_services=allowed)
            if result.ok:
                messages.success(request, f"Imported: {result.created} new, {result.updated} updated.")
                return redirect("strategy:budget")
    return page(
        request,
        "strategy/import.html",
        {"form": form, "result": result, "file_error": file_error, "kinds": DigitalKind.choices},
    )
