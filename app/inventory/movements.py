"""The stock movements ledger: every change of a SKU's counters is written here in the same
statement (PostgreSQL) or the same transaction (SQLite) as the change itself.

The counters on skus (stock_total / stock_reserved / stock_sold) stay the fast path that checkout
reads and guards; each movement row carries exactly the changes it made to them, so the counters
are the sum of the movements, and `flask stock-audit` proves it. None of these commit.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.catalog.models import Sku
from app.db import utcnow
from app.extensions import db
from app.inventory.models import MovementReason, StockMovement

__all__ = ["MovementReason", "initial_stock", "on_hand", "receive", "record", "shift"]

NO_SYNC = {"synchronize_session": False}

# The columns a movement is inserted with, in the order shift()'s SELECT produces them.
_COLUMNS = ("sku_id", "reason", "quantity", "total_change", "reserved_change", "sold_change",
            "reference_type", "reference_id", "cause", "actor_id", "note", "campaign_item_id", "location_id",
            "created_at")


def _values(sku_id, reason: MovementReason, quantity: int, changes: dict[str, int], ref: dict) -> dict:
    return {"sku_id": sku_id, "reason": reason, "quantity": quantity,
            "total_change": changes.get("total", 0), "reserved_change": changes.get("reserved", 0),
            "sold_change": changes.get("sold", 0), "reference_type": ref.get("reference_type"),
            "reference_id": ref.get("reference_id"), "cause": ref.get("cause"), "actor_id": ref.get("actor_id"),
            "note": ref.get("note"), "campaign_item_id": ref.get("campaign_item_id"),
            "location_id": ref.get("location_id"), "created_at": utcnow()}


def record(sku_id: int, reason: MovementReason, quantity: int, *, total: int = 0, reserved: int = 0, sold: int = 0,
           **ref) -> int:
    """Append a movement for a change the caller has already made to the counters (one INSERT);
    returns its id. ref: reference_type, reference_id, actor_id, note, cause, campaign_item_id,
    location_id."""
    return db.session.execute(sa.insert(StockMovement).values(
        _values(sku_id, reason, quantity, {"total": total, "reserved": reserved, "sold": sold}, ref))
        .returning(StockMovement.id)).scalar_one()


def shift(sku_id: int, reason: MovementReason, quantity: int, *, guard=None, total: int = 0, reserved: int = 0,
          sold: int = 0, **ref) -> int | None:
    """Change a SKU's counters by (total, reserved, sold) if `guard` (an extra WHERE clause on Sku)
    holds, and append the movement. Returns the movement's id, or None if nothing was changed.

    On PostgreSQL this is ONE statement, `WITH upd AS (UPDATE skus … RETURNING id) INSERT INTO
    stock_movements SELECT … FROM upd`: the hot paths pay no extra round trip for the ledger, and a
    guard that fails inserts nothing. SQLite cannot put an UPDATE in a CTE: two statements there."""
    update = sa.update(Sku).where(Sku.id == sku_id)
    if guard is not None:
        update = update.where(guard)
    update = update.values({Sku.stock_total: Sku.stock_total + total, Sku.stock_reserved: Sku.stock_reserved + reserved,
                            Sku.stock_sold: Sku.stock_sold + sold})
    changes = {"total": total, "reserved": reserved, "sold": sold}
    if db.engine.dialect.name != "postgresql":
        if not db.session.execute(update.execution_options(**NO_SYNC)).rowcount:
            return None
        return record(sku_id, reason, quantity, **changes, **ref)
    upd = update.returning(Sku.id).cte("upd")
    values = _values(None, reason, quantity, changes, ref)
    columns = [getattr(StockMovement, name) for name in _COLUMNS]
    select = sa.select(upd.c.id, *[sa.literal(values[name], col.type) for name, col in zip(_COLUMNS[1:],
                                                                                          columns[1:], strict=True)])
    # RETURNING, because psycopg reports rowcount -1 for this statement shape.
    stmt = sa.insert(StockMovement).from_select(list(_COLUMNS), select).add_cte(upd).returning(StockMovement.id)
    return db.session.execute(stmt.execution_options(**NO_SYNC)).scalar()


def initial_stock(sku: Sku) -> None:
    """The stock a new SKU is created with (not yet flushed: the ORM inserts the SKU first)."""
    db.session.add(StockMovement(sku=sku, reason=MovementReason.ADJUSTED, quantity=sku.stock_total,
                                 total_change=sku.stock_total, reserved_change=0, sold_change=0,
                                 reference_type="sku", created_at=utcnow()))


def receive(sku_id: int, quantity: int, *, reference_type: str, reference_id: int, actor_id: int | None,
            note: str | None = None) -> None:
    """Goods received into stock: adds `quantity` to on-hand (Sku.stock_total) and appends one
    `received` movement, in the caller's transaction (no commit)."""
    if quantity <= 0:
        raise ValueError("receive() takes a positive quantity")
    if not shift(sku_id, MovementReason.RECEIVED, quantity, total=quantity, reference_type=reference_type,
                 reference_id=reference_id, actor_id=actor_id, note=note):
        raise LookupError(f"no SKU {sku_id}")


def on_hand(sku_ids: list[int]) -> dict[int, int]:
    """Units physically on hand per SKU that are not yet sold: stock_total - stock_sold (free to
    sell plus held by unpaid checkouts). Units of paid orders count as gone: they are the shopper's
    and leave with the night's delivery. SKUs that do not exist are left out."""
    if not sku_ids:
        return {}
    rows = db.session.execute(sa.select(Sku.id, Sku.stock_total - Sku.stock_sold).where(Sku.id.in_(sku_ids)))
    return {sku_id: int(units) for sku_id, units in rows}


def query(filters: dict):
    """Movements newest first, filtered by SKU, reason, reference type, campaign or regular stock,
    and store-local date range (inclusive)."""
    from app.orders.services import _day_start

    q = sa.select(StockMovement).order_by(StockMovement.id.desc())
    for key in ("sku_id", "reason", "reference_type"):
        if filters.get(key):
            q = q.where(getattr(StockMovement, key) == filters[key])
    if filters.get("campaign") is not None:
        item = StockMovement.campaign_item_id
        q = q.where(item.isnot(None) if filters["campaign"] else item.is_(None))
    if filters.get("created_from"):
        q = q.where(StockMovement.created_at >= _day_start(filters["created_from"]))
    if filters.get("created_to"):
        q = q.where(StockMovement.created_at < _day_start(filters["created_to"] + dt.timedelta(days=1)))
    return q
