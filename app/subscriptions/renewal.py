"""Renewing subscriptions: each due cycle becomes one order, charged once, with retries and dunning.

Exactly once per cycle, however many sweeps run at once: the cycle row (unique per subscription
and delivery date) is inserted and committed before anything is ordered or charged — a second
sweep's insert fails and it moves on (on PostgreSQL it does not even wait: SKIP LOCKED on the
subscription row). No transaction is open across a call to Stripe; the charge's idempotency key
is the payment's id, so a charge retried after a crash is the same charge.

A declined charge is retried SUBSCRIPTION_RETRY_DAYS after the first failure (1, 3 and 5 days by
default), each attempt a fresh order (the failed one is cancelled, its stock released), the shopper
told each time; after the last, the subscription is paused (dunning) until the shopper resumes it.
A paused or cancelled subscription is never charged; an item out of stock skips the cycle.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.inventory.stock import InsufficientStock
from app.orders import lifecycle
from app.orders.checkout import build_order
from app.orders.lifecycle import FollowUps
from app.orders.models import Order
from app.payments import services as payments
from app.payments import stripe_gateway
from app.payments.models import Payment
from app.payments.stripe_gateway import GatewayDeclined, GatewayUnavailable
from app.subscriptions import notices
from app.subscriptions.models import (
    CycleStatus,
    PayWith,
    Subscription,
    SubscriptionCycle,
    SubscriptionPlan,
    SubscriptionSkip,
    SubscriptionStatus,
)
from app.subscriptions.schedule import first_renewable, renew_at
from app.subscriptions.services import current_group

LEASE = dt.timedelta(minutes=10)  # a cycle charging longer than this: its sweep died; take it over
OPEN = (CycleStatus.CHARGING, CycleStatus.RETRYING)
NO_SYNC = {"synchronize_session": False}


def advance(sub: Subscription, after: dt.date, now: dt.datetime) -> None:
    sub.next_date = first_renewable(current_group(sub.account_id), sub.anchor_date, sub.interval_unit,
                                    sub.interval_count, after, now)


def claim(subscription_id: int, now: dt.datetime) -> int | None:
    """Insert and commit the cycle row for the subscription's next delivery if it is due; its id,
    or None (not due, not active, skipped, or another sweep has it). Skips are settled here."""
    query = sa.select(Subscription).where(Subscription.id == subscription_id,
                                          Subscription.status == SubscriptionStatus.ACTIVE)
    sub = db.session.scalar(query.with_for_update(of=Subscription, skip_locked=True))
    if sub is None or renew_at(current_group(sub.account_id), sub.next_date) > now or db.session.scalar(
            sa.select(sa.func.count()).select_from(SubscriptionCycle).where(
                SubscriptionCycle.subscription_id == sub.id, SubscriptionCycle.status.in_(OPEN))):
        db.session.rollback()
        return None
    day = sub.next_date
    skipped = db.session.get(SubscriptionSkip, (sub.id, day)) is not None
    cycle = SubscriptionCycle(subscription_id=sub.id, cycle_date=day,
                              status=CycleStatus.SKIPPED if skipped else CycleStatus.CHARGING,
                              charging_since=None if skipped else now)
    db.session.add(cycle)
    if skipped:
        advance(sub, day, now)
    try:
        db.session.commit()
    except IntegrityError:  # another sweep made this cycle first
        db.session.rollback()
        return None
    return None if skipped else cycle.id


def attempt(cycle_id: int, now: dt.datetime) -> CycleStatus:
    """One attempt at a claimed cycle: build its order and pay it (wallet in the same transaction,
    card off-session after committing the order)."""
    cycle = db.session.get(SubscriptionCycle, cycle_id)
    sub = db.session.get(Subscription, cycle.subscription_id)
    plan = db.session.get(SubscriptionPlan, sub.plan_id)
    method = "wallet" if sub.pay_with is PayWith.WALLET else "stripe"
    try:
        order = build_order(sub.account_id, [{"sku_id": sub.sku_id, "quantity": sub.quantity}], method,
                            subscription_discount_bps=plan.discount_bps, pickup_date=cycle.cycle_date)
    except InsufficientStock:
        db.session.rollback()
        return close(cycle_id, CycleStatus.OUT_OF_STOCK, now, "out of stock")
    except DomainError as exc:  # wallet too low, no longer in a group, item withdrawn …
        db.session.rollback()
        return _failed(cycle_id, str(exc), now)
    cycle.order_id, cycle.amount_cents = order.id, order.total_cents
    if method == "wallet":  # build_order has paid it
        return close(cycle_id, CycleStatus.PAID, now, None)
    db.session.commit()
    return charge_card(cycle_id, now)


def charge_card(cycle_id: int, now: dt.datetime) -> CycleStatus:
    cycle = db.session.get(SubscriptionCycle, cycle_id)
    sub = db.session.get(Subscription, cycle.subscription_id)
    payment = db.session.scalar(sa.select(Payment).where(Payment.order_id == cycle.order_id)
                                .order_by(Payment.id.desc()))
    call = {"amount": payment.amount_cents, "currency": current_app.config["STORE_CURRENCY"],
            "payment_id": payment.id, "customer": sub.stripe_customer_id,
            "payment_method": sub.stripe_payment_method_id,
            "metadata": {"order_id": str(cycle.order_id), "subscription_id": str(sub.id)}}
    db.session.commit()  # nothing open across the call
    try:
        intent = stripe_gateway.charge_saved_card(**call)
    except GatewayUnavailable as exc:  # unknown outcome: stays charging; after the lease, the same charge again
        db.session.execute(sa.update(SubscriptionCycle).where(SubscriptionCycle.id == cycle_id)
                           .values(last_error=str(exc)[:500]).execution_options(**NO_SYNC))
        db.session.commit()
        return CycleStatus.CHARGING
    except GatewayDeclined as exc:
        return _declined(cycle_id, payment.id, str(exc), now)
    if intent.status != "succeeded":  # e.g. the bank wants the shopper present (authentication)
        return _declined(cycle_id, payment.id, intent.error_message or f"payment {intent.status}", now)
    payment = db.session.get(Payment, payment.id)
    db.session.execute(sa.update(Payment).where(Payment.id == payment.id, Payment.provider_ref.is_(None))
                       .values(provider_ref=intent.id, started_at=now).execution_options(**NO_SYNC))
    follow = FollowUps()
    payments.apply_success(payment, follow)
    status = close(cycle_id, CycleStatus.PAID, now, None)
    follow.run()
    return status


def _declined(cycle_id: int, payment_id: int, message: str, now: dt.datetime) -> CycleStatus:
    payment = db.session.get(Payment, payment_id)
    payments.apply_failure(payment, message)
    follow = FollowUps()
    lifecycle.cancel(db.session.get(Order, payment.order_id), "subscription charge declined", follow)
    status = _failed(cycle_id, message, now)
    follow.run()
    return status


def close(cycle_id: int, status: CycleStatus, now: dt.datetime, error: str | None) -> CycleStatus:
    """The cycle is done (paid or out of stock): the subscription moves to its next delivery."""
    cycle = db.session.get(SubscriptionCycle, cycle_id)
    sub = db.session.get(Subscription, cycle.subscription_id)
    cycle.status, cycle.next_retry_at, cycle.charging_since, cycle.last_error = status, None, None, error
    advance(sub, cycle.cycle_date, now)
    notices.cycle_closed(sub, cycle)
    db.session.commit()
    return status


def _failed(cycle_id: int, message: str, now: dt.datetime) -> CycleStatus:
    """A failed attempt: retry on schedule, or after the last retry pause the subscription (dunning)."""
    cycle = db.session.get(SubscriptionCycle, cycle_id)
    sub = db.session.get(Subscription, cycle.subscription_id)
    retries = current_app.config["SUBSCRIPTION_RETRY_DAYS"]
    cycle.attempts += 1
    cycle.first_failed_at = cycle.first_failed_at or now
    cycle.last_error, cycle.charging_since = message[:500], None
    if cycle.attempts <= len(retries):
        cycle.status = CycleStatus.RETRYING
        cycle.next_retry_at = cycle.first_failed_at + dt.timedelta(days=retries[cycle.attempts - 1])
    else:
        cycle.status, cycle.next_retry_at = CycleStatus.FAILED, None
        sub.status, sub.pause_reason, sub.paused_until = SubscriptionStatus.PAUSED, "payment_failed", None
    notices.charge_failed(sub, cycle)
    db.session.commit()
    return cycle.status
