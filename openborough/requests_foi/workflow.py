"""What can happen to a dataset request: submission, votes, follows, comments,
and staff triage. Views and the JSON API call these; each change is audited,
emails the followers when the status moves, and refreshes the open register."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..catalog import audit
from ..catalog.models import Dataset
from . import notify
from .models import CLOSED, TRANSITIONS, Comment, DatasetRequest, Follower, InternalNote, Status
from .register import refresh_register

LIMITS = {"title": 200, "description": 5000, "use": 3000, "comment": 4000, "name": 80}


def _text(data, key: str, *, required: bool, label: str) -> str:
    value = data.get(key)
    value = "" if value is None else str(value)
    value = value.replace("\x00", "").strip()
    if required and not value:
        raise ValidationError({key: f"Enter {label}."})
    if len(value) > LIMITS[key]:
        raise ValidationError({key: f"{label[0].upper() + label[1:]} must be {LIMITS[key]} characters or fewer."})
    return value


def _email(value) -> str:
    value = ("" if value is None else str(value)).strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an email address in the correct format, like name@example.com."}
        ) from None
    return value.lower()


def submit(data, *, base_url: str | None = None) -> DatasetRequest:
    """A new request from the public: ``title``, ``description``, ``use`` and an optional ``email``."""
    errors = {}
    values = {}
    for key, required, label in (
        ("title", True, "a title"),
        ("description", True, "what data you want and why"),
        ("use", False, "how you would use it"),
    ):
        try:
            values[key] = _text(data, key, required=required, label=label)
        except ValidationError as e:
            errors.update(e.message_dict)
    try:
        email = _email(data.get("email"))
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    purge_unconfirmed()
    with transaction.atomic():
        req = DatasetRequest.objects.create(**values)
        follower = Follower.objects.create(request=req, email=email, is_requester=True) if email else None
        audit.record("request.submit", f"dataset request #{req.pk} submitted: {req.title[:200]}", actor="public")
    if follower is not None:
        notify.send("submitted", req, [follower], base_url)
    refresh_register()
    return req


def vote(req: DatasetRequest) -> DatasetRequest:
    DatasetRequest.objects.filter(pk=req.pk).update(votes=F("votes") + 1)
    req.refresh_from_db(fields=["votes"])
    refresh_register()
    return req


def unvote(req: DatasetRequest) -> DatasetRequest:
    DatasetRequest.objects.filter(pk=req.pk, votes__gt=0).update(votes=F("votes") - 1)
    req.refresh_from_db(fields=["votes"])
    refresh_register()
    return req


def follow(req: DatasetRequest, email, *, base_url: str | None = None) -> Follower:
    if req.is_closed:
        raise ValidationError({"email": "This request is closed; there will be no more updates to follow."})
    email = _email(email)
    if not email:
        raise ValidationError({"email": "Enter an email address to get updates."})
    purge_unconfirmed()
    follower, created = Follower.objects.get_or_create(request=req, email=email)
    if created or follower.confirmed_at is None:
        notify.send("following", req, [follower], base_url)
    return follower


def confirm(token: str) -> Follower | None:
    """Confirm the address behind a confirm link; None if it is gone (deleted, expired or closed)."""
    follower = Follower.objects.filter(token=token).select_related("request").first()
    if follower is not None and follower.confirmed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at"])
    return follower


def purge_unconfirmed() -> int:
    """Delete addresses never confirmed within Follower.UNCONFIRMED_DAYS."""
    cutoff = timezone.now() - dt.timedelta(days=Follower.UNCONFIRMED_DAYS)
    deleted, _ = Follower.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted


def forget(token: str) -> bool:
    """Delete the address behind a delete-my-email link; False if already gone."""
    deleted, _ = Follower.objects.filter(token=token).delete()
    return bool(deleted)


def comment(req: DatasetRequest, data) -> Comment:
    body = _text(data, "comment", required=True, label="a comment")
    name = _text(data, "name", required=False, label="a name")
    c = Comment.objects.create(request=req, body=body, name=name)
    audit.record("request.comment", f"comment {c.pk} on dataset request #{req.pk}", actor="public")
    return c


def set_comment_hidden(c: Comment, hidden: bool, *, user) -> None:
    c.hidden, c.hidden_by = hidden, (user if hidden else None)
    c.save(update_fields=["hidden", "hidden_by"])
    audit.record(
        "request.comment.hide" if hidden else "request.comment.show",
        f"comment {c.pk} on dataset request #{c.request_id} {'hidden' if hidden else 'shown again'}",
        user=user,
    )
    refresh_register()


def add_note(req: DatasetRequest, body: str, *, user) -> InternalNote:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"note": "Enter the note."})
    note = InternalNote.objects.create(request=req, author=user, body=body[:10000])
    audit.record("request.note", f"internal note on dataset request #{req.pk}", user=user)
    return note


def triage(
    req: DatasetRequest,
    *,
    user,
    status: str | None = None,
    decline_reason: str = "",
    decline_exemption: str = "",
    decline_detail: str = "",
    dataset_id: str | None = None,
    assigned_to=None,
    target_date: dt.date | None = None,
    base_url: str | None = None,
) -> list[str]:
    """Staff changes to a request; returns the names of the fields changed.
    Raises ValidationError (nothing changed) for a move the workflow forbids."""
    before = {
        "status": req.status,
        "decline_reason": req.decline_reason,
        "decline_exemption": req.decline_exemption,
        "decline_detail": req.decline_detail,
        "dataset": req.dataset_id,
        "assigned_to": req.assigned_to_id,
        "target_date": req.target_date,
    }
    if status is not None and status != req.status:
        if status not in Status.values:
            raise ValidationError({"status": f"Unknown status {status!r}."})
        if status not in TRANSITIONS[req.status]:
            allowed = ", ".join(Status(s).label for s in TRANSITIONS[req.status])
            raise ValidationError(
                {"status": f"A request that is {Status(req.status).label.lower()} can move only to: {allowed}."}
            )
        req.status = status
    if dataset_id is not None:
        dataset_id = dataset_id.strip()
        if dataset_id and not Dataset.objects.filter(pk=dataset_id).exists():
            raise ValidationError({"dataset": f"There is no dataset {dataset_id}."})
        req.dataset_id = dataset_id or None
    if req.status == Status.DECLINED:
        req.decline_reason = decline_reason or req.decline_reason
        req.decline_exemption = decline_exemption if decline_reason else req.decline_exemption
        req.decline_detail = decline_detail.strip() if decline_reason else req.decline_detail
    else:
        req.decline_reason, req.decline_exemption, req.decline_detail = "", "", ""
    req.assigned_to = assigned_to
    req.target_date = target_date
    req.full_clean(exclude=["title", "description", "use"])
    after = {
        "status": req.status,
        "decline_reason": req.decline_reason,
        "decline_exemption": req.decline_exemption,
        "decline_detail": req.decline_detail,
        "dataset": req.dataset_id,
        "assigned_to": req.assigned_to_id,
        "target_date": req.target_date,
    }
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return []
    now = timezone.now()
    req.updated_at = now
    status_moved = "status" in changed
    if status_moved:
        req.closed_at = now if req.status in CLOSED else None
    with transaction.atomic():
        req.save()
        audit.record(
            "request.status" if status_moved else "request.update",
            f"dataset request #{req.pk}: "
            + ", ".join(f"{k} {before[k] or '-'} → {after[k] or '-'}" for k in changed)[:400],
            user=user,
            dataset_id=req.dataset_id or "",
            request=req.pk,
            before={k: str(before[k] or "") for k in changed},
            after={k: str(after[k] or "") for k in changed},
        )
    if status_moved:
        notify.send("status", req, list(req.followers.filter(confirmed_at__isnull=False)), base_url)
        if req.is_closed:
            # the request needs no address once closed: the last email was its closing notice
            req.followers.all().delete()
    refresh_register()
    return changed
