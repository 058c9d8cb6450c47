"""Stock counter changes. Each is one guarded statement, never read-then-write, so concurrent
checkouts cannot oversell: sold + reserved <= total holds in the statement and in a CHECK.

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
from app.inventory.models import ReservationStatus, StockReservation

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
    quantities = db.session.scalars(
        sa.update(StockReservation)
        .where(StockReservation.sku_id == sku_id, StockReservation.status == ReservationStatus.ACTIVE,
               StockReservation.expires_at <= (now or utcnow()))
        .values(status=ReservationStatus.EXPIRED)
        .returning(StockReservation.quantity)
        .execution_options(**NO_SYNC)
    ).all()
    released = sum(quantities)
    if released:
        _shift(sku_id, reserved=-released)
    return released


def _take(sku_id: int, quantity: int, column: str) -> bool:
    """One guarded statement: add to reserved or sold only if sold + reserved stays within total."""
    target = getattr(Sku, column)
    return bool(db.session.execute(
        sa.update(Sku)
        .where(Sku.id == sku_id, Sku.stock_sold + Sku.stock_reserved + quantity <= Sku.stock_total)
        .values({column: target + quantity})
        .execution_options(**NO_SYNC)
    ).rowcount)


def _take_releasing_overdue(sku_id: int, quantity: int, column: str) -> bool:
    """Try to take the stock; if it looks short, lapsed holds may be what blocks it: release them
    and try once more. Lapsed holds so never block a purchase, and cost nothing when stock is free."""
    return _take(sku_id, quantity, column) or (release_overdue(sku_id) > 0 and _take(sku_id, quantity, column))


def reserve(order_id: int, sku_id: int, quantity: int, expires_at: dt.datetime) -> None:
    """Hold stock for an unpaid order until expires_at, or raise insufficient_stock."""
    if not _take_releasing_overdue(sku_id, quantity, "stock_reserved"):
        _raise_insufficient(sku_id, quantity)
    db.session.add(StockReservation(order_id=order_id, sku_id=sku_id, quantity=quantity, expires_at=expires_at,
                                    status=ReservationStatus.ACTIVE))


def sell(sku_id: int, quantity: int) -> bool:
    """Commit stock straight to sold (pay at pickup, or a late payment re-acquiring stock)."""
    return _take_releasing_overdue(sku_id, quantity, "stock_sold")


def sell_or_raise(sku_id: int, quantity: int) -> None:
    if not sell(sku_id, quantity):
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
        _shift(sku_id, reserved=-consumed[sku_id], sold=consumed[sku_id])
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
    for sku_id in sorted(released):
        _shift(sku_id, reserved=-released[sku_id])
    return released


def unsell(sku_id: int, quantity: int) -> None:
    """Return sold units to sale (a refund of goods never handed over, a cancelled unpaid order)."""
    db.session.execute(
        sa.update(Sku)
        .where(Sku.id == sku_id, Sku.stock_sold >= quantity)
        .values(stock_sold=Sku.stock_sold - quantity)
        .execution_options(**NO_SYNC)
    )


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
