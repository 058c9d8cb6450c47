"""Payments against localstripe through the real stripe SDK; webhooks with real signatures."""
from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request

import pytest
import sqlalchemy as sa
import time_machine

from app.accounts.models import Account
from app.extensions import db
from app.orders.models import Order
from app.payments.models import Refund, WebhookEvent
from tests.assertions import assert_error, database_unchanged
from tests.conftest import WEBHOOK_SECRET
from tests.factories import checkout, make_buyer, make_product, sku_counts
from tests.stripe_helpers import (
    CARD_DECLINED,
    event_payload,
    intent_event,
    intent_of,
    pay_intent,
    post_webhook,
    sign,
    stripe_client,
)


def setup_order(client, stock=10, quantity=2, price=1500):
    sku = make_product(skus=[{"code": f"S{time.time_ns()}", "name": "x", "price_cents": price,
                              "stock_total": stock}]).skus[0]
    buyer = make_buyer()
    order = checkout(client, buyer, [(sku.id, quantity)]).get_json()
    return sku, buyer, order


def order_row(order_id: int) -> Order:
    db.session.commit()
    return db.session.get(Order, order_id)


def spend(account_id: int) -> int:
    db.session.commit()
    return db.session.get(Account, account_id).lifetime_spend_cents


def test_a_signed_succeeded_webhook_pays_the_order_and_sells_the_stock(client):
    sku, buyer, order = setup_order(client)
    pay_intent(intent_of(order))
    r = post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    assert r.status_code == 200 and r.get_json()["outcome"] == "payment succeeded"
    paid = client.get(f"/api/v1/store/orders/{order['id']}", headers=buyer.headers).get_json()
    assert paid["status"] == "paid" and paid["paid_cents"] == 3000 and paid["payment"]["client_secret"] is None
    assert sku_counts(sku.id) == (10, 0, 2)
    assert spend(buyer.id) == 3000


def _configure_localstripe_webhook(base: str, url: str, events: list[str]) -> None:
    body = json.dumps({"url": url, "secret": WEBHOOK_SECRET, "events": events}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{base}/_config/webhooks/storefront", data=body,
                                                  headers={"Content-Type": "application/json"}), timeout=5)


@pytest.fixture
def localstripe_webhooks(app, live_server, localstripe_url):
    """localstripe posts real signed webhooks to the live server, for this test only (localstripe
    cannot delete a hook, so teardown re-registers it for an event that never happens)."""
    url = f"{live_server}/webhooks/stripe"
    _configure_localstripe_webhook(localstripe_url, url, ["payment_intent.succeeded"])
    yield
    _configure_localstripe_webhook(localstripe_url, url, ["storefront.never"])


def test_localstripe_delivers_its_own_webhook_and_the_order_becomes_paid(client, localstripe_webhooks):
    sku, buyer, order = setup_order(client)
    pay_intent(intent_of(order))
    deadline = time.monotonic() + 10
    while order_row(order["id"]).status.value != "paid":
        assert time.monotonic() < deadline, "localstripe's webhook never paid the order"
        time.sleep(0.2)
    assert sku_counts(sku.id) == (10, 0, 2)
    assert "payment succeeded" in db.session.scalars(sa.select(WebhookEvent.outcome).where(
        WebhookEvent.event_type == "payment_intent.succeeded")).all()


def test_refresh_payment_asks_stripe_when_no_webhook_came(client):
    sku, buyer, order = setup_order(client)
    pay_intent(intent_of(order))
    r = client.post(f"/api/v1/store/orders/{order['id']}/refresh-payment", headers=buyer.headers)
    assert r.status_code == 200 and r.get_json()["status"] == "paid"
    assert sku_counts(sku.id) == (10, 0, 2)


def test_refresh_before_paying_changes_nothing(client):
    _, buyer, order = setup_order(client)
    r = client.post(f"/api/v1/store/orders/{order['id']}/refresh-payment", headers=buyer.headers)
    assert r.get_json()["status"] == "pending_payment"


def test_the_same_event_delivered_ten_times_changes_state_once(client):
    sku, buyer, order = setup_order(client)
    pay_intent(intent_of(order))
    payload = intent_event("payment_intent.succeeded", intent_of(order), event_id="evt_same")
    outcomes = [post_webhook(client, payload).get_json()["outcome"] for _ in range(10)]
    assert outcomes[0] == "payment succeeded" and set(outcomes[1:]) == {"duplicate event: already processed"}
    assert spend(buyer.id) == 3000 and sku_counts(sku.id) == (10, 0, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEvent)) == 1


def test_a_new_event_for_an_already_applied_success_changes_nothing(client):
    sku, buyer, order = setup_order(client)
    pay_intent(intent_of(order))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    r = post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    assert r.get_json()["outcome"] == "already succeeded" and spend(buyer.id) == 3000


def test_a_late_failure_event_after_success_does_not_unpay_the_order(client):
    _, buyer, order = setup_order(client)
    pay_intent(intent_of(order))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    failed = event_payload("payment_intent.payment_failed", {
        "id": intent_of(order), "last_payment_error": {"message": "Your card was declined."}})
    assert post_webhook(client, failed).get_json()["outcome"] == "failure ignored: not pending"
    assert order_row(order["id"]).status.value == "paid"


def test_a_declined_card_is_recorded_and_a_second_card_can_still_pay(client):
    _, buyer, order = setup_order(client)
    pay_intent(intent_of(order), card=CARD_DECLINED)
    assert post_webhook(client, intent_event("payment_intent.payment_failed", intent_of(order))).get_json()[
        "outcome"] == "payment failed"
    body = client.get(f"/api/v1/store/orders/{order['id']}", headers=buyer.headers).get_json()
    assert body["status"] == "pending_payment" and body["payment"]["status"] == "failed"
    assert body["payment"]["client_secret"] and body["payment"]["failure_message"]
    # localstripe cannot retry an intent after a failed charge (Stripe can), so this is the event
    # Stripe sends when the second card succeeds.
    post_webhook(client, event_payload("payment_intent.succeeded", {
        "id": intent_of(order), "status": "succeeded", "amount": 3000, "amount_received": 3000}))
    assert order_row(order["id"]).status.value == "paid"


def test_bad_signatures_are_rejected_and_change_nothing(client):
    _, _, order = setup_order(client)
    payload = intent_event("payment_intent.succeeded", intent_of(order))
    with database_unchanged():
        assert_error(post_webhook(client, payload, signature=sign(payload, "whsec_wrong")), 400, "invalid_signature")
        assert_error(post_webhook(client, payload, signature=""), 400, "invalid_signature")
        assert_error(post_webhook(client, payload + b" ", signature=sign(payload)), 400, "invalid_signature")
        stale = sign(payload, timestamp=int(time.time()) - 3600)
        assert_error(post_webhook(client, payload, signature=stale), 400, "invalid_signature")
        assert_error(post_webhook(client, b"not json", signature=sign(b"not json")), 400, "invalid_signature")


def test_events_for_unknown_intents_or_types_are_acknowledged_and_ignored(client):
    r = post_webhook(client, event_payload("payment_intent.succeeded", {"id": "pi_not_ours"}))
    assert r.status_code == 200 and r.get_json()["outcome"].startswith("ignored")
    r = post_webhook(client, event_payload("customer.created", {"id": "cus_1"}))
    assert r.get_json()["outcome"].startswith("ignored")


def test_payment_after_expiry_still_pays_if_the_stock_is_free(client):
    sku, buyer, order = setup_order(client)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        assert client.get(f"/api/v1/store/orders/{order['id']}", headers=buyer.headers).get_json()[
            "status"] == "expired"
        pay_intent(intent_of(order))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    assert order_row(order["id"]).status.value == "paid"
    assert sku_counts(sku.id) == (10, 0, 2)


def test_payment_after_the_stock_was_sold_to_someone_else_is_refunded_automatically(client):
    sku, buyer, order = setup_order(client, stock=2, quantity=2)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        other = make_buyer()
        assert checkout(client, other, [(sku.id, 2)], method="stripe").status_code == 201  # takes the lapsed stock
        pay_intent(intent_of(order))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    row = order_row(order["id"])
    assert row.status.value == "refunded" and row.close_reason == "stock_gone_before_payment"
    assert (row.paid_cents, row.refunded_cents) == (3000, 3000)
    refund = db.session.scalar(sa.select(Refund).where(Refund.order_id == order["id"]))
    assert refund.status.value == "succeeded" and refund.amount_cents == 3000
    stripe_refunds = stripe_client().v1.refunds.list(params={"payment_intent": intent_of(order)}).data
    assert [r.amount for r in stripe_refunds] == [3000]
    assert sku_counts(sku.id) == (2, 2, 0) and spend(buyer.id) == 0


def test_a_shopper_who_cancels_after_paying_gets_the_money_back(client):
    sku, buyer, order = setup_order(client)
    pay_intent(intent_of(order))  # paid at Stripe; our webhook has not arrived yet
    cancelled = client.post(f"/api/v1/store/orders/{order['id']}/cancel", headers=buyer.headers)
    assert cancelled.status_code == 200
    # Cancelling asks Stripe to cancel the intent; it finds it succeeded and refunds instead.
    row = order_row(order["id"])
    assert row.status.value == "refunded" and row.refunded_cents == row.paid_cents == 3000
    assert [r.amount for r in stripe_client().v1.refunds.list(params={"payment_intent": intent_of(order)}).data] \
        == [3000]
    late = post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    assert late.get_json()["outcome"] == "already succeeded"
    assert sku_counts(sku.id) == (10, 0, 0) and spend(buyer.id) == 0
