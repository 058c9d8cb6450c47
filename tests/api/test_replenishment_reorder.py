"""The one-step reorder from a reminder (one order per reminder, the shopper's own only), the
subscription suggestion after the second repeat purchase, and concurrent sweeps."""
from __future__ import annotations

from datetime import timedelta as days

import pytest

from app.extensions import db
from app.orders.services import cancel, get_order
from app.replenishment import reminders
from app.subscriptions import plans
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import make_buyer, make_product
from tests.replenishment_flows import START, at_local, buy, events, headers, history, make_shop
from tests.replenishment_flows import reminders as sent

RICE = [(0, 2), (21, 1), (31, 2), (50, 1), (61, 3)]
REMIND_ON = START + days(61 + 31 - 3)
SUGGESTED = "replenishment.subscription_suggested"


@pytest.fixture(autouse=True)
def shanghai(app, monkeypatch):
    monkeypatch.setitem(app.config, "STORE_TIMEZONE", "Asia/Shanghai")


@pytest.fixture
def reminded(client):
    """A shop whose buyer has just been reminded to buy rice again."""
    shop = make_shop()
    history(client, shop, RICE)
    with at_local(REMIND_ON, 1):
        assert reminders.sweep()["reminded"] == 1
    return shop, sent()[0].id


def login(user) -> dict[str, str]:
    with at_local(REMIND_ON, 8):
        return headers(user)


def reorder(client, user_or_headers, reminder_id, body):
    auth = user_or_headers if isinstance(user_or_headers, dict) else login(user_or_headers)
    with at_local(REMIND_ON, 9):
        return client.post(f"/api/v1/store/replenishment/reminders/{reminder_id}/reorder", json=body,
                           headers=auth)


def test_the_reorder_places_the_same_lines_once_per_reminder(client, reminded):
    shop, reminder_id = reminded
    r = reorder(client, shop.buyer, reminder_id, {"payment_method": "wallet"})
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert order["status"] == "paid" and [(ln["sku_id"], ln["quantity"]) for ln in order["lines"]] == [
        (shop.sku_id, 3)]
    again = reorder(client, shop.buyer, reminder_id, {"payment_method": "stripe"})  # a double tap
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (201, "true")
    assert again.get_json()["id"] == order["id"]
    assert sent()[0].order_id == order["id"]
    with at_local(REMIND_ON, 10):
        mine = client.get(f"/api/v1/store/replenishment/reminders/{reminder_id}", headers=headers(shop.buyer))
        listed = client.get("/api/v1/store/replenishment/reminders", headers=headers(shop.buyer))
    assert mine.get_json()["order_id"] == order["id"] and [x["id"] for x in listed.get_json()] == [reminder_id]


def test_a_reorder_that_ended_unpaid_may_be_placed_again(client, reminded):
    shop, reminder_id = reminded
    first = reorder(client, shop.buyer, reminder_id, {"payment_method": "stripe"}).get_json()
    assert first["status"] == "pending_payment"
    cancel(get_order(first["id"]), "changed my mind")
    second = reorder(client, shop.buyer, reminder_id, {"payment_method": "wallet"})
    assert second.status_code == 201 and second.get_json()["id"] != first["id"]
    assert sent()[0].order_id == second.get_json()["id"]


def test_someone_elses_reminder_is_not_found_and_bad_input_changes_nothing(client, reminded):
    shop, reminder_id = reminded
    with at_local(REMIND_ON, 8):
        stranger = make_buyer()
    theirs, mine = login(stranger), login(shop.buyer)
    with database_unchanged():
        assert_error(reorder(client, theirs, reminder_id, {"payment_method": "wallet"}), 404,
                     "replenishment_reminder_not_found")
        with at_local(REMIND_ON, 9):
            assert_error(client.get(f"/api/v1/store/replenishment/reminders/{reminder_id}", headers=theirs), 404)
        for body in ({}, {"payment_method": "cash"}, {"payment_method": "wallet", "lines": []}, []):
            assert_error(reorder(client, mine, reminder_id, body), 422, "validation_error")
        # pay_at_pickup is refused by checkout's own rule (this group does not offer it).
        assert_error(reorder(client, mine, reminder_id, {"payment_method": "pay_at_pickup"}), 422,
                     "payment_method_not_allowed")
        assert_error(reorder(client, mine, 2_147_483_000, {"payment_method": "wallet"}), 404)
    assert sent()[0].order_id is None


def test_a_subscription_is_suggested_after_the_second_repeat_purchase_once(client):
    shop = make_shop()
    with at_local(START, 9):
        plans.create({"sku_id": shop.sku_id, "intervals": [{"unit": "week", "count": 2}], "discount_bps": 500})
        plans.create({"sku_id": make_product(repeat_use=True, usage_days_per_unit=10).skus[0].id,
                      "intervals": [{"unit": "week", "count": 1}]})   # another product's plan: not offered
    for n, (offset, bags) in enumerate(RICE[:4]):
        buy(client, shop.buyer, shop.sku_id, bags, START + days(offset))
        with at_local(START + days(offset), 12):
            counts = reminders.sweep()
        assert counts["suggested"] == (1 if n == 2 else 0)
    assert counts["already_suggested"] == 1
    [event] = events(SUGGESTED)
    assert (event.payload["product_id"], event.payload["sku_id"], event.payload["discount_bps"],
            event.payload["purchases"]) == (shop.product_id, shop.sku_id, 500, 3)
    assert event.recipients[0]["title"] == "Subscribe to Northeast rice?"
    assert "save 5%" in event.recipients[0]["body"]


def test_no_suggestion_without_an_active_plan(client):
    shop = make_shop()
    with at_local(START, 9):
        plan = plans.create({"sku_id": shop.sku_id, "intervals": [{"unit": "week", "count": 2}]})
        plans.update(plan.id, {"active": False})
    history(client, shop, RICE[:3])
    with at_local(START + days(31), 12):
        assert reminders.sweep()["suggested"] == 0
    assert events(SUGGESTED) == []


@pytest.mark.postgres
def test_concurrent_sweeps_send_each_reminder_and_suggestion_once(app, client):
    shop = make_shop()
    with at_local(START, 9):
        plans.create({"sku_id": shop.sku_id, "intervals": [{"unit": "week", "count": 2}]})
    history(client, shop, RICE)
    db.session.commit()

    def sweep(_client, _i):
        with app.app_context():
            return reminders.sweep()

    with at_local(REMIND_ON, 1):
        results = race(app, 6, sweep)
    assert sum(r["reminded"] for r in results) == 1 and sum(r["suggested"] for r in results) == 1
    assert len(events("replenishment.reminder")) == 1 and len(events(SUGGESTED)) == 1
