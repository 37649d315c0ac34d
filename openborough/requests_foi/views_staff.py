"""Staff triage of dataset requests: queue, status, assignment, target dates,
internal notes and comment moderation."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from ..catalog.models import AuditEntry, Exemption
from . import workflow
from .models import TRANSITIONS, Comment, DatasetRequest, DeclineReason, Status
from .pages import base_url, page, staff_required


def _officers():
    User = get_user_model()
    return User.objects.filter(is_active=True).filter(Q(role__in=["publisher", "admin"]) | Q(is_superuser=True))


@staff_required
def queue(request):
    qs = DatasetRequest.objects.select_related("assigned_to").order_by("status", "target_date", "-votes", "pk")
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.exclude(status__in=[Status.PUBLISHED, Status.DECLINED])
    elif status in Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(assigned_to=request.user)
    return page(
        request,
        "requests_foi/staff_queue.html",
        {"requests": qs[:500], "status": status, "statuses": Status.choices, "mine": mine, "today": dt.date.today()},
    )


def _manage_context(req, errors=None, values=None):
    return {
        "req": req,
        "errors": errors or {},
        "values": values or {},
        "next_statuses": [(s, Status(s).label) for s in TRANSITIONS[req.status]],
        "reasons": DeclineReason.choices,
        "exemptions": Exemption.choices,
        "officers": _officers(),
        "notes": req.notes.select_related("author"),
        "comments": req.comments.all(),
        "history": AuditEntry.objects.filter(action__startswith="request.", details__request=req.pk)[:100],
    }


@staff_required
@require_http_methods(["GET", "POST"])
def manage(request, pk: int):
    req = get_object_or_404(DatasetRequest, pk=pk)
    if request.method == "GET":
        return page(request, "requests_foi/staff_manage.html", _manage_context(req))
    data = request.POST
    errors = {}
    target = None
    if data.get("target_date", "").strip():
        try:
            target = dt.date.fromisoformat(data["target_date"].strip())
        except ValueError:
            errors["target_date"] = "Enter the target date as YYYY-MM-DD, for example 2026-03-31."
    officer = None
    if data.get("assigned_to", "").strip():
        officer = _officers().filter(pk=data["assigned_to"]).first() if data["assigned_to"].isdigit() else None
        if officer is None:
            errors["assigned_to"] = "Choose an officer from the list."
    if not errors:
        try:
            workflow.triage(
                req,
                user=request.user,
                status=data.get("status") or None,
                decline_reason=data.get("decline_reason", ""),
                decline_exemption=data.get("decline_exemption", ""),
                decline_detail=data.get("decline_detail", ""),
                dataset_id=data.get("dataset_id", None),
                assigned_to=officer,
                target_date=target,
                base_url=base_url(request),
            )
        except ValidationError as e:
            errors = {k: " ".join(v) for k, v in e.message_dict.items()}
    if errors:
        req.refresh_from_db()
        return page(request, "requests_foi/staff_manage.html", _manage_context(req, errors, data), status=400)
    return redirect("requests_foi:manage", pk=req.pk)


@staff_required
@require_POST
def add_note(request, pk: int):
    req = get_object_or_404(DatasetRequest, pk=pk)
    try:
        workflow.add_note(req, request.POST.get("note", ""), user=request.user)
    except ValidationError as e:
        return page(
            request,
            "requests_foi/staff_manage.html",
            _manage_context(req, {"note": " ".join(e.messages)}),
            status=400,
        )
    return redirect("requests_foi:manage", pk=req.pk)


@staff_required
@require_POST
def moderate_comment(request, pk: int):
    c = get_object_or_404(Comment, pk=pk)
    workflow.set_comment_hidden(c, request.POST.get("hidden", "1") == "1", user=request.user)
    return redirect("requests_foi:manage", pk=c.request_id)
