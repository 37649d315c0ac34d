"""The seed's headline measure: how much of the planned savings have a
digital-technology-based solution. Pure functions, no Django.

Two readings are computed for every group (year, outcome, service):

* **by value** – planned savings of proposals that need digital enablement
  (any of Camden's six kinds) as a share of all planned savings: the way
  Camden's "85 % of savings have a digital solution" is stated;
* **by count** – the same, counting proposals instead of pounds;
* **dependent value** – the stricter figure: each saving weighted by the share
  of it that depends on digital (a £1m saving 40 % dependent counts £0.4m).

A group with no planned savings has no share (``None``), never 0 % or a
division error. A proposal serving several outcomes has its saving split
equally between them, so outcome totals add up to the council total.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SavingLine:
    """One proposal's planned saving in one year."""

    proposal: Hashable
    year: int
    amount: float
    service: Hashable
    outcomes: tuple[Hashable, ...] = ()
    digital_share: float = 0.0  # 0–1: how much of the saving depends on digital
    kinds: tuple[str, ...] = ()

    @property
    def is_digital(self) -> bool:
        return bool(self.kinds) and self.digital_share > 0


@dataclass
class Share:
    group: Hashable
    total: float = 0.0
    digital_value: float = 0.0  # savings of proposals with a digital solution
    dependent_value: float = 0.0  # Σ amount × share dependent on digital
    proposals: set = field(default_factory=set)
    digital_proposals: set = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.proposals)

    @property
    def digital_count(self) -> int:
        return len(self.digital_proposals)

    @property
    def share_by_value(self) -> float | None:
        return self.digital_value / self.total if self.total > 0 else None

    @property
    def share_dependent(self) -> float | None:
        return self.dependent_value / self.total if self.total > 0 else None

    @property
    def share_by_count(self) -> float | None:
        return self.digital_count / self.count if self.count else None


def _validate(line: SavingLine) -> None:
    if line.amount < 0:
        raise ValueError(f"saving {line.proposal} in {line.year} is negative ({line.amount})")
    if not 0 <= line.digital_share <= 1:
        raise ValueError(f"saving {line.proposal}: digital share {line.digital_share} is not between 0 and 1")


def _add(share: Share, line: SavingLine, fraction: float = 1.0) -> None:
    amount = line.amount * fraction
    share.total += amount
    share.proposals.add(line.proposal)
    if line.is_digital:
        share.digital_value += amount
        share.dependent_value += amount * line.digital_share
        share.digital_proposals.add(line.proposal)


def _group(lines: Iterable[SavingLine], keys: Callable[[SavingLine], list[tuple[Hashable, float]]]) -> dict:
    out: dict[Hashable, Share] = {}
    for line in lines:
        _validate(line)
        for key, fraction in keys(line):
            if key not in out:
                out[key] = Share(key)
            _add(out[key], line, fraction)
    return out


def overall(lines: Iterable[SavingLine]) -> Share:
    return _group(lines, lambda line: [("all", 1.0)]).get("all", Share("all"))


def by_year(lines: Iterable[SavingLine], years: Iterable[int] = ()) -> list[Share]:
    """One Share per year, including ``years`` with no savings (share None)."""
    groups = _group(lines, lambda line: [(line.year, 1.0)])
    for y in years:
        groups.setdefault(y, Share(y))
    return [groups[k] for k in sorted(groups)]


def by_service(lines: Iterable[SavingLine]) -> list[Share]:
    groups = _group(lines, lambda line: [(line.service, 1.0)])
    return sorted(groups.values(), key=lambda s: -s.total)


def by_outcome(lines: Iterable[SavingLine], unassigned: Hashable = None) -> list[Share]:
    def keys(line: SavingLine):
        if not line.outcomes:
            return [(unassigned, 1.0)]
        return [(o, 1.0 / len(line.outcomes)) for o in line.outcomes]

    groups = _group(lines, keys)
    return sorted(groups.values(), key=lambda s: -s.total)


def by_kind(lines: Iterable[SavingLine]) -> list[Share]:
    """Savings needing each kind of enablement (a proposal counts under every kind it needs,
    so these overlap and do not add up to the total)."""
    lines = list(lines)
    groups = _group(lines, lambda line: [(k, 1.0) for k in line.kinds])
    total = sum(line.amount for line in lines)
    everyone = {line.proposal for line in lines}
    for g in groups.values():
        g.total = total  # shares are of all planned savings
        g.proposals = set(everyone)
    return sorted(groups.values(), key=lambda s: -s.digital_value)
