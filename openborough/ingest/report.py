"""The validation report: what the pipeline found in a file, for the publisher."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as _field

MAX_EXAMPLES = 5


@dataclass
class Finding:
    """Cells or rows with one kind of problem. ``rows`` are 1-based data row
    numbers (the header is not counted), first few only; ``count`` is all of them."""

    kind: str  # bad-value, long-row, short-row, duplicate-row-id, null-row-id, near-miss
    message: str
    count: int
    field: str | None = None
    rows: list[int] = _field(default_factory=list)
    examples: list[str] = _field(default_factory=list)


@dataclass
class ValidationReport:
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    on_bad: str = "reject"
    row_count: int = 0
    columns: list[dict] = _field(default_factory=list)  # field_name, name, type, inferred, header
    problems: list[Finding] = _field(default_factory=list)  # bad data: rejected, or nulled under on_bad="null"
    hints: list[Finding] = _field(default_factory=list)  # near misses: kept as text
    warnings: list[str] = _field(default_factory=list)
    coerced: dict[str, int] = _field(default_factory=dict)  # field -> cells made null (on_bad="null")

    @property
    def errors(self) -> bool:
        """True when the data had problems (rejected, or coerced to nulls under on_bad="null")."""
        return bool(self.problems)

    @property
    def coerced_total(self) -> int:
        return sum(self.coerced.values())

    def to_dict(self) -> dict:
        d = asdict(self)
        d["errors"] = self.errors
        d["coerced_total"] = self.coerced_total
        return d

    def summary_text(self) -> str:
        lines = [
            f"{self.row_count:,} rows, {len(self.columns)} columns ({self.format}"
            + (f", {self.encoding}" if self.encoding else "")
            + ")"
        ]
        for f in self.problems:
            where = f" rows {_rows(f.rows, f.count)}" if f.rows else ""
            ex = f" e.g. {', '.join(repr(e) for e in f.examples[:3])}" if f.examples else ""
            lines.append(f"problem: {f.message}{where}{ex}")
        if self.coerced:
            lines.append(
                f"{self.coerced_total:,} bad cells were stored as nulls: "
                + ", ".join(f"{k} {v:,}" for k, v in self.coerced.items())
            )
        for f in self.hints:
            lines.append(f"hint: {f.message}")
        for w in self.warnings:
            lines.append(f"note: {w}")
        return "\n".join(lines)


def _rows(rows: list[int], count: int) -> str:
    text = ", ".join(str(r) for r in rows)
    return text + (f" … ({count:,} in all)" if count > len(rows) else "")
