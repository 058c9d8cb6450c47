"""Orders left at the pickup point: reminders, then the store's policy, right by the clock."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.notifications.models import Notification
from app.pickup.uncollected import sweep
from app.settings.services import update_settings
from tests.factories import make_buyer, make_group, make_leader, make_product, make_staff, sku_counts
from tests.flows import batch_of, deliver, order_row, paid_order, pickup_order
from tests.stripe_helpers import intent_of, stripe_client


def days(n: float):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=n), tick=False)


@pytest.fixture
def waiting(client):
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    sku = make_product(skus=[{"code": "W", "name": "x", "price_cents": 2000, "stock_total": 20}]).skus[0].id
    buyer = make_buyer(group)
    order = paid_order(client, buyer, [(sku, 2)])
    deliver(client, staff, leader, batch_of(client, staff, order)["id"])
    return {"staff": staff, "leader": leader, "group": group, "sku": sku, "buyer": buyer, "order": order}


def titles(account_id, audience="shopper"):
    db.session.commit()
    return db.session.scalars(sa.select(Notification.title).where(
        Notification.account_id == account_id, Notification.audience == audience)).all()


def test_one_reminder_after_a_day_then_refund_after_three(client, waiting):
    order = waiting["order"]
    with days(0.5):
        assert sweep() == {"reminded": 0, "uncollected": 0}
    with days(1.1):
        assert sweep() == {"reminded": 1, "uncollected": 0}
        assert sweep() == {"reminded": 0, "uncollected": 0}
    assert titles(waiting["buyer"].id).count("Your order is waiting") == 1
    with days(3.1):
        # By the clock it is uncollected before the sweep runs...
        view = client.get(f"/api/v1/store/orders/{order['id']}", headers=waiting["buyer"].headers).get_json()
        assert view["fulfilment"] == "uncollected"
        listed = client.get("/api/v1/leader/orders?fulfilment=uncollected", headers=waiting["leader"].headers)
        assert [o["order_id"] for o in listed.get_json()] == [order["id"]]
        # ...and the sweep applies the policy, once.
        assert sweep()["uncollected"] == 1
        assert sweep()["uncollected"] == 0
    row = order_row(order["id"])
    assert (row.status.value, row.fulfilment.value, row.refunded_cents) == ("refunded", "uncollected", 4000)
    assert sku_counts(waiting["sku"]) == (20, 0, 0)  # back on sale
    assert "Not collected" in titles(waiting["buyer"].id)
    assert any(t.startswith("Order") for t in titles(waiting["leader"].id, "leader"))


def test_refund_minus_a_restocking_fee(client, waiting):
    update_settings({"uncollected_policy": "refund_minus_fee", "restocking_fee_bps": 1000})  # 10 %
    with days(3.1):
        sweep()
    row = order_row(waiting["order"]["id"])
    assert row.refunded_cents == 3600 and row.status.value == "partially_refunded"
    assert [r.amount for r in stripe_client().v1.refunds.list(
        params={"payment_intent": intent_of(waiting["order"])}).data] == [3600]


def test_return_to_stock_keeps_the_payment(client, waiting):
    update_settings({"uncollected_policy": "return_to_stock"})
    with days(3.1):
        sweep()
    row = order_row(waiting["order"]["id"])
    assert (row.status.value, row.refunded_cents, row.fulfilment.value) == ("paid", 0, "uncollected")
    assert sku_counts(waiting["sku"]) == (20, 0, 0)


def test_an_uncollected_pay_at_pickup_order_is_cancelled_and_restocked(client):
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    sku = make_product(skus=[{"code": "U", "name": "x", "price_cents": 100, "stock_total": 5}]).skus[0].id
    order = pickup_order(client, make_buyer(group), [(sku, 2)], group=group)
    deliver(client, staff, leader, batch_of(client, staff, order)["id"])
    with days(3.1):
        sweep()
    row = order_row(order["id"])
    assert (row.status.value, row.close_reason) == ("cancelled", "uncollected")
    assert sku_counts(sku) == (5, 0, 0)


def test_a_partly_collected_order_refunds_only_what_was_left(client, waiting):
    order = waiting["order"]
    client.post("/api/v1/leader/pickups", headers=waiting["leader"].headers, json={
        "code": order["pickup_code"], "lines": [{"order_line_id": order["lines"][0]["id"], "quantity": 1}]})
    with days(3.1):
        sweep()
        sweep()
    row = order_row(order["id"])
    assert row.refunded_cents == 2000 and row.status.value == "partially_refunded"
    assert sku_counts(waiting["sku"]) == (20, 0, 1)


def test_pickup_sweep_cli(app, client, waiting):
    with days(1.5):
        result = app.test_cli_runner().invoke(args=["pickup-sweep"])
    assert result.exit_code == 0 and "Reminded 1 shoppers" in result.output
