"""When will a shopper run out of a product? Pure functions over their purchase history.

A purchase is one store-local day's paid units of the product (two orders on one day are one
purchase: a gap of zero days says nothing about consumption). With at least MIN_PURCHASES
purchases the shopper's own rate is used:

    days_per_unit = median over the last HISTORY_GAPS gaps of (days to the next purchase ÷ units bought)
    cycle_days    = round(days_per_unit × units of the latest purchase)

The median, not the mean, so one stock-up or one forgotten week does not swing the estimate.
With fewer purchases the merchant's figure stands in: cycle_days = usage_days_per_unit × units.
Either way cycle_days is at least 1 and at most MAX_CYCLE_DAYS, and

    run_out_on = latest purchase day + cycle_days
    remind_on  = run_out_on − days_before (but never before the day after the latest purchase)
"""
from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from app.replenishment.models import Basis

MIN_PURCHASES = 3       # two gaps: one gap is a single sample, too easily an accident
HISTORY_GAPS = 6        # recent habits count; a household's consumption drifts
MAX_CYCLE_DAYS = 365    # beyond a year it is not replenishment
LATE_DAYS = 7           # a run-out this long past with no purchase: they buy elsewhere; stay quiet


@dataclass(frozen=True)
class Purchase:
    order_id: int                   # the latest order of the day (names the cycle)
    day: dt.date                    # store-local date of payment
    lines: tuple[tuple[int, int], ...]  # (sku_id, units net of refunds) of this product

    @property
    def units(self) -> int:
        return sum(units for _, units in self.lines)


@dataclass(frozen=True)
class Prediction:
    basis: Basis
    basis_order_id: int
    purchases: int
    last_purchase_on: dt.date
    units: int
    days_per_unit: Fraction
    cycle_days: int
    run_out_on: dt.date
    remind_on: dt.date
    lines: tuple[tuple[int, int], ...]

    def due(self, today: dt.date) -> bool:
        """Remind from remind_on until a week after the run-out (a sweep that did not run still delivers)."""
        return self.remind_on <= today <= self.run_out_on + dt.timedelta(days=LATE_DAYS)


def by_day(orders: list[tuple[int, dt.date, int, int]]) -> list[Purchase]:
    """(order_id, local day, sku_id, units) rows → one Purchase per day with units, oldest first."""
    days: dict[dt.date, tuple[int, dict[int, int]]] = {}
    for order_id, day, sku_id, units in orders:
        if units <= 0:
            continue
        latest, lines = days.get(day, (order_id, {}))
        lines[sku_id] = lines.get(sku_id, 0) + units
        days[day] = (max(latest, order_id), lines)
    return [Purchase(order_id, day, tuple(sorted(lines.items())))
            for day, (order_id, lines) in sorted(days.items())]


def days_per_unit(purchases: list[Purchase]) -> Fraction:
    """The median of (gap ÷ units) over the last HISTORY_GAPS gaps; needs two purchases or more."""
    recent = purchases[-(HISTORY_GAPS + 1):]
    rates = [Fraction((later.day - earlier.day).days, earlier.units) for earlier, later in pairwise(recent)]
    return statistics.median(rates)


def predict(purchases: list[Purchase], usage_days_per_unit: int, days_before: int) -> Prediction | None:
    """The next run-out after the latest purchase; None without any purchase."""
    if not purchases:
        return None
    last = purchases[-1]
    if len(purchases) >= MIN_PURCHASES:
        basis, per_unit = Basis.HISTORY, days_per_unit(purchases)
    else:
        basis, per_unit = Basis.USAGE_DAYS, Fraction(usage_days_per_unit)
    # Half up, not Python's half-to-even: 30.5 days is 31 whatever the parity.
    cycle = min(max(math.floor(per_unit * last.units + Fraction(1, 2)), 1), MAX_CYCLE_DAYS)
    run_out = last.day + dt.timedelta(days=cycle)
    # Never on the day of the purchase itself, however short the cycle.
    remind_on = max(run_out - dt.timedelta(days=days_before), last.day + dt.timedelta(days=1))
    return Prediction(basis, last.order_id, len(purchases), last.day, last.units, per_unit, cycle, run_out,
                      remind_on, last.lines)
