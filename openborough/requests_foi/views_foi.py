"""The FOI log (staff) and the public dashboard of FOIs answered by open data."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from ..catalog import audit
from ..catalog.models import Dataset
from . import charts
from .foi_figures import FIGURES_ID, refresh_figures, refresh_if_stale
from .foi_import import import_csv
from .foi_measures import measures, suggest_datasets
from .models import FOIRequest, Outcome
from .pages import page, staff_required

_WIDGET_CLASS = {
    forms.TextInput: "govuk-input",
    forms.DateInput: "govuk-input govuk-input--width-10",
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
}


class FOIForm(forms.ModelForm):
    dataset_id = forms.CharField(
        required=False,
        label="Dataset it was answered with (id, e.g. abcd-1234)",
        help_text="Only for a request answered by pointing to published data (s.21).",
    )

    class Meta:
        model = FOIRequest
        fields = ["reference", "received", "answered", "topic", "text", "service", "outcome", "exemption"]
        widgets = {
            "received": forms.DateInput(attrs={"type": "date"}),
            "answered": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.dataset_id:
            self.fields["dataset_id"].initial = self.instance.dataset_id
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", _WIDGET_CLASS.get(type(f.widget), "govuk-input"))

    def clean_dataset_id(self):
        value = (self.cleaned_data.get("dataset_id") or "").strip().lower()
        if value and not Dataset.objects.filter(pk=value).exists():
            raise forms.ValidationError(f"There is no dataset {value}.")
        return value

    def _update_errors(self, errors):
        # the model says "dataset"; this form asks for it as "dataset_id"
        if hasattr(errors, "error_dict") and "dataset" in errors.error_dict:
            errors.error_dict["dataset_id"] = errors.error_dict.pop("dataset")
        super()._update_errors(errors)

    def _post_clean(self):
        self.instance.dataset_id = self.cleaned_data.get("dataset_id") or None
        super()._post_clean()


@staff_required
def foi_list(request):
    qs = FOIRequest.objects.select_related("dataset").order_by("-received", "reference")
    outcome = request.GET.get("outcome", "")
    if outcome in Outcome.values:
        qs = qs.filter(outcome=outcome)
    else:
        outcome = ""
    return page(
        request,
        "requests_foi/foi_list.html",
        {"items": qs[:1000], "total": qs.count(), "outcome": outcome, "outcomes": Outcome.choices},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def foi_edit(request, pk: int | None = None):
    obj = get_object_or_404(FOIRequest, pk=pk) if pk else None
    form = FOIForm(request.POST or None, instance=obj)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                item = form.save(commit=False)
                if obj is None:
                    item.created_by = request.user
                item.save()
                audit.record(
                    "foi.add" if obj is None else "foi.edit",
                    f"FOI {item.reference}: {item.get_outcome_display()}",
                    user=request.user,
                    dataset_id=item.dataset_id or "",
                    reference=item.reference,
                )
            refresh_figures()
            return redirect("requests_foi:foi_edit", pk=item.pk)
        status = 400
    suggestions = []
    if obj is not None:
        suggestions = suggest_datasets(f"{obj.topic} {obj.text}", 5)
    return page(
        request,
        "requests_foi/foi_edit.html",
        {"form": form, "obj": obj, "suggestions": suggestions},
        status=status,
    )


@staff_required
@require_http_methods(["POST"])
def foi_delete(request, pk: int):
    item = get_object_or_404(FOIRequest, pk=pk)
    with transaction.atomic():
        audit.record(
            "foi.delete",
            f"FOI {item.reference} deleted ({item.get_outcome_display()})",
            user=request.user,
            dataset_id=item.dataset_id or "",
            reference=item.reference,
            topic=item.topic,
        )
        item.delete()
    refresh_figures()
    return redirect("requests_foi:foi_list")


@staff_required
@require_http_methods(["GET", "POST"])
def foi_import(request):
    report, status = None, 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            return page(request, "requests_foi/foi_import.html", {"error": "Choose a CSV file to import."}, status=400)
        if upload.size > settings.OPENBOROUGH_MAX_UPLOAD_BYTES:
            return page(request, "requests_foi/foi_import.html", {"error": "The file is too large."}, status=413)
        report = import_csv(upload.read(), user=request.user, dry_run=request.POST.get("check") == "1")
        if report.ok and request.POST.get("check") != "1":
            refresh_figures()
        status = 200 if report.ok else 400
        unlinked = list(FOIRequest.objects.filter(reference__in=report.unlinked_s21)[:50])
        for f in unlinked:
            f.suggestions = suggest_datasets(f"{f.topic} {f.text}", 3)
        return page(
            request,
            "requests_foi/foi_import.html",
            {"report": report, "checked": request.POST.get("check") == "1", "unlinked": unlinked},
            status=status,
        )
    return page(request, "requests_foi/foi_import.html", {})


def _charts(m):
    months = m.by_month[-12:]
    return {
        "monthly": charts.column_chart(
            [(mo, n) for mo, n, _ in months],
            title="FOI requests answered by open data, by month",
            desc="Number of FOI requests answered by pointing to a published dataset in each of the last "
            f"{len(months)} months. The same figures are in the table below.",
            ident="chart-monthly",
        ),
        "datasets": charts.bar_chart(
            [(name, n) for _, name, n, _ in m.by_dataset[:10]],
            title="Datasets that answered the most FOI requests",
            desc="The ten datasets most often used to answer FOI requests. The same figures are in the table below.",
            ident="chart-datasets",
        ),
        "topics": charts.bar_chart(
            [(t.label, t.count) for t in m.candidates[:10]],
            title="Topics asked about repeatedly with no dataset",
            desc="FOI topics asked at least three times in twelve months that no dataset answers yet. "
            "The same figures are in the table below.",
            ident="chart-topics",
        ),
    }


def dashboard(request):
    refresh_if_stale()
    m = measures(with_suggestions=True)
    return page(
        request,
        "requests_foi/foi_dashboard.html",
        {"m": m, "charts": _charts(m), "figures_id": FIGURES_ID, "recent_months": list(reversed(m.by_month[-12:]))},
    )


def chart_svg(request, name: str):
    svgs = _charts(measures())
    if name not in svgs:
        return HttpResponseNotFound(f"No chart {name!r}: use one of {', '.join(svgs)}.", content_type="text/plain")
    return HttpResponse(svgs[name], content_type="image/svg+xml")
