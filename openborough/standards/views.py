"""Service register, assessments against the standard, council-level adoption, printable reports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from ..strategy import charts, permissions
from ..strategy.access import forbidden, page, toolkit_view
from ..strategy.forms import GovukForm
from ..strategy.models import Service
from . import adoption
from .models import Action, ActionStatus, Assessment, OverallResult, PointOutcome, PointResult
from .points import GDS, LGDSS, POINTS, STANDARD_NAMES, point_numbers


def facts(standard: str | None = None) -> list[adoption.AssessmentFact]:
    qs = Assessment.objects.select_related("service").prefetch_related("results")
    if standard:
        qs = qs.filter(standard=standard)
    return [
        adoption.AssessmentFact(
            a.pk,
            a.service_id,
            a.service.service_area,
            a.standard,
            a.assessed_on,
            {r.point: r.outcome for r in a.results.all()},
        )
        for a in qs
    ]


def _standard(request) -> str:
    s = request.GET.get("standard", LGDSS)
    return s if s in POINTS else LGDSS


def adoption_summary(standard: str = LGDSS) -> dict:
    all_facts = facts(standard)
    latest = adoption.latest(all_facts, standard)
    numbers = point_numbers(standard)
    labels = {n: label for n, label, _ in POINTS[standard]}
    points = [
        {"number": p.point, "label": labels[p.point], "share_met": p.share_met, **p.counts}
        for p in adoption.by_point(latest, numbers)
    ]
    today = timezone.localdate()
    services = list(Service.objects.all())
    last = {}
    for f in all_facts:
        if f.service not in last or f.assessed_on > last[f.service]:
            last[f.service] = f.assessed_on
    due = adoption.overdue([adoption.ServiceDue(s.pk, s.phase, s.reassess_every_months) for s in services], last, today)
    by_pk = {s.pk: s for s in services}
    first = min((f.assessed_on for f in all_facts), default=None)
    trend = adoption.trend(all_facts, standard, numbers, adoption.quarter_ends(first, today)) if first else []
    return {
        "standard": standard,
        "standard_name": STANDARD_NAMES[standard],
        "services_assessed": len(latest),
        "services_total": len(services),
        "share_met": adoption.share_met(latest, numbers),
        "points": points,
        "areas": adoption.by_area(latest, numbers),
        "overdue": [(by_pk[k], last_on, due_on) for k, last_on, due_on in due],
        "trend": trend,
    }


@toolkit_view
def adoption_view(request):
    s = adoption_summary(_standard(request))
    ctx = {
        "s": s,
        "standards": list(STANDARD_NAMES.items()),
        "chart_points": charts.hbar(
            [(f"{p['number']}. {p['label']}", p["share_met"] or 0) for p in s["points"]],
            title="Share of assessed services meeting each point (table below)",
            maximum=1,
            fmt=lambda v: f"{v:.0%}",
        ),
        "chart_areas": charts.hbar(
            [(a.area, a.share_met or 0) for a in s["areas"]],
            title="Share of points met, by service area (table below)",
            maximum=1,
            fmt=lambda v: f"{v:.0%}",
        ),
        "chart_trend": charts.line(
            [(d.strftime("%b %Y"), v) for d, _, v in s["trend"]], title="Share of points met over time (table below)"
        ),
    }
    return page(request, "standards/adoption.html", ctx)


@toolkit_view
def service_list(request):
    services = Service.objects.prefetch_related("assessments")
    rows = [(s, s.assessments.first()) for s in services]
    return page(request, "standards/services.html", {"rows": rows})


@toolkit_view
def service_detail(request, pk):
    service = get_object_or_404(Service, pk=pk)
    assessments = service.assessments.prefetch_related("results__actions")
    actions = Action.objects.filter(result__assessment__service=service).select_related("result__assessment")
    return page(
        request,
        "standards/service.html",
        {
            "service": service,
            "assessments": assessments,
            "actions": actions,
            "can_assess": permissions.can_edit_service_record(request.user, service),
        },
    )


class AssessmentForm(GovukForm, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["phase", "assessed_on", "lead_assessor", "panel", "overall", "summary"]
        widgets = {"assessed_on": forms.DateInput(attrs={"type": "date"})}


class PointForm(GovukForm, forms.Form):
    outcome = forms.ChoiceField(choices=PointOutcome.choices, widget=forms.RadioSelect, label="Result")
    evidence = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    recommendations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    action = forms.CharField(required=False, label="Action to take", widget=forms.Textarea(attrs={"rows": 2}))
    action_owner = forms.CharField(required=False, max_length=200, label="Action owner")
    action_due = forms.DateField(required=False, label="Action due by", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        d = super().clean()
        outcome = d.get("outcome")
        if outcome and outcome != PointOutcome.MET:
            if not (d.get("recommendations") or "").strip():
                self.add_error("recommendations", "Say what must change when a point is not fully met")
            if not (d.get("action") or "").strip():
                self.add_error("action", "Plan an action for a point not fully met")
            if not (d.get("action_owner") or "").strip():
                self.add_error("action_owner", "Name who owns the action")
            if not d.get("action_due"):
                self.add_error("action_due", "Give a due date for the action")
        return d


@toolkit_view
def assess(request, pk):
    service = get_object_or_404(Service, pk=pk)
    if not permissions.can_edit_service_record(request.user, service):
        return forbidden(request, "Officers assess their own service; administrators assess any.")
    standard = request.POST.get("standard") or request.GET.get("standard") or LGDSS
    if standard not in POINTS:
        standard = LGDSS
    form = AssessmentForm(request.POST or None, initial={"phase": service.phase})
    point_forms = [
        (n, label, help_, PointForm(request.POST or None, prefix=f"p{n}")) for n, label, help_ in POINTS[standard]
    ]
    if request.method == "POST" and form.is_valid() and all(pf.is_valid() for *_, pf in point_forms):
        with transaction.atomic():
            a = form.save(commit=False)
            a.service, a.standard, a.created_by = service, standard, request.user
            a.full_clean()
            a.save()
            for n, _, _, pf in point_forms:
                d = pf.cleaned_data
                r = PointResult.objects.create(
                    assessment=a,
                    point=n,
                    outcome=d["outcome"],
                    evidence=d["evidence"],
                    recommendations=d["recommendations"],
                )
                if d["outcome"] != PointOutcome.MET:
                    Action.objects.create(
                        result=r, description=d["action"], owner=d["action_owner"], due=d["action_due"]
                    )
        messages.success(request, f"Assessment of {service.name} saved.")
        return redirect("standards:report", pk=a.pk)
    return page(
        request,
        "standards/assess.html",
        {
            "service": service,
            "form": form,
            "point_forms": point_forms,
            "standard": standard,
            "standard_name": STANDARD_NAMES[standard],
            "standards": [(LGDSS, STANDARD_NAMES[LGDSS]), (GDS, STANDARD_NAMES[GDS])],
        },
    )


def _report_context(pk) -> dict:
    a = get_object_or_404(Assessment.objects.select_related("service"), pk=pk)
    return {
        "a": a,
        "results": a.results_by_point(),
        "counts": a.counts(),
        "suggested": OverallResult(a.suggested_overall()).label,
        "history": a.service.assessments.exclude(pk=a.pk),
    }


def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # not installed, or the Pango system library is missing
        return False
    return True


@toolkit_view
def report(request, pk):
    return page(request, "standards/report.html", {**_report_context(pk), "pdf_available": pdf_available()})


@toolkit_view
def report_pdf(request, pk):
    """The report as a PDF made offline by WeasyPrint (optional extra ``openborough[pdf]``)."""
    ctx = _report_context(pk)
    if not pdf_available():
        return forbidden(
            request,
            "PDF reports need WeasyPrint (pip install 'openborough[pdf]') and the Pango library. "
            "Print the report page from your browser instead.",
        )
    from weasyprint import HTML

    html = render_to_string("standards/report_pdf.html", ctx, request=request)
    pdf = HTML(string=html, base_url=None).write_pdf()
    a = ctx["a"]
    resp = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(f"{a.service.name}-{a.assessed_on:%Y-%m-%d}") or "assessment"
    resp["Content-Disposition"] = f'attachment; filename="assessment-{name}.pdf"'
    return resp


@toolkit_view
def action_done(request, pk):
    action = get_object_or_404(Action.objects.select_related("result__assessment__service"), pk=pk)
    service = action.result.assessment.service
    if request.method != "POST":
        return redirect("standards:service", pk=service.pk)
    if not permissions.can_edit_service_record(request.user, service):
        return forbidden(request, "Officers update their own service's actions.")
    action.status = ActionStatus.DONE
    action.completed_on = timezone.localdate()
    action.save()
    messages.success(request, "Action marked done.")
    return redirect("standards:service", pk=service.pk)
