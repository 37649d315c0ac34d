"""JSON API for dataset requests (described in ``openapi.json`` beside this file).

Shapes follow CKAN's ckanext-datarequests where they fit (``id``, ``title``,
``description``, ``open_time``, ``closed``, ``close_time``,
``close_circumstance``, ``accepted_dataset_id``, ``followers``) plus our own
fields (``status``, ``votes``, ``comments``, ``url``). Writes take a JSON
body (``Content-Type: application/json``, which browsers cannot send across
sites without CORS approval, so no CSRF token is needed) and are limited per
client like the forms.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import guard, votes, workflow
from .links import dataset_path
from .models import DatasetRequest, Status

MAX_BODY = 64 * 1024
OPENAPI_FILE = Path(__file__).with_name("openapi.json")


def error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    body = {"success": False, "error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return JsonResponse(body, status=status)


def as_json(req: DatasetRequest, request, *, full: bool = False) -> dict:
    n_comments = getattr(req, "n_comments", None)
    if n_comments is None:
        n_comments = req.comments.filter(hidden=False).count()
    out = {
        "id": req.pk,
        "title": req.title,
        "description": req.description,
        "intended_use": req.use,
        "status": req.status,
        "status_label": req.get_status_display(),
        "votes": req.votes,
        "comments": n_comments,
        "open_time": req.created_at.isoformat(),
        "updated_time": req.updated_at.isoformat(),
        "closed": req.is_closed,
        "close_time": req.closed_at.isoformat() if req.closed_at else None,
        "close_circumstance": req.decline_reason or None,
        "close_detail": req.public_reason() + (f" – {req.decline_detail}" if req.decline_detail else "")
        if req.status == Status.DECLINED
        else None,
        "accepted_dataset_id": req.dataset_id,
        "dataset_url": request.build_absolute_uri(dataset_path(req.dataset_id)) if req.dataset_id else None,
        "target_date": req.target_date.isoformat() if req.target_date else None,
        "url": request.build_absolute_uri(reverse("requests_foi:detail", args=[req.pk])),
    }
    if full:
        out["followers"] = req.followers.count()
        out["comment_list"] = [
            {"name": c.name, "comment": c.body, "time": c.created_at.isoformat()}
            for c in req.comments.filter(hidden=False)
        ]
    return out


def _body(request) -> dict:
    if request.content_type != "application/json":
        raise guard.Rejected(415, "Send the body as JSON with Content-Type: application/json.")
    if len(request.body) > MAX_BODY:
        raise guard.Rejected(413, f"The body is larger than {MAX_BODY} bytes.")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as e:
        raise guard.Rejected(400, f"The body is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise guard.Rejected(400, "The body must be a JSON object.")
    return data


def _public(resp):
    """Reads are public data: any web page may fetch them (writes stay same-origin)."""
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


def _get(pk: int) -> DatasetRequest | None:
    return DatasetRequest.objects.filter(pk=pk).first()


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_collection(request):
    if request.method == "POST":
        return _create(request)
    qs = DatasetRequest.objects.annotate(n_comments=Count("comments", filter=Q(comments__hidden=False)))
    status = request.GET.get("status", "")
    if status:
        if status not in Status.values:
            return error(400, "bad-status", f"status must be one of {', '.join(Status.values)}")
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    order = request.GET.get("order", "newest")
    orders = {"newest": "-created_at", "votes": "-votes", "updated": "-updated_at"}
    if order not in orders:
        return error(400, "bad-order", f"order must be one of {', '.join(orders)}")
    try:
        limit = int(request.GET.get("limit", "50"))
        offset = int(request.GET.get("offset", "0"))
    except ValueError:
        return error(400, "bad-paging", "limit and offset must be whole numbers")
    if not (1 <= limit <= 500) or offset < 0:
        return error(400, "bad-paging", "limit must be 1 to 500 and offset 0 or more")
    qs = qs.order_by(orders[order], "-pk")
    total = qs.count()
    items = [as_json(r, request) for r in qs[offset : offset + limit]]
    return _public(JsonResponse({"success": True, "count": total, "offset": offset, "limit": limit, "result": items}))


def _create(request):
    try:
        data = _body(request)
        if str(data.get(guard.HONEYPOT_FIELD) or "").strip():
            raise guard.Rejected(400, f"leave {guard.HONEYPOT_FIELD!r} empty")
        with guard.counted(request, "submit"):
            req = workflow.submit(data, base_url=request.build_absolute_uri("/").rstrip("/"))
    except guard.Rejected as e:
        return error(e.status, "rejected" if e.status != 429 else "throttled", e.message)
    except ValidationError as e:
        return error(400, "invalid", "The request is not valid.", {k: " ".join(v) for k, v in e.message_dict.items()})
    resp = JsonResponse({"success": True, "result": as_json(req, request, full=True)}, status=201)
    resp["Location"] = as_json(req, request)["url"]
    return resp


@require_GET
def request_detail(request, pk: int):
    req = _get(pk)
    if req is None:
        return error(404, "not-found", f"There is no dataset request {pk}.")
    return _public(JsonResponse({"success": True, "result": as_json(req, request, full=True)}))


@csrf_exempt
@require_POST
def request_vote(request, pk: int):
    req = _get(pk)
    if req is None:
        return error(404, "not-found", f"There is no dataset request {pk}.")
    try:
        data = _body(request)
        guard.throttle(request, "vote", limit=200)
    except guard.Rejected as e:
        return error(e.status, "rejected" if e.status != 429 else "throttled", e.message)
    want = data.get("vote", True)
    if not isinstance(want, bool):
        return error(400, "invalid", "'vote' must be true (vote) or false (take the vote back).")
    resp = JsonResponse({})
    changed = votes.toggle(request, resp, req, want=want)
    req.refresh_from_db()
    resp.content = json.dumps({"success": True, "changed": changed, "voted": want, "votes": req.votes})
    return resp


@csrf_exempt
@require_POST
def request_follow(request, pk: int):
    req = _get(pk)
    if req is None:
        return error(404, "not-found", f"There is no dataset request {pk}.")
    try:
        data = _body(request)
        with guard.counted(request, "follow"):
            follower = workflow.follow(req, data.get("email"), base_url=request.build_absolute_uri("/").rstrip("/"))
    except guard.Rejected as e:
        return error(e.status, "rejected" if e.status != 429 else "throttled", e.message)
    except ValidationError as e:
        return error(400, "invalid", " ".join(e.messages))
    return JsonResponse(
        {
            "success": True,
            "following": True,
            "confirmed": follower.confirmed_at is not None,
            "id": req.pk,
            "message": "Updates will be emailed to this address."
            if follower.confirmed_at
            else "We have emailed a link to confirm the address; updates start once it is confirmed.",
        }
    )


@require_GET
def openapi(request):
    return _public(HttpResponse(OPENAPI_FILE.read_bytes(), content_type="application/json"))
