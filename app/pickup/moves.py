"""What happens to orders when a group moves to another pickup point: nothing silently.

Orders already placed keep the pickup point they were placed for (their goods are packed, shipped
or waiting there), and their shoppers are told so. Staff may move an order that is not packed yet.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.groups.models import Group
from app.i18n import Day, _
from app.notifications.messages import notify_order
from app.orders.models import Fulfilment, Order, OrderStatus
from app.pickup import batches
from app.pickup.models import BatchStatus, DeliveryBatch
from app.pickup.schedule import rules_for, slot_for
from app.pickup_points.models import PointStatus
from app.pickup_points.services import get_point

NOT_COLLECTED = (Fulfilment.PENDING, Fulfilment.SCHEDULED, Fulfilment.READY_FOR_PICKUP,
                 Fulfilment.PARTIALLY_PICKED_UP)
LIVE = (OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


def tell_shoppers_their_orders_stay(group_id: int, old_point_id: int) -> int:
    """On a group transfer: each open order stays at its point; its shopper is told. No commit."""
    orders = list(db.session.scalars(sa.select(Order).where(
        Order.group_id == group_id, Order.pickup_point_id == old_point_id, Order.fulfilment.in_(NOT_COLLECTED),
        Order.status.in_(LIVE))))
    for order in orders:
        notify_order(order, "order.pickup_point_unchanged", _("Your pickup point for this order"),
                     _("Your group has a new pickup point, but order %(number)s is still collected at %(point)s, "
                       "%(address)s.", number=order.number, point=order.pickup_point_name,
                       address=order.pickup_point_address))
    return len(orders)


def move_order(order: Order, point_id: int) -> Order:
    """Staff move an order that is not packed yet to another pickup point (and into its batch)."""
    point = get_point(point_id)
    if point.status is not PointStatus.ACTIVE:
        raise Conflict(_("This pickup point is inactive"), code="pickup_point_inactive")
    batch = db.session.get(DeliveryBatch, order.batch_id) if order.batch_id else None
    if order.fulfilment not in (Fulfilment.PENDING, Fulfilment.SCHEDULED) or (
            batch is not None and batch.status is not BatchStatus.OPEN):
        raise Conflict(_("Only orders not yet packed can move"), code="order_already_packed")
    if order.pickup_point_id == point.id:
        raise Conflict(_("The order is already collected there"), code="move_changes_nothing")
    order.pickup_point_id, order.pickup_point_name, order.pickup_point_address = point.id, point.name, point.address
    order.pickup_date = slot_for(rules_for(db.session.get(Group, order.group_id)), point, utcnow()).date
    if batch is not None:
        batches.assign(order)
    notify_order(order, "order.pickup_point_changed", _("New pickup point"),
                 _("Order %(number)s will be collected at %(point)s, %(address)s on %(day)s.", number=order.number,
                   point=point.name, address=point.address, day=Day(order.pickup_date)))
    db.session.commit()
    return order
