"""Usage analytics: views, downloads and API calls per dataset per day.

Only counts are stored — no IP address, user agent, cookie or user id — so
the figures carry no personal data."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import DailyUsage

KINDS = ("views", "downloads", "api_calls")


def record(dataset_id: str, kind: str, n: int = 1) -> None:
    """Count one view, download or API call of a dataset today."""
    if kind not in KINDS:
        raise ValueError(f"unknown usage kind {kind!r}: use {', '.join(KINDS)}")
    day = timezone.localdate()
    updated = DailyUsage.objects.filter(dataset_id=dataset_id, day=day).update(**{kind: F(kind) + n})
    if not updated:
        try:
            with transaction.atomic():
                DailyUsage.objects.create(dataset_id=dataset_id, day=day, **{kind: n})
        except IntegrityError:  # another request created today's row meanwhile
            DailyUsage.objects.filter(dataset_id=dataset_id, day=day).update(**{kind: F(kind) + n})


def totals(dataset_id: str, days: int = 30) -> dict[str, int]:
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    agg = DailyUsage.objects.filter(dataset_id=dataset_id, day__gte=since).aggregate(**{k: Sum(k) for k in KINDS})
    return {k: int(agg[k] or 0) for k in KINDS}


def daily(dataset_id: str, days: int = 30) -> list[DailyUsage]:
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    return list(DailyUsage.objects.filter(dataset_id=dataset_id, day__gte=since).order_by("day"))


def view_counts(days: int = 30) -> dict[str, int]:
    """Views per dataset over the last ``days`` days (for "most viewed")."""
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    rows = DailyUsage.objects.filter(day__gte=since).values("dataset_id").annotate(n=Sum("views"))
    return {r["dataset_id"]: int(r["n"] or 0) for r in rows}


def most_viewed(limit: int = 10, days: int = 30) -> list[str]:
    """Ids of the datasets with the most views over the last ``days`` days, most first."""
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    rows = (
        DailyUsage.objects.filter(day__gte=since)
        .values("dataset_id")
        .annotate(n=Sum("views"))
        .filter(n__gt=0)  # downloads or API calls alone are not views
        .order_by("-n", "dataset_id")[:limit]
    )
    return [r["dataset_id"] for r in rows]
