"""Importing an FOI log or a published FOI disclosure log from CSV.

Column names are matched loosely (``Reference``/``FOI ref``/``Case reference``,
``Date received``/``Request date``, ``Subject``/``Title``, ``Department``, …),
outcomes from the words councils use ("Information provided", "Refused –
s.40", "Section 21", "Not held", …). Every row is checked first; if any row
is wrong nothing is imported and each problem is listed with its line number.
References already in the log are updated, new ones added.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from ..catalog import audit
from ..catalog.models import Dataset, Exemption
from .models import FOIRequest, Outcome

HEADERS = {
    "reference": (
        "reference",
        "ref",
        "foi reference",
        "foi ref",
        "request reference",
        "case reference",
        "case ref",
        "request id",
        "foi number",
        "id",
        "reference number",
    ),
    "received": (
        "date received",
        "received",
        "received date",
        "date of request",
        "request date",
        "date requested",
        "date",
    ),
    "topic": ("topic", "subject", "title", "request title", "summary", "request summary"),
    "text": ("request", "request text", "details", "description", "question", "request details"),
    "service": ("service", "department", "directorate", "service area", "team"),
    "outcome": ("outcome", "result", "decision", "response", "status", "response type"),
    "answered": (
        "date answered",
        "answered",
        "date responded",
        "response date",
        "date of response",
        "date closed",
        "closed date",
        "responded",
    ),
    "dataset": ("dataset", "dataset id", "dataset_id", "open data", "published dataset"),
    "exemption": ("exemption", "exemptions", "exemption applied", "exemptions applied", "section"),
}
REQUIRED = ("reference", "received", "topic")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d")
MAX_ERRORS = 200
_SECTION = re.compile(r"\b(?:s|sec|section)\.?\s*(\d{1,2})\b", re.I)
_DATASET_ID = re.compile(r"\b([a-z0-9]{4}-[a-z0-9]{4})\b")


def _norm(h: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", (h or "").lower()).split())


def match_headers(headers: list[str]) -> dict[str, str]:
    """Our field → the file's column."""
    normed = {_norm(h): h for h in headers if h is not None}
    out = {}
    for key, aliases in HEADERS.items():
        for alias in aliases:
            if _norm(alias) in normed:
                out[key] = normed[_norm(alias)]
                break
    return out


def parse_date(value: str) -> dt.date:
    value = value.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (use dd/mm/yyyy or yyyy-mm-dd)")


def parse_outcome(value: str, exemption_text: str, has_dataset: bool) -> tuple[str, str]:
    """(outcome, exemption) from a log's words; ValueError when unknown."""
    text = (value or "").strip().lower()
    sections = [f"s{m}" for m in _SECTION.findall(f"{value} {exemption_text}")]
    exemption = next((s for s in sections if s in Exemption.values and s != "s21"), "")
    if not text or text in ("open", "pending", "in progress", "ongoing", "received"):
        return Outcome.OPEN, ""
    if text in Outcome.values:
        return text, exemption
    if "s12" in sections or "cost" in text:
        return Outcome.COST_LIMIT, ""
    if "s21" in sections or "published" in text or "accessible" in text or "website" in text:
        return (Outcome.PUBLISHED_S21 if has_dataset else Outcome.S21_ELSEWHERE), ""
    if "not held" in text or "no information held" in text or "not hold" in text:
        return Outcome.NOT_HELD, ""
    if "withdrawn" in text or "cancelled" in text or "abandoned" in text:
        return Outcome.WITHDRAWN, ""
    if "part" in text:
        return Outcome.PARTIAL, exemption
    if "refus" in text or "exempt" in text or "withheld" in text:
        return Outcome.REFUSED, exemption
    if any(w in text for w in ("granted", "provided", "released", "disclosed", "answered", "full", "supplied")):
        return Outcome.GRANTED, ""
    raise ValueError(
        f"outcome {value!r} is not recognised: use e.g. information provided, partly provided, refused (with the "
        "section), section 21 / published, not held, cost limit, withdrawn, open"
    )


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    #: references answered under s.21 that name no dataset yet: link them by hand
    unlinked_s21: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing_columns


def decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError("the file is not text (UTF-8 or Windows-1252)")


def import_csv(raw: bytes, *, user=None, dry_run: bool = False) -> ImportReport:
    report = ImportReport()
    try:
        text = decode(raw)
    except ValueError as e:
        report.errors.append(str(e))
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = reader.fieldnames or []
    report.columns = match_headers(headers)
    report.missing_columns = [k for k in REQUIRED if k not in report.columns]
    report.ignored_columns = [h for h in headers if h not in report.columns.values()]
    if report.missing_columns:
        report.errors.append(
            "the file has no column for "
            + ", ".join(report.missing_columns)
            + f" (columns found: {', '.join(h for h in headers if h) or 'none'})"
        )
        return report
    col = report.columns
    known_datasets = set()
    seen: dict[str, int] = {}
    parsed: list[dict] = []
    for line, row in enumerate(reader, start=2):
        report.rows += 1
        if None in row:
            report.errors.append(f"line {line}: more values than columns")
            continue

        def get(key, row=row):
            return (row.get(col[key]) or "").strip() if key in col else ""

        problems = []
        ref = get("reference")
        if not ref:
            problems.append("no reference")
        elif ref in seen:
            problems.append(f"reference {ref} is also on line {seen[ref]}")
        else:
            seen[ref] = line
        values = {
            "reference": ref[:60],
            "topic": get("topic")[:300],
            "text": get("text"),
            "service": get("service")[:120],
        }
        if not values["topic"]:
            problems.append("no topic")
        try:
            values["received"] = parse_date(get("received"))
        except ValueError as e:
            problems.append(f"date received: {e}")
        answered = get("answered")
        values["answered"] = None
        if answered:
            try:
                values["answered"] = parse_date(answered)
            except ValueError as e:
                problems.append(f"date answered: {e}")
        ds_text = get("dataset")
        ds_id = ""
        if ds_text:
            m = _DATASET_ID.search(ds_text.lower())
            if not m:
                problems.append(f"dataset {ds_text!r} is not a dataset id like abcd-1234")
            else:
                ds_id = m.group(1)
                if ds_id not in known_datasets and not Dataset.objects.filter(pk=ds_id).exists():
                    problems.append(f"there is no dataset {ds_id}")
                known_datasets.add(ds_id)
        try:
            values["outcome"], values["exemption"] = parse_outcome(get("outcome"), get("exemption"), bool(ds_id))
        except ValueError as e:
            problems.append(str(e))
        values["dataset_id"] = ds_id or None
        if not problems:
            obj = FOIRequest(**values)
            try:
                obj.full_clean(exclude=["reference", "created_by"], validate_unique=False)
            except ValidationError as e:
                problems.extend(m for msgs in e.message_dict.values() for m in msgs)
        if problems:
            if len(report.errors) < MAX_ERRORS:
                report.errors.append(f"line {line} ({ref or 'no reference'}): " + "; ".join(problems))
            continue
        parsed.append(values)
    if report.rows == 0:
        report.errors.append("the file has a header but no rows")
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        existing = set(
            FOIRequest.objects.filter(reference__in=[v["reference"] for v in parsed]).values_list(
                "reference", flat=True
            )
        )
        for values in parsed:
            ref = values.pop("reference")
            _, created = FOIRequest.objects.update_or_create(
                reference=ref, defaults={**values, **({"created_by": user} if ref not in existing else {})}
            )
            report.created += created
            report.updated += not created
            if values["outcome"] == Outcome.S21_ELSEWHERE:
                report.unlinked_s21.append(ref)
        audit.record(
            "foi.import",
            f"FOI log import: {report.created} added, {report.updated} updated",
            user=user,
            created=report.created,
            updated=report.updated,
        )
    return report
