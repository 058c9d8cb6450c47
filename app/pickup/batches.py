"""Delivery batches: one per pickup point per day, filled from paid (or pay-at-pickup) orders."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Account
from app.db import utcnow
from app.errors import Conflict, not_found
from app.extensions import db
from app.groups.models import Group
from app.i18n import Day, _
from app.notifications.messages import notify_order
from app.notifications.outbox import Recipient, emit
from app.orders.models import Fulfilment, Order, OrderLine, OrderStatus
from app.pickup.models import BatchStatus, DeliveryBatch
from app.pickup.schedule import slot_of_group
from app.pickup_points.models import PickupPoint

NO_SYNC = {"synchronize_session": False}
IN_BATCH = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.CONFIRMED, OrderStatus.REFUNDED)


def get_batch(batch_id: int) -> DeliveryBatch:
    batch = db.session.get(DeliveryBatch, batch_id)
    if batch is None:
        raise not_found("delivery_batch", id=batch_id)
    return batch


def _open_batch(point_id: int, day: dt.date) -> DeliveryBatch | None:
    """The open batch for that point and day (created if missing), locked until commit; None if closed."""
    batch = db.session.scalar(sa.select(DeliveryBatch).where(DeliveryBatch.pickup_point_id == point_id,
                                                             DeliveryBatch.delivery_date == day))
    if batch is None:
        try:
            with db.session.begin_nested():
                batch = DeliveryBatch(pickup_point_id=point_id, delivery_date=day, status=BatchStatus.OPEN)
                db.session.add(batch)
        except IntegrityError:
            batch = db.session.scalar(sa.select(DeliveryBatch).where(DeliveryBatch.pickup_point_id == point_id,
                                                                     DeliveryBatch.delivery_date == day))
    # Touching the row takes its lock (PostgreSQL), so a concurrent close waits for us and then
    # closes with this order in it; if it is already closed, nothing is touched.
    touched = db.session.execute(sa.update(DeliveryBatch).where(
        DeliveryBatch.id == batch.id, DeliveryBatch.status == BatchStatus.OPEN)
        .values(updated_at=utcnow()).execution_options(**NO_SYNC)).rowcount
    return batch if touched else None


def assign(order: Order) -> DeliveryBatch:
    """Put a paid (or pay-at-pickup) order into its day's batch. If that batch is already closed
    (paid after the cut-off), it goes into the next slot and the shopper is told the new date."""
    batch = _open_batch(order.pickup_point_id, order.pickup_date) if order.pickup_date else None
    if batch is None:
        moved_from = order.pickup_date
        day, batch = _next_open_batch(order)
        order.pickup_date = day
        if moved_from is not None:
            notify_order(order, "order.pickup_date_changed", _("New pickup date"),
                         _("Order %(number)s will be ready on %(day)s at %(point)s.", number=order.number,
                           day=Day(day), point=order.pickup_point_name),
                         previous_pickup_date=moved_from.isoformat())
    order.batch_id, order.fulfilment = batch.id, Fulfilment.SCHEDULED
    return batch


def _next_open_batch(order: Order) -> tuple[dt.date, DeliveryBatch]:
    """The slot an order paid now would get, or the point's next open day after it whose batch is
    still open (the merchant may close a day's batch before its cut-off)."""
    from app.pickup.schedule import SEARCH_DAYS, is_open

    day = slot_of_group(db.session.get(Group, order.group_id), utcnow()).date
    point = db.session.get(PickupPoint, order.pickup_point_id)
    for offset in range(SEARCH_DAYS):
        candidate = day + dt.timedelta(days=offset)
        if offset and not is_open(point, candidate):
            continue
        batch = _open_batch(order.pickup_point_id, candidate)
        if batch is not None:
            return candidate, batch
    raise Conflict(_("No open delivery batch in the coming months"), code="batch_closed")


def close(batch_id: int) -> DeliveryBatch:
    """Freeze a batch for picking: later payments for that day go into the next batch."""
    if not db.session.execute(sa.update(DeliveryBatch).where(
            DeliveryBatch.id == batch_id, DeliveryBatch.status == BatchStatus.OPEN)
            .values(status=BatchStatus.CLOSED, closed_at=utcnow()).execution_options(**NO_SYNC)).rowcount:
        _refuse(batch_id, _("Only an open batch can be closed"))
    db.session.commit()
    return get_batch(batch_id)


def dispatch(batch_id: int) -> DeliveryBatch:
    """Mark a closed batch as sent; the leader and the batch's shoppers are told it is on its way."""
    if not db.session.execute(sa.update(DeliveryBatch).where(
            DeliveryBatch.id == batch_id, DeliveryBatch.status == BatchStatus.CLOSED)
            .values(status=BatchStatus.DISPATCHED, dispatched_at=utcnow()).execution_options(**NO_SYNC)).rowcount:
        _refuse(batch_id, _("Only a closed batch can be dispatched"))
    batch = get_batch(batch_id)
    orders = batch_orders(batch_id)
    for order in orders:
        notify_order(order, "order.dispatched", _("Your order is on its way"),
                     _("Order %(number)s is on its way to %(point)s.", number=order.number,
                       point=order.pickup_point_name))
    from app.notifications.messages import point_leader_account

    leader_account = point_leader_account(batch.pickup_point_id)
    if leader_account:
        emit("batch.dispatched", batch_payload(batch, orders), [Recipient(
            leader_account, "leader", _("A delivery is on its way"),
            _("Orders for %(day)s are on their way to your point: %(count)s.", count=len(orders),
              day=Day(batch.delivery_date)))])
    db.session.commit()
    return batch


def _refuse(batch_id: int, message: str) -> None:
    batch = get_batch(batch_id)
    db.session.rollback()
    raise Conflict(message, code="batch_state_conflict", details={"status": batch.status.value})


def batch_orders(batch_id: int) -> list[Order]:
    return list(db.session.scalars(sa.select(Order).where(Order.batch_id == batch_id, Order.status.in_(IN_BATCH))
                                   .order_by(Order.id)))


def to_pack(line: OrderLine) -> int:
    """Units to pack: ordered, less what was refunded before it left."""
    return max(line.quantity - line.refunded_quantity, 0)


def totals(batch_id: int) -> dict:
    orders = [o for o in batch_orders(batch_id) if any(to_pack(ln) for ln in o.lines)]
    return {"orders": len(orders), "units": sum(to_pack(ln) for o in orders for ln in o.lines),
            "amount_cents": sum(o.total_cents - o.refunded_cents for o in orders)}


def batch_payload(batch: DeliveryBatch, orders: list[Order]) -> dict:
    return {"batch_id": batch.id, "delivery_date": batch.delivery_date.isoformat(),
            "pickup_point": {"id": batch.pickup_point_id, "name": batch.pickup_point.name},
            "orders": [o.number for o in orders]}


def pick_list(batch_id: int) -> list[dict]:
    """What to pack for one point: each order with shopper, pickup code and lines."""
    get_batch(batch_id)
    orders = batch_orders(batch_id)
    names = dict(db.session.execute(sa.select(Account.id, Account.name).where(
        Account.id.in_({o.account_id for o in orders}))).all())
    rows = []
    for order in orders:
        lines = [{"order_line_id": ln.id, "sku_code": ln.sku_code, "product_name": ln.product_name,
                  "sku_name": ln.sku_name, "quantity": to_pack(ln)} for ln in order.lines if to_pack(ln)]
        if lines:
            rows.append({"order_number": order.number, "pickup_code": order.pickup_code,
                         "shopper_name": names.get(order.account_id), "lines": lines})
    return rows + replacements(batch_id)


def replacements(batch_id: int) -> list[dict]:
    """After-sale replacements travelling in this batch, each under its original order (and code)."""
    from app.aftersales.models import AfterSaleRequest

    rows = []
    for req in db.session.scalars(sa.select(AfterSaleRequest).where(AfterSaleRequest.replacement_batch_id == batch_id)
                                  .order_by(AfterSaleRequest.id)):
        order, line = db.session.get(Order, req.order_id), db.session.get(OrderLine, req.order_line_id)
        rows.append({"order_number": order.number, "pickup_code": order.pickup_code, "replacement_for": req.id,
                     "shopper_name": db.session.get(Account, order.account_id).name,
                     "lines": [{"order_line_id": line.id, "sku_code": line.sku_code, "product_name": line.product_name,
                                "sku_name": line.sku_name, "quantity": req.replacement_quantity}]})
    return rows


def consolidated(delivery_date: dt.date) -> list[dict]:
    """What the warehouse picks for a day: each SKU's total over every point's batch."""
    batches = list(db.session.scalars(sa.select(DeliveryBatch).where(DeliveryBatch.delivery_date == delivery_date)))
    per_sku: dict[str, dict] = {}
    points: dict[str, set] = defaultdict(set)
    for batch in batches:
        for order in batch_orders(batch.id):
            for ln in order.lines:
                if not to_pack(ln):
                    continue
                row = per_sku.setdefault(ln.sku_code, {"sku_code": ln.sku_code, "product_name": ln.product_name,
                                                       "sku_name": ln.sku_name, "quantity": 0})
                row["quantity"] += to_pack(ln)
                points[ln.sku_code].add(batch.pickup_point_id)
    for code, row in per_sku.items():
        row["pickup_points"] = len(points[code])
    return sorted(per_sku.values(), key=lambda r: r["sku_code"])


def list_batches(*, delivery_date: dt.date | None = None, status: str | None = None,
                 pickup_point_id: int | None = None, point_ids: list[int] | None = None,
                 from_date: dt.date | None = None) -> sa.Select:
    query = sa.select(DeliveryBatch).order_by(DeliveryBatch.delivery_date, DeliveryBatch.pickup_point_id)
    if delivery_date:
        query = query.where(DeliveryBatch.delivery_date == delivery_date)
    if from_date:
        query = query.where(DeliveryBatch.delivery_date >= from_date)
    if status:
        query = query.where(DeliveryBatch.status == BatchStatus(status))
    if pickup_point_id:
        query = query.where(DeliveryBatch.pickup_point_id == pickup_point_id)
    if point_ids is not None:
        query = query.where(DeliveryBatch.pickup_point_id.in_(point_ids))
    return query
