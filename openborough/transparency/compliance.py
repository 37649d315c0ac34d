"""Reporting periods, due dates and the compliance table.

Periods follow the financial year (1 April – 31 March): quarterly data covers
Q1 April–June … Q4 January–March; annual data covers the whole year. Quarterly
data is due one month after the quarter ends (the Code's expectation). For
annual data the Code sets no single date for every dataset; openborough
expects it three months after the year ends (30 June). Both are settings:
``OPENBOROUGH_TRANSPARENCY_DUE_MONTHS = {"quarterly": 1, "annually": 3}``.

A template is *overdue* when the first period after its latest publication
has ended and its due date has passed; *due* when that period has ended and
its due date is still ahead; *up to date* when that period has not ended yet.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from ..catalog.models import Dataset
from ..catalog.visibility import public_ids
from ..requests_foi.opendata import Register, refresh_quietly
from ..soql.types import Column, Schema, SoQLType
from .code import ANNUALLY, QUARTERLY, TEMPLATES, Template
from .models import Publication, TemplateDataset

DEFAULT_DUE_MONTHS = {QUARTERLY: 1, ANNUALLY: 3}
COMPLIANCE_ID = "tcod-cmpl"


def due_months(frequency: str) -> int:
    return int(
        getattr(settings, "OPENBOROUGH_TRANSPARENCY_DUE_MONTHS", {}).get(frequency, DEFAULT_DUE_MONTHS[frequency])
    )


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    def due(self, frequency: str) -> dt.date:
        e = add_months(self.end.replace(day=1), due_months(frequency))
        return _month_end(e.year, e.month)


def fy_start(d: dt.date) -> int:
    """The year the financial year holding ``d`` starts in."""
    return d.year if d.month >= 4 else d.year - 1


def period_for(frequency: str, d: dt.date) -> Period:
    """The reporting period containing ``d``."""
    fy = fy_start(d)
    label_fy = f"{fy}/{(fy + 1) % 100:02d}"
    if frequency == ANNUALLY:
        return Period(dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31), label_fy)
    q = ((d.month - 4) % 12) // 3  # 0..3
    start = add_months(dt.date(fy, 4, 1), 3 * q)
    end_m = add_months(start, 2)
    return Period(start, _month_end(end_m.year, end_m.month), f"{label_fy} Q{q + 1}")


def next_period(frequency: str, p: Period) -> Period:
    return period_for(frequency, p.end + dt.timedelta(days=1))


def previous_period(frequency: str, p: Period) -> Period:
    return period_for(frequency, p.start - dt.timedelta(days=1))


def recent_periods(frequency: str, today: dt.date | None = None, count: int = 8) -> list[Period]:
    """The current period and those before it, newest first."""
    p = period_for(frequency, today or timezone.localdate())
    out = [p]
    for _ in range(count - 1):
        p = previous_period(frequency, p)
        out.append(p)
    return out


def parse_period(frequency: str, start: str) -> Period:
    """The period starting on ISO date ``start``; ValueError if no period starts then."""
    try:
        d = dt.date.fromisoformat((start or "").strip())
    except ValueError:
        raise ValueError(f"{start!r} is not a date (YYYY-MM-DD)") from None
    p = period_for(frequency, d)
    if p.start != d:
        raise ValueError(f"no {frequency} reporting period starts on {d:%d %B %Y}; periods start on {p.start:%d %B %Y}")
    return p


@dataclass
class Status:
    template: Template
    last: Publication | None
    dataset_id: str
    next_period: Period
    next_due: dt.date
    state: str  # up to date | due | overdue

    @property
    def label(self) -> str:
        return {"ok": "Up to date", "due": "Due", "overdue": "Overdue"}[self.state]


def status_of(template: Template, today: dt.date, last: Publication | None, dataset_id: str = "") -> Status:
    freq = template.frequency
    if last is not None:
        nxt = next_period(freq, period_for(freq, last.period_end))
    else:
        nxt = previous_period(freq, period_for(freq, today))  # the latest period that has ended
    due = nxt.due(freq)
    if nxt.end >= today:
        state = "ok"
    elif due < today:
        state = "overdue"
    else:
        state = "due"
    return Status(template, last, dataset_id, nxt, due, state)


def compliance(today: dt.date | None = None) -> list[Status]:
    today = today or timezone.localdate()
    latest: dict[str, Publication] = {}
    for p in Publication.objects.order_by("template_key", "-period_end", "-published_at"):
        latest.setdefault(p.template_key, p)
    datasets = dict(TemplateDataset.objects.values_list("template_key", "dataset_id"))
    public = public_ids(datasets.values())
    datasets = {key: ds_id for key, ds_id in datasets.items() if ds_id in public}
    return [status_of(t, today, latest.get(key), datasets.get(key, "")) for key, t in TEMPLATES.items()]


COMPLIANCE = Register(
    COMPLIANCE_ID,
    {
        "name": "Transparency Code compliance",
        "description": (
            "Each dataset the Local Government Transparency Code 2015 requires: the latest period published, "
            "when it was published, the next period due and its due date, and whether it is up to date, due "
            "or overdue."
        ),
        "category": "Council and democracy",
        "tags": ["transparency code", "transparency", "compliance"],
        "update_frequency": "daily",
    },
    Schema(
        (
            Column("template", SoQLType.TEXT, "Template"),
            Column("dataset_name", SoQLType.TEXT, "Required dataset"),
            Column("frequency", SoQLType.TEXT, "Frequency"),
            Column("dataset_id", SoQLType.TEXT, "Dataset id"),
            Column("last_period", SoQLType.TEXT, "Latest period published"),
            Column("last_published_at", SoQLType.FIXED_TIMESTAMP, "Published at"),
            Column("next_period", SoQLType.TEXT, "Next period"),
            Column("next_due", SoQLType.FLOATING_TIMESTAMP, "Next due"),
            Column("status", SoQLType.TEXT, "Status"),
            Column("as_of", SoQLType.FLOATING_TIMESTAMP, "As of"),
        )
    ),
)


def compliance_rows(today: dt.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    return [
        {
            "template": s.template.key,
            "dataset_name": s.template.title,
            "frequency": s.template.frequency,
            "dataset_id": s.dataset_id,
            "last_period": s.last.period_label if s.last else "",
            "last_published_at": s.last.published_at if s.last else None,
            "next_period": s.next_period.label,
            "next_due": s.next_due,
            "status": s.label,
            "as_of": today,
        }
        for s in compliance(today)
    ]


def refresh_compliance():
    return refresh_quietly(COMPLIANCE, compliance_rows)


def refresh_if_stale() -> None:
    """Due dates pass with the calendar: rebuild once a day even when nothing was published."""
    ds = Dataset.objects.filter(pk=COMPLIANCE_ID).only("data_updated_at").first()
    if ds is None or ds.data_updated_at is None or timezone.localdate(ds.data_updated_at) < timezone.localdate():
        refresh_compliance()
