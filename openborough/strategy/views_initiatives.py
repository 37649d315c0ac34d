"""Initiative register, editing, scoring, ranking with what-if and sensitivity, portfolio."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from . import charts, permissions, ranking
from .access import forbidden, page, toolkit_view
from .exports import export_response
from .forms import InitiativeForm, ScoreForm, WeightsForm, YearFormSet
from .models import Criterion, Initiative, Outcome, Score, Service
from .services import criteria_specs, current_ranking, initiative_keys, score_inputs


def _ranking_or_error():
    try:
        return {r.key: r for r in current_ranking()}, ""
    except ranking.RankingError as e:
        return {}, str(e)


def _filtered(request):
    qs = Initiative.objects.select_related("owning_service").prefetch_related("outcomes", "years")
    service, outcome = request.GET.get("service", ""), request.GET.get("outcome", "")
    if service.isdigit():
        qs = qs.filter(Q(owning_service_id=int(service)) | Q(services_changed=int(service))).distinct()
    if outcome.isdigit():
        qs = qs.filter(outcomes=int(outcome))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(ref__icontains=q) | Q(description__icontains=q))
    return qs, {"service": service, "outcome": outcome, "q": q}


@toolkit_view
def initiative_list(request):
    qs, filters = _filtered(request)
    ranked, error = _ranking_or_error()
    rows = [(i, ranked.get(i.pk)) for i in qs]
    return page(
        request,
        "strategy/initiatives.html",
        {
            "rows": rows,
            "ranking_error": error,
            "filters": filters,
            "services": Service.objects.all(),
            "outcomes": Outcome.objects.all(),
            "can_add": permissions.can_edit_service_record(request.user, None),
        },
    )


@toolkit_view
def initiative_detail(request, ref):
    initiative = get_object_or_404(
        Initiative.objects.select_related("owning_service").prefetch_related(
            "foundations", "aspirations", "outcomes", "services_changed", "years", "savings"
        ),
        ref=ref,
    )
    ranked, error = _ranking_or_error()
    return page(
        request,
        "strategy/initiative_detail.html",
        {
            "i": initiative,
            "r": ranked.get(initiative.pk),
            "ranking_error": error,
            "totals": initiative.totals(),
            "can_edit": permissions.can_edit_service_record(request.user, initiative.owning_service),
        },
    )


@toolkit_view
def initiative_edit(request, ref=None):
    initiative = get_object_or_404(Initiative, ref=ref) if ref else None
    service = initiative.owning_service if initiative else None
    if not permissions.can_edit_service_record(request.user, service):
        return forbidden(request, "Officers edit their own service's initiatives; councillors read only.")
    own = None if permissions.is_admin(request.user) else permissions.service_of(request.user)
    form = InitiativeForm(request.POST or None, instance=initiative, own_service=own)
    years = YearFormSet(request.POST or None, instance=initiative or Initiative(), prefix="years")
    if request.method == "POST" and form.is_valid() and years.is_valid():
        with transaction.atomic():
            obj = form.save(commit=False)
            obj.updated_at = timezone.now()
            obj.save()
            form.save_m2m()
            years.instance = obj
            years.save()
        messages.success(request, f"Initiative {obj.ref} saved.")
        return redirect("strategy:initiative", ref=obj.ref)
    return page(request, "strategy/initiative_form.html", {"form": form, "years": years, "i": initiative})


@toolkit_view
def initiative_score(request, ref):
    initiative = get_object_or_404(Initiative, ref=ref)
    if not permissions.can_score(request.user):
        return forbidden(request, "Only officers and administrators score initiatives.")
    criteria = list(Criterion.objects.prefetch_related("descriptors"))
    if not criteria:
        return forbidden(request, "There are no prioritisation criteria yet: an administrator sets them first.")
    mine = {s.criterion_id: s for s in Score.objects.filter(initiative=initiative, assessor=request.user)}
    form = ScoreForm(request.POST or None, criteria=criteria, initial_scores=mine)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for c in criteria:
                value = form.cleaned_data.get(f"score_{c.pk}")
                why = form.cleaned_data.get(f"why_{c.pk}", "").strip()
                if value is None:
                    Score.objects.filter(initiative=initiative, criterion=c, assessor=request.user).delete()
                    continue
                Score.objects.update_or_create(
                    initiative=initiative,
                    criterion=c,
                    assessor=request.user,
                    defaults={
                        "value": value,
                        "rationale": why,
                        "scale_min": c.scale_min,
                        "scale_max": c.scale_max,
                        "scored_at": timezone.now(),
                    },
                )
        messages.success(request, f"Your scores for {initiative.ref} are saved and the ranking is updated.")
        return redirect("strategy:initiative", ref=initiative.ref)
    return page(request, "strategy/initiative_score.html", {"i": initiative, "form": form})


@toolkit_view
def ranking_view(request):
    criteria = list(Criterion.objects.all())
    specs = criteria_specs()
    keys = initiative_keys()
    scores = score_inputs()
    form = WeightsForm(request.GET or None, criteria=criteria)
    ctx = {"form": form, "criteria": criteria}
    try:
        base = ranking.rank(keys, specs, scores)
        ctx["ranked"] = base
        ctx["chart"] = charts.hbar(
            [(r.name, r.score) for r in base[:15]],
            title="Weighted score of each initiative (table below)",
            fmt=lambda v: f"{v:.1f}",
            maximum=100,
        )
        if request.GET and form.is_valid():
            try:
                ctx["comparison"] = ranking.what_if(keys, specs, scores, form.weights())
            except ranking.RankingError as e:  # e.g. every weight set to zero
                form.add_error(None, f"These weights cannot rank the initiatives: {e}.")
        changes = ranking.sensitivity(keys, specs, scores)
        ctx["changes"] = changes
        names = dict(keys)
        ctx["stable"] = [names[k] for k in ranking.stable(keys, changes)]
    except ranking.RankingError as e:
        ctx["ranking_error"] = str(e)
    return page(request, "strategy/ranking.html", ctx)


PORTFOLIO_COLUMNS = [
    ("ref", "Reference"),
    ("name", "Initiative"),
    ("service", "Owning service"),
    ("outcomes", "Outcomes"),
    ("status", "Status"),
    ("investment", "Investment, all years (£)"),
    ("cashable", "Cashable savings, all years (£)"),
    ("non_cashable", "Non-cashable savings, all years (£)"),
    ("net", "Net (£)"),
    ("score", "Weighted score"),
    ("rank", "Rank"),
]


@toolkit_view
def portfolio(request):
    qs, filters = _filtered(request)
    ranked, error = _ranking_or_error()
    rows = []
    for i in qs:
        t = i.totals()
        r = ranked.get(i.pk)
        rows.append(
            {
                "ref": i.ref,
                "name": i.name,
                "service": i.owning_service.name,
                "outcomes": "; ".join(o.name for o in i.outcomes.all()),
                "status": i.get_status_display(),
                "investment": t["investment"],
                "cashable": t["cashable_savings"],
                "non_cashable": t["non_cashable_savings"],
                "net": t["cashable_savings"] - t["investment"],
                "score": round(r.score, 1) if r else None,
                "rank": r.rank if r else None,
            }
        )
    fmt = request.GET.get("format", "")
    if fmt:
        if fmt not in ("csv", "xlsx"):
            raise Http404("export as csv or xlsx")
        return export_response(rows, PORTFOLIO_COLUMNS, "initiative-portfolio", fmt)
    rows.sort(key=lambda x: (x["rank"] or 10**9, x["ref"]))
    top = max([max(x["investment"], x["cashable"]) for x in rows] + [0])
    return page(
        request,
        "strategy/portfolio.html",
        {
            "rows": rows,
            "filters": filters,
            "ranking_error": error,
            "services": Service.objects.all(),
            "outcomes": Outcome.objects.all(),
            "query": request.GET.urlencode(),
            "chart_cost": charts.hbar(
                [(x["ref"] + " " + x["name"], x["investment"]) for x in rows],
                title="Investment by initiative (£)",
                maximum=top,
                fmt=lambda v: f"£{v:,.0f}",
            ),
            "chart_savings": charts.hbar(
                [(x["ref"] + " " + x["name"], x["cashable"]) for x in rows],
                title="Cashable savings by initiative (£)",
                maximum=top,
                fmt=lambda v: f"£{v:,.0f}",
            ),
        },
    )
