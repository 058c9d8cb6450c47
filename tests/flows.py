"""Multi-step flows the pickup and notification tests build on."""
from __future__ import annotations

from app.extensions import db
from app.groups.services import update_group
from app.orders.models import Order
from tests.factories import checkout
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook


def paid_order(client, buyer, lines: list[tuple[int, int]]) -> dict:
    """Checkout by card, pay at (local)Stripe, deliver the signed webhook; returns the order body."""
    order = checkout(client, buyer, lines).get_json()
    pay_intent(intent_of(order))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    return client.get(f"/api/v1/store/orders/{order['id']}", headers=buyer.headers).get_json()


def pickup_order(client, buyer, lines: list[tuple[int, int]], group=None) -> dict:
    """A pay-at-pickup order (the group is switched to allow it if given)."""
    if group is not None and not group.pay_at_pickup_allowed:
        update_group(group, {"pay_at_pickup_allowed": True}, as_staff=True)
    return checkout(client, buyer, lines, method="pay_at_pickup").get_json()


def order_row(order_id: int) -> Order:
    db.session.commit()
    return db.session.get(Order, order_id)


def batch_of(client, staff, order: dict) -> dict:
    row = order_row(order["id"])
    return client.get(f"/api/v1/admin/batches/{row.batch_id}", headers=staff.headers).get_json()


def deliver(client, staff, leader, batch_id: int, shortages=()) -> dict:
    """Close, dispatch and confirm arrival of a batch."""
    assert client.post(f"/api/v1/admin/batches/{batch_id}/close", headers=staff.headers).status_code == 200
    assert client.post(f"/api/v1/admin/batches/{batch_id}/dispatch", headers=staff.headers).status_code == 200
    r = client.post(f"/api/v1/leader/batches/{batch_id}/arrival", headers=leader.headers,
                    json={"shortages": list(shortages)})
    assert r.status_code == 200, r.get_json()
    return r.get_json()
