"""Stock counter changes. Each is one guarded statement, never read-then-write, so concurrent
checkouts cannot oversell: sold + reserved <= total holds in the statement and in a CHECK.
Each also appends its stock movement (app/inventory/movements.py) — on PostgreSQL inside the same
statement — so the counters always equal the sum of the movements.

None of these commit: they are steps inside a caller's unit of work. Callers touching several SKUs
go in ascending sku_id order, so two multi-line orders cannot deadlock on each other's rows.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from app.catalog.models import Sku
from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.inventory.models import MovementReason, ReservationStatus, StockReservation
from app.inventory.movements import record, shift

NO_SYNC = {"synchronize_session": False}


class InsufficientStock(Conflict):
    code = "insufficient_stock"


def _code_and_available(sku_id: int) -> tuple[str, int]:
    code, available = db.session.execute(
        sa.select(Sku.code, Sku.stock_total - Sku.stock_sold - Sku.stock_reserved).where(Sku.id == sku_id)
    ).one()
    return code, available


def release_overdue(sku_id: int, now: dt.datetime | None = None) -> int:
    """Give back a SKU's holds that have expired, so they never count against stock even when
    no sweep has run. Flipping each row's status first makes a second releaser find nothing."""
    rows = db.session.execute(
        sa.update(StockReservation)
        .where(StockReservation.sku_id == sku_id, StockReservation.status == ReservationStatus.ACTIVE,
               StockReservation.expires_at <= (now or utcnow()))
        .values(status=ReservationStatus.EXPIRED)
        .returning(StockReservation.order_id, StockReservation.quantity)
        .execution_options(**NO_SYNC)
    ).all()
    released = sum(quantity for _order_id, quantity in rows)
    if released:
        _shift(sku_id, reserved=-released)
        for order_id, quantity in rows:
            record(sku_id, MovementReason.RELEASED, quantity, reserved=-quantity, reference_type="order",
                   reference_id=order_id, cause="lapsed")
    return released


def _take(sku_id: int, quantity: int, column: str, ref: dict) -> int | None:
    """One guarded statement: add to reserved or sold only if sold + reserved stays within total
    (with its movement in the same statement on PostgreSQL)."""
    reason, changes = ((MovementReason.RESERVED, {"reserved": quantity}) if column == "stock_reserved"
                       else (MovementReason.SOLD, {"sold": quantity}))
    return shift(sku_id, reason, quantity, guard=Sku.stock_sold + Sku.stock_reserved + quantity <= Sku.stock_total,
                 **changes, **ref)


def _take_releasing_overdue(sku_id: int, quantity: int, column: str, ref: dict) -> int | None:
    """Try to take the stock; if it looks short, lapsed holds may be what blocks it: release them
    and try once more. Lapsed holds so never block a purchase, and cost nothing when stock is free."""
    taken = _take(sku_id, quantity, column, ref)
    if taken is None and release_overdue(sku_id) > 0:
        taken = _take(sku_id, quantity, column, ref)
    return taken  # the movement's id, or None: never a bool, which callers would read as "taken"


def reserve(order_id: int, sku_id: int, quantity: int, expires_at: dt.datetime) -> None:
    """Hold stock for an unpaid order until expires_at, or raise insufficient_stock."""
    if _take_releasing_overdue(sku_id, quantity, "stock_reserved", {"reference_type": "order",
                                                                    "reference_id": order_id}) is None:
        _raise_insufficient(sku_id, quantity)
    db.session.add(StockReservation(order_id=order_id, sku_id=sku_id, quantity=quantity, expires_at=expires_at,
                                    status=ReservationStatus.ACTIVE))


def sell(sku_id: int, quantity: int, *, reference_type: str = "order", reference_id: int | None = None) -> bool:
    """Commit stock straight to sold (pay at pickup, a late payment re-acquiring stock, an
    after-sale replacement)."""
    return _take_releasing_overdue(sku_id, quantity, "stock_sold", {"reference_type": reference_type,
                                                                    "reference_id": reference_id}) is not None


def sell_or_raise(sku_id: int, quantity: int, *, reference_type: str = "order",
                  reference_id: int | None = None) -> None:
    if not sell(sku_id, quantity, reference_type=reference_type, reference_id=reference_id):
        _raise_insufficient(sku_id, quantity)


def _raise_insufficient(sku_id: int, quantity: int) -> None:
    code, available = _code_and_available(sku_id)
    available = max(available, 0)
    raise InsufficientStock(_('Only %(available)s left of %(code)s', available=available, code=code), details={
        "sku_id": sku_id, "sku": code, "available": available, "requested": quantity})


def consume(order_id: int) -> dict[int, int]:
    """Turn an order's active holds into sold stock; returns {sku_id: quantity} consumed."""
    rows = db.session.execute(
        sa.update(StockReservation)
        .where(StockReservation.order_id == order_id, StockReservation.status == ReservationStatus.ACTIVE)
        .values(status=ReservationStatus.CONSUMED)
        .returning(StockReservation.sku_id, StockReservation.quantity)
        .execution_options(**NO_SYNC)
    ).all()
    consumed = _sum_by_sku(rows)
    for sku_id in sorted(consumed):
        shift(sku_id, MovementReason.SOLD, consumed[sku_id], reserved=-consumed[sku_id], sold=consumed[sku_id],
              reference_type="order", reference_id=order_id)
    return consumed


def release(order_id: int, reason: ReservationStatus = ReservationStatus.RELEASED) -> dict[int, int]:
    """Give back an order's active holds (cancelled or expired); returns {sku_id: quantity}."""
    rows = db.session.execute(
        sa.update(StockReservation)
        .where(StockReservation.order_id == order_id, StockReservation.status == ReservationStatus.ACTIVE)
        .values(status=reason)
        .returning(StockReservation.sku_id, StockReservation.quantity)
        .execution_options(**NO_SYNC)
    ).all()
    released = _sum_by_sku(rows)
    cause = "lapsed" if reason is ReservationStatus.EXPIRED else "cancelled"
    for sku_id in sorted(released):
        shift(sku_id, MovementReason.RELEASED, released[sku_id], reserved=-released[sku_id],
              reference_type="order", reference_id=order_id, cause=cause)
    return released


def unsell(sku_id: int, quantity: int, *, reference_type: str = "order", reference_id: int | None = None) -> None:
    """Return sold units to sale (a refund of goods never handed over, a cancelled unpaid order)."""
    shift(sku_id, MovementReason.REFUNDED, quantity, guard=Sku.stock_sold >= quantity, sold=-quantity,
          reference_type=reference_type, reference_id=reference_id)


def shortage(sku_id: int, quantity: int, *, batch_id: int, cause: str, actor_id: int | None) -> None:
    """Sold units that never arrived at the pickup point: they leave the books (total and sold),
    so what is left to sell is unchanged and on hand stays true."""
    shift(sku_id, MovementReason.SHORTAGE, quantity, guard=Sku.stock_sold >= quantity, total=-quantity,
          sold=-quantity, reference_type="batch", reference_id=batch_id, cause=cause, actor_id=actor_id)


def _shift(sku_id: int, *, reserved: int = 0, sold: int = 0) -> None:
    db.session.execute(
        sa.update(Sku)
        .where(Sku.id == sku_id)
        .values(stock_reserved=Sku.stock_reserved + reserved, stock_sold=Sku.stock_sold + sold)
        .execution_options(**NO_SYNC)
    )


def _sum_by_sku(rows) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for sku_id, quantity in rows:
        totals[sku_id] += quantity
    return dict(totals)


def overdue_held(sku_ids: list[int]) -> dict[int, int]:
    """Units in expired-but-unreleased holds per SKU: to show true availability without writing."""
    if not sku_ids:
        return {}
    rows = db.session.execute(
        sa.select(StockReservation.sku_id, sa.func.sum(StockReservation.quantity))
        .where(StockReservation.sku_id.in_(sku_ids), StockReservation.status == ReservationStatus.ACTIVE,
               StockReservation.expires_at <= utcnow())
        .group_by(StockReservation.sku_id)
    ).all()
    return {sku_id: int(total) for sku_id, total in rows}
