"""Delivery batches, pick lists and arrival."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.notifications.models import Notification
from app.payments.models import Refund
from tests.assertions import assert_error, database_unchanged
from tests.factories import make_buyer, make_group, make_leader, make_product, make_staff, sku_counts
from tests.flows import batch_of, deliver, order_row, paid_order, pickup_order
from tests.stripe_helpers import intent_of, stripe_client


@pytest.fixture
def shop():
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    rice = make_product(name="Rice", skus=[{"code": "RICE", "name": "5 kg", "price_cents": 5000, "stock_total": 100}])
    eggs = make_product(name="Eggs", skus=[{"code": "EGGS", "name": "30", "price_cents": 3000, "stock_total": 100}])
    return {"staff": staff, "leader": leader, "group": group, "rice": rice.skus[0].id, "eggs": eggs.skus[0].id}


def inbox_titles(account_id: int, audience: str = "shopper") -> list[str]:
    db.session.commit()
    return db.session.scalars(sa.select(Notification.title).where(
        Notification.account_id == account_id, Notification.audience == audience).order_by(Notification.id)).all()


def test_checkout_quotes_the_pickup_date_and_the_order_carries_it(client, shop):
    buyer = make_buyer(shop["group"])
    quote = client.get("/api/v1/store/pickup-schedule", headers=buyer.headers).get_json()
    order = paid_order(client, buyer, [(shop["rice"], 1)])
    assert order["pickup_date"] == quote["pickup_date"]
    assert order["pickup_window"]["start"] and order["fulfilment"] == "scheduled"
    assert len(order["pickup_code"]) == 8 and order["pickup_qr"] == f"PICKUP/{order['number']}/{order['pickup_code']}"
    assert inbox_titles(buyer.id) == ["Payment received"]


def test_unpaid_orders_show_no_pickup_code_and_join_no_batch(client, shop):
    from tests.factories import checkout

    buyer = make_buyer(shop["group"])
    order = checkout(client, buyer, [(shop["rice"], 1)]).get_json()
    assert order["pickup_code"] is None and order["fulfilment"] == "pending" and order_row(order["id"]).batch_id is None


def test_paid_and_pay_at_pickup_orders_share_their_days_batch_whose_totals_add_up(client, shop):
    a, b, c = (make_buyer(shop["group"]) for _ in range(3))
    orders = [paid_order(client, a, [(shop["rice"], 2)]), paid_order(client, b, [(shop["rice"], 1), (shop["eggs"], 3)]),
              pickup_order(client, c, [(shop["eggs"], 1)], group=shop["group"])]
    batch = batch_of(client, shop["staff"], orders[0])
    assert {o["order_id"] for o in batch["orders"]} == {o["id"] for o in orders}
    assert batch["totals"] == {"orders": 3, "units": 7, "amount_cents": sum(o["total_cents"] for o in orders)}
    assert batch["status"] == "open" and batch["delivery_date"] == orders[0]["pickup_date"]


def test_a_payment_after_the_batch_closed_rolls_to_the_next_batch_and_says_so(client, shop):
    from tests.factories import checkout
    from tests.stripe_helpers import intent_event, pay_intent, post_webhook

    early, late = make_buyer(shop["group"]), make_buyer(shop["group"])
    first = paid_order(client, early, [(shop["rice"], 1)])
    pending = checkout(client, late, [(shop["rice"], 1)]).get_json()
    batch = batch_of(client, shop["staff"], first)
    client.post(f"/api/v1/admin/batches/{batch['id']}/close", headers=shop["staff"].headers)
    pay_intent(intent_of(pending))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(pending)))
    moved = order_row(pending["id"])
    assert moved.batch_id != batch["id"] and moved.pickup_date > dt.date.fromisoformat(first["pickup_date"])
    assert "New pickup date" in inbox_titles(late.id)


def test_pick_lists_per_point_and_per_sku_as_json_and_csv(client, shop):
    other_leader = make_leader(shop["staff"])
    other_group = make_group(other_leader)
    a, b = make_buyer(shop["group"]), make_buyer(other_group)
    oa = paid_order(client, a, [(shop["rice"], 2), (shop["eggs"], 1)])
    paid_order(client, b, [(shop["rice"], 3)])
    batch = batch_of(client, shop["staff"], oa)
    staff = shop["staff"].headers
    picks = client.get(f"/api/v1/admin/batches/{batch['id']}/pick-list", headers=staff).get_json()
    assert picks == [{"order_number": oa["number"], "pickup_code": oa["pickup_code"], "shopper_name": a.account.name,
                      "lines": [{"order_line_id": ln["id"], "sku_code": ln["sku_code"], "product_name":
                                 ln["product_name"], "sku_name": ln["sku_name"], "quantity": ln["quantity"]}
                                for ln in oa["lines"]]}]
    csv_r = client.get(f"/api/v1/admin/batches/{batch['id']}/pick-list.csv", headers=staff)
    assert csv_r.mimetype == "text/csv" and "attachment" in csv_r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["order", "pickup_code", "shopper"] and len(rows) == 3
    day = oa["pickup_date"]
    consolidated = client.get(f"/api/v1/admin/pick-lists?delivery_date={day}", headers=staff).get_json()
    assert {r["sku_code"]: (r["quantity"], r["pickup_points"]) for r in consolidated} == {
        "EGGS": (1, 1), "RICE": (5, 2)}
    wh = client.get(f"/api/v1/admin/pick-lists.csv?delivery_date={day}", headers=staff).get_data(as_text=True)
    assert "RICE" in wh and ",5," in wh
    assert_error(client.get("/api/v1/admin/pick-lists?delivery_date=yesterday", headers=staff), 422)


def test_dispatch_tells_the_leader_and_the_shoppers(client, shop):
    buyer = make_buyer(shop["group"])
    order = paid_order(client, buyer, [(shop["rice"], 1)])
    batch = batch_of(client, shop["staff"], order)
    staff = shop["staff"].headers
    with database_unchanged():
        assert_error(client.post(f"/api/v1/admin/batches/{batch['id']}/dispatch", headers=staff), 409,
                     "batch_state_conflict")
    client.post(f"/api/v1/admin/batches/{batch['id']}/close", headers=staff)
    assert client.post(f"/api/v1/admin/batches/{batch['id']}/dispatch", headers=staff).get_json()["status"] == \
        "dispatched"
    assert "Your order is on its way" in inbox_titles(buyer.id)
    assert inbox_titles(shop["leader"].id, "leader") == ["A delivery is on its way"]


def test_arrival_makes_orders_ready_and_refunds_shortages(client, shop):
    a, b = make_buyer(shop["group"]), make_buyer(shop["group"])
    oa = paid_order(client, a, [(shop["rice"], 2), (shop["eggs"], 2)])
    ob = paid_order(client, b, [(shop["eggs"], 1)])
    batch = batch_of(client, shop["staff"], oa)
    eggs_before = sku_counts(shop["eggs"])
    eggs_a = next(ln["id"] for ln in oa["lines"] if ln["sku_code"] == "EGGS")
    eggs_b = ob["lines"][0]["id"]
    detail = deliver(client, shop["staff"], shop["leader"], batch["id"], shortages=[
        {"order_line_id": eggs_a, "quantity": 1, "reason": "damaged"},
        {"order_line_id": eggs_b, "quantity": 1, "reason": "missing"}])
    assert detail["status"] == "arrived"
    fulfilment = {o["order_id"]: o["fulfilment"] for o in detail["orders"]}
    assert fulfilment == {oa["id"]: "ready_for_pickup", ob["id"]: "not_delivered"}
    row_a, row_b = order_row(oa["id"]), order_row(ob["id"])
    assert (row_a.status.value, row_a.refunded_cents) == ("partially_refunded", 3000)
    assert (row_b.status.value, row_b.refunded_cents) == ("refunded", 3000)
    assert [r.amount for r in stripe_client().v1.refunds.list(params={"payment_intent": intent_of(oa)}).data] == [3000]
    assert "Ready for pickup" in inbox_titles(a.id) and "Refund issued" in inbox_titles(a.id)
    assert "Ready for pickup" not in inbox_titles(b.id)
    # Shorted units leave the books (total and sold, a `shortage` movement each): not put back on sale,
    # and on hand stays true (docs/supply.md).
    total, reserved, sold = sku_counts(shop["eggs"])
    assert (total, sold) == (eggs_before[0] - 2, eggs_before[2] - 2) and total - sold - reserved == (
        eggs_before[0] - eggs_before[2] - eggs_before[1])
    reasons = db.session.scalars(sa.select(Refund.reason).order_by(Refund.id)).all()
    assert reasons == ["shortage at arrival (damaged)", "shortage at arrival (missing)"]


def test_arrival_input_is_checked_and_only_the_points_leader_confirms(client, shop):
    buyer = make_buyer(shop["group"])
    order = paid_order(client, buyer, [(shop["rice"], 1)])
    batch = batch_of(client, shop["staff"], order)
    url = f"/api/v1/leader/batches/{batch['id']}/arrival"
    leader = shop["leader"].headers
    with database_unchanged():
        assert_error(client.post(url, headers=leader, json={}), 409, "batch_state_conflict")  # still open
    client.post(f"/api/v1/admin/batches/{batch['id']}/close", headers=shop["staff"].headers)
    stranger = make_leader(shop["staff"])
    with database_unchanged():
        assert_error(client.post(url, headers=leader, json={"shortages": [
            {"order_line_id": order["lines"][0]["id"], "quantity": 2, "reason": "missing"}]}), 422,
            "shortage_exceeds_quantity")
        assert_error(client.post(url, headers=leader, json={"shortages": [
            {"order_line_id": 999999, "quantity": 1, "reason": "missing"}]}), 422, "unknown_order_line")
        assert_error(client.post(url, headers=leader, json={"shortages": [
            {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason": "eaten"}]}), 422)
        assert_error(client.post(url, headers=stranger.headers, json={}), 403, "not_your_pickup_point")


def test_leader_sees_upcoming_batches_for_their_point_only(client, shop):
    buyer = make_buyer(shop["group"])
    order = paid_order(client, buyer, [(shop["rice"], 1)])
    mine = client.get("/api/v1/leader/batches", headers=shop["leader"].headers).get_json()
    assert [b["delivery_date"] for b in mine] == [order["pickup_date"]]
    detail = client.get(f"/api/v1/leader/batches/{mine[0]['id']}", headers=shop["leader"].headers).get_json()
    assert "pickup_code" not in str(detail) and detail["orders"][0]["number"] == order["number"]
    assert client.get("/api/v1/leader/batches", headers=make_leader(shop["staff"]).headers).get_json() == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    with time_machine.travel(later, tick=False):
        assert client.get("/api/v1/leader/batches", headers=shop["leader"].headers).get_json() == []
        assert len(client.get("/api/v1/leader/batches?scope=all", headers=shop["leader"].headers).get_json()) == 1


def test_a_packed_order_can_no_longer_be_cancelled(client, shop):
    buyer = make_buyer(shop["group"])
    order = pickup_order(client, buyer, [(shop["rice"], 1)], group=shop["group"])
    batch = batch_of(client, shop["staff"], order)
    client.post(f"/api/v1/admin/batches/{batch['id']}/close", headers=shop["staff"].headers)
    with database_unchanged():
        assert_error(client.post(f"/api/v1/store/orders/{order['id']}/cancel", headers=buyer.headers), 409,
                     "order_already_packed")
