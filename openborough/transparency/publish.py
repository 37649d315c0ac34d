"""Publishing a file against a Transparency Code template.

The file is checked first (``validation.validate``); nothing is published
while it has errors, or while values that look like personal data have
neither been redacted nor confirmed by the publisher. Each template's rows
live in one catalogue dataset with a ``period`` column; publishing a period
again replaces that period's rows (upsert by ``row_key``, surplus rows of the
earlier publication deleted), other periods are kept.
"""

from __future__ import annotations

from django.db import transaction

from ..catalog import audit
from ..catalog.models import Dataset
from ..catalog.publishing import create_dataset, write_rows
from ..requests_foi.opendata import to_table
from ..soql.types import Column, Schema, SoQLType
from .code import TEMPLATES, Template
from .compliance import Period, parse_period, refresh_compliance
from .models import Publication, TemplateDataset
from .validation import Report, apply_redactions, validate


class NotPublished(Exception):
    """``reason`` is ``invalid`` (see report.errors) or ``personal-data`` (a decision is needed)."""

    def __init__(self, reason: str, message: str, report: Report | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.report = report


def template_schema(t: Template) -> Schema:
    return Schema(
        (
            Column("period", SoQLType.TEXT, "Period"),
            Column("period_start", SoQLType.FLOATING_TIMESTAMP, "Period start"),
            Column("row_key", SoQLType.TEXT, "Row key"),
            *(Column(f.name, f.soql_type, f.label, f.help) for f in t.fields),
        )
    )


def dataset_for(t: Template, *, user=None, meta: dict | None = None, dataset_id: str | None = None) -> Dataset:
    """The template's dataset, created on first publication (with ``meta`` over the
    template's own title and description, and ``dataset_id`` if given)."""
    link = TemplateDataset.objects.select_related("dataset").filter(template_key=t.key).first()
    if link is not None:
        return link.dataset
    ds = create_dataset(
        {
            "name": t.title,
            "description": t.summary + " Published under the Local Government Transparency Code 2015.",
            "category": t.category,
            "tags": ["transparency code", t.key.replace("-", " ")],
            "update_frequency": t.frequency,
            **(meta or {}),
        },
        template_schema(t),
        row_identifier="row_key",
        dataset_id=dataset_id,
        user=user,
        actor="transparency",
    )
    TemplateDataset.objects.create(template_key=t.key, dataset=ds)
    return ds


def get_template(key: str) -> Template:
    try:
        return TEMPLATES[key]
    except KeyError:
        raise NotPublished("invalid", f"There is no Transparency Code template {key!r}.") from None


def publish(
    template_key: str,
    raw: bytes,
    *,
    period_start: str,
    user=None,
    redact: bool = False,
    confirm_personal: bool = False,
    meta: dict | None = None,
    dataset_id: str | None = None,
) -> tuple[Publication, Report]:
    """Validate ``raw`` against the template and publish it for the period starting
    ``period_start``; ``meta`` and ``dataset_id`` apply when the template's dataset
    is created by this first publication."""
    t = get_template(template_key)
    try:
        period: Period = parse_period(t.frequency, period_start)
    except ValueError as e:
        raise NotPublished("invalid", f"Reporting period: {e}") from None
    report = validate(t, raw)
    if not report.ok:
        raise NotPublished("invalid", f"The file does not meet the template: {report.error_count} problem(s).", report)
    redactions = confirmed = 0
    if report.personal:
        if redact:
            redactions = apply_redactions(report)
        elif confirm_personal:
            confirmed = len(report.personal)
        else:
            raise NotPublished(
                "personal-data",
                f"{len(report.personal)} value(s) may be personal data: redact them, or confirm they are not.",
                report,
            )
    schema = template_schema(t)
    ds = dataset_for(t, user=user, meta=meta, dataset_id=dataset_id)
    prefix = period.label.replace("/", "-").replace(" ", "-")
    rows = [
        {
            **{k: v for k, v in r.items() if not k.startswith("_")},
            "period": period.label,
            "period_start": period.start,
            "row_key": f"{prefix}-{i:06d}",
        }
        for i, r in enumerate(report.rows, start=1)
    ]
    before = Publication.objects.filter(template_key=t.key, period_start=period.start).order_by("-published_at").first()
    stale = [f"{prefix}-{i:06d}" for i in range(len(rows) + 1, (before.rows if before else 0) + 1)]
    write_rows(ds, to_table(schema, rows), schema, mode="upsert", deleted_ids=stale, user=user, actor="transparency")
    with transaction.atomic():
        pub = Publication.objects.create(
            template_key=t.key,
            dataset=ds,
            period_start=period.start,
            period_end=period.end,
            period_label=period.label,
            rows=len(rows),
            redactions=redactions,
            personal_flags_confirmed=confirmed,
            published_by=user if getattr(user, "is_authenticated", False) else None,
            report=report.to_dict(),
        )
        audit.record(
            "transparency.publish",
            f"{t.title} {period.label}: {len(rows)} rows"
            + (f", {redactions} redacted" if redactions else "")
            + (f", {confirmed} personal-data flags confirmed as not personal" if confirmed else ""),
            user=user,
            actor="transparency",
            dataset_id=ds.id,
            template=t.key,
            period=period.label,
        )
    refresh_compliance()
    return pub, report
