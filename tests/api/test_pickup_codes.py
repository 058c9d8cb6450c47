"""Handing orders over against pickup codes."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Account
from app.extensions import db
from app.pickup.models import PickupEvent
from tests.assertions import assert_error, database_unchanged
from tests.factories import make_buyer, make_group, make_leader, make_product, make_staff
from tests.flows import batch_of, deliver, order_row, paid_order, pickup_order


@pytest.fixture
def ready(client):
    """A leader with a paid order of 3 + 2 units, arrived and ready for pickup."""
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    skus = [make_product(skus=[{"code": f"C{i}", "name": "x", "price_cents": 1000, "stock_total": 50}]).skus[0].id
            for i in range(2)]
    buyer = make_buyer(group)
    order = paid_order(client, buyer, [(skus[0], 3), (skus[1], 2)])
    deliver(client, staff, leader, batch_of(client, staff, order)["id"])
    return {"staff": staff, "leader": leader, "group": group, "buyer": buyer, "order": order, "skus": skus}


def verify(client, user, code, **body):
    return client.post("/api/v1/leader/pickups", headers=user.headers, json={"code": code, **body})


def test_the_leader_hands_over_the_whole_order_and_it_is_audited(client, ready):
    order = ready["order"]
    r = verify(client, ready["leader"], order["pickup_code"].lower())  # typed codes are case-insensitive
    assert r.status_code == 200 and r.get_json()["fulfilment"] == "picked_up"
    event = db.session.scalar(sa.select(PickupEvent))
    assert (event.verified_by_id, event.verified_as) == (ready["leader"].id, "leader")
    assert sorted((e["quantity"]) for e in event.lines) == [2, 3]
    shopper_view = client.get(f"/api/v1/store/orders/{order['id']}", headers=ready["buyer"].headers).get_json()
    assert shopper_view["fulfilment"] == "picked_up" and shopper_view["pickup_code"] is None
    with database_unchanged():
        assert_error(verify(client, ready["leader"], order["pickup_code"]), 409, "order_not_ready")


def test_partial_pickup_by_line(client, ready):
    order = ready["order"]
    first_line = order["lines"][0]
    r = verify(client, ready["leader"], order["pickup_code"],
               lines=[{"order_line_id": first_line["id"], "quantity": 2}])
    assert r.get_json()["fulfilment"] == "partially_picked_up"
    with database_unchanged():
        assert_error(verify(client, ready["leader"], order["pickup_code"],
                            lines=[{"order_line_id": first_line["id"], "quantity": 2}]), 409,
                     "pickup_exceeds_quantity")
    assert verify(client, ready["leader"], order["pickup_code"]).get_json()["fulfilment"] == "picked_up"
    lines = {ln.id: ln.picked_up_quantity for ln in order_row(order["id"]).lines}
    assert lines == {ln["id"]: ln["quantity"] for ln in order["lines"]}


def test_only_the_points_leader_or_staff_may_verify(client, ready):
    other = make_leader(ready["staff"])
    with database_unchanged():
        assert_error(verify(client, other, ready["order"]["pickup_code"]), 403, "not_your_pickup_point")
    r = client.post("/api/v1/admin/pickups", headers=ready["staff"].headers,
                    json={"code": ready["order"]["pickup_code"]})
    assert r.status_code == 200
    assert db.session.scalar(sa.select(PickupEvent.verified_as)) == "staff"


def test_wrong_codes_are_rate_limited_per_leader(app, client, ready, monkeypatch):
    monkeypatch.setitem(app.config, "PICKUP_CODE_RATE_LIMIT", "3 per minute")
    for guess in ("AAAA2222", "BBBB3333", "CCCC4444"):
        assert_error(verify(client, ready["leader"], guess), 404, "pickup_code_invalid")
    assert_error(verify(client, ready["leader"], "DDDD5555"), 429, "rate_limited")
    # Even the right code waits now: the limit is the leader's, whatever they type next.
    assert_error(verify(client, ready["leader"], ready["order"]["pickup_code"]), 429)
    # Another leader is not affected.
    other = make_leader(ready["staff"])
    assert_error(verify(client, other, "EEEE6666"), 404, "pickup_code_invalid")


def test_right_codes_do_not_count_against_the_limit(app, client, ready, monkeypatch):
    monkeypatch.setitem(app.config, "PICKUP_CODE_RATE_LIMIT", "2 per minute")
    order = ready["order"]
    for line in order["lines"]:
        assert verify(client, ready["leader"], order["pickup_code"],
                      lines=[{"order_line_id": line["id"], "quantity": 1}]).status_code == 200
    assert_error(verify(client, ready["leader"], "AAAA2222"), 404)
    assert verify(client, ready["leader"], order["pickup_code"]).status_code == 200


def test_an_order_locks_after_repeated_wrong_codes_against_it(client, ready):
    order = ready["order"]
    for _ in range(5):
        assert_error(verify(client, ready["leader"], "WRONG234", order_number=order["number"]), 404,
                     "pickup_code_invalid")
    error = assert_error(verify(client, ready["leader"], order["pickup_code"], order_number=order["number"]), 409,
                         "pickup_code_locked")
    assert error["details"]["locked_until"]
    assert order_row(order["id"]).code_failures == 5


def test_another_leaders_wrong_codes_never_lock_an_order_for_its_own_leader(client, ready):
    order, other = ready["order"], make_leader(ready["staff"])
    with database_unchanged():
        for _ in range(6):
            # Answered as if the order did not exist at all (no hint that the number is real).
            assert_error(verify(client, other, "WRONG234", order_number=order["number"]), 404,
                         "pickup_code_invalid")
    assert order_row(order["id"]).code_failures == 0
    r = verify(client, ready["leader"], order["pickup_code"], order_number=order["number"])
    assert r.status_code == 200 and r.get_json()["fulfilment"] == "picked_up"


def test_pay_at_pickup_is_paid_at_handover_with_the_amount_collected(client):
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    sku = make_product(skus=[{"code": "PAP", "name": "x", "price_cents": 700, "stock_total": 9}]).skus[0].id
    buyer = make_buyer(group)
    order = pickup_order(client, buyer, [(sku, 3)], group=group)
    assert order["amount_due_cents"] == 2100
    line_id = order["lines"][0]["id"]
    deliver(client, staff, leader, batch_of(client, staff, order)["id"],
            shortages=[{"order_line_id": line_id, "quantity": 1, "reason": "damaged"}])
    view = client.get(f"/api/v1/store/orders/{order['id']}", headers=buyer.headers).get_json()
    assert view["amount_due_cents"] == 1400  # the damaged unit is not charged
    with database_unchanged():
        assert_error(verify(client, leader, order["pickup_code"], collected_cents=2100), 422,
                     "wrong_amount_collected")
    assert verify(client, leader, order["pickup_code"], collected_cents=1400).status_code == 200
    row = order_row(order["id"])
    assert (row.status.value, row.paid_cents) == ("paid", 1400)
    assert db.session.get(Account, buyer.id).lifetime_spend_cents == 1400
    assert db.session.scalar(sa.select(PickupEvent.collected_cents)) == 1400


def test_verification_input_is_validated(client, ready):
    with database_unchanged():
        assert_error(client.post("/api/v1/leader/pickups", headers=ready["leader"].headers, json={}), 422)
        assert_error(verify(client, ready["leader"], "x"), 422, "validation_error")
        assert_error(verify(client, ready["leader"], ready["order"]["pickup_code"],
                            lines=[{"order_line_id": 999999, "quantity": 1}]), 422, "unknown_order_line")
        assert_error(client.post("/api/v1/leader/pickups", headers=ready["buyer"].headers,
                                 json={"code": ready["order"]["pickup_code"]}), 403, "not_a_leader")


def test_refunding_units_already_handed_over_does_not_put_them_back_on_sale(client, ready):
    from tests.factories import sku_counts

    order = ready["order"]
    verify(client, ready["leader"], order["pickup_code"])
    line = order["lines"][0]
    r = client.post(f"/api/v1/admin/orders/{order['id']}/refunds", json={
        "reason": "quality complaint", "lines": [{"line_id": line["id"], "quantity": 1}]},
        headers={**ready["staff"].headers, "Idempotency-Key": "after-pickup"})
    assert r.status_code == 201 and r.get_json()["status"] == "succeeded"
    assert sku_counts(ready["skus"][0]) == (50, 0, 3)  # still sold: the shopper has the goods
