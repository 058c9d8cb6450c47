"""The movements API other packages call (purchasing receipts, the purchase plan)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.catalog.models import Sku
from app.extensions import db
from app.inventory import movements
from app.inventory.models import MovementReason, StockMovement
from tests.factories import make_product


def _sku() -> Sku:
    return make_product(skus=[{"code": "RICE", "name": "5kg", "price_cents": 3000, "stock_total": 10}]).skus[0]


def test_receive_adds_to_on_hand_and_appends_one_received_movement():
    sku = _sku()
    movements.receive(sku.id, 7, reference_type="receipt", reference_id=42, actor_id=None, note="PO-1")
    db.session.commit()
    db.session.refresh(sku)
    assert sku.stock_total == 17
    assert movements.on_hand([sku.id, 999_999]) == {sku.id: 17}
    row = db.session.scalars(sa.select(StockMovement).where(StockMovement.reason == MovementReason.RECEIVED)).one()
    assert (row.sku_id, row.quantity, row.total_change, row.reserved_change, row.sold_change) == (sku.id, 7, 7, 0, 0)
    assert (row.reference_type, row.reference_id, row.note) == ("receipt", 42, "PO-1")


def test_receive_refuses_nothing_and_unknown_skus():
    sku = _sku()
    with pytest.raises(ValueError):
        movements.receive(sku.id, 0, reference_type="receipt", reference_id=1, actor_id=None)
    with pytest.raises(LookupError):
        movements.receive(999_999, 1, reference_type="receipt", reference_id=1, actor_id=None)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMovement).where(
        StockMovement.reason == MovementReason.RECEIVED)) == 0


def test_movements_cannot_be_changed():
    sku = _sku()
    movements.receive(sku.id, 1, reference_type="receipt", reference_id=1, actor_id=None)
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
        conn.execute(sa.update(StockMovement).values(quantity=5))
