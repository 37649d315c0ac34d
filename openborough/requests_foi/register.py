"""The dataset-request register as an open dataset (no emails, no internal notes,
no staff names), refreshed whenever a request changes."""

from __future__ import annotations

from ..soql.types import Column, Schema, SoQLType
from .links import dataset_path
from .models import DatasetRequest
from .opendata import Register, ensure_quietly, refresh_quietly

REGISTER_ID = "dreq-rgst"

REGISTER = Register(
    REGISTER_ID,
    {
        "name": "Dataset requests register",
        "description": (
            "Every dataset requested by the public through the portal: what was asked for, its status, "
            "votes, the dataset that answered it or the reason it was declined. Requesters' email "
            "addresses and staff notes are never included."
        ),
        "category": "Council and democracy",
        "tags": ["open data", "dataset requests", "transparency"],
        "update_frequency": "daily",
    },
    Schema(
        (
            Column("request_id", SoQLType.NUMBER, "Request number"),
            Column("title", SoQLType.TEXT, "Title"),
            Column("description", SoQLType.TEXT, "What data and why"),
            Column("intended_use", SoQLType.TEXT, "How the requester would use it"),
            Column("status", SoQLType.TEXT, "Status"),
            Column("decline_reason", SoQLType.TEXT, "Reason declined"),
            Column("decline_detail", SoQLType.TEXT, "Decline explanation"),
            Column("votes", SoQLType.NUMBER, "Votes"),
            Column("public_comments", SoQLType.NUMBER, "Public comments"),
            Column("dataset_id", SoQLType.TEXT, "Dataset that answers it"),
            Column("dataset_link", SoQLType.TEXT, "Dataset link (path on this portal)"),
            Column("target_date", SoQLType.FLOATING_TIMESTAMP, "Target date"),
            Column("submitted_at", SoQLType.FIXED_TIMESTAMP, "Submitted"),
            Column("updated_at", SoQLType.FIXED_TIMESTAMP, "Last changed"),
            Column("closed_at", SoQLType.FIXED_TIMESTAMP, "Closed"),
        )
    ),
)


def register_rows():
    for r in DatasetRequest.objects.order_by("pk").prefetch_related("comments"):
        yield {
            "request_id": r.pk,
            "title": r.title,
            "description": r.description,
            "intended_use": r.use,
            "status": r.get_status_display(),
            "decline_reason": r.public_reason(),
            "decline_detail": r.decline_detail if r.status == "declined" else "",
            "votes": r.votes,
            "public_comments": sum(1 for c in r.comments.all() if not c.hidden),
            "dataset_id": r.dataset_id or "",
            "dataset_link": dataset_path(r.dataset_id) if r.dataset_id else "",
            "target_date": r.target_date,
            "submitted_at": r.created_at,
            "updated_at": r.updated_at,
            "closed_at": r.closed_at,
        }


def refresh_register():
    return refresh_quietly(REGISTER, lambda: list(register_rows()))


def ensure_register():
    """The register exists from the start, with 0 rows until the first request: its link never 404s."""
    return ensure_quietly(REGISTER)
