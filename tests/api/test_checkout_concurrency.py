"""The money path under real concurrency on PostgreSQL (threads, separate connections)."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.accounts.models import Account
from app.extensions import db
from app.inventory.models import StockReservation
from app.orders.models import Order
from app.payments.models import Payment, Refund, WebhookEvent
from tests.concurrency import race
from tests.factories import make_buyer, make_group, make_leader, make_product, make_staff, sku_counts
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook, stripe_client

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def order_body(sku_id: int, quantity: int = 1) -> dict:
    return {"lines": [{"sku_id": sku_id, "quantity": quantity}], "payment_method": "stripe"}


def count(model, *where) -> int:
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_200_buyers_racing_for_50_units_never_oversell(app):
    group = make_group(make_leader())
    sku_id = make_product(skus=[{"code": "HOT", "name": "x", "price_cents": 990, "stock_total": 50}]).skus[0].id
    headers = [make_buyer(group).headers for _ in range(200)]
    responses = race(app, 200, lambda c, i: c.post("/api/v1/store/orders", json=order_body(sku_id),
                                                   headers={**headers[i], "Idempotency-Key": f"k{i}"}),
                     workers=64)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 50 + [409] * 150, codes
    assert {r.get_json()["error"]["code"] for r in responses if r.status_code == 409} == {"insufficient_stock"}
    total, reserved, sold = sku_counts(sku_id)
    assert (total, reserved + sold) == (50, 50)
    assert count(Order) == 50
    assert db.session.scalar(sa.select(sa.func.sum(StockReservation.quantity))) == 50


def test_50_concurrent_replays_of_one_key_make_one_order_and_one_payment_intent(app):
    sku_id = make_product().skus[0].id
    headers = {**make_buyer().headers, "Idempotency-Key": "one-key"}
    responses = race(app, 50, lambda c, i: c.post("/api/v1/store/orders", json=order_body(sku_id, 2),
                                                  headers=headers))
    assert {r.status_code for r in responses} <= {201, 409}
    bodies = [r.get_json() for r in responses if r.status_code == 201]
    assert bodies and all(b == bodies[0] for b in bodies)
    assert count(Order) == 1 and count(Payment) == 1
    assert sku_counts(sku_id) == (50, 2, 0)
    number = bodies[0]["number"]
    intents = [pi for pi in stripe_client().v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
               if pi.metadata and pi.metadata.to_dict().get("order_number") == number]
    assert len(intents) == 1


def test_ten_concurrent_deliveries_of_one_webhook_change_state_once(app, client):
    sku_id = make_product().skus[0].id
    buyer = make_buyer()
    order = client.post("/api/v1/store/orders", json=order_body(sku_id, 3),
                        headers={**buyer.headers, "Idempotency-Key": "w"}).get_json()
    pay_intent(intent_of(order))
    payload = intent_event("payment_intent.succeeded", intent_of(order), event_id="evt_concurrent")
    responses = race(app, 10, lambda c, i: post_webhook(c, payload))
    outcomes = sorted(r.get_json()["outcome"] for r in responses)
    assert outcomes == ["duplicate event: already processed"] * 9 + ["payment succeeded"]
    assert count(WebhookEvent) == 1
    assert sku_counts(sku_id) == (50, 0, 3)
    db.session.commit()
    assert db.session.get(Account, buyer.id).lifetime_spend_cents == 3 * 1000


def test_concurrent_full_refunds_refund_once(app, client):
    staff = make_staff()
    sku_id = make_product().skus[0].id
    order = client.post("/api/v1/store/orders", json=order_body(sku_id, 2),
                        headers={**make_buyer().headers, "Idempotency-Key": "r"}).get_json()
    pay_intent(intent_of(order))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    responses = race(app, 8, lambda c, i: c.post(
        f"/api/v1/admin/orders/{order['id']}/refunds", json={"reason": f"r{i}"},
        headers={**staff.headers, "Idempotency-Key": str(uuid.uuid4())}))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert count(Refund) == 1
    assert [r.amount for r in stripe_client().v1.refunds.list(params={"payment_intent": intent_of(order)}).data] \
        == [2000]


def test_payment_racing_a_cancel_never_leaks_stock(app, client):
    """Whichever wins, the stock adds up: paid (cancel refused) or cancelled (money refunded)."""
    for attempt in range(5):
        sku_id = make_product().skus[0].id
        buyer = make_buyer()
        order = client.post("/api/v1/store/orders", json=order_body(sku_id, 4),
                            headers={**buyer.headers, "Idempotency-Key": f"pc{attempt}"}).get_json()
        pay_intent(intent_of(order))
        payload = intent_event("payment_intent.succeeded", intent_of(order))
        cancel_url, headers = f"/api/v1/store/orders/{order['id']}/cancel", buyer.headers

        def pay_or_cancel(c, i, payload=payload, cancel_url=cancel_url, headers=headers):
            return post_webhook(c, payload) if i == 0 else c.post(cancel_url, headers=headers)

        race(app, 2, pay_or_cancel)
        db.session.commit()
        row = db.session.get(Order, order["id"])
        total, reserved, sold = sku_counts(sku_id)
        if row.status.value == "paid":
            assert (reserved, sold) == (0, 4)
        else:
            assert row.status.value == "refunded" and (reserved, sold) == (0, 0)
            assert row.refunded_cents == row.paid_cents == 4000
