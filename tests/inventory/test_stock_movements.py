"""Every change of stock leaves a movement, the movements add up to the counters, and
`flask stock-audit` says so (or exits 1 when a counter was changed behind the ledger's back)."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from app.campaigns import stock as campaign_stock
from app.catalog import services as catalog
from app.catalog.models import Sku
from app.db import utcnow
from app.extensions import db
from app.inventory import adjustments, audit, movements, stock, stocktake
from app.inventory.models import MovementReason, StockMovement
from tests.factories import checkout, make_buyer, make_campaign, make_group, make_leader, make_product, make_staff
from tests.flows import batch_of, deliver, paid_order
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook


def _sku(total: int = 20) -> Sku:
    return make_product(skus=[{"code": f"M{uuid.uuid4().hex[:8]}", "name": "x", "price_cents": 1000,
                               "stock_total": total}]).skus[0]


def _moves(sku_id: int) -> list[tuple]:
    db.session.commit()
    return [(m.reason.value, m.quantity, m.total_change, m.reserved_change, m.sold_change, m.reference_type)
            for m in db.session.scalars(sa.select(StockMovement).where(
                StockMovement.sku_id == sku_id, StockMovement.campaign_item_id.is_(None)).order_by(StockMovement.id))]


def _audit_cli(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["stock-audit"])
    return result.exit_code, result.output


def _an_order_id(client) -> int:
    """A real order to hang the service calls' reservations on (its own SKU is another one)."""
    return checkout(client, make_buyer(), [(_sku(5).id, 1)]).get_json()["id"]


def test_reservation_payment_release_refund_and_lapse_each_leave_their_movement(client):
    order_ids = [_an_order_id(client)]
    sku = _sku(20)
    later = utcnow() + dt.timedelta(minutes=15)

    stock.reserve(order_ids[0], sku.id, 3, later)       # reserved
    stock.consume(order_ids[0])                          # sold (reserved -> sold)
    stock.reserve(order_ids[0], sku.id, 2, later)
    stock.release(order_ids[0])                          # released (cancelled)
    stock.reserve(order_ids[0], sku.id, 4, utcnow() - dt.timedelta(seconds=1))
    assert stock.release_overdue(sku.id) == 4            # released (lapsed)
    stock.sell_or_raise(sku.id, 1, reference_id=order_ids[0])   # sold straight (pay at pickup)
    stock.unsell(sku.id, 2, reference_type="refund", reference_id=7)   # refunded back to stock
    db.session.commit()
    assert _moves(sku.id) == [
        ("adjusted", 20, 20, 0, 0, "sku"),
        ("reserved", 3, 0, 3, 0, "order"), ("sold", 3, 0, -3, 3, "order"),
        ("reserved", 2, 0, 2, 0, "order"), ("released", 2, 0, -2, 0, "order"),
        ("reserved", 4, 0, 4, 0, "order"), ("released", 4, 0, -4, 0, "order"),
        ("sold", 1, 0, 0, 1, "order"), ("refunded", 2, 0, 0, -2, "refund")]
    causes = db.session.scalars(sa.select(StockMovement.cause).where(
        StockMovement.sku_id == sku.id, StockMovement.reason == MovementReason.RELEASED).order_by(StockMovement.id))
    assert list(causes) == ["cancelled", "lapsed"]
    assert audit.run() == []


def test_received_written_off_counted_transferred_and_catalogue_edits(app):
    staff = make_staff()
    sku = _sku(10)
    movements.receive(sku.id, 5, reference_type="receipt", reference_id=1, actor_id=staff.id)
    db.session.commit()
    adjustments.write_off(sku.id, 2, adjustments.WriteOffCause.SPOILED, actor_id=staff.id)
    second = adjustments.location_or_default(None)
    from app.inventory.models import StockLocation

    other = StockLocation(code="NORTH", name="North")
    db.session.add(other)
    db.session.commit()
    adjustments.transfer(sku.id, 3, second, other.id, actor_id=staff.id)
    take = stocktake.open_sheet(actor_id=staff.id, sku_ids=[sku.id])
    assert take.lines[0].expected == 13
    stocktake.enter_counts(take.id, {sku.id: 11})
    stocktake.confirm(take.id, actor_id=staff.id)
    stocktake.confirm(take.id, actor_id=staff.id)       # twice is once
    catalog.update_sku(db.session.get(Sku, sku.id), {"stock_total": 15})
    assert _moves(sku.id)[1:] == [
        ("received", 5, 5, 0, 0, "receipt"), ("written_off", 2, -2, 0, 0, "write_off"),
        ("transferred_out", 3, -3, 0, 0, "transfer"), ("transferred_in", 3, 3, 0, 0, "transfer"),
        ("counted", 2, -2, 0, 0, "stock_take"), ("adjusted", 4, 4, 0, 0, "sku")]
    assert db.session.get(Sku, sku.id).stock_total == 15
    assert _audit_cli(app)[0] == 0


def test_sales_refunds_and_shortages_through_the_api_add_up(client, app):
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    sku = _sku(30)
    buyer = make_buyer(group)
    order = paid_order(client, buyer, [(sku.id, 3)])
    batch = batch_of(client, staff, order)
    deliver(client, staff, leader, batch["id"], shortages=[
        {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason": "damaged"}])
    reasons = [m[0] for m in _moves(sku.id)]
    assert reasons == ["adjusted", "reserved", "sold", "shortage"]
    shortage = db.session.scalars(sa.select(StockMovement).where(StockMovement.reason == MovementReason.SHORTAGE)).one()
    assert (shortage.total_change, shortage.sold_change, shortage.cause, shortage.reference_type) == (
        -1, -1, "damaged", "batch")
    code, output = _audit_cli(app)
    assert code == 0, output


def test_campaign_holds_and_the_flash_path_write_movements_against_the_item(client, app):
    sku = _sku(50)
    campaign = make_campaign(items=[(sku.id, 600, 10)])
    item = campaign.items[0]
    buyer = make_buyer()
    r = client.post(f"/api/v1/store/flash-sales/{item.id}/reserve", json={"quantity": 2},
                    headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.get_json()
    paying = client.post(f"/api/v1/store/orders/{r.get_json()['order_id']}/pay", headers=buyer.headers).get_json()
    pay_intent(intent_of(paying))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(paying)))
    db.session.commit()
    rows = db.session.execute(sa.select(StockMovement.reason, StockMovement.reserved_change, StockMovement.sold_change)
                              .where(StockMovement.campaign_item_id == item.id).order_by(StockMovement.id)).all()
    assert [(r[0].value, r[1], r[2]) for r in rows] == [("adjusted", 0, 0), ("reserved", 2, 0), ("sold", -2, 2)]
    assert campaign_stock.counts(item.id) == (10, 0, 2)
    assert audit.run() == []


def test_the_audit_catches_a_tampered_counter_and_exits_1(app):
    sku = _sku(8)
    assert _audit_cli(app)[0] == 0
    db.session.execute(sa.update(Sku).where(Sku.id == sku.id).values(stock_total=9))   # behind the ledger's back
    db.session.commit()
    code, output = _audit_cli(app)
    assert code == 1
    assert f"DIFFERENCE sku {sku.id} total: counter 9, movements add up to 8" in output
    assert [(d.id, d.counter) for d in audit.run()] == [(sku.id, "total")]


def test_a_tampered_campaign_bucket_is_caught_too(app):
    sku = _sku(20)
    campaign = make_campaign(items=[(sku.id, 600, 10)])
    from app.campaigns.models import StockBucket

    bucket_id = db.session.scalars(sa.select(StockBucket.id).where(StockBucket.item_id == campaign.items[0].id)).first()
    db.session.execute(sa.update(StockBucket).where(StockBucket.id == bucket_id).values(sold=1))
    db.session.commit()
    assert [(d.what, d.counter, d.counter_value, d.movements_value) for d in audit.run()] == [
        ("campaign_item", "sold", 1, 0)]


def test_write_off_refuses_units_promised_to_orders_and_changes_nothing(client):
    staff = make_staff()
    order_id = _an_order_id(client)
    sku = _sku(5)
    stock.reserve(order_id, sku.id, 4, utcnow() + dt.timedelta(minutes=5))
    db.session.commit()
    before = _moves(sku.id)
    with pytest.raises(Exception) as caught:
        adjustments.write_off(sku.id, 2, adjustments.WriteOffCause.DAMAGED, actor_id=staff.id)
    assert caught.value.code == "write_off_exceeds_free_stock"
    assert _moves(sku.id) == before


def test_selling_more_than_is_free_answers_false_and_moves_nothing(client):
    """sell() must say "not taken" when the guard refuses and no lapsed hold could be released
    (a merge once turned that "not taken" into True: a late payment then paid an order with no stock)."""
    sku = _sku(total=2)
    assert stock.sell(sku.id, 2, reference_id=None) is True
    before = _moves(sku.id)
    assert stock.sell(sku.id, 1, reference_id=None) is False
    with pytest.raises(stock.InsufficientStock):
        stock.sell_or_raise(sku.id, 1)
    assert _moves(sku.id) == before
    db.session.refresh(sku)
    assert (sku.stock_total, sku.stock_reserved, sku.stock_sold) == (2, 0, 2)
