"""Leader performance per period and active-leader retention, computed in SQL.

Per leader, for orders that became paid in [start, end) (their `paid_at`):
- orders, sales (paid less refunded), unique buyers;
- repurchase rate: the share of those buyers with two or more of those orders;
- commission: the leader's accruals less clawbacks posted in the period;
- pickup rate and uncollected rate: among those orders that arrived at the point (`ready_at`), the
  share picked up (fully or partly) and the share left uncollected.
Retention: a leader is active in a month with at least one paid order; their cohort is their first
active month; the table gives, per cohort, how many of its leaders were active 0, 1, 2 … months on.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.clock import store_tz
from app.commissions.models import Bucket, EntryKind, JournalEntry, JournalLine
from app.extensions import db
from app.leaders.models import Leader
from app.orders.models import Fulfilment, Order

PICKED = (Fulfilment.PICKED_UP, Fulfilment.PARTIALLY_PICKED_UP)


def performance(start: dt.datetime, end: dt.datetime, leader_id: int | None = None) -> list[dict]:
    in_period = sa.and_(Order.paid_at >= start, Order.paid_at < end, Order.leader_id.is_not(None))
    if leader_id is not None:
        in_period = sa.and_(in_period, Order.leader_id == leader_id)
    per_buyer = (sa.select(Order.leader_id, Order.account_id, sa.func.count().label("n"))
                 .where(in_period).group_by(Order.leader_id, Order.account_id).subquery())
    buyers = (sa.select(per_buyer.c.leader_id, sa.func.count().label("buyers"),
                        sa.func.sum(sa.case((per_buyer.c.n >= 2, 1), else_=0)).label("repeat"))
              .group_by(per_buyer.c.leader_id).subquery())
    arrived = Order.ready_at.is_not(None)
    orders = (sa.select(
        Order.leader_id, sa.func.count().label("orders"),
        sa.func.coalesce(sa.func.sum(Order.paid_cents - Order.refunded_cents), 0).label("sales"),
        sa.func.sum(sa.case((arrived, 1), else_=0)).label("arrived"),
        sa.func.sum(sa.case((sa.and_(arrived, Order.fulfilment.in_(PICKED)), 1), else_=0)).label("picked"),
        sa.func.sum(sa.case((sa.and_(arrived, Order.fulfilment == Fulfilment.UNCOLLECTED), 1), else_=0))
        .label("uncollected"))
        .where(in_period).group_by(Order.leader_id).subquery())
    commission = (sa.select(JournalLine.account_id, sa.func.sum(JournalLine.amount_cents).label("cents"))
                  .join(JournalEntry).where(JournalEntry.kind.in_((EntryKind.ACCRUE, EntryKind.CLAWBACK)),
                                            JournalLine.role == "leader", JournalLine.bucket.in_(
                                                (Bucket.PENDING, Bucket.AVAILABLE)),
                                            JournalEntry.created_at >= start, JournalEntry.created_at < end)
                  .group_by(JournalLine.account_id).subquery())
    rows = db.session.execute(
        sa.select(Leader.id, Leader.display_name, orders.c.orders, orders.c.sales, buyers.c.buyers, buyers.c.repeat,
                  sa.func.coalesce(commission.c.cents, 0), orders.c.arrived, orders.c.picked, orders.c.uncollected)
        .join(orders, orders.c.leader_id == Leader.id).join(buyers, buyers.c.leader_id == Leader.id)
        .outerjoin(commission, commission.c.account_id == Leader.account_id).order_by(orders.c.sales.desc(), Leader.id))

    def share(part, whole) -> float | None:
        return round(int(part) / int(whole), 4) if whole else None

    return [{"leader_id": r[0], "leader_name": r[1], "orders": int(r[2]), "sales_cents": int(r[3]),
             "unique_buyers": int(r[4]), "repurchase_rate": share(r[5], r[4]), "commission_cents": int(r[6]),
             "pickup_rate": share(r[8], r[7]), "uncollected_rate": share(r[9], r[7])} for r in rows]


def month_window(month: str | None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of a store-local month 'YYYY-MM' (default: this month)."""
    from app.clock import local_now
    from app.loyalty.services import month_bounds

    return month_bounds(month or local_now().strftime("%Y-%m"), store_tz())


def _month_key():
    """The store-local month of paid_at as 'YYYY-MM', in SQL."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone(str(store_tz()), Order.paid_at), "YYYY-MM")
    offset = dt.datetime.now(store_tz()).utcoffset() or dt.timedelta()
    return sa.func.strftime("%Y-%m", Order.paid_at, f"{int(offset.total_seconds())} seconds")


def _months_between(first: str, second: str) -> int:
    (y1, m1), (y2, m2) = (map(int, first.split("-")), map(int, second.split("-")))
    return (y2 - y1) * 12 + (m2 - m1)


def retention(months: int = 6) -> list[dict]:
    """Cohorts of leaders by first active month: size, and active counts and shares by month offset."""
    month = _month_key().label("month")
    pairs = db.session.execute(sa.select(Order.leader_id, month).where(Order.paid_at.is_not(None),
                                                                       Order.leader_id.is_not(None))
                               .group_by(Order.leader_id, month))
    active: dict[int, set[str]] = {}
    for leader_id, m in pairs:
        active.setdefault(leader_id, set()).add(m)
    cohorts: dict[str, list[int]] = {}
    for leader_months in active.values():
        first = min(leader_months)
        counts = cohorts.setdefault(first, [0] * (months + 1))
        for m in leader_months:
            offset = _months_between(first, m)
            if offset <= months:
                counts[offset] += 1
    return [{"cohort": c, "leaders": counts[0], "active": counts,
             "retention": [round(n / counts[0], 4) for n in counts]} for c, counts in sorted(cohorts.items())]
