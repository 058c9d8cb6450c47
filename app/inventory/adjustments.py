"""Stock changes staff make by hand: write-offs (with their reason) and transfers between
locations. Each is a guarded counter change with its movement; the service commits once."""
from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.catalog.models import Sku
from app.errors import Conflict, InvalidRequest, NotFound, not_found
from app.extensions import db
from app.i18n import _
from app.inventory.models import MovementReason, StockLocation, StockMovement
from app.inventory.movements import shift


class WriteOffCause(enum.StrEnum):
    SPOILED = "spoiled"
    DAMAGED = "damaged"
    EXPIRED = "expired"
    OTHER = "other"


MAIN = "MAIN"


def default_location_id() -> int:
    """The main warehouse (the migration makes it; made here if it is missing, as on an emptied
    database): where stock lives until there are more locations."""
    found = db.session.scalar(sa.select(StockLocation.id).where(StockLocation.code == MAIN))
    if found is None:
        try:
            with db.session.begin_nested():
                row = StockLocation(code=MAIN, name="Main warehouse")
                db.session.add(row)
            found = row.id
        except IntegrityError:   # made by a concurrent first use
            found = db.session.scalar(sa.select(StockLocation.id).where(StockLocation.code == MAIN))
    return found


def location_or_default(location_id: int | None) -> int:
    if location_id is None:
        return default_location_id()
    if db.session.get(StockLocation, location_id) is None:
        raise NotFound(_("Stock location not found"), code="stock_location_not_found", details={"id": location_id})
    return location_id


def _sku(sku_id: int) -> Sku:
    sku = db.session.get(Sku, sku_id)
    if sku is None:
        raise not_found("sku", id=sku_id)
    return sku


def write_off(sku_id: int, quantity: int, cause: WriteOffCause, *, actor_id: int, note: str | None = None,
              location_id: int | None = None) -> StockMovement:
    """Take spoiled, damaged or expired units out of stock. Only unsold, unheld units can go:
    units promised to an order are the shopper's (a shortage at arrival handles those)."""
    _sku(sku_id)
    location_id = location_or_default(location_id)
    if cause is WriteOffCause.OTHER and not (note or "").strip():
        raise InvalidRequest(_("Say why in the note when the reason is other"), code="write_off_note_required")
    movement_id = shift(sku_id, MovementReason.WRITTEN_OFF, quantity, total=-quantity, cause=cause.value,
                        guard=Sku.stock_sold + Sku.stock_reserved + quantity <= Sku.stock_total,
                        actor_id=actor_id, note=note, reference_type="write_off", location_id=location_id)
    if movement_id is None:
        free = db.session.scalar(sa.select(Sku.stock_total - Sku.stock_sold - Sku.stock_reserved)
                                 .where(Sku.id == sku_id))
        db.session.rollback()
        raise Conflict(_("Only %(free)s units are free to write off", free=max(free, 0)),
                       code="write_off_exceeds_free_stock", details={"free": max(free, 0), "requested": quantity})
    db.session.commit()
    return db.session.get(StockMovement, movement_id)


def transfer(sku_id: int, quantity: int, from_location_id: int, to_location_id: int, *, actor_id: int,
             note: str | None = None) -> list[StockMovement]:
    """Move units between locations: out of one, into the other. The SKU's counters (the sum over
    locations) do not change, so nothing sold or held can be affected."""
    _sku(sku_id)
    if location_or_default(from_location_id) == location_or_default(to_location_id):
        raise InvalidRequest(_("A transfer needs two different locations"), code="transfer_same_location")
    common = {"actor_id": actor_id, "note": note, "reference_type": "transfer"}
    ids = [shift(sku_id, MovementReason.TRANSFERRED_OUT, quantity, total=-quantity, location_id=from_location_id,
                 reference_id=to_location_id, **common),
           shift(sku_id, MovementReason.TRANSFERRED_IN, quantity, total=quantity, location_id=to_location_id,
                 reference_id=from_location_id, **common)]
    db.session.commit()
    return [db.session.get(StockMovement, i) for i in ids]
