"""Public pages: request a dataset, browse requests, vote, follow, comment,
and delete an email address."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import guard, votes, workflow
from .links import dataset_path
from .models import DatasetRequest, Follower, Status
from .pages import base_url, is_staff, page
from .register import REGISTER_ID, ensure_register

ORDERS = {"newest": "-created_at", "votes": "-votes", "updated": "-updated_at"}


def request_list(request):
    qs = DatasetRequest.objects.annotate(n_comments=Count("comments", filter=Q(comments__hidden=False)))
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    order = request.GET.get("order", "newest")
    if order not in ORDERS:
        order = "newest"
    qs = qs.order_by(ORDERS[order], "-pk")
    pager = Paginator(qs, 25)
    try:
        page_no = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_no = 1
    current = pager.get_page(page_no)
    ensure_register()
    return page(
        request,
        "requests_foi/list.html",
        {
            "page_obj": current,
            "statuses": Status.choices,
            "status": status,
            "q": q,
            "order": order,
            "orders": [("newest", "Newest"), ("votes", "Most votes"), ("updated", "Recently updated")],
            "register_id": REGISTER_ID,
            "staff": is_staff(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def request_new(request):
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = request.POST
        try:
            guard.check_form(request.POST)
            with guard.counted(request, "submit"):
                req = workflow.submit(request.POST, base_url=base_url(request))
        except guard.Rejected as e:
            errors, status = {"form": e.message}, e.status
        except ValidationError as e:
            errors, status = {k: " ".join(v) for k, v in e.message_dict.items()}, 400
        else:
            return redirect("requests_foi:submitted", pk=req.pk)
    return page(
        request,
        "requests_foi/new.html",
        {"errors": errors, "values": values, "form_token": guard.form_token(), "honeypot": guard.HONEYPOT_FIELD},
        status=status,
    )


def request_submitted(request, pk: int):
    req = get_object_or_404(DatasetRequest, pk=pk)
    return page(request, "requests_foi/submitted.html", {"req": req, "url": request.build_absolute_uri(req_url(req))})


def req_url(req) -> str:
    return reverse("requests_foi:detail", args=[req.pk])


def request_detail(request, pk: int, *, errors=None, status=200, values=None):
    req = get_object_or_404(DatasetRequest.objects.select_related("dataset"), pk=pk)
    comments = req.comments.all() if is_staff(request.user) else req.comments.filter(hidden=False)
    return page(
        request,
        "requests_foi/detail.html",
        {
            "req": req,
            "comments": comments,
            "voted": req.pk in votes.voted(request),
            "dataset_link": dataset_path(req.dataset_id) if req.dataset_id else "",
            "errors": errors or {},
            "values": values or {},
            "form_token": guard.form_token(),
            "honeypot": guard.HONEYPOT_FIELD,
            "staff": is_staff(request.user),
            "followed": request.GET.get("followed") == "1",
            "confirmed": request.GET.get("confirmed") == "1",
        },
        status=status,
    )


@require_POST
def request_vote(request, pk: int):
    req = get_object_or_404(DatasetRequest, pk=pk)
    try:
        guard.throttle(request, "vote", limit=200)
    except guard.Rejected as e:
        return request_detail(request, pk, errors={"vote": e.message}, status=e.status)
    response = redirect(req_url(req) + "#votes")
    votes.toggle(request, response, req, want=request.POST.get("action", "vote") != "unvote")
    return response


@require_POST
def request_follow(request, pk: int):
    req = get_object_or_404(DatasetRequest, pk=pk)
    try:
        guard.check_form(request.POST)
        with guard.counted(request, "follow"):
            workflow.follow(req, request.POST.get("email"), base_url=base_url(request))
    except guard.Rejected as e:
        return request_detail(request, pk, errors={"follow": e.message}, status=e.status, values=request.POST)
    except ValidationError as e:
        return request_detail(request, pk, errors={"follow": " ".join(e.messages)}, status=400, values=request.POST)
    return redirect(req_url(req) + "?followed=1#follow")


@require_POST
def request_comment(request, pk: int):
    req = get_object_or_404(DatasetRequest, pk=pk)
    try:
        guard.check_form(request.POST)
        with guard.counted(request, "comment"):
            workflow.comment(req, request.POST)
    except guard.Rejected as e:
        return request_detail(request, pk, errors={"comment": e.message}, status=e.status, values=request.POST)
    except ValidationError as e:
        return request_detail(request, pk, errors={"comment": " ".join(e.messages)}, status=400, values=request.POST)
    return redirect(req_url(req) + "#comments")


@require_http_methods(["GET", "POST"])
def forget(request, token: str):
    follower = Follower.objects.filter(token=token).select_related("request").first()
    if request.method == "POST":
        if not workflow.forget(token):
            return page(
                request,
                "requests_foi/message.html",
                {"title": "Nothing to delete", "message": "This link has already been used, or the request is closed."},
                status=404,
            )
        return page(
            request,
            "requests_foi/message.html",
            {
                "title": "Your email address has been deleted",
                "message": "We will not email you about this request again.",
            },
        )
    if follower is None:
        return page(
            request,
            "requests_foi/message.html",
            {
                "title": "Nothing to delete",
                "message": "This address has already been deleted, or the request it followed is closed.",
            },
            status=404,
        )
    return page(request, "requests_foi/forget.html", {"req": follower.request})


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The confirm link in the first email: GET asks (mail scanners fetch links), POST confirms."""
    follower = Follower.objects.filter(token=token).select_related("request").first()
    if follower is None:
        return page(
            request,
            "requests_foi/message.html",
            {
                "title": "This link has expired",
                "message": "The address was deleted, was not confirmed within "
                f"{Follower.UNCONFIRMED_DAYS} days, or the request is closed.",
            },
            status=404,
        )
    if request.method == "POST":
        workflow.confirm(token)
        return redirect(req_url(follower.request) + "?confirmed=1#follow")
    return page(request, "requests_foi/confirm.html", {"req": follower.request, "done": follower.confirmed_at})
