"""Coupons: templates and their limits, issuing once per source, applying at checkout, redeeming
atomically (ten concurrent checkouts, one coupon: one use), released when an order closes unpaid."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from app.coupons import services as coupons
from app.db import utcnow
from app.extensions import db
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import make_buyer, make_category, make_product, make_staff
from tests.flows import order_row

ADMIN, BASE = "/api/v1/admin", "/api/v1/store"


def template(client, staff, **data):
    body = {"name": "Ten off", "kind": "amount", "amount_off_cents": 1000, "valid_days": 30} | data
    r = client.post(f"{ADMIN}/coupon-templates", headers=staff.headers, json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def issue(client, staff, template_id, *buyers, key="k1"):
    r = client.post(f"{ADMIN}/coupon-templates/{template_id}/issue",
                    json={"account_ids": [b.account.id for b in buyers]},
                    headers={**staff.headers, "Idempotency-Key": key})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def order(client, buyer, lines, coupon_id=None, key=None, **extra):
    import uuid

    body = {"lines": [{"sku_id": s, "quantity": q} for s, q in lines], "coupon_id": coupon_id} | extra
    return client.post(f"{BASE}/orders", json=body,
                       headers={**buyer.headers, "Idempotency-Key": key or str(uuid.uuid4())})


def test_template_shape_is_validated(client):
    staff = make_staff()
    with database_unchanged():
        for bad in ({"kind": "amount", "amount_off_cents": None}, {"kind": "percent", "percent_off": 101},
                    {"kind": "percent", "percent_off": 10, "amount_off_cents": 5}, {"valid_days": None},
                    {"product_ids": [999999]}):
            body = {"name": "x", "kind": "amount", "amount_off_cents": 100, "valid_days": 3} | bad
            r = client.post(f"{ADMIN}/coupon-templates", headers=staff.headers, json=body)
            assert r.status_code == 422, (bad, r.get_json())


def test_issuing_is_once_per_key_and_respects_the_limits(client):
    staff = make_staff()
    t = template(client, staff, per_person_limit=1, total_limit=2)
    a, b, c = make_buyer(), make_buyer(), make_buyer()
    first = issue(client, staff, t["id"], a, b)
    assert [x["account_id"] for x in first["issued"]] == [a.account.id, b.account.id]
    assert issue(client, staff, t["id"], a, b)["issued"] == first["issued"]  # the same key: nothing new
    again = issue(client, staff, t["id"], a, c, key="k2")
    assert [(x["account_id"], x["code"]) for x in again["refused"]] == [
        (a.account.id, "coupon_per_person_limit"), (c.account.id, "coupons_exhausted")]
    assert client.get(f"{ADMIN}/coupon-templates", headers=staff.headers).get_json()[0]["issued_count"] == 2


def test_a_coupon_takes_its_amount_off_eligible_lines_only(client):
    staff = make_staff()
    fruit = make_category()
    apples = make_product(category_id=fruit.id, skus=[{"code": "AP", "name": "x", "price_cents": 3000,
                                                       "stock_total": 10}]).skus[0]
    soap = make_product(skus=[{"code": "SO", "name": "x", "price_cents": 2000, "stock_total": 10}]).skus[0]
    t = template(client, staff, category_ids=[fruit.id], min_spend_cents=5000)
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    stranger = make_buyer()
    with database_unchanged():  # 30.00 of fruit is under the 50.00 minimum (the soap does not count)
        assert_error(order(client, buyer, [(apples.id, 1), (soap.id, 3)], coupon_id), 422, "coupon_min_spend_not_met")
        assert_error(order(client, buyer, [(soap.id, 1)], coupon_id), 422, "coupon_not_applicable")
        assert_error(order(client, stranger, [(apples.id, 2)], coupon_id), 422, "unknown_coupon")
    r = order(client, buyer, [(apples.id, 2), (soap.id, 1)], coupon_id)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["subtotal_cents"], body["coupon_discount_cents"], body["total_cents"]) == (8000, 1000, 7000)
    assert [(ln["sku_id"], ln["discount_cents"]) for ln in body["lines"]] == [(apples.id, 1000), (soap.id, 0)]
    mine = client.get(f"{BASE}/coupons", headers=buyer.headers).get_json()
    assert (mine[0]["status"], mine[0]["order_id"]) == ("used", body["id"])


def test_percent_coupons_round_down_and_spread_exactly(client):
    staff = make_staff()
    a = make_product(skus=[{"code": "PA", "name": "x", "price_cents": 333, "stock_total": 10}]).skus[0]
    b = make_product(skus=[{"code": "PB", "name": "x", "price_cents": 667, "stock_total": 10}]).skus[0]
    t = template(client, staff, kind="percent", percent_off=15, amount_off_cents=None)
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    body = order(client, buyer, [(a.id, 1), (b.id, 2)], coupon_id).get_json()
    assert body["coupon_discount_cents"] == 1667 * 15 // 100 == 250
    assert sum(ln["discount_cents"] for ln in body["lines"]) == 250
    assert sum(ln["line_total_cents"] for ln in body["lines"]) == body["total_cents"] == 1417


def test_an_unpaid_order_gives_its_coupon_back_and_an_expired_coupon_is_refused(client):
    staff = make_staff()
    sku = make_product().skus[0]
    t = template(client, staff, valid_days=2)
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    body = order(client, buyer, [(sku.id, 2)], coupon_id).get_json()
    assert_error(order(client, buyer, [(sku.id, 2)], coupon_id), 409, "coupon_unavailable")
    assert client.post(f"{BASE}/orders/{body['id']}/cancel", headers=buyer.headers).status_code == 200
    assert client.get(f"{BASE}/coupons", headers=buyer.headers).get_json()[0]["status"] == "available"
    with time_machine.travel(utcnow() + dt.timedelta(days=3)):
        assert client.get(f"{BASE}/coupons", headers=buyer.headers).get_json()[0]["status"] == "expired"
        with database_unchanged():
            assert_error(order(client, buyer, [(sku.id, 2)], coupon_id), 409, "coupon_unavailable")


def test_a_paid_order_keeps_its_coupon_used_after_a_refund(client):
    staff = make_staff()
    sku = make_product().skus[0]
    t = template(client, staff)
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    body = order(client, buyer, [(sku.id, 2)], coupon_id).get_json()
    from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook

    pay_intent(intent_of(body))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(body)))
    r = client.post(f"{ADMIN}/orders/{body['id']}/refunds", headers={**staff.headers, "Idempotency-Key": "r"},
                    json={"reason": "x"})
    assert r.status_code in (200, 201), r.get_json()
    assert order_row(body["id"]).refunded_cents == 1000  # what was paid: 20.00 less the 10.00 coupon
    assert client.get(f"{BASE}/coupons", headers=buyer.headers).get_json()[0]["status"] == "used"


def test_coupons_do_not_combine_with_campaign_orders_or_other_shoppers(client):
    staff = make_staff()
    t = template(client, staff)
    buyer = make_buyer()
    coupon = coupons.issue_coupon(t["id"], buyer.account.id, source="referral", source_ref="referral:x")
    again = coupons.issue_coupon(t["id"], buyer.account.id, source="referral", source_ref="referral:x")
    db.session.commit()
    assert again.id == coupon.id


@pytest.mark.postgres
def test_one_coupon_in_ten_concurrent_checkouts_is_used_once(app, client):
    staff = make_staff()
    sku = make_product(skus=[{"code": "CC", "name": "x", "price_cents": 5000, "stock_total": 100}]).skus[0]
    t = template(client, staff)
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    sku_id, headers = sku.id, buyer.headers
    body = {"lines": [{"sku_id": sku_id, "quantity": 1}], "coupon_id": coupon_id}

    def attempt(c, i):
        return c.post(f"{BASE}/orders", json=body, headers={**headers, "Idempotency-Key": f"race-{i}"})

    responses = race(app, 10, attempt)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 9, [r.get_json() for r in responses]
    assert {r.get_json()["error"]["code"] for r in responses if r.status_code == 409} == {"coupon_unavailable"}
    db.session.commit()
    import sqlalchemy as sa

    from app.orders.models import Order

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.coupon_id == coupon_id)) == 1


def test_a_member_day_coupon_reaches_every_member_once_a_day(client):
    from app.coupons.models import Coupon
    from app.jobs.schedule import campaigns_sweep_job
    from app.members.services import join as join_membership
    from tests.factories import make_campaign, make_group, make_leader

    staff = make_staff()
    t = template(client, staff, name="Member day: 5 off", amount_off_cents=500, valid_days=1)
    sku = make_product(skus=[{"code": "MD", "name": "x", "price_cents": 1000, "stock_total": 10}]).skus[0]
    group = make_group(make_leader())
    with time_machine.travel(dt.datetime(2031, 5, 1, tzinfo=dt.UTC), tick=False):
        make_campaign("member_day", items=[(sku.id, 800, None)], minutes=60 * 24 * 90, day_of_month=10,
                      coupon_template_id=t["id"])
        first, second, outsider = make_buyer(group), make_buyer(group), make_buyer(group)
        join_membership(first.account.id)
        join_membership(second.account.id)
    with time_machine.travel(dt.datetime(2031, 5, 9, 12, tzinfo=dt.UTC), tick=False):
        campaigns_sweep_job()
        assert client.get(f"{BASE}/coupons", headers=first.headers).get_json() == []
    with time_machine.travel(dt.datetime(2031, 5, 10, 2, tzinfo=dt.UTC), tick=False):  # 10:00 in Shanghai
        mine = client.get(f"{BASE}/coupons", headers=first.headers).get_json()  # before any sweep: handed over
        assert [(c["source"], c["amount_off_cents"]) for c in mine] == [("member_day", 500)]
        assert campaigns_sweep_job()["member_day_coupons"] == {"campaigns": 1, "members": 2}
        campaigns_sweep_job()
        assert client.get(f"{BASE}/coupons", headers=outsider.headers).get_json() == []
    db.session.commit()
    from sqlalchemy import func, select

    per_account = dict(db.session.execute(select(Coupon.account_id, func.count()).group_by(Coupon.account_id)).all())
    assert per_account == {first.account.id: 1, second.account.id: 1}
    with time_machine.travel(dt.datetime(2031, 6, 10, 2, tzinfo=dt.UTC), tick=False):  # next month's member day
        campaigns_sweep_job()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Coupon)) == 4


def test_a_coupon_on_a_day_is_a_member_day_offer(client):
    from app.errors import InvalidRequest
    from tests.factories import make_campaign

    staff = make_staff()
    t = template(client, staff)
    with pytest.raises(InvalidRequest):
        make_campaign("flash_sale", coupon_template_id=t["id"])
