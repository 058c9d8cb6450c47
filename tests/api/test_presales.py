"""Pre-sales: a deposit now (counting for more than its face value), the balance in its window."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine

from app.campaigns import presale
from app.campaigns.stock import counts
from tests.assertions import assert_error
from tests.factories import make_buyer, make_campaign, make_product
from tests.flows import order_row
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook, stripe_client


def travel(hours: float):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours), tick=False)


@pytest.fixture
def presale_item():
    from app.db import utcnow

    sku = make_product(skus=[{"code": f"PS-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 20000,
                              "stock_total": 5}]).skus[0]
    now = utcnow()
    campaign = make_campaign(
        "pre_sale", items=[{"sku_id": sku.id, "campaign_price_cents": 15000, "stock_total": 10,
                            "deposit_cents": 1000, "deposit_value_cents": 3000}], minutes=60 * 24, per_person_limit=3,
        balance_starts_at=now + dt.timedelta(days=2), balance_ends_at=now + dt.timedelta(days=4),
        balance_policy="forfeit", ship_date=(now + dt.timedelta(days=5)).date())
    return campaign, campaign.items[0].id, sku.id


def order(client, buyer, item_id, sku_id, quantity=2):
    return client.post("/api/v1/store/orders", json={"lines": [
        {"sku_id": sku_id, "quantity": quantity, "campaign_item_id": item_id}]},
        headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())})


def pay(client, body):
    pay_intent(intent_of(body))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(body)))


def test_the_deposit_counts_for_more_and_the_balance_is_the_rest(client, presale_item):
    _, item_id, sku_id = presale_item
    buyer = make_buyer()
    r = order(client, buyer, item_id, sku_id)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    # Price 150.00, deposit 10.00 counting as 30.00: the shopper pays 130.00 a unit in all.
    assert body["lines"][0]["unit_price_cents"] == 13000 and body["total_cents"] == 26000
    assert body["payment"]["purpose"] == "deposit" and body["payment"]["amount_cents"] == 2000
    assert body["balance"]["balance_cents"] == 24000 and body["balance"]["deposit_value_cents"] == 6000
    pay(client, body)
    row = order_row(body["id"])
    assert (row.status.value, row.paid_cents, row.batch_id) == ("deposit_paid", 2000, None)
    assert counts(item_id) == (10, 0, 2)


def test_the_balance_is_paid_only_in_its_window_and_then_ships(client, presale_item):
    campaign, item_id, sku_id = presale_item
    buyer = make_buyer()
    body = order(client, buyer, item_id, sku_id).get_json()
    pay(client, body)
    assert_error(client.post(f"/api/v1/store/orders/{body['id']}/pay", headers=buyer.headers), 409,
                 "balance_window_closed")
    with travel(49):
        paying = client.post(f"/api/v1/store/orders/{body['id']}/pay", headers=buyer.headers).get_json()
        assert paying["payment"]["purpose"] == "balance" and paying["payment"]["amount_cents"] == 24000
        pay(client, paying)
    row = order_row(body["id"])
    assert (row.status.value, row.paid_cents) == ("paid", 26000)
    assert row.batch_id is not None and row.pickup_date >= campaign.ship_date


def test_balance_reminders_go_once_each(client, presale_item):
    _, item_id, sku_id = presale_item
    buyer = make_buyer()
    pay(client, order(client, buyer, item_id, sku_id).get_json())
    with travel(49):
        assert presale.sweep()["reminded"] == 1
        assert presale.sweep()["reminded"] == 0
    with travel(49 + 23):
        assert presale.sweep()["reminded"] == 1  # the last day
    titles = [n["title"] for n in client.get("/api/v1/store/inbox", headers=buyer.headers).get_json()]
    assert titles.count("Pay your balance") == 1 and titles.count("Last day to pay your balance") == 1


def test_an_unpaid_balance_forfeits_the_deposit_and_frees_the_units(client, presale_item):
    _, item_id, sku_id = presale_item
    buyer = make_buyer()
    body = order(client, buyer, item_id, sku_id).get_json()
    pay(client, body)
    with travel(97):
        assert_error(client.post(f"/api/v1/store/orders/{body['id']}/pay", headers=buyer.headers), 409,
                     "balance_window_closed")
        assert presale.sweep()["forfeited"] == 1
        assert presale.sweep()["forfeited"] == 0
    row = order_row(body["id"])
    assert (row.status.value, row.paid_cents, row.refunded_cents) == ("cancelled", 2000, 0)
    assert counts(item_id) == (10, 0, 0)


def test_an_unpaid_balance_refunds_the_deposit_when_the_campaign_says_so(client, presale_item):
    campaign, item_id, sku_id = presale_item
    from app.campaigns.models import BalancePolicy
    from app.extensions import db

    campaign.balance_policy = BalancePolicy.REFUND
    db.session.commit()
    buyer = make_buyer()
    body = order(client, buyer, item_id, sku_id).get_json()
    pay(client, body)
    with travel(97):
        assert presale.sweep()["refunded"] == 1
    row = order_row(body["id"])
    assert (row.status.value, row.refunded_cents) == ("refunded", 2000)
    assert [r.amount for r in stripe_client().v1.refunds.list(params={"payment_intent": intent_of(body)}).data] == [
        2000]


def test_presale_orders_respect_the_window_and_the_limit(client, presale_item):
    _, item_id, sku_id = presale_item
    buyer = make_buyer()
    assert_error(order(client, buyer, item_id, sku_id, quantity=4), 409, "per_person_limit_reached")
    with travel(25):
        assert_error(order(client, buyer, item_id, sku_id), 409, "campaign_not_live")
