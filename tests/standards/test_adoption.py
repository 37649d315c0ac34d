"""Council-level adoption maths."""

from __future__ import annotations

import datetime as dt

import pytest

from openborough.standards.adoption import (
    AssessmentFact,
    ServiceDue,
    add_months,
    by_area,
    by_point,
    latest,
    overdue,
    quarter_ends,
    share_met,
    trend,
)

D = dt.date
POINTS = [1, 2, 3]
FACTS = [
    AssessmentFact(1, "bins", "Environment", "lgdss-15", D(2025, 1, 10), {1: "not_met", 2: "met", 3: "met"}),
    AssessmentFact(2, "bins", "Environment", "lgdss-15", D(2025, 6, 1), {1: "met", 2: "met", 3: "met"}),
    AssessmentFact(3, "parking", "Environment", "lgdss-15", D(2025, 3, 1), {1: "partial", 2: "met"}),
    AssessmentFact(4, "care", "Adults", "lgdss-15", D(2025, 2, 1), {1: "not_met", 2: "not_met", 3: "partial"}),
    AssessmentFact(5, "care", "Adults", "gds-14", D(2025, 9, 1), {1: "met", 2: "met", 3: "met"}),
]


def test_latest_per_service_for_the_standard_and_date():
    lf = latest(FACTS, "lgdss-15")
    assert {k: f.key for k, f in lf.items()} == {"bins": 2, "parking": 3, "care": 4}
    early = latest(FACTS, "lgdss-15", as_of=D(2025, 2, 28))
    assert {k: f.key for k, f in early.items()} == {"bins": 1, "care": 4}


def test_by_point_counts_unassessed_points():
    rows = {r.point: r for r in by_point(latest(FACTS, "lgdss-15"), POINTS)}
    assert rows[1].counts == {"met": 1, "partial": 1, "not_met": 1, "unassessed": 0}
    assert rows[3].counts == {"met": 1, "partial": 1, "not_met": 0, "unassessed": 1}
    assert rows[2].share_met == pytest.approx(2 / 3)


def test_by_area_and_overall_share():
    lf = latest(FACTS, "lgdss-15")
    areas = {a.area: a for a in by_area(lf, POINTS)}
    assert (areas["Environment"].services, areas["Environment"].points_met) == (2, 4)
    assert areas["Environment"].share_met == pytest.approx(4 / 6)
    assert areas["Adults"].share_met == 0
    assert share_met(lf, POINTS) == pytest.approx(4 / 9)
    assert share_met({}, POINTS) is None


def test_trend_uses_latest_as_of_each_date():
    rows = trend(FACTS, "lgdss-15", POINTS, [D(2024, 12, 31), D(2025, 3, 31), D(2025, 6, 30)])
    assert rows[0] == (D(2024, 12, 31), 0, None)
    assert rows[1][1] == 3 and rows[1][2] == pytest.approx((2 + 1 + 0) / 9)
    assert rows[2][2] == pytest.approx((3 + 1 + 0) / 9)


def test_quarter_ends():
    assert quarter_ends(D(2025, 2, 3), D(2025, 8, 1)) == [D(2025, 3, 31), D(2025, 6, 30), D(2025, 8, 1)]
    assert quarter_ends(D(2024, 11, 1), D(2025, 1, 5)) == [D(2024, 12, 31), D(2025, 1, 5)]


def test_overdue_services():
    services = [
        ServiceDue("bins", "live", 12),
        ServiceDue("parking", "beta", 6),
        ServiceDue("care", "live", 12),
        ServiceDue("new", "live", 12),
        ServiceDue("idea", "discovery", 12),
    ]
    last = {"bins": D(2025, 6, 1), "parking": D(2025, 3, 1), "care": D(2024, 1, 31)}
    out = overdue(services, last, D(2025, 10, 1))
    assert out == [
        ("parking", D(2025, 3, 1), D(2025, 9, 1)),
        ("care", D(2024, 1, 31), D(2025, 1, 31)),
        ("new", None, None),
    ]


def test_add_months_clamps_to_month_end():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)
    assert add_months(D(2024, 12, 15), 12) == D(2025, 12, 15)
