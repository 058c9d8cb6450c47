"""What shoppers and the merchant see: each subscription with its next delivery and charge, and
the volume coming up per SKU and day (for purchasing)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from app.catalog.models import Sku
from app.clock import local_today
from app.extensions import db
from app.loyalty import services as loyalty
from app.pricing.engine import quote
from app.subscriptions.models import (
    Subscription,
    SubscriptionCycle,
    SubscriptionPlan,
    SubscriptionSkip,
    SubscriptionStatus,
)
from app.subscriptions.schedule import cycle_on_or_after, cycles_between, renew_at
from app.subscriptions.services import current_group


def next_delivery(sub: Subscription) -> dt.date | None:
    if sub.status is SubscriptionStatus.CANCELLED:
        return None
    skipped = {s.cycle_date for s in sub.skips}
    day = sub.next_date
    for _ in range(len(skipped) + 1):
        if day not in skipped:
            return day
        day = cycle_on_or_after(sub.anchor_date, sub.interval_unit, sub.interval_count, day + dt.timedelta(days=1))
    return day


def describe(sub: Subscription) -> dict:
    """The subscription with its next delivery, when it will be charged and how much (today's
    prices: the price engine with the plan's discount), and its latest cycles."""
    day = next_delivery(sub)
    plan = db.session.get(SubscriptionPlan, sub.plan_id)
    charge_at = charge = None
    if day is not None and sub.status is SubscriptionStatus.ACTIVE:
        charge_at = renew_at(current_group(sub.account_id), day)
        stand = loyalty.standing(sub.account_id)
        unit = quote(sub.sku, is_member=stand.member, tier_discount_bps=stand.discount_bps,
                     subscription_discount_bps=plan.discount_bps).unit_price_cents
        charge = unit * sub.quantity
    cycles = db.session.scalars(sa.select(SubscriptionCycle).where(SubscriptionCycle.subscription_id == sub.id)
                                .order_by(SubscriptionCycle.cycle_date.desc()).limit(5))
    return {"subscription": sub, "next_delivery_date": day, "next_charge_at": charge_at,
            "next_charge_cents": charge, "skips": [s.cycle_date for s in sub.skips], "recent_cycles": list(cycles)}


def of_account(account_id: int) -> list[dict]:
    subs = db.session.scalars(sa.select(Subscription).where(Subscription.account_id == account_id)
                              .order_by(Subscription.id.desc()))
    return [describe(s) for s in subs]


def for_staff(status: str | None) -> sa.Select:
    query = sa.select(Subscription).order_by(Subscription.id.desc())
    return query.where(Subscription.status == SubscriptionStatus(status)) if status else query


def upcoming_volume(days: int) -> list[dict]:
    """Units to deliver per SKU and day over the next `days` days, from active subscriptions'
    schedules less their skips (the renewal will order them; stock permitting)."""
    start = local_today()
    end = start + dt.timedelta(days=days)
    volume: dict[tuple[dt.date, int], list[int]] = defaultdict(lambda: [0, 0])
    subs = db.session.scalars(sa.select(Subscription).where(Subscription.status == SubscriptionStatus.ACTIVE))
    skips = defaultdict(set)
    for sub_id, day in db.session.execute(sa.select(SubscriptionSkip.subscription_id, SubscriptionSkip.cycle_date)
                                          .where(SubscriptionSkip.cycle_date >= start)):
        skips[sub_id].add(day)
    for sub in subs:
        for day in cycles_between(sub.anchor_date, sub.interval_unit, sub.interval_count,
                                  max(start, sub.next_date), end):
            if day not in skips[sub.id]:
                volume[(day, sub.sku_id)][0] += sub.quantity
                volume[(day, sub.sku_id)][1] += 1
    names = {s.id: (s.code, s.name) for s in db.session.scalars(
        sa.select(Sku).where(Sku.id.in_({k[1] for k in volume})))} if volume else {}
    return [{"delivery_date": day, "sku_id": sku_id, "sku_code": names[sku_id][0], "sku_name": names[sku_id][1],
             "quantity": qty, "subscriptions": n}
            for (day, sku_id), (qty, n) in sorted(volume.items())]
