"""Receipts and sales racing on one SKU, on PostgreSQL with real threads: no unit is lost or made
up, and the movements still add up to the counters."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.inventory import audit, movements
from app.inventory.models import MovementReason, StockMovement
from tests.concurrency import race
from tests.factories import make_buyer, make_group, make_leader, make_product, sku_counts

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_receipts_and_sales_racing_on_one_sku_never_lose_a_unit(app):
    group = make_group(make_leader())
    sku_id = make_product(skus=[{"code": "RACE", "name": "x", "price_cents": 500, "stock_total": 20}]).skus[0].id
    headers = [make_buyer(group).headers for _ in range(60)]

    def act(client, i):
        if i % 3 == 0:   # 20 receipts of 2 units, each in its own transaction, as a goods receipt does
            with app.app_context():
                movements.receive(sku_id, 2, reference_type="receipt", reference_id=i, actor_id=None)
                db.session.commit()
            return 201
        return client.post("/api/v1/store/orders", json={"lines": [{"sku_id": sku_id, "quantity": 1}],
                                                         "payment_method": "stripe"},
                           headers={**headers[i], "Idempotency-Key": f"race-{i}"}).status_code

    codes = race(app, 60, act, workers=30)
    sales = sum(1 for i, code in enumerate(codes) if i % 3 and code == 201)
    assert all(code in (201, 409) for code in codes), codes
    total, reserved, sold = sku_counts(sku_id)
    assert total == 20 + 20 * 2                    # every receipt counted, none lost to a concurrent sale
    assert reserved + sold == sales               # every sale held exactly its unit
    assert sales >= 20                            # the first 20 units were there from the start
    received = db.session.scalar(sa.select(sa.func.sum(StockMovement.quantity)).where(
        StockMovement.sku_id == sku_id, StockMovement.reason == MovementReason.RECEIVED))
    assert received == 40
    assert audit.run() == []
