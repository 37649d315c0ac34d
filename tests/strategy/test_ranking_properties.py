"""Properties of the ranking that must hold for any criteria and scores (Hypothesis)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openborough.strategy.ranking import CriterionSpec, ScoreInput, rank

N_CRIT = 3
INITS = [(f"i{n}", f"Initiative {n}") for n in range(5)]

weights = st.lists(st.integers(min_value=0, max_value=20), min_size=N_CRIT, max_size=N_CRIT).filter(
    lambda ws: sum(ws) > 0
)
score_values = st.lists(
    st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
    min_size=len(INITS) * N_CRIT,
    max_size=len(INITS) * N_CRIT,
)


def build(ws, values):
    crit = [CriterionSpec(f"c{k}", f"C{k}", float(w), 0, 5) for k, w in enumerate(ws)]
    scores = [
        ScoreInput(INITS[i][0], f"c{k}", v, 0, 5)
        for (i, k), v in zip([(i, k) for i in range(len(INITS)) for k in range(N_CRIT)], values, strict=True)
        if v is not None
    ]
    return crit, scores


@settings(max_examples=150, deadline=None)
@given(weights, score_values)
def test_scores_are_within_0_and_100_and_ranks_follow_scores(ws, values):
    crit, scores = build(ws, values)
    out = rank(INITS, crit, scores)
    assert all(-1e-9 <= r.score <= 100 + 1e-9 for r in out)
    for a, b in pairwise(out):
        assert a.score >= b.score - 1e-9
        assert (a.rank == b.rank) == (abs(a.score - b.score) <= 1e-9)
    assert out[0].rank == 1
    assert sorted(r.key for r in out) == sorted(k for k, _ in INITS)


@settings(max_examples=150, deadline=None)
@given(weights, score_values, st.integers(min_value=2, max_value=9))
def test_scaling_every_weight_changes_nothing(ws, values, factor):
    crit, scores = build(ws, values)
    scaled, _ = build([w * factor for w in ws], values)
    base = [(r.key, r.rank, round(r.score, 6)) for r in rank(INITS, crit, scores)]
    assert [(r.key, r.rank, round(r.score, 6)) for r in rank(INITS, scaled, scores)] == base


@settings(max_examples=150, deadline=None)
@given(weights, score_values)
def test_contributions_add_up_to_the_score(ws, values):
    crit, scores = build(ws, values)
    for r in rank(INITS, crit, scores):
        assert sum(c.contribution for c in r.components) == pytest.approx(r.score)
        assert 0 <= r.coverage <= 1


@settings(max_examples=100, deadline=None)
@given(weights, score_values, st.integers(min_value=0, max_value=N_CRIT - 1))
def test_raising_one_score_never_lowers_that_initiatives_score(ws, values, k):
    crit, scores = build(ws, values)
    before = {r.key: r.score for r in rank(INITS, crit, scores)}
    idx = k  # initiative 0, criterion k
    raised = list(values)
    raised[idx] = 5
    crit2, scores2 = build(ws, raised)
    after = {r.key: r.score for r in rank(INITS, crit2, scores2)}
    assert after["i0"] >= before["i0"] - 1e-9
