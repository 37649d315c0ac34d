"""Ranking initiatives by weighted criteria scores: pure functions, no Django.

How a weighted score is made (shown to users by ``explain``):

1. Each assessor's score is put on 0–1 using the scale it was given on
   (``(value - min) / (max - min)``), so rescaling a criterion after scoring
   keeps old scores meaning what the assessor meant; such scores are flagged.
2. Per criterion, the assessors' normalised scores are averaged.
3. The weighted score is ``100 × Σ wᵢ·sᵢ / Σ wᵢ`` over every criterion with a
   weight. A criterion nobody scored counts as 0 (``missing="zero"``, the
   default: an unscored initiative cannot win by omission) or is left out of
   both sums (``missing="skip"``); either way it is listed as missing.
4. Ranks are competition ranks (1, 2, 2, 4): equal scores share a rank;
   within a tie initiatives are listed by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: scores closer than this are a tie (floating-point noise, not a difference)
TIE_TOLERANCE = 1e-9
MISSING_POLICIES = ("zero", "skip")


class RankingError(ValueError):
    """Inputs that cannot be ranked; the message says why."""


@dataclass(frozen=True)
class CriterionSpec:
    key: int | str
    name: str
    weight: float
    scale_min: int
    scale_max: int


@dataclass(frozen=True)
class ScoreInput:
    initiative: int | str
    criterion: int | str
    value: float
    scale_min: int
    scale_max: int
    assessor: str = ""
    rationale: str = ""


@dataclass
class Component:
    """How one criterion contributed to an initiative's score."""

    criterion: int | str
    name: str
    weight: float
    share_of_weight: float  # weight / total weight considered
    mean_normalised: float | None  # 0–1, None when nobody scored it
    contribution: float  # points out of 100
    scores: list[ScoreInput] = field(default_factory=list)
    rescaled: bool = False  # some scores were given on an older scale

    @property
    def missing(self) -> bool:
        return self.mean_normalised is None


@dataclass
class Ranked:
    key: int | str
    name: str
    score: float  # 0–100
    rank: int
    components: list[Component]
    coverage: float  # share of the total weight that was scored (0–1)

    @property
    def missing(self) -> list[str]:
        return [c.name for c in self.components if c.missing]

    @property
    def complete(self) -> bool:
        return not self.missing


def check_weights(criteria: Sequence[CriterionSpec]) -> None:
    if not criteria:
        raise RankingError("there are no prioritisation criteria yet")
    for c in criteria:
        if c.weight < 0:
            raise RankingError(f"the weight of {c.name!r} is negative ({c.weight}); weights must be zero or more")
        if c.scale_max <= c.scale_min:
            raise RankingError(f"{c.name!r} has an empty scale ({c.scale_min} to {c.scale_max})")
    if sum(c.weight for c in criteria) <= 0:
        raise RankingError("at least one criterion needs a weight above zero")


def reweighted(criteria: Sequence[CriterionSpec], weights: Mapping[int | str, float]) -> list[CriterionSpec]:
    """The criteria with some weights replaced (unknown keys are an error)."""
    known = {c.key for c in criteria}
    unknown = [k for k in weights if k not in known]
    if unknown:
        raise RankingError(f"no criterion {', '.join(map(str, unknown))}")
    return [
        CriterionSpec(c.key, c.name, float(weights.get(c.key, c.weight)), c.scale_min, c.scale_max) for c in criteria
    ]


def _normalise(s: ScoreInput) -> float:
    if s.scale_max <= s.scale_min:
        raise RankingError(f"score of {s.initiative} on {s.criterion} has an empty scale")
    if not s.scale_min <= s.value <= s.scale_max:
        raise RankingError(
            f"score {s.value} of {s.initiative} on {s.criterion} is outside its scale {s.scale_min}–{s.scale_max}"
        )
    return (s.value - s.scale_min) / (s.scale_max - s.scale_min)


def rank(
    initiatives: Iterable[tuple[int | str, str]],
    criteria: Sequence[CriterionSpec],
    scores: Iterable[ScoreInput],
    *,
    missing: str = "zero",
) -> list[Ranked]:
    """Initiatives ``(key, name)`` ranked best first, each with its explanation."""
    if missing not in MISSING_POLICIES:
        raise RankingError(f"missing must be one of {', '.join(MISSING_POLICIES)}")
    check_weights(criteria)
    crit = {c.key: c for c in criteria}
    by_pair: dict[tuple, list[ScoreInput]] = defaultdict(list)
    for s in scores:
        if s.criterion in crit:  # scores on a deleted criterion are ignored
            by_pair[(s.initiative, s.criterion)].append(s)
    total_weight = sum(c.weight for c in criteria)
    results: list[Ranked] = []
    for key, name in initiatives:
        comps = []
        for c in criteria:
            ss = by_pair.get((key, c.key), [])
            mean = sum(_normalise(s) for s in ss) / len(ss) if ss else None
            rescaled = any((s.scale_min, s.scale_max) != (c.scale_min, c.scale_max) for s in ss)
            comps.append(Component(c.key, c.name, c.weight, 0.0, mean, 0.0, ss, rescaled))
        scored_weight = sum(c.weight for c in comps if not c.missing)
        denominator = total_weight if missing == "zero" else scored_weight
        for comp in comps:
            comp.share_of_weight = comp.weight / denominator if denominator else 0.0
            if not comp.missing and denominator:
                comp.contribution = 100.0 * comp.weight * comp.mean_normalised / denominator
        score = sum(comp.contribution for comp in comps)
        results.append(Ranked(key, name, score, 0, comps, scored_weight / total_weight))
    results.sort(key=lambda r: (-round(r.score, 9), r.name, str(r.key)))
    prev = None
    for i, r in enumerate(results):
        if prev is not None and abs(prev.score - r.score) <= TIE_TOLERANCE:
            r.rank = prev.rank
        else:
            r.rank = i + 1
        prev = r
    return results


@dataclass
class Comparison:
    key: int | str
    name: str
    base_rank: int
    base_score: float
    new_rank: int
    new_score: float

    @property
    def movement(self) -> int:
        """Places moved up (positive) or down (negative)."""
        return self.base_rank - self.new_rank


def what_if(
    initiatives: Sequence[tuple[int | str, str]],
    criteria: Sequence[CriterionSpec],
    scores: Sequence[ScoreInput],
    weights: Mapping[int | str, float],
    *,
    missing: str = "zero",
) -> list[Comparison]:
    """The ranking with ``weights`` beside the current one, in the new order."""
    base = {r.key: r for r in rank(initiatives, criteria, scores, missing=missing)}
    new = rank(initiatives, reweighted(criteria, weights), scores, missing=missing)
    return [Comparison(r.key, r.name, base[r.key].rank, base[r.key].score, r.rank, r.score) for r in new]


@dataclass(frozen=True)
class RankChange:
    initiative: int | str
    name: str
    criterion: int | str
    criterion_name: str
    factor: float
    base_rank: int
    new_rank: int


def sensitivity(
    initiatives: Sequence[tuple[int | str, str]],
    criteria: Sequence[CriterionSpec],
    scores: Sequence[ScoreInput],
    *,
    change: float = 0.2,
    missing: str = "zero",
) -> list[RankChange]:
    """Every rank change caused by moving one weight by ±``change`` (0.2 = ±20 %).

    A change that would leave no positive weight is skipped (it cannot be ranked)."""
    if not 0 < change < 1:
        raise RankingError("the change must be between 0 and 1 (0.2 means ±20 %)")
    base = {r.key: r.rank for r in rank(initiatives, criteria, scores, missing=missing)}
    out: list[RankChange] = []
    for c in criteria:
        if c.weight == 0:
            continue
        for factor in (1 - change, 1 + change):
            trial = reweighted(criteria, {c.key: c.weight * factor})
            if sum(t.weight for t in trial) <= 0:
                continue
            for r in rank(initiatives, trial, scores, missing=missing):
                if r.rank != base[r.key]:
                    out.append(RankChange(r.key, r.name, c.key, c.name, factor, base[r.key], r.rank))
    return out


def stable(initiatives: Sequence[tuple[int | str, str]], changes: Sequence[RankChange]) -> list[int | str]:
    """Keys of the initiatives no ±change moved."""
    moved = {ch.initiative for ch in changes}
    return [k for k, _ in initiatives if k not in moved]
