"""What counts as a purchase, its value, and its store-local month: the base of every analytics query.

A purchase is an order whose money came in (`paid_at` set) and that still holds some of it: paid,
partly refunded, or a pre-sale with its deposit in, and not fully refunded (refunds in flight
included). Pay-at-pickup orders become purchases when they are paid at collection. Its value is
`paid_cents - refunded_cents`; its moment is `paid_at`.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.clock import local_now, store_tz
from app.extensions import db
from app.orders.models import Order, OrderStatus

PURCHASE_STATES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.DEPOSIT_PAID)


def is_purchase() -> sa.ColumnElement[bool]:
    return sa.and_(Order.paid_at.is_not(None), Order.status.in_(PURCHASE_STATES),
                   Order.paid_cents > Order.refunded_cents)


def value() -> sa.ColumnElement[int]:
    """Net money of an order: paid less refunded."""
    return Order.paid_cents - Order.refunded_cents


def month_key(column) -> sa.ColumnElement[str]:
    """The store-local month of a UTC timestamp column as 'YYYY-MM', in SQL."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone(str(store_tz()), column), "YYYY-MM")
    # SQLite has no time zones: shift by the store's current UTC offset (exact for zones without
    # daylight saving, such as the default Asia/Shanghai; SQLite is for development only).
    offset = dt.datetime.now(store_tz()).utcoffset() or dt.timedelta()
    return sa.func.strftime("%Y-%m", column, f"{int(offset.total_seconds())} seconds")


def epoch_seconds(column) -> sa.ColumnElement[float]:
    """Seconds since 1970 of a UTC timestamp column, in SQL (for gaps between two timestamps)."""
    if db.engine.dialect.name == "postgresql":
        return sa.extract("epoch", column)
    return (sa.func.julianday(column) - 2440587.5) * 86400.0


def add_months(month: str, n: int) -> str:
    year, mon = map(int, month.split("-"))
    year, index = divmod(year * 12 + mon - 1 + n, 12)
    return f"{year:04d}-{index + 1:02d}"


def months_between(first: str, second: str) -> int:
    (y1, m1), (y2, m2) = (map(int, first.split("-")), map(int, second.split("-")))
    return (y2 - y1) * 12 + (m2 - m1)


def last_months(months: int) -> list[str]:
    """The last `months` store-local months, oldest first, ending with the current one."""
    current = local_now().strftime("%Y-%m")
    return [add_months(current, -k) for k in range(months - 1, -1, -1)]


def customer_months():
    """Subquery: one row per customer and store-local month they purchased in, with their first
    purchase month (over their whole history) alongside."""
    month = month_key(Order.paid_at).label("month")
    pairs = (sa.select(Order.account_id, month).where(is_purchase())
             .group_by(Order.account_id, month).subquery())
    first = sa.func.min(pairs.c.month).over(partition_by=pairs.c.account_id).label("first_month")
    return sa.select(pairs.c.account_id, pairs.c.month, first).subquery()


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
