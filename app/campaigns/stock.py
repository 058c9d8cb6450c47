"""Campaign stock: buckets, holds, and the per-person limit. Every change is a guarded statement.

Stock is split over a few bucket rows so concurrent buyers of one hot item mostly lock different
rows; each bucket keeps sold + reserved <= total (a CHECK as well), so the sum never oversells.
The per-person limit is one guarded upsert (INSERT … ON CONFLICT DO UPDATE … WHERE quantity + n <=
limit), so there is no count-then-check race. None of these commit.
"""
from __future__ import annotations

import random
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.campaigns.models import CampaignHold, CampaignItem, CampaignPurchase, HoldStatus, StockBucket
from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.inventory.stock import InsufficientStock
from app.money import split_cents

NO_SYNC = {"synchronize_session": False}
BUCKETS = 8


class OverLimit(Conflict):
    code = "per_person_limit_reached"


def make_buckets(item: CampaignItem, count: int = BUCKETS) -> None:
    """Split the item's campaign stock over `count` buckets (fewer for small stock)."""
    count = max(1, min(count, item.stock_total or 1))
    for no, share in enumerate(split_cents(item.stock_total or 0, [1] * count)):
        db.session.add(StockBucket(item_id=item.id, bucket_no=no, total=share, reserved=0, sold=0))


def _insert(table):
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)


def take_allowance(item_id: int, account_id: int, quantity: int, limit: int | None) -> int:
    """Count units against the shopper's limit, atomically; returns their new total or raises."""
    stmt = _insert(CampaignPurchase.__table__).values(item_id=item_id, account_id=account_id, quantity=quantity)
    table = CampaignPurchase.__table__
    new_total = table.c.quantity + stmt.excluded.quantity
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.item_id, table.c.account_id], set_={"quantity": new_total},
        where=(new_total <= limit) if limit is not None else None,
    ).returning(table.c.quantity)
    if limit is not None and quantity > limit:
        raise OverLimit(f"At most {limit} per person", details={"limit": limit})
    total = db.session.execute(stmt).scalar()
    if total is None:
        raise OverLimit(f"At most {limit} per person", details={"limit": limit})
    return total


def give_back_allowance(item_id: int, account_id: int, quantity: int) -> None:
    db.session.execute(sa.update(CampaignPurchase).where(
        CampaignPurchase.item_id == item_id, CampaignPurchase.account_id == account_id,
        CampaignPurchase.quantity >= quantity).values(quantity=CampaignPurchase.quantity - quantity)
        .execution_options(**NO_SYNC))


def _try_bucket(bucket_id: int, quantity: int) -> int:
    """Take up to `quantity` from one bucket with one guarded statement; returns what was taken."""
    for want in (quantity, 1) if quantity > 1 else (1,):
        if db.session.execute(sa.update(StockBucket).where(
                StockBucket.id == bucket_id, StockBucket.sold + StockBucket.reserved + want <= StockBucket.total)
                .values(reserved=StockBucket.reserved + want).execution_options(**NO_SYNC)).rowcount:
            return want
    return 0


def hold(order_id: int, item_id: int, account_id: int, quantity: int, expires_at) -> None:
    """Hold campaign stock for an order, spreading over buckets from a random start; all or nothing
    (the caller's transaction rolls back on insufficient stock)."""
    buckets = list(db.session.scalars(sa.select(StockBucket.id).where(StockBucket.item_id == item_id)
                                      .order_by(StockBucket.bucket_no)))
    start = random.randrange(len(buckets)) if buckets else 0
    order = buckets[start:] + buckets[:start]
    needed = quantity
    for released_overdue in (False, True):
        for bucket_id in order:
            while needed:
                got = _try_bucket(bucket_id, needed)
                if not got:
                    break
                needed -= got
                db.session.add(CampaignHold(order_id=order_id, item_id=item_id, bucket_id=bucket_id,
                                            account_id=account_id, quantity=got, expires_at=expires_at,
                                            status=HoldStatus.ACTIVE))
            if not needed:
                return
        if released_overdue or not sum(release_overdue(b) for b in order):
            break
    raise InsufficientStock("This campaign item is sold out" if needed == quantity else
                            f"Only {quantity - needed} left", details={"campaign_item_id": item_id,
                                                                       "requested": quantity})


def release_overdue(bucket_id: int) -> int:
    """Give back a bucket's lapsed holds (and their shoppers' allowance); returns units released."""
    rows = [tuple(r) for r in db.session.execute(sa.update(CampaignHold).where(
        CampaignHold.bucket_id == bucket_id, CampaignHold.status == HoldStatus.ACTIVE,
        CampaignHold.expires_at <= utcnow()).values(status=HoldStatus.EXPIRED)
        .returning(CampaignHold.item_id, CampaignHold.account_id, CampaignHold.quantity)
        .execution_options(**NO_SYNC))]
    _after_release(rows, {bucket_id: sum(r[2] for r in rows)})
    return sum(r[2] for r in rows)


def _after_release(rows: list[tuple[int, int, int]], per_bucket: dict[int, int]) -> None:
    """rows: (item_id, account_id, quantity) given back; per_bucket: units to take off `reserved`."""
    for bucket_id, qty in per_bucket.items():
        if qty:
            db.session.execute(sa.update(StockBucket).where(StockBucket.id == bucket_id)
                               .values(reserved=StockBucket.reserved - qty).execution_options(**NO_SYNC))
    for item_id, account_id, qty in rows:
        give_back_allowance(item_id, account_id, qty)
    from app.campaigns import redis_gate

    redis_gate.after_release_later(rows)


def release(order_id: int, status: HoldStatus = HoldStatus.RELEASED) -> int:
    """Give back an order's active holds (cancelled, expired, balance unpaid)."""
    rows = db.session.execute(sa.update(CampaignHold).where(
        CampaignHold.order_id == order_id, CampaignHold.status == HoldStatus.ACTIVE).values(status=status)
        .returning(CampaignHold.item_id, CampaignHold.account_id, CampaignHold.quantity, CampaignHold.bucket_id)
        .execution_options(**NO_SYNC)).all()
    per_bucket: dict[int, int] = defaultdict(int)
    for row in rows:
        per_bucket[row.bucket_id] += row.quantity
    _after_release([(r.item_id, r.account_id, r.quantity) for r in rows], per_bucket)
    return sum(r.quantity for r in rows)


def consume(order_id: int) -> dict[int, int]:
    """Paid: an order's active holds become sold campaign stock. Returns {item_id: units}."""
    rows = db.session.execute(sa.update(CampaignHold).where(
        CampaignHold.order_id == order_id, CampaignHold.status == HoldStatus.ACTIVE)
        .values(status=HoldStatus.CONSUMED)
        .returning(CampaignHold.bucket_id, CampaignHold.item_id, CampaignHold.quantity)
        .execution_options(**NO_SYNC)).all()
    consumed: dict[int, int] = defaultdict(int)
    for bucket_id, item_id, qty in rows:
        db.session.execute(sa.update(StockBucket).where(StockBucket.id == bucket_id).values(
            reserved=StockBucket.reserved - qty, sold=StockBucket.sold + qty).execution_options(**NO_SYNC))
        consumed[item_id] += qty
    return dict(consumed)


def retake(order_id: int, item_id: int, account_id: int, quantity: int, limit: int | None) -> None:
    """Take units again for an order whose hold lapsed before its payment arrived (held, then sold
    at once); raises if the stock or the shopper's allowance is gone."""
    take_allowance(item_id, account_id, quantity, limit)
    hold(order_id, item_id, account_id, quantity, None)
    consume(order_id)


def unsell(order_id: int) -> int:
    """Sold campaign units go back on sale (a refunded group buy, a forfeited pre-sale)."""
    rows = db.session.execute(sa.update(CampaignHold).where(
        CampaignHold.order_id == order_id, CampaignHold.status == HoldStatus.CONSUMED)
        .values(status=HoldStatus.RELEASED)
        .returning(CampaignHold.bucket_id, CampaignHold.item_id, CampaignHold.account_id, CampaignHold.quantity)
        .execution_options(**NO_SYNC)).all()
    for bucket_id, item_id, account_id, qty in rows:
        db.session.execute(sa.update(StockBucket).where(StockBucket.id == bucket_id, StockBucket.sold >= qty)
                           .values(sold=StockBucket.sold - qty).execution_options(**NO_SYNC))
        give_back_allowance(item_id, account_id, qty)
    from app.campaigns import redis_gate

    redis_gate.after_release_later([(r.item_id, r.account_id, r.quantity) for r in rows])
    return sum(r.quantity for r in rows)


def counts(item_id: int) -> tuple[int, int, int]:
    """(total, reserved, sold) over the item's buckets; holds that lapsed count as free."""
    total, reserved, sold = db.session.execute(sa.select(
        sa.func.coalesce(sa.func.sum(StockBucket.total), 0), sa.func.coalesce(sa.func.sum(StockBucket.reserved), 0),
        sa.func.coalesce(sa.func.sum(StockBucket.sold), 0)).where(StockBucket.item_id == item_id)).one()
    lapsed = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(CampaignHold.quantity), 0)).where(
        CampaignHold.item_id == item_id, CampaignHold.status == HoldStatus.ACTIVE,
        CampaignHold.expires_at <= utcnow()))
    return int(total), int(reserved) - int(lapsed), int(sold)
