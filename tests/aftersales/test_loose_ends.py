"""The loose ends of issue 19: closures move booked orders, the pickup-code audit is readable,
campaign statistics separate sold, refunded and net."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification
from app.pickup.models import DeliveryBatch
from tests.assertions import assert_error, database_unchanged
from tests.factories import make_buyer, make_group, make_leader, make_product, make_staff
from tests.flows import order_row, paid_order


def _booked(client):
    leader = make_leader()
    group = make_group(leader)
    buyer = make_buyer(group)
    sku = make_product().skus[0]
    order = paid_order(client, buyer, [(sku.id, 1)])
    return leader, group, buyer, order_row(order["id"])


def _close(client, staff, point_id, day, **extra):
    return client.post(f"/api/v1/admin/pickup-points/{point_id}/closures", headers=staff.headers,
                       json={"start_date": day.isoformat(), "end_date": day.isoformat(), **extra})


def test_a_closure_moves_the_booked_orders_to_the_next_open_day_and_tells_the_shopper(client):
    staff = make_staff()
    _, _, buyer, row = _booked(client)
    day, point_id, old_batch = row.pickup_date, row.pickup_point_id, row.batch_id
    assert _close(client, staff, point_id, day).status_code == 201
    moved = order_row(row.id)
    assert moved.pickup_date == day + dt.timedelta(days=1) and moved.batch_id != old_batch
    assert db.session.get(DeliveryBatch, moved.batch_id).delivery_date == moved.pickup_date
    notes = db.session.scalars(sa.select(Notification).where(Notification.account_id == buyer.id)).all()
    assert any(n.event_type == "order.pickup_date_changed" for n in notes)
    # the shopper may still cancel: the new day's cut-off is ahead
    assert client.post(f"/api/v1/store/orders/{row.id}/cancel", headers=buyer.headers).status_code == 200


def test_the_merchant_may_pick_the_day_and_a_bad_day_changes_nothing(client):
    staff = make_staff()
    _, _, _, row = _booked(client)
    day, point_id = row.pickup_date, row.pickup_point_id
    with database_unchanged():
        assert_error(_close(client, staff, point_id, day, move_to=day.isoformat()), 422, "invalid_move_date")
    target = day + dt.timedelta(days=3)
    assert _close(client, staff, point_id, day, move_to=target.isoformat()).status_code == 201
    assert order_row(row.id).pickup_date == target


def test_every_pickup_code_attempt_is_audited_and_readable(client):
    from tests.aftersales.helpers import picked_up

    s = picked_up(client)  # one successful handover by the leader
    order = s["order"]
    wrong = client.post("/api/v1/leader/pickups", headers=s["leader"].headers,
                        json={"code": "ZZZZZZ", "order_number": order["number"]})
    assert wrong.status_code == 404
    other = make_leader()
    client.post("/api/v1/leader/pickups", headers=other.headers, json={"code": order["pickup_code"]})
    staff_view = client.get(f"/api/v1/admin/pickup-attempts?order_id={order['id']}", headers=s["staff"].headers)
    assert staff_view.status_code == 200, staff_view.get_json()
    outcomes = [(a["outcome"], a["verified_as"]) for a in staff_view.get_json()]
    assert outcomes == [("not_your_pickup_point", "leader"), ("pickup_code_invalid", "leader"),
                        ("handed_over", "leader")]
    mine = client.get("/api/v1/leader/pickup-attempts", headers=s["leader"].headers).get_json()
    assert len(mine) == 3  # the attempts at their point, including the other leader's
    theirs = client.get("/api/v1/leader/pickup-attempts", headers=other.headers).get_json()
    assert [a["outcome"] for a in theirs] == ["not_your_pickup_point"]  # only their own try
    failed = client.get("/api/v1/admin/pickup-attempts?failed_only=true", headers=s["staff"].headers).get_json()
    assert {a["outcome"] for a in failed} == {"not_your_pickup_point", "pickup_code_invalid"}


def test_a_failed_fully_refunded_group_buy_shows_zero_net_sold(app, client, monkeypatch):
    import uuid

    import time_machine

    from app.campaigns import groupbuy, refund_outbox
    from app.payments.tasks import reconcile
    from tests.factories import make_campaign
    from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook

    monkeypatch.setitem(app.config, "REDIS_URL", "")
    staff = make_staff()
    group = make_group(make_leader(staff))
    sku = make_product(skus=[{"code": f"GB-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 5000,
                              "stock_total": 9}]).skus[0]
    campaign = make_campaign("group_buy", items=[(sku.id, 3000, 50)], staff=staff, threshold_kind="participants",
                             threshold=5, threshold_scope="per_group")
    for qty in (1, 3):
        buyer = make_buyer(group)
        order = client.post("/api/v1/store/orders", json={"lines": [
            {"sku_id": sku.id, "quantity": qty, "campaign_item_id": campaign.items[0].id}]},
            headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())}).get_json()
        pay_intent(intent_of(order))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=3), tick=False):
        groupbuy.settle()
        refund_outbox.process_pending()
        reconcile()
    stats = client.get(f"/api/v1/admin/campaigns/{campaign.id}/stats", headers=staff.headers).get_json()
    [item] = stats["items"]
    assert (item["sold_units"], item["refunded_units"], item["net_units"]) == (4, 4, 0)
    assert (item["gross_revenue_cents"], item["refunded_cents"], item["revenue_cents"]) == (12000, 12000, 0)
    assert (stats["sold_units"], stats["net_units"], stats["revenue_cents"]) == (4, 0, 0)
