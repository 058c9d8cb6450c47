"""What each order event says, to whom, and the data a merchant's gateway (SMS, WeChat) receives."""
from __future__ import annotations

from typing import Any

from app.accounts.models import Account
from app.extensions import db
from app.leaders.models import Leader
from app.notifications.outbox import Recipient, emit
from app.orders.models import Order
from app.pickup_points.models import PickupPoint


def order_payload(order: Order, **extra: Any) -> dict:
    shopper = db.session.get(Account, order.account_id)
    return {
        "order_id": order.id, "order_number": order.number, "status": order.status.value,
        "fulfilment": order.fulfilment.value, "total_cents": order.total_cents, "currency": order.currency,
        "pickup_date": order.pickup_date.isoformat() if order.pickup_date else None,
        "pickup_point": {"id": order.pickup_point_id, "name": order.pickup_point_name,
                         "address": order.pickup_point_address},
        "shopper": {"account_id": shopper.id, "name": shopper.name, "phone": shopper.phone, "email": shopper.email},
        **extra,
    }


def point_leader_account(point_id: int) -> int | None:
    point = db.session.get(PickupPoint, point_id)
    if point is None or point.leader_id is None:
        return None
    return db.session.get(Leader, point.leader_id).account_id


def notify_order(order: Order, event_type: str, title: str, body: str, *, leader_title: str | None = None,
                 **extra: Any) -> None:
    """Tell the shopper (and, with leader_title, the pickup point's leader) about an order."""
    recipients = [Recipient(order.account_id, "shopper", title, body)]
    leader_account = point_leader_account(order.pickup_point_id) if leader_title else None
    if leader_account:
        recipients.append(Recipient(leader_account, "leader", leader_title, body))
    emit(event_type, order_payload(order, **extra), recipients)
