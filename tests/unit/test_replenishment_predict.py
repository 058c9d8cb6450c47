"""The run-out prediction on its own: purchases by local day, the median of the shopper's gaps per
unit, the usage-days fallback, rounding and bounds."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.replenishment.predict import MAX_CYCLE_DAYS, Purchase, by_day, days_per_unit, predict

D0 = dt.date(2027, 1, 1)


def purchases(*spec: tuple[int, int]) -> list[Purchase]:
    """(day offset, units) → purchases of one SKU, order ids 1, 2, …"""
    return [Purchase(n, D0 + dt.timedelta(days=offset), ((7, units),)) for n, (offset, units) in enumerate(spec, 1)]


def test_orders_of_one_day_merge_and_refunded_lines_drop_out():
    rows = [(5, D0, 7, 1), (9, D0, 8, 2), (6, D0, 7, 1), (11, D0 + dt.timedelta(days=3), 7, 0)]
    assert by_day(rows) == [Purchase(9, D0, ((7, 2), (8, 2)))]


def test_the_median_rate_ignores_one_stock_up_and_uses_recent_gaps_only():
    # 10 days a unit, then one 60-day gap after a single unit (away on holiday).
    history = purchases((0, 1), (10, 1), (20, 1), (80, 1), (90, 2))
    assert days_per_unit(history) == 10
    old_habit = [(n * 30, 1) for n in range(5)]                 # 30 days a unit…
    new_habit = [(120 + n * 5, 1) for n in range(1, 8)]         # …then 5, for seven purchases
    assert days_per_unit(purchases(*old_habit)) == 30
    assert days_per_unit(purchases(*old_habit, *new_habit)) == 5


def test_history_needs_three_purchases_else_usage_days_times_units():
    two = predict(purchases((0, 1), (9, 2)), usage_days_per_unit=15, days_before=3)
    assert (two.basis.value, two.cycle_days, two.run_out_on) == ("usage_days", 30, D0 + dt.timedelta(days=39))
    three = predict(purchases((0, 1), (9, 2), (30, 3)), usage_days_per_unit=15, days_before=3)
    # Rates 9/1 and 21/2: median 9.75 days a unit × 3 = 29.25 → 29.
    assert (three.basis.value, three.days_per_unit, three.cycle_days) == ("history", Fraction(39, 4), 29)
    assert three.remind_on == three.run_out_on - dt.timedelta(days=3) and three.basis_order_id == 3
    assert predict([], 15, 3) is None


def test_half_a_day_rounds_up_and_the_cycle_stays_within_bounds():
    assert predict(purchases((0, 2), (21, 2), (42, 1)), 1, 0).cycle_days == 11        # 10.5 → 11
    assert predict(purchases((0, 1)), 400, 3).cycle_days == MAX_CYCLE_DAYS
    same_week = predict(purchases((0, 5), (1, 5), (2, 5)), 15, 3)                    # 0.2 days a unit × 5
    assert same_week.cycle_days == 1 and same_week.remind_on == same_week.run_out_on  # never the purchase day


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(1, 20)), min_size=1, max_size=12, unique_by=lambda t: t[0]),
       st.integers(1, 60), st.integers(0, 30))
def test_any_history_gives_a_bounded_prediction_after_the_latest_purchase(spec, usage, before):
    history = purchases(*sorted(spec))
    p = predict(history, usage, before)
    assert 1 <= p.cycle_days <= MAX_CYCLE_DAYS
    assert history[-1].day < p.remind_on <= p.run_out_on == history[-1].day + dt.timedelta(days=p.cycle_days)
