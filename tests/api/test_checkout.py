from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.catalog.models import Sku
from app.extensions import db
from app.groups.services import update_group
from app.orders.models import Order
from app.payments.models import Payment
from tests.assertions import assert_error, database_unchanged
from tests.factories import checkout, make_buyer, make_group, make_leader, make_product, make_shopper, sku_counts
from tests.stripe_helpers import intent_of, stripe_client


def rice(stock: int = 50, price: int = 4990, **kwargs):
    return make_product(name="Rice", skus=[{"code": f"RICE-{stock}-{price}-{id(kwargs)}", "name": "5 kg",
                                            "price_cents": price, "stock_total": stock}], **kwargs).skus[0]


def test_card_checkout_holds_stock_and_returns_a_client_secret(client):
    sku, buyer = rice(), make_buyer()
    r = checkout(client, buyer, [(sku.id, 3)])
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert order["status"] == "pending_payment" and order["payment_method"] == "stripe"
    assert (order["subtotal_cents"], order["total_cents"], order["currency"]) == (14970, 14970, "CNY")
    assert order["lines"][0] | {} == order["lines"][0] and order["lines"][0]["product_name"] == "Rice"
    assert order["lines"][0]["line_total_cents"] == 14970 and len(order["number"]) == 8
    assert order["payment"]["client_secret"] and order["payment"]["publishable_key"] == "pk_test_localstripe"
    expires = dt.datetime.fromisoformat(order["expires_at"])
    assert dt.timedelta(minutes=14) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=15)
    assert sku_counts(sku.id) == (50, 3, 0)
    intent = stripe_client().v1.payment_intents.retrieve(intent_of(order))
    assert (intent.amount, intent.currency, intent.metadata["order_id"]) == (14970, "cny", str(order["id"]))


def test_order_snapshots_names_prices_leader_and_pickup_point(client):
    leader = make_leader(name="Wang Fang")
    group = make_group(leader)
    sku, buyer = rice(price=1000), make_buyer(group)
    order = checkout(client, buyer, [(sku.id, 1)]).get_json()
    db.session.execute(sa.update(Sku).where(Sku.id == sku.id).values(price_cents=9999, name="renamed"))
    db.session.commit()
    again = client.get(f"/api/v1/store/orders/{order['id']}", headers=buyer.headers).get_json()
    assert again["lines"][0]["unit_price_cents"] == 1000 and again["lines"][0]["sku_name"] == "5 kg"
    assert again["leader_name"] == "Wang Fang" and again["pickup_point"]["id"] == leader.point.id
    assert again["group_name"] == group.name


def test_same_key_same_body_replays_the_original_response(client):
    sku, buyer = rice(), make_buyer()
    first = checkout(client, buyer, [(sku.id, 2)], key="order-abc")
    with database_unchanged():
        second = checkout(client, buyer, [(sku.id, 2)], key="order-abc")
    assert second.status_code == 201 and second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_same_key_with_another_body_is_refused(client):
    sku, buyer = rice(), make_buyer()
    checkout(client, buyer, [(sku.id, 2)], key="order-abc")
    with database_unchanged():
        assert_error(checkout(client, buyer, [(sku.id, 3)], key="order-abc"), 422, "idempotency_key_reused")


def test_keys_belong_to_their_shopper(client):
    sku = rice()
    a, b = make_buyer(), make_buyer()
    checkout(client, a, [(sku.id, 1)], key="same-key")
    assert checkout(client, b, [(sku.id, 1)], key="same-key").status_code == 201
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 2


def test_missing_or_malformed_idempotency_key_is_rejected(client):
    sku, buyer = rice(), make_buyer()
    body = {"lines": [{"sku_id": sku.id, "quantity": 1}]}
    with database_unchanged():
        error = assert_error(client.post("/api/v1/store/orders", json=body, headers=buyer.headers), 422)
        assert "Idempotency-Key" in error["details"]["fields"]["headers"]
        assert_error(client.post("/api/v1/store/orders", json=body,
                                 headers={**buyer.headers, "Idempotency-Key": "x" * 256}), 422)
        assert_error(client.post("/api/v1/store/orders", json=body,
                                 headers={**buyer.headers, "Idempotency-Key": "has space"}), 422)


def test_not_enough_stock_is_409_with_what_is_left_and_changes_nothing(client):
    sku, buyer = rice(stock=2), make_buyer()
    with database_unchanged():
        error = assert_error(checkout(client, buyer, [(sku.id, 3)]), 409, "insufficient_stock")
    assert error["details"]["available"] == 2 and error["details"]["requested"] == 3


def test_a_failed_multi_line_order_holds_nothing(client):
    plenty, scarce, buyer = rice(stock=10), rice(stock=1, price=100), make_buyer()
    with database_unchanged():
        assert_error(checkout(client, buyer, [(plenty.id, 5), (scarce.id, 2)]), 409, "insufficient_stock")
    assert sku_counts(plenty.id) == (10, 0, 0)


@pytest.mark.parametrize("lines, code", [
    ([(999999, 1)], "unknown_sku"),
    ([], "validation_error"),
])
def test_unknown_sku_or_no_lines_is_422(client, lines, code):
    buyer = make_buyer()
    with database_unchanged():
        assert_error(checkout(client, buyer, lines), 422, code)


@pytest.mark.parametrize("quantity", [0, -1, 1000, 2**40, "2", 1.5, None])
def test_bad_quantities_are_422(client, quantity):
    sku, buyer = rice(), make_buyer()
    with database_unchanged():
        assert_error(checkout(client, buyer, [(sku.id, quantity)]), 422, "validation_error")


def test_draft_archived_inactive_or_other_groups_skus_are_not_for_sale(client):
    group, other = make_group(make_leader()), make_group(make_leader())
    buyer = make_buyer(group)
    draft = make_product(status="draft").skus[0]
    archived = make_product(status="archived").skus[0]
    elsewhere = make_product(group_ids=[other.id]).skus[0]
    inactive = make_product(skus=[{"code": "ON-1", "name": "a", "price_cents": 1},
                                  {"code": "OFF-1", "name": "b", "price_cents": 1, "is_active": False}]).skus[1]
    for sku in (draft, archived, elsewhere, inactive):
        with database_unchanged():
            error = assert_error(checkout(client, buyer, [(sku.id, 1)]), 422, "sku_not_available")
        assert error["details"]["sku_ids"] == [sku.id]


def test_shopper_must_have_joined_a_group(client):
    sku, loner = rice(), make_shopper()
    with database_unchanged():
        assert_error(checkout(client, loner, [(sku.id, 1)]), 409, "not_in_a_group")


def test_the_same_sku_twice_is_one_line(client):
    sku, buyer = rice(), make_buyer()
    order = checkout(client, buyer, [(sku.id, 1), (sku.id, 2)]).get_json()
    assert [(ln["sku_id"], ln["quantity"]) for ln in order["lines"]] == [(sku.id, 3)]


def test_pay_at_pickup_only_where_the_merchant_allows_it(client):
    group = make_group(make_leader())
    sku, buyer = rice(), make_buyer(group)
    with database_unchanged():
        refused = assert_error(checkout(client, buyer, [(sku.id, 1)], method="pay_at_pickup"), 422,
                               "payment_method_not_allowed")
        assert refused["details"]["allowed"] == ["card", "wechat_pay", "alipay", "wallet"]
        assert_error(checkout(client, buyer, [(sku.id, 1)], method="cash_on_delivery"), 422, "validation_error")
    update_group(group, {"pay_at_pickup_allowed": True}, as_staff=True)
    order = checkout(client, buyer, [(sku.id, 2)], method="pay_at_pickup").get_json()
    assert order["status"] == "confirmed" and order["expires_at"] is None
    assert order["payment"]["provider"] == "pay_at_pickup" and order["payment"]["client_secret"] is None
    assert sku_counts(sku.id) == (50, 0, 2)


def test_without_stripe_keys_the_card_method_is_unavailable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    sku, buyer = rice(), make_buyer()
    with database_unchanged():
        for method in ("stripe", "card", "wechat_pay", "alipay"):
            refused = assert_error(checkout(client, buyer, [(sku.id, 1)], method=method), 422,
                                   "payment_method_not_allowed")
            assert refused["details"]["allowed"] == ["wallet"]


def test_stripe_down_leaves_a_resumable_order_and_a_retry_finishes_it(app, client, monkeypatch):
    sku, buyer = rice(), make_buyer()
    real = app.config["STRIPE_API_BASE"]
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    first = checkout(client, buyer, [(sku.id, 1)], key="k-down")
    assert_error(first, 503, "payment_provider_unavailable")
    assert first.headers["Retry-After"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", real)
    retry = checkout(client, buyer, [(sku.id, 1)], key="k-down")
    assert retry.status_code == 201 and retry.get_json()["payment"]["client_secret"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert sku_counts(sku.id) == (50, 1, 0)


def test_shopper_lists_and_reads_only_their_own_orders(client):
    sku = rice()
    a, b = make_buyer(), make_buyer()
    mine = checkout(client, a, [(sku.id, 1)]).get_json()
    checkout(client, a, [(sku.id, 1)])
    theirs = checkout(client, b, [(sku.id, 1)]).get_json()
    listed = client.get("/api/v1/store/orders", headers=a.headers).get_json()
    assert len(listed) == 2 and theirs["id"] not in [o["id"] for o in listed]
    assert client.get(f"/api/v1/store/orders/{mine['id']}", headers=a.headers).status_code == 200
    assert_error(client.get(f"/api/v1/store/orders/{theirs['id']}", headers=a.headers), 404, "order_not_found")
    with database_unchanged():
        assert_error(client.post(f"/api/v1/store/orders/{theirs['id']}/cancel", headers=a.headers), 404)
