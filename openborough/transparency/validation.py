"""Checking a CSV file against a Transparency Code template: the columns the
Code requires, each value's form (dates, amounts, yes/no, fixed lists), the
template's checks across rows, and personal data."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rapidfuzz import fuzz, process

from ..requests_foi.foi_import import decode, parse_date
from . import personal
from .code import FieldSpec, Template

MAX_MESSAGES = 200
#: how alike (rapidfuzz ratio, 0–100) a misspelt column name must be to a known one
FUZZY_CUTOFF = 90
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.I)
_YES = {"yes", "y", "true", "1", "t"}
_NO = {"no", "n", "false", "0", "f"}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9%£]+", " ", (text or "").lower()).split())


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


@dataclass
class PersonalFlag:
    line: int
    field: str
    value: str
    kind: str
    suggestion: str


@dataclass
class Report:
    template: Template
    columns: dict[str, str] = field(default_factory=dict)
    missing_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    personal: list[PersonalFlag] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def personal_summary(self) -> list[dict]:
        """The flags grouped by (field, value, kind): what to show a publisher."""
        groups: dict[tuple, dict] = {}
        for f in self.personal:
            g = groups.setdefault(
                (f.field, f.value, f.kind),
                {"field": f.field, "value": f.value, "kind": f.kind, "suggestion": f.suggestion, "lines": []},
            )
            g["lines"].append(f.line)
        return list(groups.values())

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(message)

    def to_dict(self) -> dict:
        return {
            "template": self.template.key,
            "rows": len(self.rows),
            "columns": self.columns,
            "missing_columns": self.missing_columns,
            "ignored_columns": self.ignored_columns,
            "errors": self.errors,
            "error_count": self.error_count,
            "warnings": self.warnings,
            "personal": [f.__dict__ for f in self.personal[:MAX_MESSAGES]],
            "personal_count": len(self.personal),
        }


def match_columns(template: Template, headers: list[str]) -> dict[str, str]:
    """Template field → the file's column: by name, label or a known alias (case,
    spaces and punctuation ignored), then by a near spelling ("Organisatonal Unit",
    "Expenditure Catergory") at least FUZZY_CUTOFF alike."""
    by_norm = {}
    for h in headers:
        if h is not None:
            by_norm.setdefault(_norm(h), h)
            by_norm.setdefault(_key(h), h)
    out: dict[str, str] = {}
    used: set[str] = set()
    for f in template.fields:
        for alias in (f.name.replace("_", " "), f.label, *f.aliases):
            h = by_norm.get(_norm(alias)) or by_norm.get(_key(alias))
            if h is not None and h not in used:
                out[f.name] = h
                used.add(h)
                break
    for f in template.fields:
        if f.name in out:
            continue
        free = {_norm(h): h for h in headers if h is not None and h not in used}
        best = None
        for alias in (f.name.replace("_", " "), f.label, *f.aliases):
            hit = process.extractOne(_norm(alias), list(free), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if hit and (best is None or hit[1] > best[1]):
                best = hit
        if best:
            out[f.name] = free[best[0]]
            used.add(free[best[0]])
    return out


def _amount(text: str) -> float:
    t = text.replace("£", "").replace(",", "").replace(" ", "")
    negative = t.startswith("(") and t.endswith(")")
    t = t.strip("()")
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    return float(-value if negative else value)


def parse_value(f: FieldSpec, text: str):
    """The value a cell holds for field ``f`` (None when blank); ValueError says what is wrong."""
    text = (text or "").strip()
    if text == "":
        return None
    if f.kind in ("money", "number"):
        value = _amount(text if f.kind == "money" else text.replace("%", ""))
        return value
    if f.kind == "date":
        try:
            return parse_date(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a date (use dd/mm/yyyy or yyyy-mm-dd)") from None
    if f.kind == "yesno":
        low = text.lower()
        if low in _YES:
            return True
        if low in _NO:
            return False
        raise ValueError(f"{text!r} is not yes or no")
    if f.kind == "choice":
        for choice in f.choices:
            if _key(choice) == _key(text):
                return choice
        raise ValueError(f"{text!r} is not one of: {', '.join(f.choices)}")
    if f.name == "postcode" and not _POSTCODE.match(text):
        raise ValueError(f"{text!r} is not a UK postcode")
    if f.name == "uprn" and not (text.isdigit() and len(text) <= 12):
        raise ValueError(f"{text!r} is not a UPRN (up to 12 digits)")
    return text


def validate(template: Template, raw: bytes) -> Report:
    report = Report(template)
    try:
        text = decode(raw)
    except ValueError as e:
        report.error(str(e))
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h for h in (reader.fieldnames or [])]
    report.columns = match_columns(template, headers)
    report.missing_columns = [f.label for f in template.fields if f.column_required and f.name not in report.columns]
    report.ignored_columns = [h for h in headers if h and h not in report.columns.values()]
    if report.missing_columns:
        report.error(
            f"The file has no column for: {', '.join(report.missing_columns)}. "
            f"Columns found: {', '.join(h for h in headers if h) or 'none'}."
        )
        return report
    if report.ignored_columns:
        report.warnings.append(f"Columns not in the template are not published: {', '.join(report.ignored_columns)}.")
    for line, raw_row in enumerate(reader, start=2):
        if None in raw_row:
            report.error(f"line {line}: more values than columns")
            continue
        if not any((v or "").strip() for v in raw_row.values()):
            continue  # blank line
        row: dict = {}
        for f in template.fields:
            col = report.columns.get(f.name)
            cell = (raw_row.get(col) or "") if col else ""
            try:
                value = parse_value(f, cell)
            except ValueError as e:
                report.error(f"line {line}: {f.label}: {e}")
                value = None
            else:
                if value is None and f.required:
                    report.error(f"line {line}: {f.label} is empty")
            row[f.name] = value
            if isinstance(value, str):
                for kind, suggestion in personal.find(value, may_name_person=f.may_name_person):
                    report.personal.append(PersonalFlag(line, f.name, value, kind, suggestion))
        row["_line"] = line
        report.rows.append(row)
    if not report.rows:
        report.error("The file has no rows of data.")
        return report
    for check in template.checks:
        for level, message in check(report.rows):
            if level == "error":
                report.error(message)
            elif level == "personal":
                m = re.match(r"row (\d+): ", message)
                idx = int(m.group(1)) - 1 if m else 0
                r = report.rows[idx]
                report.personal.append(PersonalFlag(r["_line"], "name", r.get("name") or "", message, ""))
            else:
                report.warnings.append(message)
    return report


def apply_redactions(report: Report) -> int:
    """Replace every flagged value with its suggestion; returns how many cells changed."""
    by_line = {r["_line"]: r for r in report.rows}
    changed = 0
    for flag in report.personal:
        row = by_line.get(flag.line)
        if row is not None and row.get(flag.field) != flag.suggestion:
            row[flag.field] = flag.suggestion or None
            changed += 1
    return changed
