"""The store's currency decides which wallets can pay (docs/payments.md, "Currency"): Stripe presents
WeChat Pay and Alipay only in some currencies, and we charge in the store's currency without
converting. A method the currency cannot be presented in is not offered anywhere, a direct call is
refused with the methods that can pay, and the merchant cannot choose it."""
from __future__ import annotations

import pytest

from app.payments.methods import PRESENTMENT, presentable
from tests.assertions import assert_error, database_unchanged
from tests.factories import if_match, make_buyer, make_product, make_staff

CONFIG = "/api/v1/store/client-config"


@pytest.fixture
def currency(app, monkeypatch):
    def set_to(code: str) -> None:
        monkeypatch.setitem(app.config, "STORE_CURRENCY", code)
    return set_to


def test_cny_is_presented_by_both_wallets_as_stripe_lists():
    assert presentable("wechat_pay", "CNY") and presentable("alipay", "cny")
    assert presentable("card", "TWD")  # cards: any currency Stripe takes
    assert not presentable("wechat_pay", "NZD") and presentable("alipay", "NZD")
    assert not presentable("wechat_pay", "MYR") and presentable("alipay", "MYR")
    assert not presentable("alipay", "CHF") and presentable("wechat_pay", "CHF")
    assert "TWD" not in PRESENTMENT["wechat_pay"] | PRESENTMENT["alipay"]


def test_a_cny_store_offers_both_wallets(client):
    config = client.get(CONFIG).get_json()
    assert config["payment_methods"] == ["card", "wechat_pay", "alipay", "wallet"]


def test_a_method_the_store_currency_cannot_use_is_not_offered_and_is_refused(client, currency):
    currency("NZD")  # Alipay presents NZD, WeChat Pay does not
    config = client.get(CONFIG).get_json()
    assert config["payment_methods"] == ["card", "alipay", "wallet"]
    assert config["top_up_methods"] == ["card", "alipay"]
    assert config["campaign_payment_methods"]["flash_sale"] == ["card", "alipay"]
    buyer = make_buyer()
    sku = make_product().skus[0]
    quote = client.post("/api/v1/store/quote", json={"lines": [{"sku_id": sku.id, "quantity": 1}]},
                        headers=buyer.headers).get_json()
    assert quote["payment_methods"] == ["card", "alipay", "wallet"]
    with database_unchanged():
        r = client.post("/api/v1/store/orders", json={"lines": [{"sku_id": sku.id, "quantity": 1}],
                                                      "payment_method": "wechat_pay"},
                        headers={**buyer.headers, "Idempotency-Key": "nzd-wechat"})
        assert assert_error(r, 422, "payment_method_not_allowed")["details"]["allowed"] == ["card", "alipay", "wallet"]
        r = client.post("/api/v1/store/wallet/top-ups", json={"amount_cents": 5000, "payment_method": "wechat_pay"},
                        headers={**buyer.headers, "Idempotency-Key": "nzd-top-up"})
        assert assert_error(r, 422, "payment_method_not_allowed")["details"]["allowed"] == ["card", "alipay"]

    currency("TWD")  # neither wallet
    assert client.get(CONFIG).get_json()["payment_methods"] == ["card", "wallet"]


def test_the_merchant_cannot_choose_a_method_the_currency_cannot_use(client, currency):
    staff = make_staff()
    currency("NZD")
    url = "/api/v1/admin/settings"
    headers = if_match(client, url, staff.headers)  # the first read makes the settings row
    with database_unchanged():
        r = client.patch(url, json={"online_methods": ["card", "wechat_pay"]},
                         headers={**headers, "Accept-Language": "en"})
        body = assert_error(r, 422, "payment_method_currency")
    assert body["details"]["methods"] == ["wechat_pay"] and body["details"]["currency"] == "NZD"
    assert "NZD" in body["message"] and "wechat_pay" in body["message"]
    r = client.patch(url, json={"online_methods": ["card", "wechat_pay"]},
                     headers={**headers, "Accept-Language": "zh-CN"})
    assert "商店币种" in assert_error(r, 422, "payment_method_currency")["message"]
    r = client.patch(url, json={"online_methods": ["alipay", "card"]}, headers=headers)
    assert r.status_code == 200 and r.get_json()["online_methods"] == ["alipay", "card"]
