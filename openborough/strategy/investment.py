"""Invest versus spend: what initiatives cost against the savings they enable,
and when each pays back. Pure functions, no Django."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Payback:
    investment: float  # one-off plus running costs over the horizon
    savings: float  # savings over the horizon
    net: float  # savings - investment
    payback_years: float | None  # years from the first year until cumulative net ≥ 0; None if not in the horizon
    first_year: int | None

    @property
    def return_ratio(self) -> float | None:
        """Savings per pound invested, None when nothing is invested."""
        return self.savings / self.investment if self.investment > 0 else None


def payback(costs: Mapping[int, float], savings: Mapping[int, float]) -> Payback:
    """Payback from per-year costs and savings (financial years as ints).

    Model: each year's costs are paid at its start and its savings accrue
    evenly through it, so payback falls inside a year: costs 100 in year 1
    and savings 50 a year from year 1 pay back in 2.0 years. Years missing
    between the first and last count as zero."""
    for label, series in (("cost", costs), ("saving", savings)):
        for y, v in series.items():
            if v < 0:
                raise ValueError(f"{label} for {y} is negative ({v})")
    years = sorted(set(costs) | set(savings))
    if not years:
        return Payback(0.0, 0.0, 0.0, None, None)
    total_cost = float(sum(costs.values()))
    total_saving = float(sum(savings.values()))
    net = total_saving - total_cost
    if total_cost == 0:
        return Payback(0.0, total_saving, net, 0.0 if total_saving > 0 else None, years[0])
    position = 0.0
    for i, y in enumerate(range(years[0], years[-1] + 1)):
        position -= float(costs.get(y, 0))
        saving = float(savings.get(y, 0))
        if position < 0 <= position + saving:
            return Payback(total_cost, total_saving, net, i + (-position / saving), years[0])
        position += saving
    return Payback(total_cost, total_saving, net, None, years[0])
