"""A flash-sale reservation snapshots the same commission rule and referrer as a checkout would.

On PostgreSQL the reservation's one write statement (app/campaigns/flash_sql.TAKE) chooses the
rule and the referrer in SQL; everywhere else, and in checkout, Python does
(app/commissions/rules.rates_for, app/loyalty/referrals.referrer_of). Each case says which rule
must win, and the snapshot must equal both that rule and what the Python functions answer."""
from __future__ import annotations

import datetime as dt

import pytest

from app.commissions.rules import rates_for
from app.db import utcnow
from app.extensions import db
from app.groups.services import add_link
from app.loyalty.referrals import referrer_of
from app.orders.models import Order
from tests.api.test_commissions import rule
from tests.api.test_flash_sales import path, reserve  # noqa: F401  (path: both flash-sale paths)
from tests.factories import (
    approve_change,
    if_match,
    join,
    make_campaign,
    make_category,
    make_group,
    make_leader,
    make_product,
    make_shopper,
    make_staff,
)

ADMIN = "/api/v1/admin"
LONG_AGO, YESTERDAY = "2020-01-01T00:00:00Z", (utcnow() - dt.timedelta(days=1)).isoformat()
TOMORROW = (utcnow() + dt.timedelta(days=1)).isoformat()

# Each case: the rules to create, by name, as (scope, rates and window); the name that must win.
CASES = {
    "no rule at all": ([], None),
    "the default": ([("default", "d", {})], "d"),
    "category over default": ([("default", "d", {}), ("category", "c", {})], "c"),
    "product over category": ([("default", "d", {}), ("category", "c", {}), ("product", "p", {})], "p"),
    "campaign over product": ([("product", "p", {}), ("campaign", "k", {})], "k"),
    "expired and future rules do not count": (
        [("default", "d", {}), ("campaign", "old", {"valid_until": YESTERDAY}),
         ("product", "soon", {"valid_from": TOMORROW})], "d"),
    "the later start among equals": (
        [("default", "early", {}), ("default", "late", {"valid_from": YESTERDAY})], "late"),
    "another product's rule does not count": ([("default", "d", {}), ("other product", "x", {})], "d"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("referrer_share", [True, False], ids=["referrer-share-on", "referrer-share-off"])
def test_the_reservation_snapshots_the_rule_checkout_would(client, path, case, referrer_share):  # noqa: F811
    staff = make_staff()
    category = make_category()
    sku = make_product(category_id=category.id, skus=[
        {"code": f"FC-{case[:6]}-{referrer_share}", "name": "x", "price_cents": 1000, "stock_total": 0}]).skus[0]
    other = make_product()
    campaign = make_campaign(items=[(sku.id, 400, 10)], per_person_limit=None)
    targets = {"default": None, "category": category.id, "product": sku.product_id, "campaign": campaign.id,
               "other product": other.id}
    ids = {}
    rules, winner = CASES[case]
    for n, (scope, name, window) in enumerate(rules):
        body = {"scope": scope.replace("other ", ""), "leader_rate_bps": 500 + 100 * n,
                "referrer_rate_bps": 50 + 10 * n, "valid_from": LONG_AGO} | window
        if targets[scope] is not None:
            body["target_id"] = targets[scope]
        ids[name] = rule(client, staff, **body)["id"]
    approve_change(client, client.patch(f"{ADMIN}/commission-settings",
                                        headers=if_match(client, f"{ADMIN}/commission-settings", staff.headers),
                                        json={"referrer_share_enabled": referrer_share}))
    group = make_group(make_leader())
    referrer = make_shopper()
    join(referrer, group)
    buyer = make_shopper()
    join(buyer, group, add_link(group.id, referrer.account.id).code)

    r = reserve(client, buyer, campaign.items[0].id)
    assert r.status_code == 201, r.get_json()
    db.session.expire_all()
    order = db.session.get(Order, r.get_json()["order_id"])
    line = order.lines[0]
    snapshot = (line.commission_rule_id, line.leader_rate_bps, line.referrer_rate_bps)
    expected = rates_for([(sku.product_id, category.id, campaign.id)], order.created_at)[0]
    assert snapshot == (expected.rule_id, expected.leader_bps, expected.referrer_bps)
    assert line.commission_rule_id == (ids[winner] if winner else None)
    assert (line.referrer_rate_bps > 0) == (referrer_share and winner is not None)
    assert order.referrer_account_id == referrer_of(buyer.account.id) == referrer.account.id
