"""Stock-takes: a count sheet per location, counts entered, then one confirm that writes a
`counted` movement for every SKU whose count differs from the books.

What is counted is what the books call on hand (stock_total - stock_sold): units on the shelf
not yet sold. Units packed for paid orders are not counted. The adjustment is taken against on
hand at the moment of confirmation (the row is locked), so sales between making the sheet and
confirming it are not mistaken for a difference in the count.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.catalog.models import Sku
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, NotFound
from app.extensions import db
from app.i18n import _
from app.inventory.adjustments import location_or_default
from app.inventory.models import MovementReason, StockTake, StockTakeLine, StockTakeStatus
from app.inventory.movements import shift

NO_SYNC = {"synchronize_session": False}


def get(stock_take_id: int) -> StockTake:
    take = db.session.get(StockTake, stock_take_id)
    if take is None:
        raise NotFound(_("Count sheet not found"), code="stock_take_not_found", details={"id": stock_take_id})
    return take


def open_sheet(*, actor_id: int, location_id: int | None = None, sku_ids: list[int] | None = None,
               note: str | None = None) -> StockTake:
    """A new count sheet: the given SKUs (default: every active SKU), each with what the books say."""
    location_id = location_or_default(location_id)
    query = sa.select(Sku.id, Sku.stock_total - Sku.stock_sold).order_by(Sku.id)
    query = query.where(Sku.id.in_(sku_ids)) if sku_ids else query.where(Sku.is_active)
    rows = db.session.execute(query).all()
    if sku_ids and len(rows) != len(set(sku_ids)):
        missing = sorted(set(sku_ids) - {r[0] for r in rows})
        raise InvalidRequest(_("Some SKUs do not exist"), code="unknown_sku", details={"sku_ids": missing})
    take = StockTake(location_id=location_id, status=StockTakeStatus.OPEN, note=note, created_by_id=actor_id,
                     lines=[StockTakeLine(sku_id=sku_id, expected=int(units)) for sku_id, units in rows])
    db.session.add(take)
    db.session.commit()
    return take


def enter_counts(stock_take_id: int, counts: dict[int, int | None]) -> StockTake:
    """Set counted quantities (None clears a count); only while the sheet is open."""
    take = get(stock_take_id)
    _require_open(take)
    lines = {line.sku_id: line for line in take.lines}
    unknown = sorted(set(counts) - set(lines))
    if unknown:
        raise InvalidRequest(_("These SKUs are not on this count sheet"), code="sku_not_on_sheet",
                             details={"sku_ids": unknown})
    for sku_id, counted in counts.items():
        lines[sku_id].counted = counted
    db.session.commit()
    return take


def _require_open(take: StockTake) -> None:
    if take.status is not StockTakeStatus.OPEN:
        raise Conflict(_("This count sheet is no longer open"),
                       code="stock_take_closed", details={"status": take.status.value})


def confirm(stock_take_id: int, *, actor_id: int) -> StockTake:
    """Write one `counted` adjustment per SKU whose count differs from on hand. Twice is once: the
    sheet is claimed by a guarded status change, so a second confirm writes nothing."""
    take = get(stock_take_id)
    if take.status is StockTakeStatus.CONFIRMED:
        return take
    if not db.session.execute(sa.update(StockTake).where(
            StockTake.id == take.id, StockTake.status == StockTakeStatus.OPEN)
            .values(status=StockTakeStatus.CONFIRMED, confirmed_by_id=actor_id, confirmed_at=utcnow())
            .execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()
        take = get(stock_take_id)
        if take.status is StockTakeStatus.CONFIRMED:  # a concurrent confirm won: same result
            return take
        _require_open(take)
    below = []
    for line in sorted(take.lines, key=lambda ln: ln.sku_id):   # ascending: the lock order
        if line.counted is None:
            continue
        on_hand = db.session.scalar(sa.select(Sku.stock_total - Sku.stock_sold).where(Sku.id == line.sku_id)
                                    .with_for_update())
        line.adjustment = line.counted - on_hand
        if line.adjustment and not shift(
                line.sku_id, MovementReason.COUNTED, abs(line.adjustment), total=line.adjustment,
                guard=Sku.stock_sold + Sku.stock_reserved <= Sku.stock_total + line.adjustment, actor_id=actor_id,
                reference_type="stock_take", reference_id=take.id, location_id=take.location_id):
            below.append(line.sku_id)
    if below:
        db.session.rollback()
        raise Conflict(_("Counted less than unpaid orders hold for some SKUs: cancel those orders or count again"),
                       code="count_below_reserved", details={"sku_ids": below})
    db.session.commit()
    db.session.refresh(take)
    return take


def cancel(stock_take_id: int) -> StockTake:
    take = get(stock_take_id)
    if take.status is StockTakeStatus.CANCELLED:
        return take
    _require_open(take)
    take.status = StockTakeStatus.CANCELLED
    db.session.commit()
    return take
