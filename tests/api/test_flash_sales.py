"""Flash sales, on both paths: the Redis gate (when Redis is there) and the database alone."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
import time_machine

from app.campaigns import flash, redis_gate
from app.campaigns.stock import counted_units
from app.extensions import db
from tests.assertions import assert_error, database_unchanged
from tests.conftest import TEST_REDIS_URL
from tests.factories import make_buyer, make_campaign, make_group, make_leader, make_product, make_staff
from tests.flows import order_row
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook


@pytest.fixture(params=["db", "redis"])
def path(request, app, monkeypatch):
    if request.param == "redis" and not TEST_REDIS_URL:
        pytest.skip("needs Redis: set TEST_REDIS_URL")
    if request.param == "db":
        monkeypatch.setitem(app.config, "REDIS_URL", "")
    return request.param


def reserve(client, user, item_id, quantity=1, key=None):
    return client.post(f"/api/v1/store/flash-sales/{item_id}/reserve", json={"quantity": quantity},
                       headers={**user.headers, "Idempotency-Key": key or str(uuid.uuid4())})


def sale(stock=5, limit=2, **kw):
    sku = make_product(skus=[{"code": f"FS-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 1000,
                              "stock_total": 100}]).skus[0]
    campaign = make_campaign(items=[(sku.id, 390, stock)], per_person_limit=limit, hold_minutes=5, **kw)
    return campaign.items[0].id


def free(item_id):
    db.session.commit()
    return flash.free_units(item_id)


def test_reserve_holds_campaign_stock_apart_from_regular_stock(client, path):
    item = sale()
    buyer = make_buyer()
    r = reserve(client, buyer, item, 2)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["status"], body["unit_price_cents"], body["total_cents"], body["quantity"]) == (
        "pending_payment", 390, 780, 2)
    assert free(item) == 3
    order = client.get(f"/api/v1/store/orders/{body['order_id']}", headers=buyer.headers).get_json()
    assert order["lines"][0]["price_rule"] == "flash_sale" and order["lines"][0]["list_price_cents"] == 1000
    from tests.factories import sku_counts

    assert sku_counts(order["lines"][0]["sku_id"]) == (100, 0, 0)  # regular stock untouched


def test_reserving_again_with_the_same_key_replays(client, path):
    item = sale()
    buyer = make_buyer()
    first = reserve(client, buyer, item, 1, key="fs-1")
    again = reserve(client, buyer, item, 1, key="fs-1")
    assert again.status_code == 201 and again.get_json()["order_id"] == first.get_json()["order_id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert free(item) == 4
    if path == "redis":
        assert redis_gate.counters(item)[0] == 4


def test_the_per_person_limit_holds(client, path):
    item = sale(limit=2)
    buyer = make_buyer()
    assert reserve(client, buyer, item, 1).status_code == 201
    assert reserve(client, buyer, item, 1).status_code == 201
    assert_error(reserve(client, buyer, item, 1), 409, "per_person_limit_reached")
    assert_error(reserve(client, make_buyer(), item, 3), 409, "per_person_limit_reached")
    db.session.commit()
    assert dict(db.session.execute(counted_units(item)).all()) == {buyer.id: 2}


def test_sold_out_is_409_and_nothing_is_left_held(client, path):
    item = sale(stock=2, limit=5)
    assert reserve(client, make_buyer(), item, 2).status_code == 201
    assert_error(reserve(client, make_buyer(), item, 1), 409, "insufficient_stock")
    assert free(item) == 0


def test_warm_up_and_the_end_are_not_buyable(client, path):
    item = sale(starts_in_minutes=10, warmup_minutes=30, minutes=20)
    buyer = make_buyer()
    assert_error(reserve(client, buyer, item), 409, "campaign_not_live")
    later = dt.datetime.now(dt.UTC)
    with time_machine.travel(later + dt.timedelta(minutes=11), tick=False):
        assert reserve(client, buyer, item).status_code == 201
    with time_machine.travel(later + dt.timedelta(minutes=31), tick=False):
        assert_error(reserve(client, buyer, item), 409, "campaign_not_live")


def test_audience_rules_apply(client, path):
    staff = make_staff()
    mine, other = make_group(make_leader(staff)), make_group(make_leader(staff))
    item = sale(all_groups=False, group_ids=[mine.id], members_only=True)
    outsider, neighbour = make_buyer(other), make_buyer(mine)
    assert_error(reserve(client, outsider, item), 403, "campaign_not_for_your_group")
    assert_error(reserve(client, neighbour, item), 403, "members_only")
    assert client.post("/api/v1/store/membership", headers=neighbour.headers).status_code == 200
    assert reserve(client, neighbour, item).status_code == 201
    assert free(item) == 4  # the refused attempts gave their units back


def test_an_unpaid_reservation_expires_and_returns_the_stock_and_the_allowance(client, path):
    item = sale(stock=1, limit=1)
    first, second = make_buyer(), make_buyer()
    held = reserve(client, first, item).get_json()
    assert_error(reserve(client, second, item), 409, "insufficient_stock")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6), tick=False):
        if path == "redis":
            flash.reconcile()  # the gate learns of lapsed holds from the sweep
        assert client.get(f"/api/v1/store/orders/{held['order_id']}", headers=first.headers).get_json()[
            "status"] == "expired"
        assert reserve(client, second, item).status_code == 201


def test_paying_a_reservation_sells_the_units(client, path):
    item = sale()
    buyer = make_buyer()
    body = reserve(client, buyer, item, 2).get_json()
    paying = client.post(f"/api/v1/store/orders/{body['order_id']}/pay", headers=buyer.headers).get_json()
    assert paying["payment"]["client_secret"] and paying["payment"]["amount_cents"] == 780
    again = client.post(f"/api/v1/store/orders/{body['order_id']}/pay", headers=buyer.headers).get_json()
    assert again["payment"]["client_secret"] == paying["payment"]["client_secret"]  # one intent
    pay_intent(intent_of(paying))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(paying)))
    row = order_row(body["order_id"])
    assert row.status.value == "paid" and row.batch_id is not None
    from app.campaigns.stock import counts

    assert counts(item) == (5, 0, 2)


def test_cancelling_gives_units_and_allowance_back(client, path):
    item = sale(limit=1)
    buyer = make_buyer()
    body = reserve(client, buyer, item).get_json()
    assert client.post(f"/api/v1/store/orders/{body['order_id']}/cancel", headers=buyer.headers).status_code == 200
    assert free(item) == 5
    if path == "redis":
        assert redis_gate.counters(item) == (5, {})
    assert reserve(client, buyer, item).status_code == 201


def test_flash_items_are_not_sold_through_ordinary_checkout(client, path):
    item = sale()
    buyer = make_buyer()
    from app.campaigns.models import CampaignItem

    sku_id = db.session.get(CampaignItem, item).sku_id
    r = client.post("/api/v1/store/orders", json={"lines": [{"sku_id": sku_id, "quantity": 1,
                                                             "campaign_item_id": item}]},
                    headers={**buyer.headers, "Idempotency-Key": "x"})
    assert_error(r, 422, "wrong_campaign_checkout")


def test_callers_who_may_not_reserve(client, path):
    item = sale()
    assert_error(client.post(f"/api/v1/store/flash-sales/{item}/reserve", json={},
                             headers={"Idempotency-Key": "k"}), 401)
    assert_error(reserve(client, make_staff(), item), 403, "shoppers_only")
    buyer = make_buyer()
    assert reserve(client, buyer, item).status_code == 201
    client.post("/api/v1/store/auth/logout", headers=buyer.headers)
    assert_error(reserve(client, buyer, item), 401, "invalid_token")  # revoked, even if cached
    assert_error(reserve(client, make_buyer(), 999999), 404, "flash_sale_item_not_found")


@pytest.mark.redis
def test_a_wrong_or_lost_redis_can_never_oversell_and_reconciliation_repairs_it(app, client):
    item = sale(stock=2, limit=5)
    from app.jobs.queue import redis_connection

    conn = redis_connection()
    left_key = [k for k in conn.scan_iter(f"{app.config['REDIS_PREFIX']}:*item:{item}*left")][0]
    conn.set(left_key, 1000)  # the gate believes there are 1000
    codes = [reserve(client, make_buyer(), item).status_code for _ in range(4)]
    assert codes == [201, 201, 409, 409] and free(item) == 0  # the database said no
    conn.set(left_key, 1000)
    assert flash.reconcile() == {"items": 1, "repaired": 1}
    assert redis_gate.counters(item)[0] == 0
    for key in conn.scan_iter(f"{app.config['REDIS_PREFIX']}:*item:{item}*"):
        conn.delete(key)  # Redis lost everything: the gate republishes from the database
    assert_error(reserve(client, make_buyer(), item), 409, "insufficient_stock")
    assert redis_gate.counters(item)[0] == 0 and free(item) == 0
    assert flash.reconcile() == {"items": 1, "repaired": 0}


def test_refusals_change_nothing(client, path):
    """Every refusal — sold out, over the limit, not open, not for this shopper, bad input — leaves
    the database as it was (on PostgreSQL they are read-only transactions that even commit)."""
    sold_out, limited = sale(stock=1, limit=5), sale(stock=5, limit=1)
    early = sale(starts_in_minutes=30)
    members = sale(members_only=True)
    assert reserve(client, make_buyer(), sold_out).status_code == 201
    buyer, latecomer = make_buyer(), make_buyer()
    assert reserve(client, buyer, limited).status_code == 201
    db.session.commit()
    with database_unchanged():
        assert_error(reserve(client, latecomer, sold_out), 409, "insufficient_stock")
        assert_error(reserve(client, buyer, limited), 409, "per_person_limit_reached")
        assert_error(reserve(client, buyer, early), 409, "campaign_not_live")
        assert_error(reserve(client, buyer, members), 403, "members_only")
        assert_error(reserve(client, buyer, limited, quantity=0), 422, "validation_error")
        assert_error(reserve(client, buyer, limited, quantity=100), 422, "validation_error")
        assert_error(client.post(f"/api/v1/store/flash-sales/{limited}/reserve", json={"quantity": 1},
                                 headers=buyer.headers), 422, "validation_error")  # no Idempotency-Key
        assert_error(client.post(f"/api/v1/store/flash-sales/{limited}/reserve", data="[1",
                                 content_type="application/json",
                                 headers={**buyer.headers, "Idempotency-Key": "k"}), 400, "malformed_json")


def test_units_spread_over_several_buckets_are_still_sold_together(client, path):
    """Five units in five buckets of one: two at once cannot come from one bucket, so the
    reservation takes one from each of two (the general path), all or nothing."""
    from app.campaigns.models import CampaignHold

    item = sale(stock=5, limit=5)
    order = reserve(client, make_buyer(), item, 2).get_json()
    db.session.commit()
    holds = db.session.scalars(sa.select(CampaignHold).where(CampaignHold.order_id == order["order_id"])).all()
    assert sorted(h.quantity for h in holds) == [1, 1] and len({h.bucket_id for h in holds}) == 2
    assert reserve(client, make_buyer(), item, 3).status_code == 201
    assert_error(reserve(client, make_buyer(), item, 1), 409, "insufficient_stock")
    assert free(item) == 0
