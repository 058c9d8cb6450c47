"""WeChat Pay and Alipay through Stripe, against localstripe extended with both (tests/localstripe_wallets.py):
the QR code / redirect the shop shows, and the same webhook, refund, expiry and idempotency rules as cards."""
from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment, Refund
from tests.assertions import assert_error
from tests.factories import checkout, make_buyer, make_product, make_staff, sku_counts
from tests.stripe_helpers import intent_event, intent_of, post_webhook, shopper_completes, stripe_client


def setup_order(client, method, stock=10, quantity=2, price=1500):
    sku = make_product(skus=[{"code": f"W{time.time_ns()}", "name": "x", "price_cents": price,
                              "stock_total": stock}]).skus[0]
    buyer = make_buyer()
    r = checkout(client, buyer, [(sku.id, quantity)], method=method)
    assert r.status_code == 201, r.get_json()
    return sku, buyer, r.get_json()


def order_row(order_id: int) -> Order:
    db.session.commit()
    return db.session.get(Order, order_id)


def test_wechat_pay_order_shows_the_qr_code_and_the_intent_is_shaped_as_stripe_says(client):
    sku, buyer, order = setup_order(client, "wechat_pay")
    assert order["status"] == "pending_payment" and order["payment_method"] == "stripe"
    payment = order["payment"]
    assert payment["method"] == "wechat_pay" and payment["client_secret"]
    action = payment["next_action"]
    assert action["type"] == "wechat_pay_display_qr_code" and action["qr_code_data"].startswith("weixin://")
    assert action["hosted_url"].startswith("https://") and action["redirect_url"] is None
    intent = stripe_client().v1.payment_intents.retrieve(intent_of(order))
    assert intent.status == "requires_action" and list(intent.payment_method_types) == ["wechat_pay"]
    assert intent.payment_method_options["wechat_pay"]["client"] == "web"
    assert intent.next_action["wechat_pay_display_qr_code"]["data"] == action["qr_code_data"]
    assert (intent.amount, intent.metadata["order_id"]) == (3000, str(order["id"]))
    assert sku_counts(sku.id) == (10, 2, 0)


def test_alipay_order_redirects_and_comes_back_to_the_order(app, client):
    _, buyer, order = setup_order(client, "alipay")
    action = order["payment"]["next_action"]
    assert order["payment"]["method"] == "alipay" and action["type"] == "alipay_handle_redirect"
    assert action["redirect_url"].startswith("https://") and action["qr_code_data"] is None
    assert action["return_url"] == f"{app.config['PUBLIC_BASE_URL']}/?order={order['id']}#orders"
    intent = stripe_client().v1.payment_intents.retrieve(intent_of(order))
    assert list(intent.payment_method_types) == ["alipay"] and intent.status == "requires_action"


def test_paid_once_under_ten_duplicate_webhooks_then_refunded_once(client):
    sku, buyer, order = setup_order(client, "wechat_pay")
    shopper_completes(intent_of(order))
    event = intent_event("payment_intent.succeeded", intent_of(order), event_id=f"evt_{uuid.uuid4().hex}")
    outcomes = [post_webhook(client, event).get_json()["outcome"] for _ in range(10)]
    assert outcomes[0] == "payment succeeded" and set(outcomes[1:]) == {"duplicate event: already processed"}
    # The same success again under a new event id (Stripe retries with new ids too) changes nothing.
    again = post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    assert again.get_json()["outcome"] == "already succeeded"
    row = order_row(order["id"])
    assert (row.status.value, row.paid_cents) == ("paid", 3000) and sku_counts(sku.id) == (10, 0, 2)
    paid = client.get(f"/api/v1/store/orders/{order['id']}", headers=buyer.headers).get_json()
    assert paid["payment"]["next_action"] is None and paid["payment_methods"] == []

    staff, key = make_staff(), str(uuid.uuid4())
    for _ in range(2):  # a retried request with the same key refunds once
        r = client.post(f"/api/v1/admin/orders/{order['id']}/refunds", json={"reason": "spoiled"},
                        headers={**staff.headers, "Idempotency-Key": key})
        assert r.status_code in (200, 201), r.get_json()
    refunds = stripe_client().v1.refunds.list(params={"payment_intent": intent_of(order)}).data
    assert [r.amount for r in refunds] == [3000]
    assert order_row(order["id"]).status.value == "refunded" and sku_counts(sku.id) == (10, 0, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)
                             .where(Refund.order_id == order["id"])) == 1


def test_refresh_payment_finds_a_completed_alipay_payment_without_a_webhook(client):
    _, buyer, order = setup_order(client, "alipay")
    shopper_completes(intent_of(order))
    r = client.post(f"/api/v1/store/orders/{order['id']}/refresh-payment", headers=buyer.headers)
    assert r.status_code == 200 and r.get_json()["status"] == "paid"


def test_expiry_releases_the_stock_and_cancels_the_intent(app, client):
    sku, buyer, order = setup_order(client, "wechat_pay")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        assert client.get(f"/api/v1/store/orders/{order['id']}", headers=buyer.headers).get_json()[
            "status"] == "expired"
        with app.test_request_context():
            from app.orders.services import expire_overdue

            assert expire_overdue()[0] == 1
    assert sku_counts(sku.id) == (10, 0, 0)
    assert stripe_client().v1.payment_intents.retrieve(intent_of(order)).status == "canceled"


def test_a_wechat_payment_completing_after_expiry_revives_the_order_as_a_card_would(client):
    sku, buyer, order = setup_order(client, "wechat_pay")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        shopper_completes(intent_of(order))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    assert order_row(order["id"]).status.value == "paid" and sku_counts(sku.id) == (10, 0, 2)


def test_a_late_alipay_payment_for_stock_sold_meanwhile_is_refunded_through_stripe(client):
    sku, buyer, order = setup_order(client, "alipay", stock=2, quantity=2)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        assert checkout(client, make_buyer(), [(sku.id, 2)], method="card").status_code == 201
        shopper_completes(intent_of(order))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    row = order_row(order["id"])
    assert row.status.value == "refunded" and (row.paid_cents, row.refunded_cents) == (3000, 3000)
    refunds = stripe_client().v1.refunds.list(params={"payment_intent": intent_of(order)}).data
    assert [r.amount for r in refunds] == [3000]


def test_a_declined_wechat_payment_shows_no_provider_text_and_a_retry_opens_a_new_qr_code(client):
    _, buyer, order = setup_order(client, "wechat_pay")
    first_intent = intent_of(order)
    shopper_completes(first_intent, paid=False)
    r = post_webhook(client, intent_event("payment_intent.payment_failed", first_intent))
    assert r.get_json()["outcome"] == "payment failed"
    failed = client.get(f"/api/v1/store/orders/{order['id']}", headers={**buyer.headers, "Accept-Language": "zh-CN"})
    payment = failed.get_json()["payment"]
    assert payment["status"] == "failed" and "customer" not in payment["failure_message"]
    assert payment["failure_message"] == "支付没有成功，请重试或换一种支付方式。"
    assert failed.get_json()["payment_methods"] == ["card", "wechat_pay", "alipay", "wallet"]
    retry = client.post(f"/api/v1/store/orders/{order['id']}/pay", json={"payment_method": "alipay"},
                        headers=buyer.headers)
    assert retry.status_code == 200, retry.get_json()
    again = retry.get_json()["payment"]
    assert again["method"] == "alipay" and again["next_action"]["redirect_url"]
    second_intent = again["client_secret"].split("_secret_")[0]
    assert second_intent != first_intent
    db.session.commit()
    states = dict(db.session.execute(sa.select(Payment.provider_ref, Payment.status)
                                     .where(Payment.order_id == order["id"])).all())
    assert {k: v.value for k, v in states.items()} == {first_intent: "cancelled", second_intent: "pending"}
    shopper_completes(second_intent)
    post_webhook(client, intent_event("payment_intent.succeeded", second_intent))
    assert order_row(order["id"]).status.value == "paid"


def test_paying_twice_with_the_same_method_reuses_the_open_qr_code(client):
    _, buyer, order = setup_order(client, "wechat_pay")
    r1 = client.post(f"/api/v1/store/orders/{order['id']}/pay", json={"payment_method": "wechat_pay"},
                     headers=buyer.headers).get_json()
    r2 = client.post(f"/api/v1/store/orders/{order['id']}/pay", json={"payment_method": "wechat_pay"},
                     headers=buyer.headers).get_json()
    assert r1["payment"]["client_secret"] == r2["payment"]["client_secret"] == order["payment"]["client_secret"]
    assert r1["payment"]["next_action"]["qr_code_data"] == order["payment"]["next_action"]["qr_code_data"]


def test_stripe_down_gives_a_stable_code_a_translated_message_and_no_provider_text(app, client, monkeypatch):
    sku = make_product(skus=[{"code": f"D{time.time_ns()}", "name": "x", "price_cents": 100,
                              "stock_total": 5}]).skus[0]
    buyer = make_buyer()
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    r = client.post("/api/v1/store/orders", json={"lines": [{"sku_id": sku.id, "quantity": 1}],
                                                  "payment_method": "wechat_pay"},
                    headers={**buyer.headers, "Idempotency-Key": "k-down", "Accept-Language": "zh-CN"})
    body = assert_error(r, 503, "payment_provider_unavailable")
    assert body["message"] == "支付服务暂时无法连接，未产生任何扣款，请稍后一分钟再试。"
    assert body["details"]["retry"] is True and "127.0.0.1" not in str(body)


def test_wallet_top_up_by_wechat_pay_is_credited_once(client):
    buyer = make_buyer()
    r = client.post("/api/v1/store/wallet/top-ups", json={"amount_cents": 5000, "payment_method": "wechat_pay"},
                    headers={**buyer.headers, "Idempotency-Key": "top-1"})
    assert r.status_code == 201, r.get_json()
    top_up = r.get_json()
    assert top_up["method"] == "wechat_pay" and top_up["next_action"]["qr_code_data"].startswith("weixin://")
    intent = top_up["client_secret"].split("_secret_")[0]
    shopper_completes(intent)
    event = intent_event("payment_intent.succeeded", intent)
    outcomes = [post_webhook(client, event).get_json()["outcome"] for _ in range(3)]
    assert outcomes[0] == "top-up credited"
    wallet = client.get("/api/v1/store/wallet", headers=buyer.headers).get_json()
    assert wallet["principal_cents"] == 5000


def test_membership_fee_by_alipay(app, client):
    from app.loyalty.services import program

    program().membership_fee_cents = 1900
    db.session.commit()
    buyer = make_buyer()
    r = client.post("/api/v1/store/membership", json={"payment_method": "alipay"},
                    headers={**buyer.headers, "Idempotency-Key": "m-1"})
    assert r.status_code in (200, 201), r.get_json()
    pending = r.get_json()["pending_payment"]
    assert pending["method"] == "alipay" and pending["next_action"]["redirect_url"]
    intent = pending["client_secret"].split("_secret_")[0]
    shopper_completes(intent)
    post_webhook(client, intent_event("payment_intent.succeeded", intent))
    assert client.get("/api/v1/store/membership", headers=buyer.headers).get_json()["active"] is True


def test_a_subscription_cannot_renew_with_wechat_pay_or_alipay(client):
    buyer = make_buyer()
    for method in ("wechat_pay", "alipay"):
        r = client.post("/api/v1/store/subscriptions", json={
            "sku_id": 1, "quantity": 1, "interval_unit": "week", "interval_count": 1,
            "start_date": (dt.date.today() + dt.timedelta(days=7)).isoformat(), "pay_with": method},
            headers={**buyer.headers, "Accept-Language": "zh-CN"})
        body = assert_error(r, 422, "renewal_needs_card_or_wallet")
        assert body["details"]["pay_with"] == ["card", "wallet"] and "微信支付" in body["message"]


@pytest.mark.postgres
def test_ten_concurrent_deliveries_and_ten_concurrent_refund_requests_of_a_wechat_order(app, client):
    from tests.concurrency import race

    sku, buyer, order = setup_order(client, "wechat_pay", quantity=3)
    shopper_completes(intent_of(order))
    payload = intent_event("payment_intent.succeeded", intent_of(order), event_id=f"evt_{uuid.uuid4().hex}")
    outcomes = sorted(r.get_json()["outcome"] for r in race(app, 10, lambda c, i: post_webhook(c, payload)))
    assert outcomes == ["duplicate event: already processed"] * 9 + ["payment succeeded"]
    assert order_row(order["id"]).paid_cents == 4500 and sku_counts(sku.id) == (10, 0, 3)
    headers = make_staff().headers
    race(app, 10, lambda c, i: c.post(f"/api/v1/admin/orders/{order['id']}/refunds", json={"reason": "spoiled"},
                                      headers={**headers, "Idempotency-Key": f"r-{i}"}))
    refunds = stripe_client().v1.refunds.list(params={"payment_intent": intent_of(order)}).data
    assert [r.amount for r in refunds] == [4500] and order_row(order["id"]).refunded_cents == 4500


def test_a_pre_sale_deposit_by_wechat_pay_and_a_failed_group_buy_refunded_to_alipay(client):
    from app.campaigns import groupbuy
    from app.db import utcnow
    from tests.factories import make_campaign

    sku = make_product(skus=[{"code": f"PS{time.time_ns()}", "name": "x", "price_cents": 20000,
                              "stock_total": 5}]).skus[0]
    now = utcnow()
    presale = make_campaign(
        "pre_sale", items=[{"sku_id": sku.id, "campaign_price_cents": 15000, "stock_total": 10,
                            "deposit_cents": 1000, "deposit_value_cents": 3000}], minutes=60 * 24, per_person_limit=3,
        balance_starts_at=now + dt.timedelta(days=2), balance_ends_at=now + dt.timedelta(days=4),
        balance_policy="forfeit", ship_date=(now + dt.timedelta(days=5)).date())
    buyer = make_buyer()
    line = {"sku_id": sku.id, "quantity": 1, "campaign_item_id": presale.items[0].id}
    deposit = client.post("/api/v1/store/orders", json={"lines": [line], "payment_method": "wechat_pay"},
                          headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())}).get_json()
    assert deposit["payment"]["purpose"] == "deposit" and deposit["payment"]["next_action"]["qr_code_data"]
    shopper_completes(intent_of(deposit))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(deposit)))
    assert order_row(deposit["id"]).status.value == "deposit_paid"

    gb_sku = make_product(skus=[{"code": f"GB{time.time_ns()}", "name": "x", "price_cents": 5000,
                                 "stock_total": 5}]).skus[0]
    deal = make_campaign("group_buy", items=[(gb_sku.id, 3000, 50)], threshold_kind="participants", threshold=5,
                         threshold_scope="per_group")
    joined = client.post("/api/v1/store/orders", json={"lines": [
        {"sku_id": gb_sku.id, "quantity": 1, "campaign_item_id": deal.items[0].id}], "payment_method": "alipay"},
        headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())}).get_json()
    shopper_completes(intent_of(joined))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(joined)))
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=3), tick=False):
        groupbuy.settle()
        groupbuy.settle()
    refunds = stripe_client().v1.refunds.list(params={"payment_intent": intent_of(joined)}).data
    assert [r.amount for r in refunds] == [3000] and order_row(joined["id"]).status.value == "refunded"
