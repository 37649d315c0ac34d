"""The headline digital share of savings, by value and count, and payback."""

from __future__ import annotations

import pytest

from openborough.strategy.digital_share import SavingLine, by_kind, by_outcome, by_service, by_year, overall
from openborough.strategy.investment import payback

LINES = [
    # proposal, year, amount, service, outcomes, digital share, kinds
    SavingLine("p1", 2025, 600.0, "adults", ("care",), 0.5, ("channel_shift",)),
    SavingLine("p1", 2026, 400.0, "adults", ("care",), 0.5, ("channel_shift",)),
    SavingLine("p2", 2025, 300.0, "parking", ("streets", "care"), 1.0, ("analytics", "channel_shift")),
    SavingLine("p3", 2025, 100.0, "parking", ("streets",), 0.0, ()),
    SavingLine("p4", 2026, 0.0, "adults", (), 0.0, ()),
]


def test_overall_by_value_count_and_dependence():
    s = overall(LINES)
    assert s.total == 1400
    assert s.digital_value == 1300  # p1 and p2 need digital
    assert s.share_by_value == pytest.approx(1300 / 1400)
    assert s.dependent_value == pytest.approx(500 + 300)
    assert s.share_dependent == pytest.approx(800 / 1400)
    assert (s.count, s.digital_count) == (4, 2)
    assert s.share_by_count == pytest.approx(0.5)


def test_by_year_includes_years_with_no_savings_without_dividing_by_zero():
    years = {s.group: s for s in by_year(LINES, years=[2025, 2026, 2027])}
    assert years[2025].share_by_value == pytest.approx(900 / 1000)
    assert years[2025].share_by_count == pytest.approx(2 / 3)
    assert years[2026].share_by_value == pytest.approx(1.0)  # 400 digital of 400, p4 planned £0
    assert years[2026].share_by_count == pytest.approx(0.5)
    assert years[2027].total == 0 and years[2027].share_by_value is None
    assert years[2027].share_by_count is None and years[2027].share_dependent is None


def test_year_with_only_zero_value_savings_has_count_share_but_no_value_share():
    (y,) = by_year([SavingLine("z", 2030, 0.0, "x", (), 1.0, ("analytics",))])
    assert y.share_by_value is None and y.share_by_count == 1.0


def test_outcomes_split_a_multi_outcome_saving_so_totals_add_up():
    outs = {s.group: s for s in by_outcome(LINES, unassigned="none")}
    assert outs["care"].total == pytest.approx(1000 + 150)
    assert outs["streets"].total == pytest.approx(150 + 100)
    assert outs["none"].total == 0
    assert sum(s.total for s in outs.values()) == pytest.approx(overall(LINES).total)
    assert outs["streets"].share_by_value == pytest.approx(150 / 250)


def test_by_service_and_by_kind():
    svc = {s.group: s for s in by_service(LINES)}
    assert svc["parking"].share_by_value == pytest.approx(0.75)
    assert svc["adults"].share_by_count == pytest.approx(0.5)
    kinds = {s.group: s for s in by_kind(LINES)}
    assert kinds["channel_shift"].digital_value == 1300 and kinds["analytics"].digital_value == 300
    assert kinds["analytics"].share_by_value == pytest.approx(300 / 1400)


def test_no_savings_at_all():
    s = overall([])
    assert s.total == 0 and s.share_by_value is None and s.share_by_count is None


def test_kinds_without_a_dependent_share_do_not_count_as_digital():
    s = overall([SavingLine("q", 2025, 100.0, "x", (), 0.0, ("analytics",))])
    assert s.digital_value == 0 and s.share_by_value == 0


@pytest.mark.parametrize(
    "line", [SavingLine("bad", 2025, -1.0, "x"), SavingLine("bad", 2025, 1.0, "x", (), 1.5, ("analytics",))]
)
def test_bad_lines_are_refused(line):
    with pytest.raises(ValueError, match="bad"):
        overall([line])


def test_payback_interpolates_within_a_year():
    p = payback({2025: 100.0}, {2025: 50.0, 2026: 50.0, 2027: 50.0})
    assert p.payback_years == pytest.approx(2.0)
    assert (p.investment, p.savings, p.net) == (100.0, 150.0, 50.0)
    assert p.return_ratio == pytest.approx(1.5)
    assert payback({2025: 100.0}, {2025: 150.0}).payback_years == pytest.approx(2 / 3)


def test_payback_with_running_costs_gap_years_and_never():
    p = payback({2025: 100.0, 2026: 10.0, 2027: 10.0}, {2027: 120.0})
    assert p.payback_years == pytest.approx(2 + 120 / 120)
    assert payback({2025: 100.0}, {2025: 10.0, 2026: 10.0}).payback_years is None
    assert payback({}, {}).payback_years is None
    free = payback({}, {2025: 5.0})
    assert free.payback_years == 0.0 and free.return_ratio is None
    with pytest.raises(ValueError):
        payback({2025: -1.0}, {})
