"""Coupons: the behaviours a mutation run of app/coupons found unguarded (docs/testing.md, "Mutation
testing"): withdrawing and deactivating, validity windows taken from the template, the boundaries of
"expired" and "not yet valid", coupons scoped to products, an amount larger than what it covers."""
from __future__ import annotations

import datetime as dt

import time_machine

from app.coupons import services as coupons
from app.coupons.models import Coupon
from app.db import utcnow
from app.extensions import db
from tests.api.test_coupons import ADMIN, BASE, issue, order, template
from tests.assertions import assert_error, database_unchanged
from tests.factories import make_buyer, make_product, make_staff


def test_a_withdrawn_coupon_cannot_be_used_or_withdrawn_again(client):
    staff = make_staff()
    sku = make_product().skus[0]
    t = template(client, staff)
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    r = client.post(f"{ADMIN}/coupons/{coupon_id}/void", headers=staff.headers)
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["id"], r.get_json()["status"]) == (coupon_id, "void")
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/coupons/{coupon_id}/void", headers=staff.headers), 409,
                     "coupon_not_available")
        r = client.post(f"{ADMIN}/coupons/999999/void", headers=staff.headers)
        assert_error(r, 404, "coupon_not_found")
        assert r.get_json()["error"]["details"] == {"id": 999999}
        r = order(client, buyer, [(sku.id, 1)], coupon_id)
        assert_error(r, 409, "coupon_unavailable")
        assert r.get_json()["error"]["details"]["status"] == "void"


def test_a_used_coupon_cannot_be_withdrawn(client):
    staff = make_staff()
    sku = make_product().skus[0]
    t = template(client, staff)
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    assert order(client, buyer, [(sku.id, 2)], coupon_id).status_code == 201
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/coupons/{coupon_id}/void", headers=staff.headers), 409,
                     "coupon_not_available")


def test_a_deactivated_template_issues_no_more_but_its_coupons_stay_usable(client):
    staff = make_staff()
    sku = make_product().skus[0]
    t = template(client, staff)
    buyer, late = make_buyer(), make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    r = client.post(f"{ADMIN}/coupon-templates/{t['id']}/deactivate", headers=staff.headers)
    assert (r.status_code, r.get_json()["is_active"]) == (200, False)
    r = client.post(f"{ADMIN}/coupon-templates/999999/deactivate", headers=staff.headers)
    assert_error(r, 404, "coupon_template_not_found")
    assert r.get_json()["error"]["details"] == {"id": 999999}
    refused = issue(client, staff, t["id"], late, key="k2")
    assert (refused["issued"], [x["code"] for x in refused["refused"]]) == ([], ["coupon_template_inactive"])
    assert order(client, buyer, [(sku.id, 2)], coupon_id).status_code == 201


def test_only_shoppers_hold_coupons_and_an_unknown_template_is_404(client):
    staff = make_staff()
    t = template(client, staff)
    r = client.post(f"{ADMIN}/coupon-templates/{t['id']}/issue", json={"account_ids": [staff.account.id, 999999]},
                    headers={**staff.headers, "Idempotency-Key": "k"})
    assert r.status_code == 200, r.get_json()
    assert [(x["account_id"], x["code"]) for x in r.get_json()["refused"]] == [
        (staff.account.id, "unknown_shopper"), (999999, "unknown_shopper")]
    r = client.post(f"{ADMIN}/coupon-templates/999999/issue", json={"account_ids": [staff.account.id]},
                    headers={**staff.headers, "Idempotency-Key": "k"})
    assert r.status_code == 404


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC) if "+" not in text else \
        dt.datetime.fromisoformat(text)


def test_a_coupon_starts_when_its_template_does_and_is_not_usable_before(client):
    staff = make_staff()
    sku = make_product().skus[0]
    start = (utcnow() + dt.timedelta(days=2)).replace(microsecond=0)
    t = template(client, staff, valid_from=start.isoformat(), valid_days=10)
    buyer = make_buyer()
    coupon = issue(client, staff, t["id"], buyer)["issued"][0]
    assert _at(coupon["valid_from"]) == start
    assert coupon["status"] == "not_yet_valid"
    with database_unchanged():
        r = order(client, buyer, [(sku.id, 2)], coupon["id"])
        assert_error(r, 409, "coupon_unavailable")
        assert r.get_json()["error"]["details"]["status"] == "not_yet_valid"
    with time_machine.travel(start, tick=False):  # from its first instant on
        assert client.get(f"{BASE}/coupons", headers=buyer.headers).get_json()[0]["status"] == "available"
        assert order(client, buyer, [(sku.id, 2)], coupon["id"]).status_code == 201


def test_a_template_end_caps_the_days_and_an_ended_template_issues_nothing(client):
    staff = make_staff()
    end = (utcnow() + dt.timedelta(days=3)).replace(microsecond=0)
    t = template(client, staff, valid_until=end.isoformat(), valid_days=30)
    buyer = make_buyer()
    coupon = issue(client, staff, t["id"], buyer)["issued"][0]
    assert _at(coupon["valid_until"]) == end
    only_end = template(client, staff, valid_until=end.isoformat(), valid_days=None)
    assert _at(issue(client, staff, only_end["id"], buyer, key="k3")["issued"][0]["valid_until"]) == end
    days = template(client, staff, valid_days=1)
    early = end - dt.timedelta(days=2)
    got = coupons.issue_coupon(days["id"], buyer.account.id, source="merchant", source_ref="m:days", now=early)
    assert (got.valid_from, got.valid_until) == (early, early + dt.timedelta(days=1))
    db.session.rollback()
    try:  # the template's last instant has passed
        coupons.issue_coupon(t["id"], make_buyer().account.id, source="merchant", source_ref="m:late", now=end)
    except Exception as error:  # noqa: BLE001 - the domain Conflict
        assert error.code == "coupon_template_expired"
    else:
        raise AssertionError("issued after the template ended")

def _an_order(client, buyer) -> int:
    r = order(client, buyer, [(make_product().skus[0].id, 1)])
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_expired_and_not_yet_valid_at_their_exact_instants(client):
    staff = make_staff()
    t = template(client, staff)
    buyer = make_buyer()
    order_id = _an_order(client, buyer)
    coupon = coupons.issue_coupon(t["id"], buyer.account.id, source="merchant", source_ref="m:1")
    db.session.commit()
    assert coupons.shown_status(coupon, coupon.valid_until) == "expired"
    assert coupons.shown_status(coupon, coupon.valid_until - dt.timedelta(microseconds=1)) == "available"
    assert coupons.shown_status(coupon, coupon.valid_from) == "available"
    assert coupons.shown_status(coupon, coupon.valid_from - dt.timedelta(microseconds=1)) == "not_yet_valid"
    # Redeeming answers the same at those instants (its UPDATE carries the window).
    coupons.redeem(coupon.id, buyer.account.id, order_id, coupon.valid_from)
    db.session.rollback()
    for instant in (coupon.valid_until, coupon.valid_from - dt.timedelta(microseconds=1)):
        try:
            coupons.redeem(coupon.id, buyer.account.id, order_id, instant)
        except Exception as error:  # noqa: BLE001 - the domain Conflict
            assert error.code == "coupon_unavailable"
        else:
            raise AssertionError(f"redeemed at {instant}")
    assert db.session.get(Coupon, coupon.id, populate_existing=True).status.value == "available"


def test_redeem_marks_the_coupon_used_by_that_order_at_that_time(client):
    staff = make_staff()
    t = template(client, staff)
    buyer, other = make_buyer(), make_buyer()
    order_id = _an_order(client, buyer)
    coupon = coupons.issue_coupon(t["id"], buyer.account.id, source="merchant", source_ref="m:2")
    db.session.commit()
    now = utcnow()
    try:
        coupons.redeem(coupon.id, other.account.id, order_id, now)
    except Exception as error:  # noqa: BLE001 - the domain Conflict
        assert error.code == "coupon_unavailable"
    else:
        raise AssertionError("another shopper's coupon was redeemed")
    coupons.redeem(coupon.id, buyer.account.id, order_id, now)
    row = db.session.get(Coupon, coupon.id, populate_existing=True)
    assert (row.status.value, row.order_id) == ("used", order_id)
    assert row.used_at.replace(tzinfo=None) == now.replace(tzinfo=None)
    db.session.rollback()


def test_a_coupon_for_named_products_covers_only_them_and_never_more_than_they_cost(client):
    staff = make_staff()
    cheap = make_product(skus=[{"code": "CH", "name": "x", "price_cents": 300, "stock_total": 10}])
    other = make_product(skus=[{"code": "OT", "name": "x", "price_cents": 2000, "stock_total": 10}])
    t = template(client, staff, product_ids=[cheap.id], amount_off_cents=1000)
    assert t["product_ids"] == [cheap.id]
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    with database_unchanged():
        assert_error(order(client, buyer, [(other.skus[0].id, 1)], coupon_id), 422, "coupon_not_applicable")
        assert_error(order(client, buyer, [(cheap.skus[0].id, 1)], 999999), 422, "unknown_coupon")
    body = order(client, buyer, [(cheap.skus[0].id, 2), (other.skus[0].id, 1)], coupon_id).get_json()
    # 10.00 off, but the product it names comes to 6.00: 6.00 off, nothing off the other product.
    assert (body["subtotal_cents"], body["coupon_discount_cents"], body["total_cents"]) == (2600, 600, 2000)
    assert [(ln["sku_id"], ln["discount_cents"]) for ln in body["lines"]] == [
        (cheap.skus[0].id, 600), (other.skus[0].id, 0)]


def test_a_category_coupon_skips_products_of_another_category_and_campaign_priced_lines(client):
    from app.coupons.models import CouponTemplate
    from app.errors import InvalidRequest
    from tests.factories import make_category

    staff = make_staff()
    fruit, tools = make_category(), make_category()
    hammer = make_product(category_id=tools.id, skus=[{"code": "HM", "name": "x", "price_cents": 3000,
                                                        "stock_total": 10}]).skus[0]
    t = template(client, staff, category_ids=[fruit.id])
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    with database_unchanged():
        assert_error(order(client, buyer, [(hammer.id, 1)], coupon_id), 422, "coupon_not_applicable")
    # A campaign-priced line takes no coupon even in the coupon's own category.
    tmpl = db.session.get(CouponTemplate, t["id"])
    campaign_line = coupons.DiscountLine(1, 1, fruit.id, 5000, campaign=True)
    plain_line = coupons.DiscountLine(2, 2, fruit.id, 2000, campaign=False)
    assert coupons.discount(tmpl, [campaign_line, plain_line]) == {2: 1000}
    try:
        coupons.discount(tmpl, [campaign_line])
    except InvalidRequest as error:
        assert error.code == "coupon_not_applicable"
    else:
        raise AssertionError("a coupon applied to a campaign-priced line")


def test_my_coupons_list_the_soonest_to_expire_first(client):
    staff = make_staff()
    longer, shorter = template(client, staff, valid_days=30), template(client, staff, valid_days=2)
    buyer = make_buyer()
    first = issue(client, staff, longer["id"], buyer)["issued"][0]["id"]
    second = issue(client, staff, shorter["id"], buyer, key="k2")["issued"][0]["id"]
    assert [c["id"] for c in client.get(f"{BASE}/coupons", headers=buyer.headers).get_json()] == [second, first]


def test_why_a_coupon_cannot_be_used_is_said_per_state(client):
    staff = make_staff()
    sku = make_product().skus[0]
    t = template(client, staff)
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    assert order(client, buyer, [(sku.id, 1)], coupon_id).status_code == 201
    r = order(client, buyer, [(sku.id, 1)], coupon_id)
    assert_error(r, 409, "coupon_unavailable")
    error = r.get_json()["error"]
    assert (error["message"], error["details"]) == ("This coupon has been used", {"coupon_id": coupon_id,
                                                                                   "status": "used"})


def test_cancelling_one_order_gives_back_only_its_own_coupon_and_clears_when_it_was_used(client):
    staff = make_staff()
    sku = make_product().skus[0]
    t = template(client, staff)
    mine, theirs = make_buyer(), make_buyer()
    issued = issue(client, staff, t["id"], mine, theirs)["issued"]
    kept = order(client, theirs, [(sku.id, 2)], issued[1]["id"]).get_json()
    cancelled = order(client, mine, [(sku.id, 2)], issued[0]["id"]).get_json()
    assert client.post(f"{BASE}/orders/{cancelled['id']}/cancel", headers=mine.headers).status_code == 200
    back = client.get(f"{BASE}/coupons", headers=mine.headers).get_json()[0]
    assert (back["status"], back["order_id"], back["used_at"]) == ("available", None, None)
    still = client.get(f"{BASE}/coupons", headers=theirs.headers).get_json()[0]
    assert (still["status"], still["order_id"]) == ("used", kept["id"])
    assert still["used_at"] is not None


def test_spending_exactly_the_minimum_is_enough(client):
    staff = make_staff()
    sku = make_product().skus[0]  # 10.00
    t = template(client, staff, min_spend_cents=2000, amount_off_cents=500)
    buyer = make_buyer()
    coupon_id = issue(client, staff, t["id"], buyer)["issued"][0]["id"]
    r = order(client, buyer, [(sku.id, 2)], coupon_id)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["coupon_discount_cents"], r.get_json()["total_cents"]) == (500, 1500)


def test_unknown_products_and_categories_are_named_by_their_own_codes(client):
    staff = make_staff()
    with database_unchanged():
        for field, code in (("product_ids", "unknown_product"), ("category_ids", "unknown_category")):
            body = {"name": "x", "kind": "amount", "amount_off_cents": 100, "valid_days": 3, field: [999999]}
            r = client.post(f"{ADMIN}/coupon-templates", headers=staff.headers, json=body)
            assert_error(r, 422, code)
            assert r.get_json()["error"]["details"] == {"ids": [999999]}
            assert r.get_json()["error"]["message"] == "Unknown ids: [999999]"


def test_a_coupon_touches_only_itself_when_used_or_withdrawn_and_limits_count_per_template(client):
    staff = make_staff()
    sku = make_product().skus[0]
    first, second = template(client, staff, per_person_limit=1), template(client, staff, per_person_limit=1)
    buyer = make_buyer()
    a = issue(client, staff, first["id"], buyer)["issued"][0]["id"]
    b = issue(client, staff, second["id"], buyer, key="k2")["issued"][0]["id"]  # the other template's limit
    c = issue(client, staff, template(client, staff)["id"], buyer, key="k3")["issued"][0]["id"]
    assert order(client, buyer, [(sku.id, 2)], a).status_code == 201
    assert client.post(f"{ADMIN}/coupons/{c}/void", headers=staff.headers).status_code == 200
    shown = {x["id"]: x["status"] for x in client.get(f"{BASE}/coupons", headers=buyer.headers).get_json()}
    assert shown == {a: "used", b: "available", c: "void"}
