"""A closure added to a pickup point moves the orders already booked there for those days to the
point's next open day (or the day the merchant picks), and tells their shoppers, who may cancel
instead: a moved order's cut-off is the new day's, so it is cancellable until then."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import Account
from app.clock import local_today
from app.errors import InvalidRequest
from app.extensions import db
from app.i18n import _, in_locale
from app.notifications.messages import notify_order
from app.orders.models import Fulfilment, Order, OrderStatus
from app.pickup.models import BatchStatus, DeliveryBatch
from app.pickup.schedule import SEARCH_DAYS, is_open
from app.pickup_points.models import PickupPoint

LIVE = (OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED,
        OrderStatus.DEPOSIT_PAID)
NOT_PACKED = (Fulfilment.PENDING, Fulfilment.SCHEDULED)


def _next_open_day(point: PickupPoint, after: dt.date) -> dt.date:
    for offset in range(1, SEARCH_DAYS):
        day = after + dt.timedelta(days=offset)
        if is_open(point, day):
            return day
    raise InvalidRequest(_("The pickup point has no open day in the coming months"), code="pickup_point_unavailable")


def check_move_to(point: PickupPoint, move_to: dt.date | None) -> None:
    if move_to is not None and (move_to <= local_today() or not is_open(point, move_to)):
        raise InvalidRequest(_("Move the orders to a future day the point is open"), code="invalid_move_date",
                             details={"move_to": move_to.isoformat()})


def move_booked_orders(point: PickupPoint, days: set[dt.date], move_to: dt.date | None) -> int:
    """Move the point's orders booked on closed `days` whose batch is not packed yet; returns how
    many moved. No commit (the closure and the moves are one unit of work)."""
    from app.pickup import batches

    db.session.flush()
    db.session.refresh(point, ["closures"])
    check_move_to(point, move_to)
    orders = list(db.session.scalars(sa.select(Order).where(
        Order.pickup_point_id == point.id, Order.pickup_date.in_(days), Order.status.in_(LIVE),
        Order.fulfilment.in_(NOT_PACKED)).order_by(Order.id)))
    moved = 0
    for order in orders:
        batch = db.session.get(DeliveryBatch, order.batch_id) if order.batch_id else None
        if batch is not None and batch.status is not BatchStatus.OPEN:
            continue  # already packed for that day: the merchant handles it with the leader
        old = order.pickup_date
        order.pickup_date = move_to or _next_open_day(point, old)
        if batch is not None:
            target = batches._open_batch(point.id, order.pickup_date)
            if target is None:
                order.pickup_date, target = batches._next_open_batch(order)
            order.batch_id = target.id
        _tell(order, old)
        moved += 1
    return moved


def _tell(order: Order, old: dt.date) -> None:
    account = db.session.get(Account, order.account_id)
    with in_locale(getattr(account, "locale", None) or current_app.config["STORE_LOCALE"]):
        title = str(_("New pickup date"))
        body = str(_("%(point)s is closed on %(old)s: order %(number)s will be ready on %(new)s. You may cancel "
                     "it instead until its new cut-off.", point=order.pickup_point_name, old=old.isoformat(),
                     number=order.number, new=order.pickup_date.isoformat()))
    notify_order(order, "order.pickup_date_changed", title, body, previous_pickup_date=old.isoformat(),
                 reason="pickup_point_closed")
