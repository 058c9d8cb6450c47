"""The leader confirms a delivery's arrival, line by line; shortages are recorded and refunded."""
from __future__ import annotations

import sqlalchemy as sa

from app.db import utcnow
from app.errors import Conflict, InvalidRequest
from app.extensions import db
from app.i18n import _
from app.inventory import stock
from app.notifications.messages import notify_order
from app.orders.lifecycle import FollowUps
from app.orders.models import PAID_STATES, Fulfilment, Order, OrderLine
from app.pickup.batches import batch_orders, get_batch
from app.pickup.models import BatchStatus, DeliveryBatch, Shortage, ShortageReason

NO_SYNC = {"synchronize_session": False}


def confirm_arrival(batch_id: int, account_id: int, shortages: list[dict]) -> DeliveryBatch:
    """Everything not listed as short arrived. Orders become ready for pickup (shoppers are told);
    short units of paid orders are refunded; an order with nothing left arrives as not delivered."""
    if not db.session.execute(sa.update(DeliveryBatch).where(
            DeliveryBatch.id == batch_id, DeliveryBatch.status.in_((BatchStatus.CLOSED, BatchStatus.DISPATCHED)))
            .values(status=BatchStatus.ARRIVED, arrived_at=utcnow(), arrived_by_id=account_id)
            .execution_options(**NO_SYNC)).rowcount:
        status = get_batch(batch_id).status.value
        db.session.rollback()
        raise Conflict(_("Only a closed or dispatched batch can arrive"), code="batch_state_conflict",
                       details={"status": status})
    orders = batch_orders(batch_id)
    follow = FollowUps()
    _record_shortages(batch_id, account_id, orders, shortages)
    for order in orders:
        db.session.refresh(order)
        _arrive(order, follow)
    db.session.commit()
    follow.run()
    return get_batch(batch_id)


def _record_shortages(batch_id: int, account_id: int, orders: list[Order], shortages: list[dict]) -> None:
    lines = {ln.id: ln for o in orders for ln in o.lines}
    unknown = sorted({s["order_line_id"] for s in shortages} - set(lines))
    if unknown:
        db.session.rollback()
        raise InvalidRequest(_("These lines are not in this delivery"), code="unknown_order_line",
                             details={"line_ids": unknown})
    for entry in shortages:
        qty = entry["quantity"]
        if not db.session.execute(sa.update(OrderLine).where(
                OrderLine.id == entry["order_line_id"],
                # At arrival, refunded units are those refunded before dispatch (never sent).
                OrderLine.shorted_quantity + OrderLine.picked_up_quantity + OrderLine.refunded_quantity + qty
                <= OrderLine.quantity)
                .values(shorted_quantity=OrderLine.shorted_quantity + qty).execution_options(**NO_SYNC)).rowcount:
            db.session.rollback()
            raise InvalidRequest(_("More units short than were sent on a line"), code="shortage_exceeds_quantity",
                                 details={"order_line_id": entry["order_line_id"]})
        db.session.add(Shortage(batch_id=batch_id, order_line_id=entry["order_line_id"], quantity=qty,
                                reason=ShortageReason(entry["reason"]), recorded_by_id=account_id))
    # The missing units leave the stock books, SKU by SKU in ascending order (lock order).
    for sku_id, qty, reason in sorted((lines[e["order_line_id"]].sku_id, e["quantity"], e["reason"])
                                      for e in shortages if lines[e["order_line_id"]].campaign_item_id is None):
        stock.shortage(sku_id, qty, batch_id=batch_id, cause=reason, actor_id=account_id)


def _arrive(order: Order, follow: FollowUps) -> None:
    if order.fulfilment is not Fulfilment.SCHEDULED:
        return
    if any(ln.collectable_quantity for ln in order.lines):
        order.fulfilment, order.ready_at = Fulfilment.READY_FOR_PICKUP, utcnow()
        notify_order(order, "order.ready_for_pickup", _("Ready for pickup"),
                     _("Order %(number)s is ready at %(point)s. Show code %(code)s.", number=order.number,
                       point=order.pickup_point_name, code=order.pickup_code))
    else:
        order.fulfilment = Fulfilment.NOT_DELIVERED
    if order.status in PAID_STATES and any(ln.shorted_quantity for ln in order.lines):
        follow.add(refund_shortages, order.id)


def refund_shortages(order_id: int) -> None:
    """Job: refund an order's short units not yet refunded. Twice is once: each shortage row is
    linked to its refund in the transaction that records the refund."""
    from app.payments.refunds import complete_refund, refund_lines

    order = db.session.get(Order, order_id)
    open_shortages = list(db.session.scalars(sa.select(Shortage).join(OrderLine).where(
        OrderLine.order_id == order_id, Shortage.refund_id.is_(None)).order_by(Shortage.id)))
    if not open_shortages or order.status not in PAID_STATES:
        return
    parts: dict[int, int] = {}
    for shortage in open_shortages:
        parts[shortage.order_line_id] = parts.get(shortage.order_line_id, 0) + shortage.quantity
    reasons = sorted({s.reason.value for s in open_shortages})
    refund = refund_lines(order, parts, reason=f"shortage at arrival ({', '.join(reasons)})")
    claimed = db.session.execute(sa.update(Shortage).where(
        Shortage.id.in_([s.id for s in open_shortages]), Shortage.refund_id.is_(None))
        .values(refund_id=refund.id).execution_options(**NO_SYNC)).rowcount
    if claimed != len(open_shortages):
        db.session.rollback()  # a concurrent run took them
        return
    db.session.commit()
    complete_refund(refund.id)
