"""Transparency Code pages: compliance (public), the templates (public) and
publishing against a template (staff)."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from ..requests_foi.links import dataset_path
from ..requests_foi.pages import is_staff, page, staff_required
from .code import TEMPLATES
from .compliance import COMPLIANCE_ID, compliance, due_months, recent_periods, refresh_if_stale
from .models import Publication, TemplateDataset
from .publish import NotPublished, publish


def compliance_page(request):
    refresh_if_stale()
    rows = compliance()
    for s in rows:
        s.link = dataset_path(s.dataset_id) if s.dataset_id else ""
    # a dataset never published is counted as such, not among those whose next period is late
    counts = {state: sum(1 for s in rows if s.last and s.state == state) for state in ("ok", "due", "overdue")}
    counts["unpublished"] = sum(1 for s in rows if s.last is None)
    return page(
        request,
        "transparency/compliance.html",
        {
            "rows": rows,
            "counts": counts,
            "compliance_id": COMPLIANCE_ID,
            "due_q": due_months("quarterly"),
            "due_a": due_months("annually"),
        },
    )


def _missing(request, key):
    return page(
        request,
        "requests_foi/message.html",
        {"title": "Page not found", "message": f"There is no Transparency Code template {key!r}."},
        status=404,
    )


def template_list(request):
    return page(request, "transparency/templates.html", {"templates": TEMPLATES.values()})


def template_detail(request, key: str):
    t = TEMPLATES.get(key)
    if t is None:
        return _missing(request, key)
    link = TemplateDataset.objects.filter(template_key=key).first()
    return page(
        request,
        "transparency/template.html",
        {
            "t": t,
            "dataset_link": dataset_path(link.dataset_id) if link else "",
            "publications": Publication.objects.filter(template_key=key).select_related("published_by")[:20],
            "staff": is_staff(request.user),
        },
    )


def template_csv(request, key: str):
    t = TEMPLATES.get(key)
    if t is None:
        return _missing(request, key)
    buf = io.StringIO()
    csv.writer(buf).writerow([f.label for f in t.fields])
    resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{t.key}-template.csv"'
    return resp


@staff_required
@require_http_methods(["GET", "POST"])
def publish_page(request, key: str):
    t = TEMPLATES.get(key)
    if t is None:
        return _missing(request, key)
    ctx = {"t": t, "periods": recent_periods(t.frequency), "values": {}, "report": None, "error": ""}
    if request.method == "GET":
        return page(request, "transparency/publish.html", ctx)
    ctx["values"] = request.POST
    upload = request.FILES.get("file")
    if upload is None:
        ctx["error"] = "Choose the CSV file to publish."
        return page(request, "transparency/publish.html", ctx, status=400)
    if upload.size > settings.OPENBOROUGH_MAX_UPLOAD_BYTES:
        ctx["error"] = "The file is too large."
        return page(request, "transparency/publish.html", ctx, status=413)
    personal_choice = request.POST.get("personal", "")
    try:
        pub, report = publish(
            key,
            upload.read(),
            period_start=request.POST.get("period", ""),
            user=request.user,
            redact=personal_choice == "redact",
            confirm_personal=personal_choice == "confirm",
        )
    except NotPublished as e:
        ctx.update(error=e.message, report=e.report, reason=e.reason)
        return page(request, "transparency/publish.html", ctx, status=400)
    ctx.update(published=pub, report=report, dataset_link=dataset_path(pub.dataset_id))
    return page(request, "transparency/publish.html", ctx)
