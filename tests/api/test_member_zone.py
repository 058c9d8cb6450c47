"""The member zone and new products first: who may buy, when, and what everyone else is shown."""
from __future__ import annotations

import datetime as dt

import time_machine

from app.db import utcnow
from tests.assertions import assert_error, database_unchanged
from tests.factories import checkout, code_of, make_buyer, make_group, make_leader, make_product, make_staff
from tests.flows import paid_order

BASE, ADMIN = "/api/v1/store", "/api/v1/admin"


def test_members_only_products_show_the_member_price_and_refuse_non_members(client):
    group = make_group(make_leader())
    product = make_product(members_only=True, skus=[{"code": "MZ", "name": "x", "price_cents": 1000,
                                                     "member_price_cents": 800, "stock_total": 5}])
    listed = client.get(f"{BASE}/groups/{code_of(group)}/products").get_json()
    shown = next(p for p in listed if p["id"] == product.id)
    assert (shown["members_only"], shown["skus"][0]["member_price_cents"]) == (True, 800)
    outsider = make_buyer(group)
    with database_unchanged():
        assert_error(checkout(client, outsider, [(product.skus[0].id, 1)]), 403, "members_only")
    client.post(f"{BASE}/membership", headers=outsider.headers)
    r = checkout(client, outsider, [(product.skus[0].id, 1)])
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["lines"][0]["unit_price_cents"], r.get_json()["lines"][0]["price_rule"]) == (800, "member")


def test_a_member_zone_from_a_tier_up(client):
    staff = make_staff()
    gold = client.post(f"{ADMIN}/loyalty/tiers", headers=staff.headers,
                       json={"name": "Gold", "min_growth": 20}).get_json()
    product = make_product(members_only=True, min_tier_id=gold["id"])
    plain = make_product(skus=[{"code": "PL", "name": "x", "price_cents": 2500, "stock_total": 5}])
    buyer = make_buyer()
    client.post(f"{BASE}/membership", headers=buyer.headers)
    assert_error(checkout(client, buyer, [(product.skus[0].id, 1)]), 403, "tier_required")
    paid_order(client, buyer, [(plain.skus[0].id, 1)])  # 25 growth points: Gold
    assert checkout(client, buyer, [(product.skus[0].id, 1)]).status_code == 201


def test_new_products_open_to_members_first_and_to_their_tier_earlier_still(client):
    staff = make_staff()
    client.patch(f"{ADMIN}/loyalty/program", headers=staff.headers, json={"new_product_member_hours": 12})
    client.post(f"{ADMIN}/loyalty/tiers", headers=staff.headers,
                json={"name": "VIP", "min_growth": 1, "early_access_hours": 48})
    release = utcnow() + dt.timedelta(hours=24)
    product = make_product(is_new=True, released_at=release)
    sku = product.skus[0].id
    plain = make_product(skus=[{"code": "NP", "name": "x", "price_cents": 100, "stock_total": 5}]).skus[0].id
    shopper, member, vip = make_buyer(), make_buyer(), make_buyer()
    for m in (member, vip):
        client.post(f"{BASE}/membership", headers=m.headers)
    paid_order(client, vip, [(plain, 1)])
    error = assert_error(checkout(client, member, [(sku, 1)]), 409, "not_on_sale_yet")
    assert error["details"]["opens_at"] == (release - dt.timedelta(hours=12)).isoformat()
    assert checkout(client, vip, [(sku, 1)]).status_code == 201  # 48 hours early
    with time_machine.travel(release - dt.timedelta(hours=11)):
        assert checkout(client, member, [(sku, 1)]).status_code == 201
        assert_error(checkout(client, shopper, [(sku, 1)]), 409, "not_on_sale_yet")
    with time_machine.travel(release + dt.timedelta(minutes=1)):
        assert checkout(client, shopper, [(sku, 1)]).status_code == 201


def test_a_new_product_needs_its_release_time(client):
    staff = make_staff()
    body = {"name": "Fresh", "status": "active", "is_new": True,
            "skus": [{"code": "FR", "name": "x", "price_cents": 100}]}
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/products", headers=staff.headers, json=body), 422,
                     "release_time_required")
        bad = body | {"is_new": False, "skus": [{"code": "FR", "name": "x", "price_cents": 100,
                                                 "member_price_cents": 150}]}
        assert_error(client.post(f"{ADMIN}/products", headers=staff.headers, json=bad), 422, "invalid_member_price")
