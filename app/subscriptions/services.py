"""A shopper's subscriptions: subscribe, skip a cycle, pause, resume, change, cancel.

Every change is a guarded single-row update or happens under the subscription's row lock, so a
renewal sweep running at the same moment sees either the old or the new state, never half."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.groups.bindings import current_binding
from app.groups.models import Group
from app.i18n import _
from app.subscriptions import cards, plans
from app.subscriptions.models import (
    IntervalUnit,
    PayWith,
    Subscription,
    SubscriptionCycle,
    SubscriptionPlan,
    SubscriptionSkip,
    SubscriptionStatus,
)
from app.subscriptions.schedule import cutoff_of, cycle_on_or_after, first_renewable


def group_of(account_id: int) -> Group:
    group = current_group(account_id)
    if group is None:
        raise Conflict(_("Join a group through its link before subscribing"), code="not_in_a_group")
    return group


def current_group(account_id: int) -> Group | None:
    """Where the shopper's deliveries go now (None if they left their group)."""
    binding = current_binding(account_id)
    return binding.group if binding is not None else None


def subscribe(account_id: int, data: dict) -> Subscription:
    from app.payments.methods import require_renewable

    require_renewable(data["pay_with"])
    plan = db.session.scalar(sa.select(SubscriptionPlan).where(SubscriptionPlan.sku_id == data["sku_id"],
                                                               SubscriptionPlan.active.is_(True)))
    if plan is None:
        raise InvalidRequest(_("This item cannot be subscribed"), code="not_subscribable")
    if not plans.offers(plan, data["interval_unit"], data["interval_count"]):
        raise InvalidRequest(_("That interval is not offered for this item"), code="interval_not_offered",
                             details={"offered": plan.intervals})
    group = group_of(account_id)
    if cutoff_of(group, data["start_date"]) <= utcnow():
        raise InvalidRequest(_("The first delivery is past its order cut-off: choose a later start date"),
                             code="start_date_too_soon")
    customer = method = None
    if data["pay_with"] == PayWith.CARD:
        if not data.get("setup_intent_id"):
            raise InvalidRequest(_("Paying by card needs setup_intent_id (POST /store/subscriptions/card-setup)"),
                                 code="card_not_saved")
        customer, method = cards.saved_card(account_id, data["setup_intent_id"])
    sub = Subscription(account_id=account_id, plan_id=plan.id, sku_id=plan.sku_id, quantity=data["quantity"],
                       interval_unit=IntervalUnit(data["interval_unit"]), interval_count=data["interval_count"],
                       anchor_date=data["start_date"], next_date=data["start_date"], pay_with=PayWith(data["pay_with"]),
                       stripe_customer_id=customer, stripe_payment_method_id=method,
                       status=SubscriptionStatus.ACTIVE)
    db.session.add(sub)
    db.session.commit()
    return sub


def get_own(account_id: int, subscription_id: int, *, lock: bool = False) -> Subscription:
    query = sa.select(Subscription).where(Subscription.id == subscription_id)
    sub = db.session.scalar(query.with_for_update(of=Subscription) if lock else query)
    if sub is None or sub.account_id != account_id:
        raise not_found("subscription", id=subscription_id)
    return sub


def _open(sub: Subscription) -> None:
    if sub.status is SubscriptionStatus.CANCELLED:
        raise Conflict(_("This subscription is cancelled"), code="subscription_cancelled")


def _handled(sub: Subscription, day: dt.date) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SubscriptionCycle).where(
        SubscriptionCycle.subscription_id == sub.id, SubscriptionCycle.cycle_date == day)) > 0


def skip(account_id: int, subscription_id: int, day: dt.date | None) -> Subscription:
    """Skip one cycle (the next one by default): a future cycle date not yet renewed."""
    sub = get_own(account_id, subscription_id, lock=True)
    _open(sub)
    day = day or sub.next_date
    if cycle_on_or_after(sub.anchor_date, sub.interval_unit, sub.interval_count, day) != day or day < sub.next_date:
        raise InvalidRequest(_("Not an upcoming delivery date of this subscription"), code="not_a_cycle_date")
    if _handled(sub, day):
        raise Conflict(_("That delivery is already ordered"), code="cycle_already_renewed")
    if db.session.get(SubscriptionSkip, (sub.id, day)) is None:
        db.session.add(SubscriptionSkip(subscription_id=sub.id, cycle_date=day))
    db.session.commit()
    return sub


def unskip(account_id: int, subscription_id: int, day: dt.date) -> Subscription:
    sub = get_own(account_id, subscription_id, lock=True)
    _open(sub)
    skipped = db.session.get(SubscriptionSkip, (sub.id, day))
    if skipped is None:
        raise not_found("skip", cycle_date=day.isoformat())
    if _handled(sub, day):
        raise Conflict(_("That delivery was already skipped by the renewal"), code="cycle_already_renewed")
    db.session.delete(skipped)
    db.session.commit()
    return sub


def pause(account_id: int, subscription_id: int, until: dt.date | None) -> Subscription:
    """Pause (until a date, or until resumed). Cycles whose cut-off passes meanwhile are not delivered."""
    sub = get_own(account_id, subscription_id, lock=True)
    _open(sub)
    sub.status, sub.paused_until, sub.pause_reason = SubscriptionStatus.PAUSED, until, "shopper"
    db.session.commit()
    return sub


def resume(sub: Subscription, now: dt.datetime) -> None:
    """Active again from the first cycle whose cut-off is still ahead (no charge for missed ones). No commit."""
    sub.status, sub.paused_until, sub.pause_reason = SubscriptionStatus.ACTIVE, None, None
    last = db.session.scalar(sa.select(sa.func.max(SubscriptionCycle.cycle_date))
                             .where(SubscriptionCycle.subscription_id == sub.id))
    after = max(d for d in (last, sub.next_date - dt.timedelta(days=1)) if d is not None)
    sub.next_date = first_renewable(current_group(sub.account_id), sub.anchor_date, sub.interval_unit,
                                    sub.interval_count, after, now)


def resume_own(account_id: int, subscription_id: int, setup_intent_id: str | None) -> Subscription:
    sub = get_own(account_id, subscription_id, lock=True)
    _open(sub)
    if setup_intent_id:  # resuming after dunning usually comes with a new card
        sub.stripe_customer_id, sub.stripe_payment_method_id = cards.saved_card(account_id, setup_intent_id)
        sub.pay_with = PayWith.CARD
    resume(sub, utcnow())
    db.session.commit()
    return sub


def change(account_id: int, subscription_id: int, changes: dict) -> Subscription:
    """Quantity, interval or how to pay. A new interval re-anchors the schedule on the next
    delivery; each future skip moves to the first new delivery on or after it (never dropped)."""
    sub = get_own(account_id, subscription_id, lock=True)
    from app.payments.methods import require_renewable

    require_renewable(changes.get("pay_with"))
    _open(sub)
    if "quantity" in changes:
        sub.quantity = changes["quantity"]
    if "interval_unit" in changes or "interval_count" in changes:
        unit, count = changes.get("interval_unit", sub.interval_unit), changes.get("interval_count", sub.interval_count)
        if not plans.offers(db.session.get(SubscriptionPlan, sub.plan_id), unit, count):
            raise InvalidRequest(_("That interval is not offered for this item"), code="interval_not_offered")
        sub.interval_unit, sub.interval_count, sub.anchor_date = IntervalUnit(unit), count, sub.next_date
        moved = {cycle_on_or_after(sub.anchor_date, sub.interval_unit, count, s.cycle_date) for s in sub.skips}
        sub.skips = [SubscriptionSkip(subscription_id=sub.id, cycle_date=d) for d in sorted(moved)]
        db.session.flush()
    if changes.get("setup_intent_id"):
        sub.stripe_customer_id, sub.stripe_payment_method_id = cards.saved_card(account_id, changes["setup_intent_id"])
        sub.pay_with = PayWith.CARD
    elif changes.get("pay_with") == PayWith.WALLET:
        sub.pay_with = PayWith.WALLET
    elif changes.get("pay_with") == PayWith.CARD and not sub.stripe_payment_method_id:
        raise InvalidRequest(_("Paying by card needs setup_intent_id"), code="card_not_saved")
    elif changes.get("pay_with") == PayWith.CARD:
        sub.pay_with = PayWith.CARD
    db.session.commit()
    return sub


def cancel(account_id: int, subscription_id: int) -> Subscription:
    sub = get_own(account_id, subscription_id, lock=True)
    if sub.status is not SubscriptionStatus.CANCELLED:
        sub.status, sub.cancelled_at = SubscriptionStatus.CANCELLED, utcnow()
        db.session.commit()
    return sub
