"""Orders left at the pickup point: a reminder after N days, the store's policy after M days.

An order's effective fulfilment reads "uncollected" as soon as M days have passed, whether or not
the sweep has run; the sweep does the side effects (reminder, refund, restock), each once.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.i18n import _
from app.inventory import stock
from app.notifications.messages import notify_order
from app.notifications.outbox import kick
from app.orders.lifecycle import FollowUps
from app.orders.models import PAID_STATES, Fulfilment, Order, OrderLine, OrderStatus
from app.payments.models import Payment, PaymentStatus
from app.settings.models import StoreSettings, UncollectedPolicy
from app.settings.services import get_settings

NO_SYNC = {"synchronize_session": False}
WAITING = (Fulfilment.READY_FOR_PICKUP, Fulfilment.PARTIALLY_PICKED_UP)


def effective_fulfilment(order: Order, settings: StoreSettings) -> str:
    if (order.fulfilment in WAITING and order.ready_at
            and order.ready_at <= utcnow() - dt.timedelta(days=settings.uncollected_after_days)):
        return Fulfilment.UNCOLLECTED.value
    return order.fulfilment.value


def fulfilment_is(value: Fulfilment):
    """SQL condition for an effective fulfilment, so lists agree with the clock before the sweep."""
    overdue = sa.and_(Order.fulfilment.in_(WAITING),
                      Order.ready_at <= utcnow() - dt.timedelta(days=get_settings().uncollected_after_days))
    if value is Fulfilment.UNCOLLECTED:
        return sa.or_(Order.fulfilment == value, overdue)
    if value in WAITING:
        return sa.and_(Order.fulfilment == value, sa.not_(overdue))
    return Order.fulfilment == value


def sweep(limit: int = 500) -> dict[str, int]:
    """Send due reminders and apply the uncollected policy; each order in its own transaction."""
    settings = get_settings()
    now = utcnow()
    remind_before = now - dt.timedelta(days=settings.reminder_after_days)
    give_up_before = now - dt.timedelta(days=settings.uncollected_after_days)
    counts = {"reminded": 0, "uncollected": 0}
    for order_id in list(db.session.scalars(sa.select(Order.id).where(
            Order.fulfilment.in_(WAITING), Order.ready_at <= give_up_before).order_by(Order.id).limit(limit))):
        counts["uncollected"] += _give_up(order_id, settings)
    for order_id in list(db.session.scalars(sa.select(Order.id).where(
            Order.fulfilment.in_(WAITING), Order.ready_at <= remind_before, Order.reminded_at.is_(None))
            .order_by(Order.id).limit(limit))):
        counts["reminded"] += _remind(order_id)
    kick()  # the reminders and notices just committed go out now
    return counts


def _remind(order_id: int) -> bool:
    if not db.session.execute(sa.update(Order).where(Order.id == order_id, Order.reminded_at.is_(None),
                                                     Order.fulfilment.in_(WAITING))
                              .values(reminded_at=utcnow()).execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()
        return False
    order = db.session.get(Order, order_id)
    notify_order(order, "order.pickup_reminder", _("Your order is waiting"),
                 _("Order %(number)s is waiting for you at %(point)s. Code %(code)s.", number=order.number,
                   point=order.pickup_point_name, code=order.pickup_code))
    db.session.commit()
    return True


def _give_up(order_id: int, settings: StoreSettings) -> bool:
    if not db.session.execute(sa.update(Order).where(Order.id == order_id, Order.fulfilment.in_(WAITING))
                              .values(fulfilment=Fulfilment.UNCOLLECTED).execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()
        return False
    order = db.session.get(Order, order_id, populate_existing=True)
    waiting = {ln.id: ln.collectable_quantity for ln in order.lines if ln.collectable_quantity}
    follow = FollowUps()
    if order.status is OrderStatus.CONFIRMED:
        _return_unpaid(order, waiting)
        outcome = "The order was cancelled and the goods returned to stock."
    elif order.status in PAID_STATES and settings.uncollected_policy is not UncollectedPolicy.RETURN_TO_STOCK:
        fee = _fee(order, waiting, settings)
        follow.add(refund_uncollected, order.id, {str(k): v for k, v in waiting.items()}, fee)
        outcome = (_("Order %(number)s was not collected in time. It will be refunded less a restocking fee.",
                     number=order.number) if fee else
                   _("Order %(number)s was not collected in time. It will be refunded.", number=order.number))
    else:
        _return_paid(waiting)
        outcome = _("Order %(number)s was not collected in time. The goods were returned to stock; the payment is "
                    "kept as the store's policy says.", number=order.number)
    notify_order(order, "order.uncollected", _("Not collected"), outcome,
                 leader_title=_("Order %(number)s was not collected", number=order.number),
                 policy=settings.uncollected_policy.value)
    db.session.commit()
    follow.run()
    return True


def _fee(order: Order, waiting: dict[int, int], settings: StoreSettings) -> int:
    if settings.uncollected_policy is not UncollectedPolicy.REFUND_MINUS_FEE:
        return 0
    # On what the units cost after discounts (the coupon's and points' share of each line).
    value = sum(ln.amount_of(waiting[ln.id]) for ln in order.lines if ln.id in waiting)
    return value * settings.restocking_fee_bps // 10_000  # rounded down: in the shopper's favour


def _return_unpaid(order: Order, waiting: dict[int, int]) -> None:
    """Pay at pickup, never collected: nothing to refund; cancel it and put the goods back."""
    order.status, order.closed_at, order.close_reason = OrderStatus.CANCELLED, utcnow(), "uncollected"
    from app.orders.lifecycle import _give_back_discounts

    _give_back_discounts(order)
    _return_paid(waiting)
    db.session.execute(sa.update(Payment).where(Payment.order_id == order.id, Payment.status == PaymentStatus.PENDING)
                       .values(status=PaymentStatus.CANCELLED).execution_options(**NO_SYNC))


def _return_paid(waiting: dict[int, int]) -> None:
    for line_id, qty in sorted(waiting.items()):
        line = db.session.get(OrderLine, line_id)
        if db.session.execute(sa.update(OrderLine).where(
                OrderLine.id == line_id,
                OrderLine.restocked_quantity + OrderLine.shorted_quantity + OrderLine.picked_up_quantity + qty
                <= OrderLine.quantity).values(restocked_quantity=OrderLine.restocked_quantity + qty)
                .execution_options(**NO_SYNC)).rowcount:
            stock.unsell(line.sku_id, qty, reference_id=line.order_id)


def refund_uncollected(order_id: int, quantities: dict[str, int], fee_cents: int) -> None:
    """Job: refund an uncollected paid order's waiting units (less the fee), goods back on sale.
    Twice is once: the second run finds those units already refunded and stops."""
    from app.errors import Conflict
    from app.payments.refunds import complete_refund, refund_lines

    order = db.session.get(Order, order_id)
    try:
        refund = refund_lines(order, {int(k): v for k, v in quantities.items()}, reason="not collected in time",
                              restock=True, fee_cents=fee_cents, waiting_only=True)
    except Conflict:
        db.session.rollback()
        return
    db.session.commit()
    complete_refund(refund.id)
