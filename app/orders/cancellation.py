"""A shopper cancels a paid order (or some of its lines) until its cut-off: refunded in full to
where the money came from, stock back on sale, coupon and points given back, commission reversed.

The cut-off of an order is the one its pickup date was booked under (its group's rules). The race
with the batch closing at the cut-off is settled on the batch row: cancelling touches the batch
while it is still open (taking its lock on PostgreSQL), so a close either waits for the cancel and
freezes the batch without those units, or has already closed it and the cancel is refused."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.db import utcnow
from app.errors import Conflict, InvalidRequest
from app.extensions import db
from app.groups.models import Group
from app.i18n import _
from app.orders.models import PAID_STATES, Fulfilment, Order, OrderStatus
from app.pickup.models import BatchStatus, DeliveryBatch
from app.pickup.schedule import local_moment, rules_for

NO_SYNC = {"synchronize_session": False}
REASON = "cancelled by shopper before the cut-off"
CANCELLED = "cancelled_before_cutoff"  # the close_reason


def cutoff_of(order: Order) -> dt.datetime | None:
    """The instant after which the order's delivery is being packed (None: not booked on a day)."""
    if order.pickup_date is None:
        return None
    rules = rules_for(db.session.get(Group, order.group_id))
    return local_moment(order.pickup_date - dt.timedelta(days=rules.lead_days), rules.cutoff)


def _past_cutoff(order: Order, cutoff: dt.datetime | None) -> Conflict:
    return Conflict(_("The order's cut-off has passed: ask for help with an after-sale request instead"),
                    code="past_cutoff", details={
                        "cutoff": cutoff.isoformat() if cutoff else None,
                        "after_sales": f"/api/v1/store/orders/{order.id}/after-sales"})


def _hold_open_batch(order: Order) -> bool:
    if order.batch_id is None:
        return True
    return bool(db.session.execute(sa.update(DeliveryBatch).where(
        DeliveryBatch.id == order.batch_id, DeliveryBatch.status == BatchStatus.OPEN)
        .values(updated_at=utcnow()).execution_options(**NO_SYNC)).rowcount)


def _quantities(order: Order, lines: list[dict] | None) -> dict[int, int]:
    by_id = {line.id: line for line in order.lines}
    if lines is None:
        return {ln.id: ln.quantity - ln.refunded_quantity for ln in order.lines if ln.quantity > ln.refunded_quantity}
    unknown = sorted({r["line_id"] for r in lines} - set(by_id))
    if unknown:
        raise InvalidRequest(_("These lines are not in this order"), code="unknown_order_line",
                             details={"line_ids": unknown})
    wanted: dict[int, int] = {}
    for r in lines:
        wanted[r["line_id"]] = wanted.get(r["line_id"], 0) + r["quantity"]
    return wanted


def cancel_paid(order: Order, lines: list[dict] | None) -> int | None:
    """Record the refund of a paid order's lines (all: the order is cancelled) before its cut-off.
    Returns the refund's id for completion after the commit, or None when a retry of a full cancel
    finds the order already cancelled. No commit."""
    if order.close_reason == CANCELLED:
        if lines is None:
            return None  # a retry: already cancelled and refunded
        raise Conflict(_("Nothing left to cancel on this order"), code="nothing_to_cancel")
    cutoff = cutoff_of(order)
    if cutoff is not None and utcnow() >= cutoff:
        raise _past_cutoff(order, cutoff)
    if not _hold_open_batch(order):
        raise _past_cutoff(order, cutoff)
    from app.payments.refunds import refund_lines

    quantities = _quantities(order, lines)
    whole = lines is None or all(
        quantities.get(ln.id, 0) >= ln.quantity - ln.refunded_quantity for ln in order.lines)
    if not quantities:
        raise Conflict(_("Nothing left to cancel on this order"), code="nothing_to_cancel")
    try:
        # Guarded counters on the lines: a concurrent retry finds the units already refunded.
        refund = refund_lines(order, quantities, reason=REASON, restock=True)
    except Conflict:
        db.session.rollback()
        order = db.session.get(Order, order.id, populate_existing=True)
        if lines is None and order.close_reason == CANCELLED:
            return None
        raise
    if whole:
        db.session.execute(sa.update(Order).where(Order.id == order.id, Order.status.in_(PAID_STATES))
                           .values(status=OrderStatus.CANCELLED, closed_at=utcnow(),
                                   close_reason=CANCELLED, fulfilment=Fulfilment.NOT_DELIVERED)
                           .execution_options(**NO_SYNC))
        from app.coupons.services import release

        release(order.id)
    return refund.id

