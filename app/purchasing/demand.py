"""The terms of a delivery day's demand per SKU, each one grouped query (docs/purchasing.md).

- confirmed: units of that pickup day's orders that hold stock (paid, pay at pickup, deposit in),
  less units refunded;
- subscriptions: active subscriptions whose next cycle is that day and not skipped (once a cycle
  is renewed its order counts as confirmed and the subscription moves to its next date);
- late: before the cut-off, orders still to come. Over the last LATE_HISTORY_DAYS delivery days,
  the share of units ordered in the time that is now left before the cut-off (same distance before
  each day's own cut-off): late = ceil(confirmed × share ÷ (1 − share)). After the cut-off, 0;
- replenishment: reminders not yet reordered whose predicted run-out is that day, times the share
  of recent reminders (run-out in the last REMINDER_HISTORY_DAYS days) that were reordered, rounded up.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from fractions import Fraction

import sqlalchemy as sa

from app.extensions import db
from app.groups.models import Group
from app.orders.models import Order, OrderLine, OrderStatus
from app.pickup.schedule import local_moment
from app.replenishment.models import ReplenishmentReminder
from app.settings.services import get_settings
from app.subscriptions.models import Subscription, SubscriptionSkip, SubscriptionStatus

HOLDING_STOCK = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.CONFIRMED, OrderStatus.DEPOSIT_PAID)
LATE_HISTORY_DAYS = 7
REMINDER_HISTORY_DAYS = 28


def schedules() -> set[tuple[dt.time, int]]:
    """The (cut-off, lead days) pairs in use: the store's and each group's own."""
    store = get_settings()
    rows = db.session.execute(sa.select(Group.cutoff_time, Group.lead_days).distinct()).all()
    pairs = {(cutoff or store.cutoff_time, store.lead_days if lead is None else lead) for cutoff, lead in rows}
    return pairs | {(store.cutoff_time, store.lead_days)}


def day_cutoff(day: dt.date, pairs: set[tuple[dt.time, int]] | None = None) -> dt.datetime:
    """The last cut-off of any group for orders picked up that day (the store's if no group differs)."""
    return max(local_moment(day - dt.timedelta(days=lead), cutoff) for cutoff, lead in (pairs or schedules()))


def confirmed(day: dt.date) -> dict[int, int]:
    units = OrderLine.quantity - OrderLine.refunded_quantity
    rows = db.session.execute(
        sa.select(OrderLine.sku_id, sa.func.sum(units)).join(Order, Order.id == OrderLine.order_id)
        .where(Order.pickup_date == day, Order.status.in_(HOLDING_STOCK)).group_by(OrderLine.sku_id))
    return {sku: int(total) for sku, total in rows if total}


def subscriptions_due(day: dt.date) -> dict[int, int]:
    skipped = sa.exists().where(SubscriptionSkip.subscription_id == Subscription.id,
                                SubscriptionSkip.cycle_date == day)
    rows = db.session.execute(
        sa.select(Subscription.sku_id, sa.func.sum(Subscription.quantity))
        .where(Subscription.status == SubscriptionStatus.ACTIVE, Subscription.next_date == day, ~skipped)
        .group_by(Subscription.sku_id))
    return {sku: int(total) for sku, total in rows}


def late_share(day: dt.date, left: dt.timedelta) -> Fraction:
    """Of the units ordered for recent days, the share ordered within `left` of their cut-off (one
    grouped read of those days' lines, each day with its own cut-off)."""
    days = [day - dt.timedelta(days=back) for back in range(1, LATE_HISTORY_DAYS + 1)]
    pairs = schedules()
    threshold = sa.case({past: day_cutoff(past, pairs) - left for past in days}, value=Order.pickup_date)
    units = OrderLine.quantity - OrderLine.refunded_quantity
    total, late = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(units), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((Order.created_at > threshold, units), else_=0)), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.pickup_date.between(days[-1], days[0]), Order.status.in_(HOLDING_STOCK))).one()
    return Fraction(int(late), int(total)) if total else Fraction(0)


def late_orders(confirmed_units: dict[int, int], share: Fraction) -> dict[int, int]:
    if share <= 0 or share >= 1:  # no history, or all of it late: nothing to scale from
        return {}
    return {sku: math.ceil(units * share / (1 - share)) for sku, units in confirmed_units.items()}


def reorder_share(day: dt.date) -> Fraction:
    since = day - dt.timedelta(days=REMINDER_HISTORY_DAYS)
    total, reordered = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(ReplenishmentReminder.order_id))
        .where(ReplenishmentReminder.run_out_on >= since, ReplenishmentReminder.run_out_on < day)).one()
    return Fraction(reordered, total) if total else Fraction(0)


def replenishment(day: dt.date, share: Fraction) -> dict[int, int]:
    if share <= 0:
        return {}
    units: dict[int, int] = defaultdict(int)
    for lines in db.session.scalars(sa.select(ReplenishmentReminder.lines).where(
            ReplenishmentReminder.run_out_on == day, ReplenishmentReminder.order_id.is_(None))):
        for line in lines:
            units[int(line["sku_id"])] += int(line["quantity"])
    return {sku: math.ceil(n * share) for sku, n in units.items()}
