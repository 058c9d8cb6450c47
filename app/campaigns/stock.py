"""Campaign stock: buckets, holds, and the per-person limit. Every change is a guarded statement.

Stock is split over a few bucket rows so concurrent buyers of one hot item mostly lock different
rows; each bucket keeps sold + reserved <= total (a CHECK as well), so the sum never oversells.
The per-person limit is one guarded upsert (INSERT … ON CONFLICT DO UPDATE … WHERE quantity + n <=
limit), so there is no count-then-check race. None of these commit.

Every change also appends a stock movement against the campaign item (app/inventory/movements),
so `flask stock-audit` can add the buckets up from the ledger.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.campaigns.models import CampaignHold, CampaignItem, CampaignPurchase, HoldStatus, StockBucket
from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.inventory.models import MovementReason
from app.inventory.movements import record
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
    if item.stock_total:
        record(item.sku_id, MovementReason.ADJUSTED, item.stock_total, total=item.stock_total,
               campaign_item_id=item.id, reference_type="campaign", reference_id=item.campaign_id)


def _moved(item_id: int, reason: MovementReason, quantity: int, order_id: int | None, cause: str | None = None,
           **changes: int) -> None:
    """A campaign-stock movement; the SKU is looked up inside the INSERT (no extra round trip)."""
    sku_id = sa.select(CampaignItem.sku_id).where(CampaignItem.id == item_id).scalar_subquery()
    record(sku_id, reason, quantity, **changes, campaign_item_id=item_id, reference_type="order",
           reference_id=order_id, cause=cause)


def _insert(table):
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)


def counted_units(item_id: int, account_ids: list[int] | None = None):
    """SQL: units per shopper that count against the limit (bought, or held and not lapsed)."""
    query = (sa.select(CampaignHold.account_id, sa.func.sum(CampaignHold.quantity))
             .where(CampaignHold.item_id == item_id, sa.or_(
                 CampaignHold.status == HoldStatus.CONSUMED,
                 sa.and_(CampaignHold.status == HoldStatus.ACTIVE,
                         sa.or_(CampaignHold.expires_at.is_(None), CampaignHold.expires_at > utcnow()))))
             .group_by(CampaignHold.account_id))
    if account_ids is not None:
        query = query.where(CampaignHold.account_id.in_(account_ids))
    return query


def take_allowance(item_id: int, account_id: int, quantity: int, limit: int | None) -> int:
    """Check the per-person limit under the shopper's own lock row; returns their new total."""
    if limit is not None and quantity > limit:
        raise OverLimit(_('At most %(limit)s per person', limit=limit), details={"limit": limit})
    table = CampaignPurchase.__table__
    stmt = _insert(table).values(item_id=item_id, account_id=account_id)
    # A no-op update on conflict still takes the row lock: this shopper's purchases of this item
    # queue here; other shoppers never wait on it.
    db.session.execute(stmt.on_conflict_do_update(index_elements=[table.c.item_id, table.c.account_id],
                                                  set_={"account_id": stmt.excluded.account_id}))
    held = db.session.execute(counted_units(item_id, [account_id])).first()
    total = (int(held[1]) if held else 0) + quantity
    if limit is not None and total > limit:
        raise OverLimit(_('At most %(limit)s per person', limit=limit), details={"limit": limit})
    return total


def _take_from(bucket_id: int, quantity: int) -> bool:
    """One guarded statement: take `quantity` from a bucket if it has them."""
    return bool(db.session.execute(sa.update(StockBucket).where(
        StockBucket.id == bucket_id, StockBucket.sold + StockBucket.reserved + quantity <= StockBucket.total)
        .values(reserved=StockBucket.reserved + quantity).execution_options(**NO_SYNC)).rowcount)


def _free_in(bucket_id: int) -> int:
    return db.session.scalar(sa.select(StockBucket.total - StockBucket.sold - StockBucket.reserved)
                             .where(StockBucket.id == bucket_id)) or 0


def _lock_a_bucket_with(item_id: int, quantity: int) -> int | None:
    """A random bucket that has `quantity` free and that nobody else is changing, locked; or None.

    SKIP LOCKED matters: PostgreSQL keeps the lock on a row whose guarded UPDATE waited and then
    failed its recheck, so probing bucket after bucket with UPDATEs could hold several and
    deadlock. (SQLite has no row locks; there the clause is dropped and the write lock serialises.)"""
    return db.session.scalar(sa.select(StockBucket.id).where(
        StockBucket.item_id == item_id, StockBucket.total - StockBucket.sold - StockBucket.reserved >= quantity)
        .order_by(sa.func.random()).limit(1).with_for_update(skip_locked=True))


def hold(order_id: int, item_id: int, account_id: int, quantity: int, expires_at) -> None:
    """Hold campaign stock for an order, all or nothing (the caller rolls back on insufficient stock).

    Locking: usually one bucket that can serve the whole quantity and is not busy — one row lock,
    no waiting, and concurrent buyers spread over the buckets. Only if there is none, a second
    pass walks the buckets in ascending order, releasing lapsed holds and taking what each has.
    A transaction that may wait while holding a bucket always waits for a higher one, so no two
    can wait for each other."""
    taken: list[tuple[int, int]] = []
    bucket_id = _lock_a_bucket_with(item_id, quantity)
    if bucket_id is not None and _take_from(bucket_id, quantity):
        taken = [(bucket_id, quantity)]
    else:
        needed = quantity
        buckets = db.session.scalars(sa.select(StockBucket.id).where(StockBucket.item_id == item_id)
                                     .order_by(StockBucket.id)).all()
        for bucket_id in buckets:
            release_overdue(bucket_id)
            share = min(needed, _free_in(bucket_id))
            if share > 0 and _take_from(bucket_id, share):
                taken.append((bucket_id, share))
                needed -= share
            if not needed:
                break
        if needed:
            raise InsufficientStock(_("This campaign item is sold out") if needed == quantity else
                                    _("Only %(left)s left", left=quantity - needed),
                                    details={"campaign_item_id": item_id, "requested": quantity})
    _moved(item_id, MovementReason.RESERVED, quantity, order_id, reserved=quantity)
    for bucket_id, share in taken:
        db.session.add(CampaignHold(order_id=order_id, item_id=item_id, bucket_id=bucket_id, account_id=account_id,
                                    quantity=share, expires_at=expires_at, status=HoldStatus.ACTIVE))


def release_overdue(bucket_id: int) -> int:
    """Give back a bucket's lapsed holds (and their shoppers' allowance); returns units released."""
    rows = [tuple(r) for r in db.session.execute(sa.update(CampaignHold).where(
        CampaignHold.bucket_id == bucket_id, CampaignHold.status == HoldStatus.ACTIVE,
        CampaignHold.expires_at <= utcnow()).values(status=HoldStatus.EXPIRED)
        .returning(CampaignHold.item_id, CampaignHold.account_id, CampaignHold.quantity, CampaignHold.order_id)
        .execution_options(**NO_SYNC))]
    for item_id, _account_id, quantity, order_id in rows:
        _moved(item_id, MovementReason.RELEASED, quantity, order_id, "lapsed", reserved=-quantity)
    rows = [r[:3] for r in rows]
    _after_release(rows, {bucket_id: sum(r[2] for r in rows)})
    return sum(r[2] for r in rows)


def _after_release(rows: list[tuple[int, int, int]], per_bucket: dict[int, int]) -> None:
    """rows: (item_id, account_id, quantity) given back; per_bucket: units to take off `reserved`
    (in ascending bucket order, like every multi-bucket change)."""
    for bucket_id in sorted(per_bucket):
        if per_bucket[bucket_id]:
            db.session.execute(sa.update(StockBucket).where(StockBucket.id == bucket_id)
                               .values(reserved=StockBucket.reserved - per_bucket[bucket_id])
                               .execution_options(**NO_SYNC))
    from app.campaigns import redis_gate

    redis_gate.after_release_later(rows)


def release(order_id: int, status: HoldStatus = HoldStatus.RELEASED) -> int:
    """Give back an order's active holds (cancelled, expired, balance unpaid)."""
    rows = db.session.execute(sa.update(CampaignHold).where(
        CampaignHold.order_id == order_id, CampaignHold.status == HoldStatus.ACTIVE).values(status=status)
        .returning(CampaignHold.item_id, CampaignHold.account_id, CampaignHold.quantity, CampaignHold.bucket_id)
        .execution_options(**NO_SYNC)).all()
    per_bucket: dict[int, int] = defaultdict(int)
    per_item: dict[int, int] = defaultdict(int)
    for row in rows:
        per_bucket[row.bucket_id] += row.quantity
        per_item[row.item_id] += row.quantity
    cause = "lapsed" if status is HoldStatus.EXPIRED else "cancelled"
    for item_id in sorted(per_item):
        _moved(item_id, MovementReason.RELEASED, per_item[item_id], order_id, cause, reserved=-per_item[item_id])
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
    for bucket_id, item_id, qty in sorted(rows):
        db.session.execute(sa.update(StockBucket).where(StockBucket.id == bucket_id).values(
            reserved=StockBucket.reserved - qty, sold=StockBucket.sold + qty).execution_options(**NO_SYNC))
        consumed[item_id] += qty
    for item_id in sorted(consumed):
        _moved(item_id, MovementReason.SOLD, consumed[item_id], order_id, reserved=-consumed[item_id],
               sold=consumed[item_id])
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
    back: dict[int, int] = defaultdict(int)
    for bucket_id, item_id, _account_id, qty in sorted(rows):
        if db.session.execute(sa.update(StockBucket).where(StockBucket.id == bucket_id, StockBucket.sold >= qty)
                              .values(sold=StockBucket.sold - qty).execution_options(**NO_SYNC)).rowcount:
            back[item_id] += qty
    for item_id in sorted(back):
        _moved(item_id, MovementReason.REFUNDED, back[item_id], order_id, sold=-back[item_id])
    from app.campaigns import redis_gate

    redis_gate.after_release_later([(r.item_id, r.account_id, r.quantity) for r in rows])
    return sum(r.quantity for r in rows)


def counts(item_id: int) -> tuple[int, int, int]:
    """(total, reserved, sold) over the item's buckets; holds that lapsed count as free."""
    total, reserved, sold = db.session.execute(sa.select(
        sa.func.coalesce(sa.func.sum(StockBucket.total), 0), sa.func.coalesce(sa.func.sum(StockBucket.reserved), 0),
        sa.func.coalesce(sa.func.sum(StockBucket.sold), 0)).where(StockBucket.item_id == item_id)).one()
    # Through the buckets, so the (bucket, status, expires_at) index finds lapsed holds directly.
    lapsed = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(CampaignHold.quantity), 0))
                               .join(StockBucket, StockBucket.id == CampaignHold.bucket_id).where(
        StockBucket.item_id == item_id, CampaignHold.status == HoldStatus.ACTIVE,
        CampaignHold.expires_at <= utcnow()))
    return int(total), int(reserved) - int(lapsed), int(sold)
