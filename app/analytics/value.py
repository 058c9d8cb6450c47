"""Customer lifetime value and referral value: distributions of net purchase money per party.

Lifetime value is per customer (every account with a purchase); referral value is per referrer:
the net money of purchases whose `orders.referrer_account_id` names them (the buyer's first-touch
referrer when the order was placed). Both come with the mean, median, 90th percentile and counts
in fixed buckets.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Account
from app.analytics.purchases import is_purchase, value
from app.extensions import db
from app.orders.models import Order

# Bucket edges in cents (0, 50, 100, 200, 500, 1,000, 2,000, 5,000 in major units); each bucket
# is [from, to) and the last is open-ended.
EDGES = (0, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000)
BUCKETS = tuple(zip(EDGES, (*EDGES[1:], None), strict=True))
TOP_REFERRERS = 10


def _round_div(a: int, b: int) -> int:
    """a / b rounded half up (a, b ≥ 0)."""
    return (2 * a + b) // (2 * b)


def distribution(per_party) -> dict:
    """Count, mean, median, p90 and bucket counts of a subquery with one `value` per party, in one
    statement: the median is the mean of the two middle values (the same one when the count is
    odd), the 90th percentile the value at rank ceil(0.9 n) (nearest rank), both rounded half up."""
    ranked = sa.select(per_party.c.value, sa.func.row_number().over(order_by=per_party.c.value).label("rn"),
                       sa.func.count().over().label("n")).subquery()
    v, rn, n = ranked.c.value, ranked.c.rn, ranked.c.n

    def value_at(rank):
        return sa.func.max(sa.case((rn == rank, v)))

    in_bucket = [sa.and_(v >= low, v < high) if high is not None else v >= low for low, high in BUCKETS]
    row = db.session.execute(sa.select(
        sa.func.count(), sa.func.sum(v), value_at((n + 1) // 2), value_at(n // 2 + 1), value_at((9 * n + 9) // 10),
        *[sa.func.sum(sa.case((inside, 1), else_=0)) for inside in in_bucket])).one()
    count = int(row[0])
    buckets = [{"from_cents": low, "to_cents": high, "customers": int(row[5 + i] or 0)}
               for i, (low, high) in enumerate(BUCKETS)]
    if not count:
        return {"customers": 0, "average_cents": None, "median_cents": None, "p90_cents": None, "buckets": buckets}
    return {"customers": count, "average_cents": _round_div(int(row[1]), count),
            "median_cents": _round_div(int(row[2]) + int(row[3]), 2), "p90_cents": int(row[4]), "buckets": buckets}


def lifetime_value() -> dict:
    """Per customer with a purchase: their purchases' net money (paid less refunded)."""
    per_customer = (sa.select(Order.account_id, sa.func.sum(value()).label("value"))
                    .where(is_purchase()).group_by(Order.account_id).subquery())
    return distribution(per_customer)


def _per_referrer():
    return (sa.select(Order.referrer_account_id.label("account_id"), sa.func.sum(value()).label("value"),
                      sa.func.count(sa.distinct(Order.account_id)).label("referred"))
            .where(is_purchase(), Order.referrer_account_id.is_not(None))
            .group_by(Order.referrer_account_id).subquery())


def referrers(limit: int | None = None) -> list[dict]:
    """Referrers whose referred shoppers purchased, most value first."""
    per = _per_referrer()
    query = (sa.select(per.c.account_id, Account.name, per.c.referred, per.c.value)
             .join(Account, Account.id == per.c.account_id).order_by(per.c.value.desc(), per.c.account_id))
    if limit is not None:
        query = query.limit(limit)
    return [{"account_id": a, "name": name, "referred_customers": int(n), "value_cents": int(val)}
            for a, name, n, val in db.session.execute(query)]


def referral_value() -> dict:
    """The distribution over referrers (`referrers`, mean, median, p90, buckets counting
    referrers), how many referred shoppers purchased (`customers`), and the top referrers."""
    result = distribution(_per_referrer())
    result["referrers"] = result["customers"]
    result["customers"] = int(db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Order.account_id)))
        .where(is_purchase(), Order.referrer_account_id.is_not(None))))
    result["top"] = referrers(TOP_REFERRERS)
    return result
