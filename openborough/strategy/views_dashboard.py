"""The councillors' read-only leadership dashboard, and the discovery page."""

from __future__ import annotations

import logging

from ..catalog.models import Dataset, Visibility
from ..catalog.visibility import public_datasets
from . import charts, digital_share
from .access import page, toolkit_view
from .models import Aspiration, Foundation, fy_label
from .services import saving_lines
from .views_initiatives import _ranking_or_error

log = logging.getLogger(__name__)


def open_data_progress() -> dict:
    public = public_datasets()
    out = {
        "datasets_public": public.count(),
        "datasets_private": Dataset.objects.filter(visibility=Visibility.PRIVATE).count(),
        "requests_available": False,
    }
    try:  # built by the requests/FOI part of openborough
        from ..requests_foi.models import CLOSED, DatasetRequest, FOIRequest, Status
        from ..requests_foi.models import Outcome as FOIOutcome
    except ImportError:
        log.info("requests_foi models not available; dashboard shows datasets only")
        return out
    out.update(
        requests_available=True,
        requests_total=DatasetRequest.objects.count(),
        requests_answered=DatasetRequest.objects.filter(status__in=CLOSED).count(),
        requests_published=DatasetRequest.objects.filter(status=Status.PUBLISHED).count(),
        foi_total=FOIRequest.objects.count(),
        foi_deflected=FOIRequest.objects.filter(outcome=FOIOutcome.PUBLISHED_S21, dataset__isnull=False).count(),
    )
    return out


@toolkit_view
def dashboard(request):
    from ..standards.views import adoption_summary

    ranked, error = _ranking_or_error()
    top = sorted(ranked.values(), key=lambda r: (r.rank, r.name))[:5]
    lines = saving_lines()
    overall = digital_share.overall(lines)
    years = digital_share.by_year(lines)
    adoption = adoption_summary()
    progress = open_data_progress()
    ctx = {
        "top": top,
        "ranking_error": error,
        "overall": overall,
        "years": [(fy_label(s.group), s) for s in years],
        "adoption": adoption,
        "progress": progress,
        "chart_top": charts.hbar(
            [(r.name, r.score) for r in top],
            title="Top-ranked initiatives: weighted score out of 100 (table below)",
            maximum=100,
            fmt=lambda v: f"{v:.1f}",
        ),
        "chart_share": charts.hbar(
            [(fy_label(s.group), s.share_by_value or 0) for s in years],
            title="Share of planned savings with a digital solution, by year (table below)",
            maximum=1,
            fmt=lambda v: f"{v:.0%}",
        ),
        "chart_adoption": charts.hbar(
            [(f"{p['number']}. {p['label']}", p["share_met"] or 0) for p in adoption["points"]],
            title="Share of assessed services meeting each point of the standard (table below)",
            maximum=1,
            fmt=lambda v: f"{v:.0%}",
        ),
    }
    return page(request, "strategy/dashboard.html", ctx)


@toolkit_view
def discovery(request):
    return page(
        request,
        "strategy/discovery.html",
        {
            "foundations": Foundation.objects.select_related("owning_service").prefetch_related("initiatives"),
            "aspirations": Aspiration.objects.prefetch_related("outcomes", "initiatives"),
        },
    )
