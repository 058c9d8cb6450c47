"""A small night to deliver: two leaders' points on one route, orders hand-counted in the tests."""
from __future__ import annotations

import datetime as dt

from tests.factories import make_buyer, make_group, make_leader, make_product, make_staff
from tests.flows import order_row, pickup_order

ADMIN = "/api/v1/admin"


def night(client) -> dict:
    """Point A: 陈小明 2×RICE; 王芳 1×RICE + 3×EGGS. Point B: 李雷 1×EGGS. All pay at pickup."""
    owner = make_staff()
    driver, other_driver = make_staff(role="driver"), make_staff(role="driver")
    leader_a, leader_b = make_leader(owner), make_leader(owner)
    group_a, group_b = make_group(leader_a), make_group(leader_b)
    leader_a.group, leader_b.group = group_a, group_b
    rice = make_product(name="大米", skus=[{"code": "RICE", "name": "5 kg", "price_cents": 5000, "stock_total": 50}])
    eggs = make_product(name="鸡蛋", skus=[{"code": "EGGS", "name": "30枚", "price_cents": 3000, "stock_total": 50}])
    rice_id, eggs_id = rice.skus[0].id, eggs.skus[0].id
    buyers = [make_buyer(group_a, name="陈小明"), make_buyer(group_a, name="王芳"), make_buyer(group_b, name="李雷")]
    orders = [
        pickup_order(client, buyers[0], [(rice_id, 2)], group=group_a),
        pickup_order(client, buyers[1], [(rice_id, 1), (eggs_id, 3)], group=group_a),
        pickup_order(client, buyers[2], [(eggs_id, 1)], group=group_b),
    ]
    day = dt.date.fromisoformat(orders[0]["pickup_date"])
    return {"owner": owner, "driver": driver, "other_driver": other_driver, "leader_a": leader_a,
            "leader_b": leader_b, "orders": orders, "buyers": buyers, "day": day, "rice": rice_id, "eggs": eggs_id,
            "batch_a": order_row(orders[0]["id"]).batch_id, "batch_b": order_row(orders[2]["id"]).batch_id}


def make_route(client, staff, stops: list[int], name: str = "东线", departure: str = "04:30"):
    return client.post(f"{ADMIN}/routes", headers=staff.headers,
                       json={"name": name, "departure_time": departure, "stops": stops})


def planned_run(client, n: dict) -> dict:
    """Route B → A (B is driven first), planned for the night's day with its driver; batches closed."""
    route = make_route(client, n["owner"], [n["leader_b"].point.id, n["leader_a"].point.id]).get_json()
    r = client.post(f"{ADMIN}/route-runs", headers=n["owner"].headers,
                    json={"route_id": route["id"], "delivery_date": n["day"].isoformat(), "driver_id": n["driver"].id})
    assert r.status_code == 201, r.get_json()
    for batch in (n["batch_a"], n["batch_b"]):
        assert client.post(f"{ADMIN}/batches/{batch}/close", headers=n["owner"].headers).status_code == 200
    return r.get_json()
