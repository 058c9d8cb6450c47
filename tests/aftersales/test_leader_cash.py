"""The leader's cash: collected at pay-at-pickup handovers, owed until remitted; the handover needs
the exact amount; the ledger always sums to zero."""
from __future__ import annotations

import uuid

from app.leader_cash import ledger
from tests.aftersales.helpers import picked_up
from tests.assertions import assert_error, database_unchanged
from tests.factories import make_buyer, make_group, make_leader, make_product, make_staff
from tests.flows import batch_of, deliver, order_row, pickup_order


def _ready_cash_order(client):
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    buyer = make_buyer(group)
    sku = make_product(skus=[{"code": f"K{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 700,
                              "stock_total": 9}]).skus[0]
    order = pickup_order(client, buyer, [(sku.id, 2)], group)
    deliver(client, staff, leader, batch_of(client, staff, order)["id"])
    return staff, leader, order


def test_the_leader_sees_the_amount_due_and_must_collect_exactly_it(client):
    staff, leader, order = _ready_cash_order(client)
    preview = client.post("/api/v1/leader/pickups/preview", headers=leader.headers, json={"code": order["pickup_code"]})
    assert preview.status_code == 200 and preview.get_json()["amount_due_cents"] == 1400
    # refused (only the audit records the tries): nothing handed over, nothing owed
    assert_error(client.post("/api/v1/leader/pickups", headers=leader.headers,
                             json={"code": order["pickup_code"]}), 422, "amount_required")
    assert_error(client.post("/api/v1/leader/pickups", headers=leader.headers,
                             json={"code": order["pickup_code"], "collected_cents": 1300}), 422,
                 "wrong_amount_collected")
    assert order_row(order["id"]).fulfilment.value == "ready_for_pickup"
    assert ledger.outstanding(leader.leader.id) == 0
    ok = client.post("/api/v1/leader/pickups", headers=leader.headers,
                     json={"code": order["pickup_code"], "collected_cents": 1400})
    assert ok.status_code == 200, ok.get_json()
    mine = client.get("/api/v1/leader/cash", headers=leader.headers).get_json()
    assert mine["owed_cents"] == 1400 and mine["entries"][0]["kind"] == "collected"
    owed = client.get("/api/v1/admin/leader-cash", headers=staff.headers).get_json()
    assert [(r["leader_id"], r["owed_cents"], r["age_days"]) for r in owed] == [(leader.leader.id, 1400, 0)]
    assert ledger.total_balance() == 0


def test_remittances_reduce_what_is_owed_never_below_zero(client):
    staff, leader, order = _ready_cash_order(client)
    client.post("/api/v1/leader/pickups", headers=leader.headers,
                json={"code": order["pickup_code"], "collected_cents": 1400})
    url = f"/api/v1/admin/leaders/{leader.leader.id}/cash/remittances"

    def remit(amount, key):
        return client.post(url, headers={**staff.headers, "Idempotency-Key": key},
                           json={"amount_cents": amount, "reference": "BANK-1"})

    with database_unchanged():
        assert_error(remit(1500, "k0"), 409, "remit_exceeds_owed")
    assert remit(1000, "k1").status_code == 201
    assert remit(1000, "k1").status_code == 201  # the retry returns the same entry
    assert ledger.outstanding(leader.leader.id) == 400
    assert remit(400, "k2").status_code == 201 and ledger.outstanding(leader.leader.id) == 0
    assert client.get("/api/v1/admin/leader-cash", headers=staff.headers).get_json() == []
    assert ledger.total_balance() == 0


def test_card_orders_put_no_cash_on_the_leader(client):
    s = picked_up(client)
    assert ledger.outstanding(s["leader"].leader.id) == 0


def test_a_cash_refund_through_the_leader_lowers_what_they_owe(client):
    from tests.aftersales.helpers import ask

    s = picked_up(client, lines=((2, 700),), method="pay_at_pickup")
    leader_id = s["leader"].leader.id
    assert ledger.outstanding(leader_id) == 1400
    req = ask(client, s["buyer"], s["order"]).get_json()
    client.post(f"/api/v1/leader/after-sales/{req['id']}/review", headers=s["leader"].headers,
                json={"verdict": "confirmed"})
    done = client.post(f"/api/v1/admin/after-sales/{req['id']}/decision", headers=s["staff"].headers,
                       json={"decision": "refund"}).get_json()
    assert done["status"] == "refunded" and done["cash_refund_by"] == "leader" and done["refund_cents"] == 700
    assert ledger.outstanding(leader_id) == 700
    assert ledger.total_balance() == 0
