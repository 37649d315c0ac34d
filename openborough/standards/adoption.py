"""Council-level adoption of the standard: pure functions, no Django.

Adoption is read from each service's *latest* assessment against the chosen
standard (as of a date, for the trend): a point counts as adopted by a
service when that assessment found it met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

OUTCOMES = ("met", "partial", "not_met")


@dataclass(frozen=True)
class AssessmentFact:
    key: Hashable
    service: Hashable
    service_area: str
    standard: str
    assessed_on: dt.date
    outcomes: Mapping[int, str]  # point → met | partial | not_met


@dataclass
class PointAdoption:
    point: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*OUTCOMES, "unassessed"), 0))

    @property
    def services(self) -> int:
        return sum(self.counts.values())

    @property
    def share_met(self) -> float | None:
        return self.counts["met"] / self.services if self.services else None


@dataclass
class AreaAdoption:
    area: str
    services: int = 0
    points_met: int = 0
    points_total: int = 0

    @property
    def share_met(self) -> float | None:
        return self.points_met / self.points_total if self.points_total else None


def latest(facts: Iterable[AssessmentFact], standard: str, as_of: dt.date | None = None) -> dict:
    """Each service's latest assessment against ``standard`` on or before ``as_of``."""
    out: dict[Hashable, AssessmentFact] = {}
    for f in facts:
        if f.standard != standard or (as_of is not None and f.assessed_on > as_of):
            continue
        have = out.get(f.service)
        if have is None or (f.assessed_on, str(f.key)) > (have.assessed_on, str(have.key)):
            out[f.service] = f
    return out


def by_point(latest_facts: Mapping[Hashable, AssessmentFact], points: Sequence[int]) -> list[PointAdoption]:
    rows = {p: PointAdoption(p) for p in points}
    for f in latest_facts.values():
        for p in points:
            outcome = f.outcomes.get(p)
            rows[p].counts[outcome if outcome in OUTCOMES else "unassessed"] += 1
    return [rows[p] for p in points]


def by_area(latest_facts: Mapping[Hashable, AssessmentFact], points: Sequence[int]) -> list[AreaAdoption]:
    areas: dict[str, AreaAdoption] = {}
    for f in latest_facts.values():
        a = areas.setdefault(f.service_area, AreaAdoption(f.service_area))
        a.services += 1
        a.points_total += len(points)
        a.points_met += sum(1 for p in points if f.outcomes.get(p) == "met")
    return sorted(areas.values(), key=lambda a: a.area)


def share_met(latest_facts: Mapping[Hashable, AssessmentFact], points: Sequence[int]) -> float | None:
    total = len(latest_facts) * len(points)
    met = sum(1 for f in latest_facts.values() for p in points if f.outcomes.get(p) == "met")
    return met / total if total else None


def quarter_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """Last days of the calendar quarters from ``start``'s to ``end``'s (end itself last)."""
    out = []
    y, q = start.year, (start.month - 1) // 3
    while True:
        m = q * 3 + 3
        last = dt.date(y, m, 31 if m in (3, 12) else 30)
        if last >= end:
            out.append(end)
            return out
        out.append(last)
        q += 1
        if q == 4:
            y, q = y + 1, 0


def trend(facts: Sequence[AssessmentFact], standard: str, points: Sequence[int], dates: Iterable[dt.date]):
    """``(date, services assessed, share of points met)`` at each date."""
    out = []
    for d in dates:
        lf = latest(facts, standard, as_of=d)
        out.append((d, len(lf), share_met(lf, points)))
    return out


@dataclass(frozen=True)
class ServiceDue:
    service: Hashable
    phase: str
    reassess_every_months: int


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def overdue(
    services: Iterable[ServiceDue], last_assessed: Mapping[Hashable, dt.date], today: dt.date
) -> list[tuple[Hashable, dt.date | None, dt.date | None]]:
    """Services in beta or live never assessed, or whose last assessment is older than their interval:
    ``(service, last assessed, date it fell due)``."""
    out = []
    for s in services:
        if s.phase not in ("beta", "live"):
            continue
        last = last_assessed.get(s.service)
        if last is None:
            out.append((s.service, None, None))
            continue
        due = add_months(last, s.reassess_every_months)
        if due < today:
            out.append((s.service, last, due))
    return out
