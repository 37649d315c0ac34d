"""What the FOI log says about open data: requests deflected (answered under
FOI Act s.21 by pointing to a published dataset) per month, dataset and
service; the cost saved at a configurable cost per FOI; and topics asked
about repeatedly with no dataset, which are candidates for publishing."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils import timezone
from rapidfuzz import fuzz

from ..catalog.visibility import public_datasets
from .models import FOIRequest, Outcome

DEFAULT_COST_SOURCE = (
    "UCL Constitution Unit survey of English councils, 2010: £31.6m for 197,773 requests, £159.80 a request"
)
#: how alike two topics must be (rapidfuzz token-set ratio, 0–100) to count as the same topic
TOPIC_SIMILARITY = 85
#: a topic asked about at least this often within TOPIC_WINDOW_DAYS, never answered by a dataset, is a candidate
TOPIC_MIN_COUNT = 3
TOPIC_WINDOW_DAYS = 365
_STOP = frozenset(
    "a about all an and any are as at be by copy data details for from how i in information is me of on or "
    "please provide request the their this to under what which with you your".split()
)
_PENNY = Decimal("0.01")


def cost_per_foi() -> Decimal:
    raw = str(getattr(settings, "OPENBOROUGH_FOI_COST_PER_REQUEST", "159.80")).strip().lstrip("£")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(
            f"OPENBOROUGH_FOI_COST_PER_REQUEST must be an amount in pounds, not {raw!r}"
        ) from None
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured("OPENBOROUGH_FOI_COST_PER_REQUEST must be zero or more")
    return value.quantize(_PENNY)


def cost_source() -> str:
    default = Decimal("159.80")
    return DEFAULT_COST_SOURCE if cost_per_foi() == default else "set by the council (OPENBOROUGH_FOI_COST_PER_REQUEST)"


def topic_key(topic: str) -> str:
    words = re.findall(r"[a-z]+", (topic or "").lower())
    return " ".join(w for w in words if w not in _STOP and len(w) > 1)


@dataclass
class TopicCluster:
    label: str
    key: str
    references: list[str] = field(default_factory=list)
    topics: Counter = field(default_factory=Counter)
    first: dt.date | None = None
    last: dt.date | None = None
    has_dataset: bool = False
    suggestions: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.references)


@dataclass
class Measures:
    as_of: dt.date
    cost_per_foi: Decimal
    cost_source: str
    total: int
    deflected: int
    by_month: list[tuple[str, int, Decimal]]
    by_dataset: list[tuple[str, str, int, Decimal]]
    by_service: list[tuple[str, int, Decimal]]
    candidates: list[TopicCluster]

    @property
    def cost_saved(self) -> Decimal:
        return (self.cost_per_foi * self.deflected).quantize(_PENNY)


def _month(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _months_between(first: dt.date, last: dt.date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def cluster_topics(foi: list[FOIRequest]) -> list[TopicCluster]:
    """Group requests whose topics are alike (order of words, years and filler words ignored)."""
    clusters: list[TopicCluster] = []
    for f in sorted(foi, key=lambda f: (f.received, f.reference)):
        key = topic_key(f.topic)
        if not key:
            continue
        best, best_score = None, 0.0
        for c in clusters:
            score = fuzz.token_set_ratio(key, c.key)
            if score > best_score:
                best, best_score = c, score
        if best is None or best_score < TOPIC_SIMILARITY:
            best = TopicCluster(label=f.topic, key=key)
            clusters.append(best)
        best.references.append(f.reference)
        best.topics[f.topic.strip()] += 1
        best.first = min(best.first or f.received, f.received)
        best.last = max(best.last or f.received, f.received)
        best.has_dataset = best.has_dataset or f.dataset_id is not None
    for c in clusters:
        c.label = c.topics.most_common(1)[0][0]
    return clusters


def suggest_datasets(text: str, limit: int = 5) -> list:
    """Published datasets the catalogue search finds for an FOI's words ([] if search is unavailable)."""
    text = (text or "").strip()
    if not text:
        return []
    try:
        from ..catalog.search import search_datasets

        return list(search_datasets(text[:500], limit=limit).datasets)
    except (ImportError, DatabaseError, ValueError):
        return []


def candidate_topics(as_of: dt.date | None = None, *, with_suggestions: bool = False) -> list[TopicCluster]:
    as_of = as_of or timezone.localdate()
    since = as_of - dt.timedelta(days=TOPIC_WINDOW_DAYS)
    recent = list(FOIRequest.objects.filter(received__gt=since, received__lte=as_of))
    out = [c for c in cluster_topics(recent) if c.count >= TOPIC_MIN_COUNT and not c.has_dataset]
    out.sort(key=lambda c: (-c.count, c.label.lower()))
    if with_suggestions:
        for c in out:
            c.suggestions = suggest_datasets(c.label, 3)
    return out


def measures(as_of: dt.date | None = None, *, with_suggestions: bool = False) -> Measures:
    as_of = as_of or timezone.localdate()
    cost = cost_per_foi()
    deflected = list(
        # only a dataset anyone can see answers an FOI under s.21; one made private since no longer counts
        FOIRequest.objects.filter(outcome=Outcome.PUBLISHED_S21, dataset__in=public_datasets())
        .select_related("dataset")
        .order_by("answered", "received")
    )
    months: dict[str, int] = defaultdict(int)
    datasets: dict[str, list] = {}
    services: dict[str, int] = defaultdict(int)
    for f in deflected:
        when = f.answered or f.received
        months[_month(when)] += 1
        entry = datasets.setdefault(f.dataset_id, [f.dataset.name, 0])
        entry[1] += 1
        services[f.service.strip() or "(not recorded)"] += 1
    by_month = []
    if deflected:
        first = min((f.answered or f.received) for f in deflected)
        last = max(as_of, max((f.answered or f.received) for f in deflected))
        by_month = [
            (m, months.get(m, 0), (cost * months.get(m, 0)).quantize(_PENNY)) for m in _months_between(first, last)
        ]
    by_dataset = sorted(
        ((ds_id, name, n, (cost * n).quantize(_PENNY)) for ds_id, (name, n) in datasets.items()),
        key=lambda r: (-r[2], r[1].lower()),
    )
    by_service = sorted(
        ((s, n, (cost * n).quantize(_PENNY)) for s, n in services.items()), key=lambda r: (-r[1], r[0].lower())
    )
    return Measures(
        as_of=as_of,
        cost_per_foi=cost,
        cost_source=cost_source(),
        total=FOIRequest.objects.count(),
        deflected=len(deflected),
        by_month=by_month,
        by_dataset=by_dataset,
        by_service=by_service,
        candidates=candidate_topics(as_of, with_suggestions=with_suggestions),
    )
