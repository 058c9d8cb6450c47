"""Referral rewards (a referred shopper's first paid order rewards the referrer, once) and social
value (direct and second-level referred spend)."""
from __future__ import annotations

from app.groups.services import add_link
from tests.factories import join, make_group, make_leader, make_product, make_shopper, make_staff
from tests.flows import paid_order

BASE, ADMIN = "/api/v1/store", "/api/v1/admin"


def referred_by(referrer, group):
    shopper = make_shopper()
    join(shopper, group, add_link(group.id, referrer.account.id).code)
    return shopper


def test_the_first_paid_order_of_a_referred_shopper_rewards_the_referrer_once(client):
    staff = make_staff()
    t = client.post(f"{ADMIN}/coupon-templates", headers=staff.headers, json={
        "name": "Thanks", "kind": "amount", "amount_off_cents": 500, "valid_days": 30}).get_json()
    r = client.patch(f"{ADMIN}/loyalty/program", headers=staff.headers,
                     json={"referral_reward_points": 200, "referral_coupon_template_id": t["id"]})
    assert r.status_code == 200, r.get_json()
    group = make_group(make_leader())
    alice = make_shopper()
    join(alice, group)
    client.post(f"{BASE}/membership", headers=alice.headers)
    bob = referred_by(alice, group)
    sku = make_product(skus=[{"code": "RF", "name": "x", "price_cents": 3000, "stock_total": 20}]).skus[0]
    paid_order(client, bob, [(sku.id, 1)])
    paid_order(client, bob, [(sku.id, 1)])
    entries = client.get(f"{BASE}/points/entries", headers=alice.headers).get_json()
    assert [(e["kind"], e["delta"]) for e in entries] == [("reward", 200)]
    coupons = client.get(f"{BASE}/coupons", headers=alice.headers).get_json()
    assert [(c["source"], c["amount_off_cents"]) for c in coupons] == [("referral", 500)]


def test_social_value_counts_direct_and_second_level_spend(client):
    staff = make_staff()
    group = make_group(make_leader())
    alice = make_shopper()
    join(alice, group)
    bob = referred_by(alice, group)
    carol = referred_by(bob, group)
    dave = referred_by(alice, group)
    sku = make_product(skus=[{"code": "SV", "name": "x", "price_cents": 1000, "stock_total": 20}]).skus[0]
    paid_order(client, bob, [(sku.id, 2)])
    paid_order(client, carol, [(sku.id, 3)])
    paid_order(client, dave, [(sku.id, 1)])
    mine = client.get(f"{BASE}/referrals", headers=alice.headers).get_json()
    assert (mine["direct_shoppers"], mine["direct_spend_cents"]) == (2, 3000)
    assert (mine["second_level_shoppers"], mine["second_level_spend_cents"]) == (1, 3000)
    seen = client.get(f"{ADMIN}/shoppers/{bob.account.id}/social-value", headers=staff.headers).get_json()
    assert (seen["direct_shoppers"], seen["direct_spend_cents"], seen["second_level_shoppers"]) == (1, 3000, 0)
