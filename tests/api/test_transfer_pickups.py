"""A group moving to another leader or pickup point: open orders are neither lost nor silently moved."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification
from tests.assertions import assert_error, database_unchanged
from tests.factories import make_buyer, make_group, make_leader, make_point, make_product, make_staff
from tests.flows import batch_of, deliver, order_row, paid_order


def test_orders_stay_at_their_point_and_their_shoppers_are_told(client):
    staff = make_staff()
    old, new = make_leader(staff), make_leader(staff)
    group = make_group(old)
    sku = make_product().skus[0].id
    waiting_buyer, scheduled_buyer = make_buyer(group), make_buyer(group)
    waiting = paid_order(client, waiting_buyer, [(sku, 1)])
    deliver(client, staff, old, batch_of(client, staff, waiting)["id"])
    from tests.flows import pickup_order

    scheduled = pickup_order(client, scheduled_buyer, [(sku, 1)], group=group)

    r = client.post(f"/api/v1/admin/groups/{group.id}/transfer", headers=staff.headers,
                    json={"leader_id": new.leader.id, "pickup_point_id": new.point.id, "reason": "moved"})
    assert r.status_code == 201 and r.get_json()["open_orders_kept"] == 2
    for order in (waiting, scheduled):
        assert order_row(order["id"]).pickup_point_id == old.point.id
    titles = db.session.scalars(sa.select(Notification.title).where(
        Notification.event_type == "order.pickup_point_unchanged")).all()
    assert titles == ["Your pickup point for this order"] * 2
    # The old point's leader still hands over what waits there.
    assert client.post("/api/v1/leader/pickups", headers=old.headers,
                       json={"code": waiting["pickup_code"]}).status_code == 200
    # New orders go to the new point.
    fresh = paid_order(client, make_buyer(group), [(sku, 1)])
    assert order_row(fresh["id"]).pickup_point_id == new.point.id


def test_staff_move_an_unpacked_order_explicitly(client):
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    sku = make_product().skus[0].id
    buyer = make_buyer(group)
    order = paid_order(client, buyer, [(sku, 1)])
    elsewhere = make_point(name="Depot")
    r = client.post(f"/api/v1/admin/orders/{order['id']}/move-pickup", headers=staff.headers,
                    json={"pickup_point_id": elsewhere.id})
    assert r.status_code == 200 and r.get_json()["pickup_point"]["name"] == "Depot"
    row = order_row(order["id"])
    assert row.pickup_point_id == elsewhere.id
    assert batch_of(client, staff, order)["pickup_point"]["id"] == elsewhere.id
    inbox = client.get("/api/v1/store/inbox", headers=buyer.headers).get_json()
    assert inbox[0]["title"] == "New pickup point"
    with database_unchanged():
        assert_error(client.post(f"/api/v1/admin/orders/{order['id']}/move-pickup", headers=staff.headers,
                                 json={"pickup_point_id": elsewhere.id}), 409, "move_changes_nothing")


def test_a_packed_order_cannot_move(client):
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    order = paid_order(client, make_buyer(group), [(make_product().skus[0].id, 1)])
    client.post(f"/api/v1/admin/batches/{batch_of(client, staff, order)['id']}/close", headers=staff.headers)
    other = make_point()
    with database_unchanged():
        assert_error(client.post(f"/api/v1/admin/orders/{order['id']}/move-pickup", headers=staff.headers,
                                 json={"pickup_point_id": other.id}), 409, "order_already_packed")
