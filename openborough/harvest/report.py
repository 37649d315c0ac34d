"""The harvest's final report: one line per dataset, totals, as text and JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: what happened to a dataset (dry runs say what would)
ACTIONS = ("created", "updated", "metadata", "unchanged", "skipped", "failed", "gone")
WOULD = {"created": "would create", "updated": "would update", "metadata": "would update metadata of"}


@dataclass
class Line:
    source_id: str
    title: str
    action: str
    dataset_id: str = ""
    rows: int | None = None
    reason: str = ""
    private: bool = False


@dataclass
class HarvestReport:
    source: str
    kind: str = ""
    dry_run: bool = False
    lines: list[Line] = field(default_factory=list)
    #: problems with the source as a whole (its listing broke off …)
    errors: list[str] = field(default_factory=list)

    def add(self, line: Line) -> Line:
        self.lines.append(line)
        return line

    def counts(self) -> dict[str, int]:
        out = {a: 0 for a in ACTIONS}
        for line in self.lines:
            out[line.action] += 1
        return out

    @property
    def rows(self) -> int:
        return sum(line.rows or 0 for line in self.lines if line.action in ("created", "updated"))

    @property
    def ok(self) -> bool:
        return not self.errors and not any(line.action == "failed" for line in self.lines)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "totals": {"datasets": len(self.lines), "rows": self.rows, **self.counts()},
            "errors": list(self.errors),
            "datasets": [asdict(line) for line in self.lines],
        }

    def line_text(self, line: Line) -> str:
        verb = WOULD.get(line.action, line.action) if self.dry_run else line.action
        who = f"{line.dataset_id} " if line.dataset_id else ""
        rows = f", {line.rows:,} rows" if line.rows is not None and line.action in ("created", "updated") else ""
        private = " [private: to review]" if line.private else ""
        why = f": {line.reason}" if line.reason else ""
        src = f" (source {line.source_id})" if line.source_id != line.dataset_id else ""
        return f"{verb:>12}  {who}{line.title!r}{src}{rows}{private}{why}"

    def to_text(self) -> str:
        head = f"Harvest {'plan' if self.dry_run else 'report'} for {self.source} ({self.kind or 'unknown kind'})"
        out = [head, ""]
        out += [self.line_text(line) for line in self.lines]
        if self.errors:
            out += [""] + [f"error: {e}" for e in self.errors]
        c = self.counts()
        out += [
            "",
            f"{len(self.lines)} datasets: {c['created']} created, {c['updated']} updated, "
            f"{c['metadata']} metadata only, {c['unchanged']} unchanged, {c['skipped']} skipped, "
            f"{c['failed']} failed"
            + (f", {c['gone']} no longer at the source" if c["gone"] else "")
            + f"; {self.rows:,} rows written"
            + (" (dry run: nothing was changed)" if self.dry_run else ""),
        ]
        return "\n".join(out) + "\n"
