"""The FOI dashboard's figures as an open dataset: one row per figure, in long
form (measure, period or dataset or service or topic, count, cost saved)."""

from __future__ import annotations

from django.utils import timezone

from ..catalog.models import Dataset
from ..soql.types import Column, Schema, SoQLType
from .foi_measures import Measures, measures
from .opendata import Register, refresh_quietly

FIGURES_ID = "foid-fgrs"

FIGURES = Register(
    FIGURES_ID,
    {
        "name": "FOI requests answered by open data",
        "description": (
            "Freedom of Information requests answered by pointing to a dataset already published on this portal "
            "(FOI Act s.21), per month, per dataset and per service, with the cost saved at the stated cost per "
            "request; and topics asked about at least three times in twelve months with no dataset yet "
            "(measure = candidate_topic)."
        ),
        "category": "Council and democracy",
        "tags": ["foi", "freedom of information", "open data", "transparency"],
        "update_frequency": "daily",
    },
    Schema(
        (
            Column("measure", SoQLType.TEXT, "Measure"),
            Column("month", SoQLType.TEXT, "Month (YYYY-MM)"),
            Column("dataset_id", SoQLType.TEXT, "Dataset id"),
            Column("dataset_name", SoQLType.TEXT, "Dataset"),
            Column("service", SoQLType.TEXT, "Service"),
            Column("topic", SoQLType.TEXT, "Topic"),
            Column("foi_requests", SoQLType.NUMBER, "FOI requests"),
            Column("cost_saved", SoQLType.MONEY, "Cost saved (£)"),
            Column("cost_per_request", SoQLType.MONEY, "Cost per FOI request (£)"),
            Column("as_of", SoQLType.FLOATING_TIMESTAMP, "Figures as of"),
        )
    ),
)


def figure_rows(m: Measures) -> list[dict]:
    common = {"cost_per_request": m.cost_per_foi, "as_of": m.as_of}
    rows = [{"measure": "deflected_total", "foi_requests": m.deflected, "cost_saved": m.cost_saved, **common}]
    rows += [
        {"measure": "deflected_per_month", "month": mo, "foi_requests": n, "cost_saved": c, **common}
        for mo, n, c in m.by_month
    ]
    rows += [
        {
            "measure": "deflected_per_dataset",
            "dataset_id": i,
            "dataset_name": name,
            "foi_requests": n,
            "cost_saved": c,
            **common,
        }
        for i, name, n, c in m.by_dataset
    ]
    rows += [
        {"measure": "deflected_per_service", "service": s, "foi_requests": n, "cost_saved": c, **common}
        for s, n, c in m.by_service
    ]
    rows += [{"measure": "candidate_topic", "topic": t.label, "foi_requests": t.count, **common} for t in m.candidates]
    return rows


def refresh_figures():
    return refresh_quietly(FIGURES, lambda: figure_rows(measures()))


def refresh_if_stale() -> None:
    """Candidate topics move with the calendar: rebuild once a day even when nothing changed."""
    ds = Dataset.objects.filter(pk=FIGURES_ID).only("data_updated_at").first()
    if ds is None or ds.data_updated_at is None or timezone.localdate(ds.data_updated_at) < timezone.localdate():
        refresh_figures()
