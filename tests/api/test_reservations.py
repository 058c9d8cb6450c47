"""Stock held for unpaid orders: expiry is right by the clock, with or without the sweep."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.inventory.models import StockReservation
from app.orders.models import Order
from app.orders.services import expire_overdue
from tests.assertions import assert_error
from tests.factories import checkout, code_of, make_buyer, make_group, make_leader, make_product, sku_counts
from tests.stripe_helpers import intent_of, stripe_client


def later(minutes: int):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes), tick=False)


def one_left():
    return make_product(skus=[{"code": "LAST-ONE", "name": "x", "price_cents": 500, "stock_total": 1}]).skus[0]


def test_an_expired_hold_frees_the_stock_before_any_sweep_runs(client):
    group = make_group(make_leader())
    sku = one_left()
    first, second = make_buyer(group), make_buyer(group)
    held = checkout(client, first, [(sku.id, 1)]).get_json()
    assert_error(checkout(client, second, [(sku.id, 1)]), 409, "insufficient_stock")
    with later(14):
        assert_error(checkout(client, second, [(sku.id, 1)]), 409, "insufficient_stock")
    with later(16):
        # The catalogue already shows it back on sale; buying takes it; no sweep has run.
        listed = client.get(f"/api/v1/store/groups/{code_of(group)}/products").get_json()
        assert listed[0]["skus"][0]["stock_available"] == 1
        assert checkout(client, second, [(sku.id, 1)]).status_code == 201
        status = client.get(f"/api/v1/store/orders/{held['id']}", headers=first.headers).get_json()["status"]
        assert status == "expired"
    assert sku_counts(sku.id) == (1, 1, 0)
    statuses = dict(db.session.execute(sa.select(StockReservation.order_id, StockReservation.status)).all())
    assert statuses[held["id"]].value == "expired"


def test_the_sweep_expires_orders_releases_stock_and_cancels_the_intent(client):
    sku = make_product().skus[0]
    buyer = make_buyer()
    order = checkout(client, buyer, [(sku.id, 4)]).get_json()
    with later(16):
        assert expire_overdue() == (1, 1)
        assert expire_overdue() == (0, 0)  # idempotent
    row = db.session.get(Order, order["id"])
    assert row.status.value == "expired" and row.close_reason == "not_paid_in_time"
    assert sku_counts(sku.id) == (50, 0, 0)
    assert stripe_client().v1.payment_intents.retrieve(intent_of(order)).status == "canceled"


def test_the_sweep_leaves_orders_inside_their_window_alone(client):
    sku = make_product().skus[0]
    checkout(client, make_buyer(), [(sku.id, 1)])
    with later(10):
        assert expire_overdue() == (0, 0)
    assert sku_counts(sku.id) == (50, 1, 0)


def test_expire_reservations_cli_reports_what_it_did(app, client):
    sku = make_product().skus[0]
    checkout(client, make_buyer(), [(sku.id, 1)])
    with later(20):
        result = app.test_cli_runner().invoke(args=["expire-reservations"])
    assert result.exit_code == 0 and "Expired 1 unpaid orders" in result.output


def test_the_sweep_and_the_lazy_release_never_double_release(client):
    group = make_group(make_leader())
    sku = make_product(skus=[{"code": "TWO", "name": "x", "price_cents": 1, "stock_total": 2}]).skus[0]
    a, b = make_buyer(group), make_buyer(group)
    checkout(client, a, [(sku.id, 2)])
    with later(16):
        assert checkout(client, b, [(sku.id, 1)]).status_code == 201   # lazily released a's 2 units
        expire_overdue()                                                  # finds them released already
    assert sku_counts(sku.id) == (2, 1, 0)


def test_shopper_cancels_an_unpaid_order_and_the_stock_returns(client):
    sku = make_product().skus[0]
    buyer = make_buyer()
    order = checkout(client, buyer, [(sku.id, 5)]).get_json()
    r = client.post(f"/api/v1/store/orders/{order['id']}/cancel", headers=buyer.headers)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert sku_counts(sku.id) == (50, 0, 0)
    assert stripe_client().v1.payment_intents.retrieve(intent_of(order)).status == "canceled"
    assert_error(client.post(f"/api/v1/store/orders/{order['id']}/cancel", headers=buyer.headers), 409,
                 "order_not_cancellable")
