"""Leader performance per month and active-leader retention."""
from __future__ import annotations

import datetime as dt

import time_machine

from tests.factories import approve_change, make_buyer, make_group, make_leader, make_product, make_staff
from tests.flows import batch_of, deliver, order_row, paid_order

ADMIN, LEADER = "/api/v1/admin", "/api/v1/leader"


def test_a_month_of_one_leader_and_another(client):
    staff = make_staff()
    approve_change(client, client.post(f"{ADMIN}/commission-rules", headers=staff.headers, json={
        "scope": "default", "leader_rate_bps": 1000, "valid_from": "2020-01-01T00:00:00Z"}))
    ann, ben = make_leader(), make_leader()
    ann_group, ben_group = make_group(ann), make_group(ben)
    sku = make_product(skus=[{"code": "LP", "name": "x", "price_cents": 1000, "stock_total": 50}]).skus[0]
    regular, once = make_buyer(ann_group), make_buyer(ann_group)
    first = paid_order(client, regular, [(sku.id, 1)])
    paid_order(client, regular, [(sku.id, 2)])
    paid_order(client, once, [(sku.id, 1)])
    paid_order(client, make_buyer(ben_group), [(sku.id, 5)])
    deliver(client, staff, ann, batch_of(client, staff, first)["id"])
    code = order_row(first["id"]).pickup_code
    assert client.post(f"{LEADER}/pickups", headers=ann.headers, json={"code": code}).status_code == 200
    rows = client.get(f"{ADMIN}/leaders/performance", headers=staff.headers).get_json()
    by_leader = {r["leader_id"]: r for r in rows}
    a = by_leader[ann.leader.id]
    assert (a["orders"], a["sales_cents"], a["unique_buyers"], a["repurchase_rate"]) == (3, 4000, 2, 0.5)
    assert a["commission_cents"] == 400
    assert (a["pickup_rate"], a["uncollected_rate"]) == (0.3333, 0.0)  # all three arrived, one picked up
    assert by_leader[ben.leader.id]["sales_cents"] == 5000 and [r["leader_id"] for r in rows][0] == ben.leader.id
    mine = client.get(f"{LEADER}/performance", headers=ann.headers).get_json()
    assert [r["leader_id"] for r in mine] == [ann.leader.id]
    assert client.get(f"{ADMIN}/leaders/performance?month=2020-01", headers=staff.headers).get_json() == []
    assert client.get(f"{ADMIN}/leaders/performance?month=2020-13", headers=staff.headers).status_code == 422


def test_active_leader_retention_by_cohort(client):
    sku = make_product(skus=[{"code": "RT", "name": "x", "price_cents": 1000, "stock_total": 50}]).skus[0]
    steady, gone = make_leader(), make_leader()
    with time_machine.travel(dt.datetime(2031, 1, 20, 4, tzinfo=dt.UTC)):
        steady_buyer, gone_buyer = make_buyer(make_group(steady)), make_buyer(make_group(gone))
        paid_order(client, steady_buyer, [(sku.id, 1)])
        paid_order(client, gone_buyer, [(sku.id, 1)])
    with time_machine.travel(dt.datetime(2031, 2, 5, 4, tzinfo=dt.UTC)):
        paid_order(client, steady_buyer, [(sku.id, 1)])
    with time_machine.travel(dt.datetime(2031, 2, 6, 4, tzinfo=dt.UTC)):
        staff = make_staff()
        cohorts = client.get(f"{ADMIN}/leaders/retention?months=2", headers=staff.headers).get_json()
    assert cohorts == [{"cohort": "2031-01", "leaders": 2, "active": [2, 1, 0], "retention": [1.0, 0.5, 0.0]}]
