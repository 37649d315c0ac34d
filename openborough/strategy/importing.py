"""Importing budget allocations and savings proposals from CSV or XLSX.

Every row is checked first; if any row is wrong nothing is imported and
every problem is reported with its row number (the header is row 1) and
column. Nothing is dropped silently: blank rows are the only rows skipped.

Budget file columns: ``outcome, year, amount``.
Savings file columns (one row per proposal and year): ``ref, title, type,
service, year, amount`` required; ``outcomes, rag, achieved_to_date,
digital_kinds, digital_share_pct, initiatives, description,
digital_dependency`` optional. Lists are separated by ``;``. A proposal's
years in the file replace the years it had.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from .models import (
    BudgetAllocation,
    DigitalKind,
    Initiative,
    Outcome,
    Rag,
    SavingsProposal,
    SavingsYear,
    SavingType,
    Service,
)

MAX_ROWS = 20_000


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, too big)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return f"row {self.row}" + (f", {self.column}" if self.column else "") + f": {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


ALIASES = {
    "digital_share": "digital_share_pct",
    "digital_share_percent": "digital_share_pct",
    "financial_year": "year",
    "saving_type": "type",
    "owning_service": "service",
    "delivery_status": "rag",
    "achieved": "achieved_to_date",
    "reference": "ref",
}


def _norm_header(h) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", str(h or "").strip().lower()).strip("_")
    return ALIASES.get(key, key)


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """``(row number, {column: text})`` for each non-blank data row."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _csv_rows(data)
    else:
        raise ImportFileError("upload a .csv or .xlsx file")
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError("the file is empty") from None
    cols = [_norm_header(h) for h in header]
    if not any(cols):
        raise ImportFileError("the first row must name the columns")
    dupes = {c for c in cols if c and cols.count(c) > 1}
    if dupes:
        raise ImportFileError(f"column(s) named twice: {', '.join(sorted(dupes))}")
    out = []
    for n, values in enumerate(rows, start=2):
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        if len(out) >= MAX_ROWS:
            raise ImportFileError(f"more than {MAX_ROWS} rows; split the file")
        extra = [v for v in cells[len(cols) :] if v]
        row = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(cols) if c}
        if extra:
            row["__extra__"] = "; ".join(extra)
        out.append((n, row))
    return out


def _csv_rows(data: bytes):
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise ImportFileError("the CSV file is not UTF-8 or Windows-1252 text")
    return iter(csv.reader(io.StringIO(text, newline="")))


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"not a readable .xlsx workbook ({e.__class__.__name__})") from None
    ws = wb.worksheets[0]

    def cell(v):
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return v

    return ([cell(v) for v in r] for r in ws.iter_rows(values_only=True))


# --- value parsers (raise ValueError with a message for people) ----------------


def parse_year(text: str) -> int:
    m = re.fullmatch(r"(?:FY\s*)?(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?", text.strip(), re.IGNORECASE)
    if not m:
        raise ValueError(f"{text!r} is not a financial year (write 2025/26 or 2025)")
    start = int(m.group(1))
    if m.group(2):
        end = int(m.group(2))
        if end != ((start + 1) % 100 if len(m.group(2)) == 2 else start + 1):
            raise ValueError(f"{text!r}: the second year must follow the first")
    if not 2000 <= start <= 2100:
        raise ValueError(f"{text!r} is not a year between 2000 and 2100")
    return start


def parse_money(text: str) -> Decimal:
    t = text.strip().replace("£", "").replace(",", "").replace(" ", "")
    if not t:
        raise ValueError("an amount is needed")
    neg = t.startswith("(") and t.endswith(")")
    try:
        value = Decimal(t.strip("()"))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount of money") from None
    if neg or value < 0:
        raise ValueError(f"{text!r} is negative; savings and allocations are positive amounts")
    if not value.is_finite() or value >= Decimal("1e12"):
        raise ValueError(f"{text!r} is too large")
    return value.quantize(Decimal("0.01"))


def parse_pct(text: str) -> Decimal:
    t = text.strip().rstrip("%").strip()
    if not t:
        return Decimal(0)
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a percentage") from None
    if not 0 <= value <= 100:
        raise ValueError(f"{text!r} must be between 0 and 100")
    return value


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def _choice(text: str, choices, what: str) -> str:
    t = text.strip().lower()
    for value, label in choices.choices:
        if t in (value, label.lower()):
            return value
    raise ValueError(f"{text!r} is not a {what}; use one of {', '.join(choices.values)}")


def _lookup(model, field_name: str):
    return {str(getattr(o, field_name)).strip().lower(): o for o in model.objects.all()}


def _require(row: dict, cols: list[str], n: int, errors: list[RowError]) -> bool:
    ok = True
    for c in cols:
        if not row.get(c, "").strip():
            errors.append(RowError(n, c, "this column is required"))
            ok = False
    if row.get("__extra__"):
        errors.append(RowError(n, "", f"values beyond the named columns: {row['__extra__'][:100]}"))
        ok = False
    return ok


def _check_columns(rows, required, known) -> list[RowError]:
    if not rows:
        return [RowError(1, "", "no data rows")]
    have = set(rows[0][1]) - {"__extra__"}
    errors = [RowError(1, c, "column missing from the header") for c in required if c not in have]
    errors += [
        RowError(1, c, f"unknown column (expected some of: {', '.join(known)})") for c in sorted(have - set(known))
    ]
    return errors


# --- budget ------------------------------------------------------------------------

BUDGET_COLUMNS = ["outcome", "year", "amount"]


def import_budget(rows: list[tuple[int, dict[str, str]]]) -> ImportResult:
    result = ImportResult(errors=_check_columns(rows, BUDGET_COLUMNS, BUDGET_COLUMNS))
    if result.errors:
        return result
    outcomes = _lookup(Outcome, "name")
    parsed, seen = [], {}
    for n, row in rows:
        if not _require(row, ["outcome", "year", "amount"], n, result.errors):
            continue
        outcome = outcomes.get(row["outcome"].lower())
        if outcome is None:
            result.errors.append(RowError(n, "outcome", f"no outcome named {row['outcome']!r}"))
        try:
            year = parse_year(row["year"])
        except ValueError as e:
            result.errors.append(RowError(n, "year", str(e)))
            year = None
        try:
            amount = parse_money(row["amount"])
        except ValueError as e:
            result.errors.append(RowError(n, "amount", str(e)))
            amount = None
        if outcome is None or year is None or amount is None:
            continue
        if (outcome.pk, year) in seen:
            result.errors.append(RowError(n, "", f"same outcome and year as row {seen[(outcome.pk, year)]}"))
            continue
        seen[(outcome.pk, year)] = n
        parsed.append((outcome, year, amount))
    if result.errors:
        return result
    with transaction.atomic():
        for outcome, year, amount in parsed:
            _, created = BudgetAllocation.objects.update_or_create(
                outcome=outcome, year=year, defaults={"amount": amount}
            )
            result.created += created
            result.updated += not created
    return result


# --- savings -----------------------------------------------------------------------

SAVINGS_REQUIRED = ["ref", "title", "type", "service", "year", "amount"]
PROPOSAL_COLUMNS = [
    "title",
    "type",
    "service",
    "outcomes",
    "rag",
    "achieved_to_date",
    "digital_kinds",
    "digital_share_pct",
    "initiatives",
    "description",
    "digital_dependency",
]


def _proposal_fields(n, row, lookups, errors) -> dict | None:
    services, outcomes, initiatives = lookups
    before = len(errors)
    f: dict = {
        "title": row["title"][:200],
        "description": row.get("description", ""),
        "digital_dependency": row.get("digital_dependency", ""),
    }
    for col, fn in (
        ("type", lambda v: _choice(v, SavingType, "saving type")),
        ("rag", lambda v: _choice(v, Rag, "delivery status") if v else Rag.AMBER),
        ("achieved_to_date", lambda v: parse_money(v) if v else Decimal(0)),
        ("digital_share_pct", parse_pct),
    ):
        try:
            f[col] = fn(row.get(col, ""))
        except ValueError as e:
            errors.append(RowError(n, col, str(e)))
    f["service"] = services.get(row["service"].lower())
    if f["service"] is None:
        errors.append(RowError(n, "service", f"no service named {row['service']!r}"))
    kinds = []
    for k in _split(row.get("digital_kinds", "")):
        try:
            kinds.append(_choice(k, DigitalKind, "kind of digital enablement"))
        except ValueError as e:
            errors.append(RowError(n, "digital_kinds", str(e)))
    f["digital_kinds"] = sorted(set(kinds))
    if "digital_share_pct" in f:
        if kinds and not f["digital_share_pct"]:
            errors.append(RowError(n, "digital_share_pct", "say how much of the saving depends on digital"))
        if f["digital_share_pct"] and not kinds and not any(e.column == "digital_kinds" for e in errors[before:]):
            errors.append(RowError(n, "digital_kinds", "say which kind of digital enablement it needs"))
    for col, table, label in (("outcomes", outcomes, "outcome"), ("initiatives", initiatives, "initiative")):
        found = []
        for name in _split(row.get(col, "")):
            obj = table.get(name.lower())
            if obj is None:
                errors.append(RowError(n, col, f"no {label} {name!r}"))
            else:
                found.append(obj)
        f[col] = found
    return f if len(errors) == before else None


def import_savings(rows: list[tuple[int, dict[str, str]]], *, allowed_services=None) -> ImportResult:
    """``allowed_services``: pks of the services the importer may change (None: any)."""
    result = ImportResult(errors=_check_columns(rows, SAVINGS_REQUIRED, SAVINGS_REQUIRED + PROPOSAL_COLUMNS[3:]))
    if result.errors:
        return result
    lookups = (_lookup(Service, "name"), _lookup(Outcome, "name"), _lookup(Initiative, "ref"))
    proposals: dict[str, dict] = {}  # ref → {"fields", "row", "raw", "years": {year: (amount, row)}}
    for n, row in rows:
        if not _require(row, SAVINGS_REQUIRED, n, result.errors):
            continue
        ref = row["ref"][:20]
        try:
            year = parse_year(row["year"])
        except ValueError as e:
            result.errors.append(RowError(n, "year", str(e)))
            year = None
        try:
            amount = parse_money(row["amount"])
        except ValueError as e:
            result.errors.append(RowError(n, "amount", str(e)))
            amount = None
        entry = proposals.get(ref)
        if entry is None:
            fields_ = _proposal_fields(n, row, lookups, result.errors)
            entry = proposals[ref] = {"fields": fields_, "row": n, "raw": row, "years": {}}
            if allowed_services is not None and fields_ is not None:
                existing = SavingsProposal.objects.filter(ref=ref).values_list("owning_service_id", flat=True).first()
                for sid in {fields_["service"].pk, existing} - {None}:
                    if sid not in allowed_services:
                        result.errors.append(
                            RowError(n, "service", f"you may only import your own service's savings ({ref})")
                        )
        else:
            for col in PROPOSAL_COLUMNS:
                if row.get(col, "") and row.get(col, "") != entry["raw"].get(col, ""):
                    result.errors.append(RowError(n, col, f"differs from row {entry['row']} for the same ref {ref!r}"))
        if year is not None and amount is not None:
            if year in entry["years"]:
                result.errors.append(
                    RowError(n, "year", f"{ref} {year} already given in row {entry['years'][year][1]}")
                )
            else:
                entry["years"][year] = (amount, n)
    if result.errors:
        return result
    with transaction.atomic():
        for ref, entry in proposals.items():
            f = entry["fields"]
            obj, created = SavingsProposal.objects.update_or_create(
                ref=ref,
                defaults={
                    "title": f["title"],
                    "description": f["description"],
                    "saving_type": f["type"],
                    "owning_service": f["service"],
                    "rag": f["rag"],
                    "achieved_to_date": f["achieved_to_date"],
                    "digital_kinds": f["digital_kinds"],
                    "digital_share_pct": f["digital_share_pct"],
                    "digital_dependency": f["digital_dependency"],
                },
            )
            obj.outcomes.set(f["outcomes"])
            obj.initiatives.set(f["initiatives"])
            obj.years.all().delete()
            SavingsYear.objects.bulk_create(
                SavingsYear(proposal=obj, year=y, amount=a) for y, (a, _) in sorted(entry["years"].items())
            )
            obj.save()  # one more save so listeners see the final years
            result.created += created
            result.updated += not created
    return result
