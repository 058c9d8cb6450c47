"""One price engine: regular, member, member-day and campaign prices, with the breakdown."""
from __future__ import annotations

import datetime as dt
import uuid

import time_machine

from app.db import utcnow
from app.members.services import join as join_membership
from tests.factories import checkout, make_buyer, make_campaign, make_product, make_staff


def product(price=1000, member_price=None):
    return make_product(skus=[{"code": f"P-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": price,
                               "stock_total": 50}]).skus[0]


def quote(client, buyer, sku_id, **line):
    r = client.post("/api/v1/store/quote", headers=buyer.headers, json={"lines": [{"sku_id": sku_id, **line}]})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["lines"][0]


def set_member_price(sku, cents):
    from app.extensions import db

    sku.member_price_cents = cents
    db.session.commit()


def test_members_pay_the_member_price_and_see_why(client):
    sku = product()
    set_member_price(sku, 850)
    buyer = make_buyer()
    assert quote(client, buyer, sku.id)["rule"] == "regular"
    join_membership(buyer.id)
    q = quote(client, buyer, sku.id, quantity=2)
    assert (q["rule"], q["unit_price_cents"], q["discount_cents"], q["line_total_cents"]) == ("member", 850, 150, 1700)
    assert [(c["rule"], c["applied"]) for c in q["candidates"]] == [("regular", False), ("member", True)]
    order = checkout(client, buyer, [(sku.id, 2)]).get_json()
    assert order["lines"][0]["price_rule"] == "member" and order["total_cents"] == 1700


def test_member_day_prices_apply_on_the_day_and_the_best_price_wins(client):
    sku = product()
    set_member_price(sku, 900)
    start = dt.datetime(2031, 3, 1, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        make_campaign("member_day", items=[(sku.id, 700, None)], minutes=60 * 24 * 60, day_of_month=15,
                      members_only=True)
        buyer = make_buyer()
        join_membership(buyer.id)
    with time_machine.travel(dt.datetime(2031, 3, 14, 12, tzinfo=dt.UTC), tick=False):
        assert quote(client, buyer, sku.id)["rule"] == "member"
    with time_machine.travel(dt.datetime(2031, 3, 15, 4, tzinfo=dt.UTC), tick=False):  # 12:00 in Shanghai
        q = quote(client, buyer, sku.id)
        assert (q["rule"], q["unit_price_cents"]) == ("member_day", 700) and q["campaign_id"]
        assert {c["rule"] for c in q["candidates"]} == {"regular", "member", "member_day"}
        non_member = make_buyer()
        assert quote(client, non_member, sku.id)["rule"] == "regular"


def test_member_day_extra_points_apply_whichever_price_wins_and_reach_the_order(client):
    sku = product()
    set_member_price(sku, 900)
    with time_machine.travel(dt.datetime(2031, 4, 1, tzinfo=dt.UTC), tick=False):
        make_campaign("member_day", items=[{"sku_id": sku.id, "campaign_price_cents": 1000, "points_multiplier": 3}],
                      minutes=60 * 24 * 60, day_of_month=20)
        buyer, stranger = make_buyer(), make_buyer()
        join_membership(buyer.id)
    with time_machine.travel(dt.datetime(2031, 4, 19, 12, tzinfo=dt.UTC), tick=False):
        assert quote(client, buyer, sku.id)["points_multiplier"] == 1  # not the day yet
    with time_machine.travel(dt.datetime(2031, 4, 20, 4, tzinfo=dt.UTC), tick=False):
        q = quote(client, buyer, sku.id)
        assert (q["rule"], q["unit_price_cents"], q["points_multiplier"]) == ("member", 900, 3)
        assert [c["rule"] for c in q["candidates"]] == ["regular", "member", "member_day_points"]
        assert quote(client, stranger, sku.id)["points_multiplier"] == 1  # members only
        order = checkout(client, buyer, [(sku.id, 1)]).get_json()
        assert (order["lines"][0]["price_rule"], order["lines"][0]["points_multiplier"]) == ("member", 3)


def test_extra_points_are_a_member_day_offer_and_a_member_day_must_offer_something(client):
    from app.campaigns import services
    from app.errors import InvalidRequest

    sku = product()
    for kind, item, extra in [
            ("flash_sale", {"sku_id": sku.id, "campaign_price_cents": 500, "stock_total": 5, "points_multiplier": 2},
             {}),
            ("member_day", {"sku_id": sku.id, "campaign_price_cents": 1000}, {"day_of_month": 3})]:
        campaign = make_campaign(kind, items=[item], approve=False, **extra)
        try:
            services.submit(campaign)
        except InvalidRequest as error:
            assert error.code == "campaign_incomplete"
        else:
            raise AssertionError(f"{kind} {item} was accepted")


def _group_buy(sku, stackable: bool):
    return make_campaign("group_buy", items=[(sku.id, 600, 20)], threshold_kind="units", threshold=100,
                         threshold_scope="store", stackable=stackable, staff=make_staff())


def test_campaign_prices_do_not_stack_with_member_prices_unless_the_merchant_says_so(client):
    plain, stacked = product(), product()
    set_member_price(plain, 900)
    set_member_price(stacked, 900)
    a, b = _group_buy(plain, False).items[0].id, _group_buy(stacked, True).items[0].id
    buyer = make_buyer()
    join_membership(buyer.id)
    q = quote(client, buyer, plain.id, campaign_item_id=a)
    assert (q["rule"], q["unit_price_cents"]) == ("group_buy", 600)
    assert q["candidates"][-1]["note"] == "campaign prices do not stack with member prices"
    q = quote(client, buyer, stacked.id, campaign_item_id=b)
    assert (q["rule"], q["unit_price_cents"]) == ("group_buy", 500)  # 600 less the member discount of 100


def test_quote_rejects_what_checkout_would_reject(client):
    buyer = make_buyer()
    from tests.assertions import assert_error

    assert_error(client.post("/api/v1/store/quote", headers=buyer.headers, json={"lines": [{"sku_id": 999999}]}),
                 422, "unknown_sku")
    assert_error(client.post("/api/v1/store/quote", headers=buyer.headers, json={"lines": []}), 422)
    assert utcnow()
