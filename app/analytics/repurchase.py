"""Repurchase by month, and 30/60/90-day repeat rates after a customer's first purchase."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.analytics.purchases import customer_months, epoch_seconds, is_purchase, last_months, share
from app.db import utcnow
from app.extensions import db
from app.orders.models import Order

REPEAT_WINDOWS = (30, 60, 90)


def repurchase(months: int) -> list[dict]:
    """Per store-local month (the last `months`, oldest first): buyers, and returning buyers — those
    who had purchased in an earlier month. Months without buyers are there with a null rate."""
    window = last_months(months)
    cm = customer_months()
    returning = sa.func.sum(sa.case((cm.c.month > cm.c.first_month, 1), else_=0))
    rows = db.session.execute(
        sa.select(cm.c.month, sa.func.count(), returning)
        .where(cm.c.month >= window[0], cm.c.month <= window[-1]).group_by(cm.c.month))
    found = {m: (int(b), int(r)) for m, b, r in rows}
    result = []
    for month in window:
        buyers, back = found.get(month, (0, 0))
        result.append({"month": month, "buyers": buyers, "returning": back, "repurchase_rate": share(back, buyers)})
    return result


def _first_two():
    """Subquery: per customer, the time of their first purchase and the gap in seconds to their
    second (null with only one). Ties on paid_at are broken by order id."""
    rank = sa.func.row_number().over(partition_by=Order.account_id, order_by=(Order.paid_at, Order.id))
    ranked = sa.select(Order.account_id, Order.paid_at, rank.label("n")).where(is_purchase()).subquery()

    def at(n: int):
        return sa.func.max(sa.case((ranked.c.n == n, ranked.c.paid_at)))

    gap = epoch_seconds(at(2)) - epoch_seconds(at(1))
    return (sa.select(ranked.c.account_id, at(1).label("first_at"), gap.label("gap"))
            .where(ranked.c.n <= 2).group_by(ranked.c.account_id).subquery())


def repeat_rates(windows: tuple[int, ...] = REPEAT_WINDOWS) -> list[dict]:
    """For each window of N days: among customers whose first purchase is at least N days old (so
    each had the whole window), how many purchased again within N days of it."""
    firsts, now = _first_two(), utcnow()
    columns = []
    for days in windows:
        eligible = firsts.c.first_at <= now - dt.timedelta(days=days)
        repeated = sa.and_(eligible, firsts.c.gap.is_not(None), firsts.c.gap <= days * 86400)
        columns += [sa.func.coalesce(sa.func.sum(sa.case((eligible, 1), else_=0)), 0),
                    sa.func.coalesce(sa.func.sum(sa.case((repeated, 1), else_=0)), 0)]
    row = db.session.execute(sa.select(*columns)).one()
    result = []
    for i, days in enumerate(windows):
        customers, repeated = int(row[2 * i]), int(row[2 * i + 1])
        result.append({"days": days, "customers": customers, "repeated": repeated,
                       "repeat_rate": share(repeated, customers)})
    return result
