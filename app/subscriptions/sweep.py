"""The renewal sweep (RQ cron job and `flask subscriptions-renew`): resume pauses that ended,
renew due cycles, retry declined ones, take over attempts whose sweep died. Safe to run twice or
concurrently; see renewal.py for why each cycle happens once."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa

from app.clock import local_today
from app.db import utcnow
from app.extensions import db
from app.subscriptions import renewal
from app.subscriptions.models import CycleStatus, Subscription, SubscriptionCycle, SubscriptionStatus
from app.subscriptions.services import resume

HORIZON_DAYS = 30  # renewals happen at most this long before a delivery (lead days + renewal lead)
NO_SYNC = {"synchronize_session": False}


def _resume_ended_pauses(now: dt.datetime) -> int:
    ids = list(db.session.scalars(sa.select(Subscription.id).where(
        Subscription.status == SubscriptionStatus.PAUSED, Subscription.pause_reason == "shopper",
        Subscription.paused_until <= local_today())))
    for sub_id in ids:
        paused = sa.select(Subscription).where(Subscription.id == sub_id,
                                               Subscription.status == SubscriptionStatus.PAUSED)
        sub = db.session.scalar(paused.with_for_update(of=Subscription))
        if sub is not None:
            resume(sub, now)
        db.session.commit()
    return len(ids)


def _close_retries_of_stopped(now: dt.datetime) -> None:
    """A subscription paused or cancelled while a cycle awaited its retry: that retry never happens."""
    stopped = sa.select(Subscription.id).where(Subscription.status != SubscriptionStatus.ACTIVE)
    db.session.execute(sa.update(SubscriptionCycle).where(
        SubscriptionCycle.status == CycleStatus.RETRYING, SubscriptionCycle.subscription_id.in_(stopped))
        .values(status=CycleStatus.FAILED, next_retry_at=None, last_error="subscription paused or cancelled")
        .execution_options(**NO_SYNC))
    db.session.commit()


def _to_try_again(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Cycles whose retry is due, or whose attempt has been charging past the lease (its sweep died)."""
    return sa.or_(
        sa.and_(SubscriptionCycle.status == CycleStatus.RETRYING, SubscriptionCycle.next_retry_at <= now),
        sa.and_(SubscriptionCycle.status == CycleStatus.CHARGING,
                SubscriptionCycle.charging_since < now - renewal.LEASE))


def _retry(cycle_id: int, now: dt.datetime) -> bool:
    active = sa.select(Subscription.id).where(Subscription.status == SubscriptionStatus.ACTIVE)
    claimed = db.session.execute(sa.update(SubscriptionCycle).where(
        SubscriptionCycle.id == cycle_id, SubscriptionCycle.subscription_id.in_(active), _to_try_again(now))
        .values(status=CycleStatus.CHARGING, charging_since=now).execution_options(**NO_SYNC)).rowcount
    db.session.commit()
    return bool(claimed)


def _take_over(cycle_id: int, now: dt.datetime) -> None:
    """A retry (fresh order), or a charging attempt whose sweep died: charge its order again with
    the same payment (the same Stripe charge if it happened), or start over if it had no order."""
    from app.orders.models import Order, OrderStatus

    cycle = db.session.get(SubscriptionCycle, cycle_id)
    order = db.session.get(Order, cycle.order_id) if cycle.order_id else None
    if order is not None and order.status is OrderStatus.PAID:  # paid by the webhook meanwhile
        renewal.close(cycle_id, CycleStatus.PAID, now, None)
    elif order is not None and order.status is OrderStatus.PENDING_PAYMENT:  # died or lost Stripe mid-charge
        renewal.charge_card(cycle_id, now)
    else:  # a retry after a decline (its order was cancelled), or died before ordering
        renewal.attempt(cycle_id, now)


def run(progress: Callable[[int], None] | None = None) -> dict[str, int]:
    now = utcnow()
    counts = {"resumed": _resume_ended_pauses(now), "renewed": 0, "retried": 0, "seen": 0}
    _close_retries_of_stopped(now)
    horizon = local_today() + dt.timedelta(days=HORIZON_DAYS)
    due = list(db.session.scalars(sa.select(Subscription.id).where(
        Subscription.status == SubscriptionStatus.ACTIVE, Subscription.next_date <= horizon).order_by(Subscription.id)))
    again = list(db.session.scalars(sa.select(SubscriptionCycle.id).where(_to_try_again(now))
                                    .order_by(SubscriptionCycle.id)))
    db.session.commit()
    for cycle_id in again:
        if _retry(cycle_id, now):
            _take_over(cycle_id, now)
            counts["retried"] += 1
    for n, sub_id in enumerate(due, 1):
        cycle_id = renewal.claim(sub_id, now)
        if cycle_id is not None:
            renewal.attempt(cycle_id, now)
            counts["renewed"] += 1
        if progress and n % 100 == 0:
            progress(n)
    counts["seen"] = len(due)
    return counts
