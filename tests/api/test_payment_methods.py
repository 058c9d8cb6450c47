"""Payment methods as data: the merchant's settings decide what the client is offered (client-config,
quote, the order) and checkout refuses anything else; the wallet can pay any campaign the merchant allows."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine

from app.campaigns.stock import counts
from app.extensions import db
from app.wallet import ledger
from app.wallet.models import WalletKind
from tests.assertions import assert_error, database_unchanged
from tests.conftest import TEST_REDIS_URL
from tests.factories import (
    checkout,
    if_match,
    make_buyer,
    make_campaign,
    make_group,
    make_leader,
    make_product,
    make_staff,
)
from tests.flows import order_row

CONFIG = "/api/v1/store/client-config"


def set_methods(client, **changes):
    r = client.patch("/api/v1/admin/settings", json=changes,
                     headers=if_match(client, "/api/v1/admin/settings", make_staff().headers))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def fund(buyer, cents: int) -> None:
    ledger.post(buyer.id, WalletKind.TOP_UP, cents, 0, ref=f"test-top-up:{uuid.uuid4()}", note="test funds")
    db.session.commit()


def wallet_total(client, buyer) -> int:
    return client.get("/api/v1/store/wallet", headers=buyer.headers).get_json()["total_cents"]


def campaign_line(client, buyer, sku_id, item_id, method, quantity=1):
    return client.post("/api/v1/store/orders", json={"lines": [
        {"sku_id": sku_id, "quantity": quantity, "campaign_item_id": item_id}], "payment_method": method},
        headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())})


@pytest.fixture
def deal():
    sku = make_product(skus=[{"code": f"GB-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 5000,
                              "stock_total": 5}]).skus[0]
    campaign = make_campaign("group_buy", items=[(sku.id, 3000, 50)], threshold_kind="participants",
                             threshold=1, threshold_scope="per_group")
    return sku.id, campaign.items[0].id


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
    return sku.id, campaign.items[0].id


def test_client_config_lists_what_the_merchant_offers(client):
    config = client.get(CONFIG).get_json()
    assert config["payment_methods"] == ["card", "wechat_pay", "alipay", "wallet"]
    assert config["campaign_payment_methods"]["group_buy"] == ["card", "wechat_pay", "alipay"]
    assert config["top_up_methods"] == ["card", "wechat_pay", "alipay"] and config["card_payments"] is True
    settings = set_methods(client, online_methods=["wechat_pay", "alipay"],
                           campaign_methods={"group_buy": ["wechat_pay", "wallet"]})
    assert settings["online_methods"] == ["wechat_pay", "alipay"]
    config = client.get(CONFIG).get_json()
    assert config["payment_methods"] == ["wechat_pay", "alipay", "wallet"] and config["card_payments"] is False
    assert config["campaign_payment_methods"] == {"flash_sale": ["wechat_pay", "alipay"],
                                                  "group_buy": ["wechat_pay", "wallet"],
                                                  "pre_sale": ["wechat_pay", "alipay"]}


def test_without_stripe_keys_no_online_method_is_offered(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    config = client.get(CONFIG).get_json()
    assert config["payment_methods"] == ["wallet"] and config["top_up_methods"] == []
    assert config["stripe_publishable_key"] is None
    buyer = make_buyer()
    with database_unchanged():
        r = client.post("/api/v1/store/wallet/top-ups", json={"amount_cents": 5000, "payment_method": "wechat_pay"},
                        headers={**buyer.headers, "Idempotency-Key": "t-1"})
        assert assert_error(r, 422, "payment_method_not_allowed")["details"]["allowed"] == []


def test_settings_are_validated(client):
    staff = make_staff()
    for body in ({"online_methods": ["card", "paypal"]}, {"online_methods": ["card", "card"]},
                 {"campaign_methods": {"lottery": ["wallet"]}}, {"campaign_methods": {"group_buy": ["cash"]}}):
        assert_error(client.patch("/api/v1/admin/settings", json=body,
                                  headers=if_match(client, "/api/v1/admin/settings", staff.headers)), 422,
                     "invalid_payment_methods")


def test_quote_and_checkout_agree_and_a_refused_method_names_the_allowed_ones(client, deal):
    sku_id, item_id = deal
    buyer = make_buyer()
    quote = client.post("/api/v1/store/quote", json={"lines": [{"sku_id": sku_id, "quantity": 1,
                                                                "campaign_item_id": item_id}]},
                        headers=buyer.headers).get_json()
    assert quote["payment_methods"] == ["card", "wechat_pay", "alipay"]
    fund(buyer, 10_000)
    with database_unchanged():
        body = assert_error(campaign_line(client, buyer, sku_id, item_id, "wallet"), 422, "payment_method_not_allowed")
    assert body["details"] == {"method": "wallet", "allowed": ["card", "wechat_pay", "alipay"]}
    plain = client.post("/api/v1/store/quote", json={"lines": [{"sku_id": sku_id, "quantity": 1}]},
                        headers=buyer.headers).get_json()
    assert plain["payment_methods"] == ["card", "wechat_pay", "alipay", "wallet"]


def test_pay_at_pickup_is_offered_where_the_group_allows_it(client):
    from app.groups.services import update_group

    group = make_group(make_leader())
    update_group(group, {"pay_at_pickup_allowed": True}, as_staff=True)
    sku = make_product(skus=[{"code": f"P-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 100,
                              "stock_total": 5}]).skus[0]
    buyer = make_buyer(group)
    quote = client.post("/api/v1/store/quote", json={"lines": [{"sku_id": sku.id, "quantity": 1}]},
                        headers=buyer.headers).get_json()
    assert quote["payment_methods"][-1] == "pay_at_pickup"
    assert checkout(client, buyer, [(sku.id, 1)], method="pay_at_pickup").status_code == 201


def test_a_group_buy_joined_from_the_wallet_is_paid_at_once(client, deal):
    sku_id, item_id = deal
    set_methods(client, campaign_methods={"group_buy": ["online", "wallet"]})
    buyer = make_buyer()
    fund(buyer, 10_000)
    r = campaign_line(client, buyer, sku_id, item_id, "wallet", quantity=2)
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert order["status"] == "paid" and order["paid_cents"] == 6000 and order["payment"]["provider"] == "wallet"
    assert wallet_total(client, buyer) == 4000 and counts(item_id) == (50, 0, 2)
    poor = make_buyer()
    with database_unchanged():
        assert campaign_line(client, poor, sku_id, item_id, "wallet").status_code in (409, 422)


def test_a_pre_sale_deposit_and_balance_paid_from_the_wallet(client, presale_item):
    sku_id, item_id = presale_item
    set_methods(client, campaign_methods={"pre_sale": ["online", "wallet"]})
    buyer = make_buyer()
    fund(buyer, 30_000)
    r = campaign_line(client, buyer, sku_id, item_id, "wallet", quantity=2)
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert order["status"] == "deposit_paid" and order["paid_cents"] == 2000
    assert wallet_total(client, buyer) == 28_000
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=3), tick=False):
        assert client.get(f"/api/v1/store/orders/{order['id']}", headers=buyer.headers).get_json()[
            "payment_methods"] == ["card", "wechat_pay", "alipay", "wallet"]
        for _ in range(2):  # a double click pays once
            paid = client.post(f"/api/v1/store/orders/{order['id']}/pay", json={"payment_method": "wallet"},
                               headers=buyer.headers)
        assert paid.status_code in (200, 409), paid.get_json()
    row = order_row(order["id"])
    assert (row.status.value, row.paid_cents) == ("paid", 26_000)
    assert wallet_total(client, buyer) == 4000


@pytest.fixture(params=["db", "redis"])
def path(request, app, monkeypatch):
    if request.param == "redis" and not TEST_REDIS_URL:
        pytest.skip("needs Redis: set TEST_REDIS_URL")
    if request.param == "db":
        monkeypatch.setitem(app.config, "REDIS_URL", "")
    return request.param


def test_a_flash_sale_reservation_paid_from_the_wallet(client, path):
    sku = make_product(skus=[{"code": f"FS-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 1000,
                              "stock_total": 100}]).skus[0]
    item_id = make_campaign(items=[(sku.id, 390, 5)], per_person_limit=2, hold_minutes=5).items[0].id
    buyer = make_buyer()
    fund(buyer, 1000)
    reserved = client.post(f"/api/v1/store/flash-sales/{item_id}/reserve", json={"quantity": 2},
                           headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())}).get_json()
    order_url = f"/api/v1/store/orders/{reserved['order_id']}"
    assert client.get(order_url, headers=buyer.headers).get_json()["payment_methods"] == [
        "card", "wechat_pay", "alipay"]
    with database_unchanged():
        refused = client.post(f"{order_url}/pay", json={"payment_method": "wallet"}, headers=buyer.headers)
        assert_error(refused, 422, "payment_method_not_allowed")
    set_methods(client, campaign_methods={"flash_sale": ["online", "wallet"]})
    # The shopper first opened a WeChat Pay QR code, then paid from the wallet instead.
    wechat = client.post(f"{order_url}/pay", json={"payment_method": "wechat_pay"}, headers=buyer.headers)
    assert wechat.get_json()["payment"]["next_action"]["qr_code_data"]
    paid = [client.post(f"{order_url}/pay", json={"payment_method": "wallet"}, headers=buyer.headers)
            for _ in range(2)]
    assert paid[0].status_code == 200 and paid[0].get_json()["status"] == "paid", paid[0].get_json()
    assert_error(paid[1], 409, "nothing_to_pay")
    assert wallet_total(client, buyer) == 220
    row = order_row(reserved["order_id"])
    assert row.payment_method == "wallet" and row.paid_cents == 780
    assert sorted(p.status.value for p in row.payments) == ["cancelled", "succeeded"]


def test_a_failed_group_buy_paid_from_the_wallet_goes_back_to_the_wallet_once(client):
    from app.campaigns import groupbuy

    sku = make_product(skus=[{"code": f"GB-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 5000,
                              "stock_total": 5}]).skus[0]
    item_id = make_campaign("group_buy", items=[(sku.id, 3000, 50)], threshold_kind="participants", threshold=5,
                            threshold_scope="per_group").items[0].id
    set_methods(client, campaign_methods={"group_buy": ["wallet"]})
    buyer = make_buyer()
    fund(buyer, 10_000)
    order = campaign_line(client, buyer, sku.id, item_id, "wallet", quantity=2).get_json()
    assert order["status"] == "paid" and wallet_total(client, buyer) == 4000
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=3), tick=False):
        groupbuy.settle()
        groupbuy.settle()
    assert order_row(order["id"]).status.value == "refunded"
    assert wallet_total(client, buyer) == 10_000
