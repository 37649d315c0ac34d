"""The ranking maths: weights, ties, missing scores, criteria changed after scoring, what-if, sensitivity."""

from __future__ import annotations

import pytest

from openborough.strategy.ranking import (
    CriterionSpec,
    RankingError,
    ScoreInput,
    rank,
    reweighted,
    sensitivity,
    stable,
    what_if,
)

SAV = CriterionSpec("sav", "Savings", 3, 0, 5)
RES = CriterionSpec("res", "Resident impact", 1, 0, 5)
INITS = [("a", "Alpha"), ("b", "Bravo"), ("c", "Charlie")]


def s(init, crit, value, lo=0, hi=5, who="x"):
    return ScoreInput(init, crit, value, lo, hi, who)


def by_key(results):
    return {r.key: r for r in results}


def test_weighted_score_and_explanation():
    scores = [s("a", "sav", 5), s("a", "res", 0), s("b", "sav", 0), s("b", "res", 5)]
    out = rank(INITS[:2], [SAV, RES], scores)
    a, b = out
    assert (a.key, a.rank, b.key, b.rank) == ("a", 1, "b", 2)
    assert a.score == pytest.approx(75.0) and b.score == pytest.approx(25.0)
    comp = {c.criterion: c for c in a.components}
    assert comp["sav"].contribution == pytest.approx(75.0)
    assert comp["sav"].share_of_weight == pytest.approx(0.75)
    assert comp["res"].contribution == 0 and comp["res"].mean_normalised == 0
    assert comp["sav"].scores[0].assessor == "x"


def test_weights_decide_the_order():
    scores = [s("a", "sav", 5), s("a", "res", 0), s("b", "sav", 0), s("b", "res", 5)]
    flipped = reweighted([SAV, RES], {"sav": 1, "res": 3})
    out = rank(INITS[:2], flipped, scores)
    assert [r.key for r in out] == ["b", "a"]


def test_assessors_are_averaged():
    scores = [s("a", "sav", 5, who="p"), s("a", "sav", 1, who="q"), s("a", "res", 3)]
    (a,) = rank(INITS[:1], [SAV, RES], scores)
    comp = {c.criterion: c for c in a.components}
    assert comp["sav"].mean_normalised == pytest.approx(0.6)
    assert len(comp["sav"].scores) == 2
    assert a.score == pytest.approx(100 * (3 * 0.6 + 1 * 0.6) / 4)


def test_ties_share_a_rank_and_are_listed_by_name():
    scores = [s(k, "sav", 3) for k in "abc"] + [s(k, "res", 3) for k in "ab"] + [s("c", "res", 5)]
    out = rank([("b", "Bravo"), ("a", "Alpha"), ("c", "Charlie")], [SAV, RES], scores)
    assert [(r.key, r.rank) for r in out] == [("c", 1), ("a", 2), ("b", 2)]


def test_floating_point_noise_is_a_tie():
    c1 = CriterionSpec("p", "P", 0.1, 0, 10)
    c2 = CriterionSpec("q", "Q", 0.2, 0, 10)
    # 0.1*3 + 0.2*6 vs 0.1*9 + 0.2*3 are equal in exact arithmetic, not in floats
    scores = [s("a", "p", 3, 0, 10), s("a", "q", 6, 0, 10), s("b", "p", 9, 0, 10), s("b", "q", 3, 0, 10)]
    out = rank(INITS[:2], [c1, c2], scores)
    assert out[0].rank == out[1].rank == 1


def test_four_way_competition_ranks():
    crit = [CriterionSpec("k", "K", 1, 0, 5)]
    scores = [s("a", "k", 5), s("b", "k", 3), s("c", "k", 3), s("d", "k", 1)]
    out = rank([("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")], crit, scores)
    assert [r.rank for r in out] == [1, 2, 2, 4]


def test_missing_scores_count_as_zero_by_default_and_are_reported():
    scores = [s("a", "sav", 5), s("b", "sav", 4), s("b", "res", 4)]
    out = by_key(rank(INITS[:2], [SAV, RES], scores))
    assert out["a"].missing == ["Resident impact"] and not out["a"].complete
    assert out["a"].coverage == pytest.approx(0.75)
    assert out["a"].score == pytest.approx(75.0)
    assert out["b"].score == pytest.approx(80.0)
    assert out["b"].rank == 1


def test_missing_scores_can_be_skipped_instead():
    scores = [s("a", "sav", 5), s("b", "sav", 4), s("b", "res", 4)]
    out = by_key(rank(INITS[:2], [SAV, RES], scores, missing="skip"))
    assert out["a"].score == pytest.approx(100.0) and out["a"].rank == 1
    assert out["a"].missing == ["Resident impact"]


def test_unscored_initiative_is_ranked_last_with_zero():
    out = by_key(rank(INITS, [SAV, RES], [s("a", "sav", 1)]))
    assert out["c"].score == 0 and out["c"].coverage == 0
    assert out["c"].rank == out["b"].rank == 2
    skipped = by_key(rank(INITS, [SAV, RES], [s("a", "sav", 1)], missing="skip"))
    assert skipped["c"].score == 0


def test_criterion_rescaled_after_scoring_keeps_the_scores_meaning():
    # scored 4 out of 5; the council then moves the criterion to a 1–10 scale
    old = [s("a", "sav", 4, 0, 5), s("b", "sav", 8, 1, 10)]
    rescaled = [CriterionSpec("sav", "Savings", 1, 1, 10)]
    out = by_key(rank(INITS[:2], rescaled, old))
    assert out["a"].components[0].mean_normalised == pytest.approx(0.8)
    assert out["a"].components[0].rescaled is True
    assert out["b"].components[0].rescaled is False
    assert out["b"].components[0].mean_normalised == pytest.approx(7 / 9)
    assert out["a"].rank == 1


def test_criterion_added_after_scoring_is_missing_and_deleted_one_is_ignored():
    scores = [s("a", "sav", 5), s("a", "gone", 5), s("b", "sav", 5)]
    out = by_key(rank(INITS[:2], [SAV, RES], scores))
    assert out["a"].score == out["b"].score == pytest.approx(75.0)
    assert out["a"].missing == ["Resident impact"]
    assert [c.criterion for c in out["a"].components] == ["sav", "res"]


def test_zero_weight_criterion_has_no_effect():
    zero = CriterionSpec("res", "Resident impact", 0, 0, 5)
    out = rank(INITS[:2], [SAV, zero], [s("a", "sav", 2), s("b", "sav", 3), s("a", "res", 5)])
    assert [r.key for r in out] == ["b", "a"]
    assert out[0].complete is False or out[0].coverage == 1.0


@pytest.mark.parametrize(
    "criteria, message",
    [
        ([], "no prioritisation criteria"),
        ([CriterionSpec("x", "X", -1, 0, 5)], "negative"),
        ([CriterionSpec("x", "X", 0, 0, 5)], "above zero"),
        ([CriterionSpec("x", "X", 1, 3, 3)], "empty scale"),
    ],
)
def test_bad_criteria_are_refused(criteria, message):
    with pytest.raises(RankingError, match=message):
        rank(INITS, criteria, [])


def test_out_of_scale_score_is_refused():
    with pytest.raises(RankingError, match="outside its scale"):
        rank(INITS[:1], [SAV], [s("a", "sav", 7)])


def test_unknown_missing_policy_and_unknown_weight_key():
    with pytest.raises(RankingError):
        rank(INITS, [SAV], [], missing="ignore")
    with pytest.raises(RankingError, match="no criterion"):
        reweighted([SAV], {"nope": 1})


def test_what_if_shows_both_rankings_side_by_side():
    scores = [
        s("a", "sav", 5),
        s("a", "res", 0),
        s("b", "sav", 0),
        s("b", "res", 5),
        s("c", "sav", 3),
        s("c", "res", 3),
    ]
    rows = what_if(INITS, [SAV, RES], scores, {"sav": 1, "res": 3})
    assert [r.key for r in rows] == ["b", "c", "a"]
    moved = {r.key: (r.base_rank, r.new_rank, r.movement) for r in rows}
    assert moved == {"a": (1, 3, -2), "b": (3, 1, 2), "c": (2, 2, 0)}


def test_sensitivity_finds_initiatives_that_move_within_twenty_percent():
    sav, res = CriterionSpec("sav", "Savings", 3, 0, 10), CriterionSpec("res", "Resident impact", 1, 0, 10)
    # a = (3*1.0 + 0.3)/4 = 82.5; b = (3*0.8 + 1.0)/4 = 85 → b first, c far behind
    scores = [
        s("a", "sav", 10, 0, 10),
        s("a", "res", 3, 0, 10),
        s("b", "sav", 8, 0, 10),
        s("b", "res", 10, 0, 10),
        s("c", "sav", 0, 0, 10),
        s("c", "res", 0, 0, 10),
    ]
    changes = sensitivity(INITS, [sav, res], scores)
    moved = {(ch.initiative, ch.criterion, round(ch.factor, 2), ch.base_rank, ch.new_rank) for ch in changes}
    # savings weight +20 %: a = 3.9/4.6 = 84.8, b = 3.88/4.6 = 84.3 → a overtakes b
    assert ("a", "sav", 1.2, 2, 1) in moved and ("b", "sav", 1.2, 1, 2) in moved
    # savings weight -20 % only widens b's lead
    assert not any(ch.criterion == "sav" and ch.factor < 1 for ch in changes)
    assert all(ch.initiative != "c" for ch in changes)
    assert stable(INITS, changes) == ["c"]


def test_sensitivity_with_a_robust_ranking_reports_nothing():
    scores = [s("a", "sav", 5), s("a", "res", 5), s("b", "sav", 1), s("b", "res", 1)]
    assert sensitivity(INITS[:2], [SAV, RES], scores) == []


def test_sensitivity_change_must_be_a_fraction():
    with pytest.raises(RankingError):
        sensitivity(INITS, [SAV], [], change=20)
