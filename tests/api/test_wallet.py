"""The stored-value wallet: top-ups through (local)Stripe with bonus tiers, credited once; paying an
order from the wallet; refunds back into it, principal and bonus apart; never negative."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.wallet.models import WalletEntry
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import checkout, make_buyer, make_product, make_staff
from tests.flows import order_row
from tests.stripe_helpers import intent_event, pay_intent, post_webhook

BASE, ADMIN = "/api/v1/store", "/api/v1/admin"


def bonus_tier(client, staff, min_amount, bonus):
    r = client.post(f"{ADMIN}/wallet/bonus-tiers", headers=staff.headers,
                    json={"min_amount_cents": min_amount, "bonus_cents": bonus})
    assert r.status_code == 201, r.get_json()


def top_up(client, buyer, amount, key="t1") -> dict:
    r = client.post(f"{BASE}/wallet/top-ups", json={"amount_cents": amount},
                    headers={**buyer.headers, "Idempotency-Key": key})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def paid_top_up(client, buyer, amount, key="t1") -> dict:
    body = top_up(client, buyer, amount, key)
    from app.wallet.models import TopUp

    db.session.commit()
    intent = db.session.get(TopUp, body["id"]).provider_ref
    pay_intent(intent)
    post_webhook(client, intent_event("payment_intent.succeeded", intent))
    return body


def wallet(client, buyer) -> dict:
    return client.get(f"{BASE}/wallet", headers=buyer.headers).get_json()


def test_a_top_up_is_credited_once_with_its_bonus(client):
    staff = make_staff()
    bonus_tier(client, staff, 10000, 1000)
    bonus_tier(client, staff, 50000, 8000)
    buyer = make_buyer()
    body = paid_top_up(client, buyer, 20000)
    assert (body["bonus_cents"], body["client_secret"] is not None) == (1000, True)
    assert top_up(client, buyer, 20000)["id"] == body["id"]  # same key: same top-up
    from app.wallet.models import TopUp

    intent = db.session.get(TopUp, body["id"]).provider_ref
    post_webhook(client, intent_event("payment_intent.succeeded", intent))  # a second delivery (new event id)
    assert client.get(f"{BASE}/wallet/top-ups/{body['id']}", headers=buyer.headers).get_json()["status"] == "succeeded"
    assert wallet(client, buyer) | {"currency": None} == {"principal_cents": 20000, "bonus_cents": 1000,
                                                          "total_cents": 21000, "currency": None}
    entries = client.get(f"{BASE}/wallet/entries", headers=buyer.headers).get_json()
    assert [(e["kind"], e["principal_after"], e["bonus_after"]) for e in entries] == [("top_up", 20000, 1000)]
    with database_unchanged():
        assert_error(client.post(f"{BASE}/wallet/top-ups", json={"amount_cents": 30000},
                                 headers={**buyer.headers, "Idempotency-Key": "t1"}), 409, "idempotency_key_reused")
        assert_error(client.post(f"{BASE}/wallet/top-ups", json={"amount_cents": 50},
                                 headers={**buyer.headers, "Idempotency-Key": "t9"}), 422)


def test_a_top_up_whose_card_fails_credits_nothing(client):
    buyer = make_buyer()
    body = top_up(client, buyer, 5000)
    from app.wallet.models import TopUp
    from tests.stripe_helpers import CARD_DECLINED

    db.session.commit()
    intent = db.session.get(TopUp, body["id"]).provider_ref
    pay_intent(intent, CARD_DECLINED)
    post_webhook(client, intent_event("payment_intent.payment_failed", intent))
    assert client.get(f"{BASE}/wallet/top-ups/{body['id']}", headers=buyer.headers).get_json()["status"] == "failed"
    assert wallet(client, buyer)["total_cents"] == 0


def test_an_order_paid_from_the_wallet_is_paid_at_once_and_refunds_go_back_in_proportion(client):
    staff = make_staff()
    bonus_tier(client, staff, 10000, 2500)  # 100 in, 25 bonus: a payment takes 1/5 from bonus
    buyer = make_buyer()
    paid_top_up(client, buyer, 10000)
    sku = make_product(skus=[{"code": "W1", "name": "x", "price_cents": 2500, "stock_total": 10}]).skus[0]
    r = checkout(client, buyer, [(sku.id, 4)], method="wallet")
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert (order["status"], order["paid_cents"]) == ("paid", 10000)
    assert wallet(client, buyer) | {"currency": None} == {"principal_cents": 2000, "bonus_cents": 500,
                                                          "total_cents": 2500, "currency": None}
    line = order["lines"][0]
    for n, quantity in enumerate((1, 3)):
        r = client.post(f"{ADMIN}/orders/{order['id']}/refunds", headers={**staff.headers, "Idempotency-Key": f"r{n}"},
                        json={"reason": "x", "lines": [{"line_id": line["id"], "quantity": quantity}]})
        assert r.status_code in (200, 201), r.get_json()
    assert wallet(client, buyer)["principal_cents"] == 10000 and wallet(client, buyer)["bonus_cents"] == 2500
    assert order_row(order["id"]).status.value == "refunded"
    refunds = db.session.scalars(sa.select(WalletEntry).where(WalletEntry.kind == "refund")
                                 .order_by(WalletEntry.id)).all()
    assert [(e.principal_delta, e.bonus_delta) for e in refunds] == [(2000, 500), (6000, 1500)]


def test_a_short_wallet_is_refused_and_nothing_changes(client):
    buyer = make_buyer()
    paid_top_up(client, buyer, 1000)
    sku = make_product(skus=[{"code": "W2", "name": "x", "price_cents": 1001, "stock_total": 10}]).skus[0]
    with database_unchanged():
        assert_error(checkout(client, buyer, [(sku.id, 1)], method="wallet"), 409, "insufficient_wallet_balance")


@pytest.mark.postgres
def test_two_orders_paying_from_one_wallet_at_once_cannot_overspend(app, client):
    buyer = make_buyer()
    paid_top_up(client, buyer, 3000)
    sku = make_product(skus=[{"code": "W3", "name": "x", "price_cents": 2000, "stock_total": 100}]).skus[0]
    sku_id, headers = sku.id, buyer.headers
    body = {"lines": [{"sku_id": sku_id, "quantity": 1}], "payment_method": "wallet"}

    def attempt(c, i):
        return c.post(f"{BASE}/orders", json=body, headers={**headers, "Idempotency-Key": f"w-{i}"})

    responses = race(app, 6, attempt)  # six orders of 20.00 at once against 30.00
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 5, [r.get_json() for r in responses]
    assert {r.get_json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "insufficient_wallet_balance"}
    db.session.commit()
    balance = wallet(client, buyer)
    assert balance["total_cents"] == 1000  # exactly one order of 20.00 out of 30.00
    spent = db.session.scalar(sa.select(sa.func.sum(WalletEntry.principal_delta + WalletEntry.bonus_delta))
                              .where(WalletEntry.account_id == buyer.account.id))
    assert spent == balance["total_cents"]


def split_order(client, buyer, sku_id, quantity, wallet_cents, key="split"):
    body = {"lines": [{"sku_id": sku_id, "quantity": quantity}], "payment_method": "stripe",
            "wallet_cents": wallet_cents}
    return client.post(f"{BASE}/orders", json=body, headers={**buyer.headers, "Idempotency-Key": key})


def test_part_wallet_part_card_and_refunds_go_back_card_first(client):
    from tests.stripe_helpers import intent_of

    staff = make_staff()
    buyer = make_buyer()
    paid_top_up(client, buyer, 3000)
    sku = make_product(skus=[{"code": "SP", "name": "x", "price_cents": 2000, "stock_total": 10}]).skus[0]
    with database_unchanged():
        assert_error(split_order(client, buyer, sku.id, 1, 2000, key="too-much"), 422, "wallet_part_too_large")
        assert_error(split_order(client, buyer, sku.id, 3, 3001, key="short"), 409, "insufficient_wallet_balance")
    r = split_order(client, buyer, sku.id, 3, 2500)
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert (order["status"], order["paid_cents"], order["payment"]["amount_cents"]) == ("pending_payment", 2500, 3500)
    assert wallet(client, buyer)["total_cents"] == 500
    pay_intent(intent_of(order))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    row = order_row(order["id"])
    assert (row.status.value, row.paid_cents) == ("paid", 6000)
    line = order["lines"][0]
    small = client.post(f"{ADMIN}/orders/{order['id']}/refunds", headers={**staff.headers, "Idempotency-Key": "r1"},
                        json={"reason": "x", "lines": [{"line_id": line["id"], "quantity": 1}]}).get_json()
    assert (small["amount_cents"], small["payment_provider"]) == (2000, "stripe")  # the card part covers it
    rest = client.post(f"{ADMIN}/orders/{order['id']}/refunds", headers={**staff.headers, "Idempotency-Key": "r2"},
                       json={"reason": "x"}).get_json()
    assert (rest["amount_cents"], rest["payment_provider"]) == (1500, "stripe")  # the card's remainder ...
    parts = client.get(f"{ADMIN}/orders/{order['id']}/refunds", headers=staff.headers).get_json()
    wallet_part = [p for p in parts if p["parent_refund_id"] == rest["id"]]
    assert [(p["amount_cents"], p["payment_provider"], p["status"]) for p in wallet_part] == [
        (2500, "wallet", "succeeded")]  # ... and the wallet's, completed with it
    assert wallet(client, buyer)["total_cents"] == 3000
    row = order_row(order["id"])
    assert (row.status.value, row.refunded_cents) == ("refunded", 6000)
    assert sum(ln.refunded_cents for ln in row.lines) == 6000 and row.lines[0].refunded_quantity == 3


def test_an_unpaid_part_wallet_order_gives_the_wallet_part_back(client):
    buyer = make_buyer()
    paid_top_up(client, buyer, 3000)
    sku = make_product(skus=[{"code": "SQ", "name": "x", "price_cents": 2000, "stock_total": 10}]).skus[0]
    order = split_order(client, buyer, sku.id, 2, 1200).get_json()
    assert wallet(client, buyer)["total_cents"] == 1800
    assert client.post(f"{BASE}/orders/{order['id']}/cancel", headers=buyer.headers).status_code == 200
    assert wallet(client, buyer)["total_cents"] == 3000
    entries = client.get(f"{BASE}/wallet/entries", headers=buyer.headers).get_json()
    assert [e["kind"] for e in entries] == ["refund", "payment", "top_up"]
