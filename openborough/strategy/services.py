"""Reading the database into the pure ranking and digital-share inputs."""

from __future__ import annotations

from collections.abc import Mapping

from . import digital_share, ranking
from .models import Criterion, Initiative, SavingsProposal, Score


def criteria_specs() -> list[ranking.CriterionSpec]:
    return [
        ranking.CriterionSpec(c.pk, c.name, float(c.weight), c.scale_min, c.scale_max) for c in Criterion.objects.all()
    ]


def score_inputs() -> list[ranking.ScoreInput]:
    return [
        ranking.ScoreInput(
            s.initiative_id,
            s.criterion_id,
            s.value,
            s.scale_min,
            s.scale_max,
            s.assessor.get_full_name() or s.assessor.get_username(),
            s.rationale,
        )
        for s in Score.objects.select_related("assessor")
    ]


def initiative_keys(qs=None) -> list[tuple[int, str]]:
    qs = qs if qs is not None else Initiative.objects.all()
    return [(i.pk, f"{i.ref} {i.name}") for i in qs]


def current_ranking(*, weights: Mapping[int, float] | None = None, missing: str = "zero") -> list[ranking.Ranked]:
    crit = criteria_specs()
    if weights:
        crit = ranking.reweighted(crit, weights)
    return ranking.rank(initiative_keys(), crit, score_inputs(), missing=missing)


def saving_lines(qs=None) -> list[digital_share.SavingLine]:
    qs = qs if qs is not None else SavingsProposal.objects.all()
    lines = []
    for p in qs.prefetch_related("years", "outcomes"):
        outcomes = tuple(o.pk for o in p.outcomes.all())
        for y in p.years.all():
            lines.append(
                digital_share.SavingLine(
                    p.pk,
                    y.year,
                    float(y.amount),
                    p.owning_service_id,
                    outcomes,
                    float(p.digital_share_pct) / 100.0,
                    tuple(p.digital_kinds or ()),
                )
            )
    return lines
