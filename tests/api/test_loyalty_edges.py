"""Edges found in review: late payments reviving an expired order take its discounts again, a
surplus refund moves no points, closes by other paths give discounts back, pay-at-pickup
shortfalls return points, a renewal raced with one key extends once, a card-paid fee uses the fee
it started with."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.db import utcnow
from app.extensions import db
from app.loyalty import ledger
from app.loyalty.models import PointsKind
from app.members.services import join as join_membership
from app.wallet import ledger as wallet
from app.wallet.models import WalletKind
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import make_buyer, make_product, make_staff
from tests.flows import order_row
from tests.stripe_helpers import event_payload, intent_event, intent_of, pay_intent, post_webhook

BASE, ADMIN = "/api/v1/store", "/api/v1/admin"


def member_with_points(points: int):
    buyer = make_buyer()
    join_membership(buyer.account.id)
    ledger.post(buyer.account.id, PointsKind.ADJUST, points, ref=f"gift:{buyer.account.id}")
    db.session.commit()
    return buyer


def balance(buyer) -> int:
    db.session.commit()
    from app.members.models import Membership

    return db.session.get(Membership, buyer.account.id, populate_existing=True).points_balance


def coupon_for(client, staff, buyer) -> int:
    t = client.post(f"{ADMIN}/coupon-templates", headers=staff.headers, json={
        "name": "5 off", "kind": "amount", "amount_off_cents": 500, "valid_days": 30}).get_json()
    r = client.post(f"{ADMIN}/coupon-templates/{t['id']}/issue", json={"account_ids": [buyer.account.id]},
                    headers={**staff.headers, "Idempotency-Key": f"i{buyer.account.id}"})
    return r.get_json()["issued"][0]["id"]


def order_with(client, buyer, sku_id, **extra):
    body = {"lines": [{"sku_id": sku_id, "quantity": 1}]} | extra
    key = "k-" + "-".join(map(str, extra.values()))
    r = client.post(f"{BASE}/orders", json=body, headers={**buyer.headers, "Idempotency-Key": key})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_late_payment_reviving_an_expired_order_takes_its_coupon_and_points_again(client):
    from app.orders.services import expire_overdue

    staff = make_staff()
    sku = make_product(skus=[{"code": "LT", "name": "x", "price_cents": 10000, "stock_total": 5}]).skus[0]
    buyer = member_with_points(100)
    coupon_id = coupon_for(client, staff, buyer)
    order = order_with(client, buyer, sku.id, coupon_id=coupon_id, points=50)
    with time_machine.travel(utcnow() + dt.timedelta(hours=2)):
        expire_overdue()  # (it also cancels the intent at Stripe; the card payment below beat that)
        assert balance(buyer) == 100  # given back at expiry
        intent = {"id": intent_of(order), "object": "payment_intent", "status": "succeeded",
                  "amount": order["total_cents"], "amount_received": order["total_cents"], "metadata": {}}
        post_webhook(client, event_payload("payment_intent.succeeded", intent))
    row = order_row(order["id"])
    assert row.status.value == "paid"
    assert balance(buyer) == 50 + 94  # taken again, then earned on 94.50 paid
    from app.coupons.models import Coupon

    assert db.session.get(Coupon, coupon_id).order_id == order["id"]


def test_a_surplus_refund_on_a_paid_order_moves_no_points(client):
    from app.payments.models import Payment
    from app.payments.refunds import refund_surplus_payment

    sku = make_product(skus=[{"code": "SU", "name": "x", "price_cents": 5000, "stock_total": 5}]).skus[0]
    buyer = member_with_points(100)
    order = order_with(client, buyer, sku.id, points=20)
    pay_intent(intent_of(order))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    before = balance(buyer)
    row = order_row(order["id"])
    extra = Payment(order_id=row.id, provider="pay_at_pickup", amount_cents=row.total_cents, status="succeeded")
    db.session.add(extra)
    db.session.execute(sa.update(type(row)).where(type(row).id == row.id)
                       .values(paid_cents=type(row).paid_cents + row.total_cents))
    db.session.commit()
    refund_surplus_payment(extra.id)
    assert balance(buyer) == before


def test_pay_at_pickup_shortfall_gives_back_the_points_spent_on_missing_units(client):
    from tests.factories import make_group, make_leader
    from tests.flows import batch_of, deliver

    staff, leader = make_staff(), make_leader()
    group = make_group(leader)
    from app.groups.services import update_group

    update_group(group, {"pay_at_pickup_allowed": True}, as_staff=True)
    sku = make_product(skus=[{"code": "PS", "name": "x", "price_cents": 1000, "stock_total": 10}]).skus[0]
    buyer = make_buyer(group)
    join_membership(buyer.account.id)
    ledger.post(buyer.account.id, PointsKind.ADJUST, 1000, ref="gift-ps")
    db.session.commit()
    body = {"lines": [{"sku_id": sku.id, "quantity": 4}], "payment_method": "pay_at_pickup", "points": 1000}
    order = client.post(f"{BASE}/orders", json=body, headers={**buyer.headers, "Idempotency-Key": "ps"}).get_json()
    assert order["total_cents"] == 3000
    batch = batch_of(client, staff, order)
    line_id = order["lines"][0]["id"]
    deliver(client, staff, leader, batch["id"], shortages=[{"order_line_id": line_id, "quantity": 1,
                                                             "reason": "damaged"}])
    code = order_row(order["id"]).pickup_code
    # the leader collects the amount due (three quarters of 30.00), as the handover requires
    r = client.post("/api/v1/leader/pickups", headers=leader.headers, json={"code": code, "collected_cents": 2250})
    assert r.status_code == 200, r.get_json()
    assert order_row(order["id"]).paid_cents == 2250  # three quarters of 30.00
    assert balance(buyer) == 250 + 22  # a quarter of the points back, plus points earned on 22.50


def test_issuing_to_an_unknown_or_staff_account_is_refused_per_account(client):
    staff = make_staff()
    buyer = make_buyer()
    t = client.post(f"{ADMIN}/coupon-templates", headers=staff.headers, json={
        "name": "x", "kind": "amount", "amount_off_cents": 100, "valid_days": 3}).get_json()
    r = client.post(f"{ADMIN}/coupon-templates/{t['id']}/issue", headers={**staff.headers, "Idempotency-Key": "k"},
                    json={"account_ids": [buyer.account.id, 999_999, staff.account.id]}).get_json()
    assert [c["account_id"] for c in r["issued"]] == [buyer.account.id]
    assert [(x["account_id"], x["code"]) for x in r["refused"]] == [(999_999, "unknown_shopper"),
                                                                     (staff.account.id, "unknown_shopper")]


def test_a_huge_coupon_id_is_a_validation_error(client):
    sku = make_product().skus[0]
    buyer = make_buyer()
    body = {"lines": [{"sku_id": sku.id, "quantity": 1}], "coupon_id": 10**20}
    assert_error(client.post(f"{BASE}/orders", json=body, headers={**buyer.headers, "Idempotency-Key": "h"}), 422)


def test_a_card_paid_fee_uses_the_fee_it_started_with(client):
    from app.wallet.models import TopUp

    staff = make_staff()
    client.patch(f"{ADMIN}/loyalty/program", headers=staff.headers, json={"membership_fee_cents": 1000})
    buyer = make_buyer()
    pending = client.post(f"{BASE}/membership", headers={**buyer.headers, "Idempotency-Key": "f"},
                          json={"payment_method": "stripe"}).get_json()["pending_payment"]
    client.patch(f"{ADMIN}/loyalty/program", headers=staff.headers, json={"membership_fee_cents": 5000})
    db.session.commit()
    intent = db.session.get(TopUp, pending["top_up_id"]).provider_ref
    pay_intent(intent)
    assert post_webhook(client, intent_event("payment_intent.succeeded", intent)).status_code == 200
    mine = client.get(f"{BASE}/membership", headers=buyer.headers).get_json()
    assert mine["active"] is True
    assert client.get(f"{BASE}/wallet", headers=buyer.headers).get_json()["total_cents"] == 0


@pytest.mark.postgres
def test_a_renewal_raced_with_one_key_charges_once_and_extends_once(app, client):
    staff = make_staff()
    client.patch(f"{ADMIN}/loyalty/program", headers=staff.headers,
                 json={"membership_fee_cents": 1000, "membership_days": 30})
    buyer = make_buyer()
    wallet.post(buyer.account.id, WalletKind.ADJUST, 10_000, 0, ref="gift-r")
    db.session.commit()
    headers = {**buyer.headers, "Idempotency-Key": "renew-1"}

    def renew(c, i):
        return c.post(f"{BASE}/membership", headers=headers, json={"payment_method": "wallet"})

    responses = race(app, 6, renew)
    assert {r.status_code for r in responses} == {200}, [r.get_json() for r in responses]
    mine = client.get(f"{BASE}/membership", headers=buyer.headers).get_json()
    days = (dt.datetime.fromisoformat(mine["expires_at"]) - utcnow()).days
    assert 29 <= days <= 30
    assert client.get(f"{BASE}/wallet", headers=buyer.headers).get_json()["total_cents"] == 9000
