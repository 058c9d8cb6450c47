"""Replenishment reminders: predicted from a realistic purchase history (or the product's usage
days), sent N store-local days before the run-out, once per cycle, never when a newer order or a
subscription covers it; the shopper's view; the merchant's setting; the sweep's CLI."""
from __future__ import annotations

import datetime as dt
from datetime import timedelta as days

import pytest

from app.notifications.dispatch import dispatch_pending
from app.replenishment import reminders
from app.replenishment.cli import remind_command
from app.settings.services import update_settings
from tests.assertions import assert_error, database_unchanged
from tests.factories import if_match, make_shopper, make_staff
from tests.replenishment_flows import (
    START,
    at_local,
    buy,
    events,
    headers,
    history,
    make_shop,
    outlook,
)
from tests.replenishment_flows import reminders as sent

# Bags of rice bought (days after START, bags): every ~10 days a bag, with the jitter of real life —
# a stock-up of three at the end. Gaps ÷ bags: 21/2, 10/1, 19/2, 11/1 → median 10.25 days a bag.
RICE = [(0, 2), (21, 1), (31, 2), (50, 1), (61, 3)]
LAST = START + days(61)              # 2027-05-01
RUN_OUT = LAST + days(31)            # 10.25 × 3 = 30.75 → 31 days: 2027-06-01


@pytest.fixture(autouse=True)
def shanghai(app, monkeypatch):
    monkeypatch.setitem(app.config, "STORE_TIMEZONE", "Asia/Shanghai")  # UTC+8, no daylight saving


@pytest.fixture
def shop():
    return make_shop(usage_days=15)


def sweep_at(day: dt.date, hour: int = 0, minute: int = 30) -> dict[str, int]:
    with at_local(day, hour, minute):
        return reminders.sweep()


def test_a_realistic_history_predicts_the_run_out_from_the_shoppers_own_gaps(client, shop):
    history(client, shop, RICE)
    [rice] = outlook(client, shop.buyer, LAST + days(1))
    assert rice | {"reminder": None} == {
        "product_id": shop.product_id, "product_name": "Northeast rice", "basis": "history", "purchases": 5,
        "last_purchase_on": "2027-05-01", "units": 3, "days_per_unit": 10.25, "cycle_days": 31,
        "run_out_on": RUN_OUT.isoformat(), "remind_on": (RUN_OUT - days(3)).isoformat(),
        "subscribed": False, "order_coming": False, "reminder": None}


def test_the_reminder_goes_out_n_local_days_before_the_run_out_and_only_once(client, shop):
    history(client, shop, RICE)
    remind_on = RUN_OUT - days(3)                                # 2027-05-29
    assert sweep_at(remind_on - days(1), 23, 59)["reminded"] == 0  # 23:59 the day before, local
    assert sweep_at(remind_on, 0, 1)["reminded"] == 1              # 00:01 local, still the 28th in UTC
    again = sweep_at(remind_on, 9)
    assert (again["reminded"], again["already_reminded"]) == (0, 1)
    assert sweep_at(RUN_OUT)["reminded"] == 0
    [reminder] = sent()
    assert (reminder.basis.value, reminder.run_out_on, reminder.remind_on) == ("history", RUN_OUT, remind_on)
    assert reminder.lines == [{"sku_id": shop.sku_id, "quantity": 3}]
    [event] = events("replenishment.reminder")
    assert event.payload["reorder_url"] == (
        f"http://shop.test/api/v1/store/replenishment/reminders/{reminder.id}/reorder")
    assert event.payload["run_out_on"] == "2027-06-01"
    with at_local(remind_on, 9):
        dispatch_pending()
        inbox = client.get("/api/v1/store/inbox", headers=headers(shop.buyer)).get_json()
    [message] = [n for n in inbox if n["title"] == "Running low on Northeast rice?"]   # the rest: payments
    assert "Jun 1, 2027" in message["body"] and message["data"]["reminder_id"] == reminder.id
    shown = outlook(client, shop.buyer, remind_on)[0]["reminder"]
    assert (shown["id"], shown["order_id"], shown["reorder_url"]) == (reminder.id, None,
                                                                     event.payload["reorder_url"])


def test_with_too_little_history_the_products_usage_days_times_quantity_stand_in(client, shop):
    buy(client, shop.buyer, shop.sku_id, 2, START)
    [first] = outlook(client, shop.buyer, START)
    assert (first["basis"], first["cycle_days"], first["run_out_on"]) == ("usage_days", 30, "2027-03-31")
    buy(client, shop.buyer, shop.sku_id, 1, START + days(9))   # two purchases: one gap is not enough
    [second] = outlook(client, shop.buyer, START + days(9))
    assert (second["basis"], second["cycle_days"], second["run_out_on"]) == ("usage_days", 15, "2027-03-25")
    assert sweep_at(START + days(20))["reminded"] == 0
    assert sweep_at(START + days(21))["reminded"] == 1      # 22 March: 25 March − 3 days
    assert sent()[0].basis.value == "usage_days"


def test_two_orders_on_one_local_day_are_one_purchase(client, shop):
    buy(client, shop.buyer, shop.sku_id, 1, START, 9)
    buy(client, shop.buyer, shop.sku_id, 1, START, 23, 30)     # 15:30 UTC: still 1 March in Shanghai
    buy(client, shop.buyer, shop.sku_id, 1, START + days(1), 0, 30)  # 2 March local, 1 March in UTC
    [rice] = outlook(client, shop.buyer, START + days(1))
    assert (rice["purchases"], rice["units"], rice["last_purchase_on"]) == (2, 1, "2027-03-02")


def test_a_newer_order_covers_the_cycle_and_starts_a_new_one(client, shop):
    history(client, shop, RICE)
    buy(client, shop.buyer, shop.sku_id, 2, RUN_OUT - days(5))    # bought before the reminder was due
    assert sweep_at(RUN_OUT - days(3))["reminded"] == 0             # the old cycle is covered
    [rice] = outlook(client, shop.buyer, RUN_OUT - days(3))
    assert rice["purchases"] == 6 and rice["last_purchase_on"] == "2027-05-27"
    new_run_out = dt.date.fromisoformat(rice["run_out_on"])
    assert sweep_at(new_run_out - days(3))["reminded"] == 1          # and the new cycle gets its reminder
    assert [r.run_out_on for r in sent()] == [new_run_out]


def test_an_order_still_to_be_paid_or_collected_covers_the_cycle(client, shop):
    from app.groups.bindings import current_binding
    from app.groups.services import update_group

    history(client, shop, RICE)
    update_group(current_binding(shop.buyer.id).group, {"pay_at_pickup_allowed": True}, as_staff=True)
    buy(client, shop.buyer, shop.sku_id, 1, RUN_OUT - days(4), method="pay_at_pickup")  # confirmed, unpaid
    counts = sweep_at(RUN_OUT - days(3))
    assert (counts["reminded"], counts["covered"]) == (0, 1)
    assert outlook(client, shop.buyer, RUN_OUT - days(3))[0]["order_coming"] is True


def test_a_refunded_latest_purchase_no_longer_counts(client, shop):
    orders = history(client, shop, RICE)
    with at_local(LAST + days(1)):
        staff = make_staff()
        line = orders[-1]["lines"][0]
        r = client.post(f"/api/v1/admin/orders/{orders[-1]['id']}/refunds", json={
            "reason": "damaged", "lines": [{"line_id": line["id"], "quantity": 3}]},
            headers={**staff.headers, "Idempotency-Key": "refund-last"})
        assert r.status_code in (200, 201), r.get_json()
    [rice] = outlook(client, shop.buyer, LAST + days(1))
    # The 20 April purchase (1 bag) is the latest now: median of 10.5, 10, 9.5 = 10 days.
    assert (rice["purchases"], rice["last_purchase_on"], rice["cycle_days"]) == (4, "2027-04-20", 10)


@pytest.mark.parametrize("pause", [False, True])
def test_no_reminder_while_the_shopper_subscribes_and_one_after_they_cancel(client, shop, pause):
    from app.subscriptions import plans
    from app.subscriptions import services as subscriptions

    history(client, shop, RICE)
    with at_local(LAST + days(1)):
        plans.create({"sku_id": shop.sku_id, "intervals": [{"unit": "week", "count": 2}], "discount_bps": 500})
        sub = subscriptions.subscribe(shop.buyer.id, {"sku_id": shop.sku_id, "quantity": 1, "pay_with": "wallet",
                                                      "interval_unit": "week", "interval_count": 2,
                                                      "start_date": RUN_OUT + days(7)})
        if pause:
            subscriptions.pause(shop.buyer.id, sub.id, None)
    counts = sweep_at(RUN_OUT - days(3))
    assert (counts["reminded"], counts["subscribed"]) == (0, 1)
    assert outlook(client, shop.buyer, RUN_OUT - days(3))[0]["subscribed"] is True
    with at_local(RUN_OUT - days(2)):
        subscriptions.cancel(shop.buyer.id, sub.id)
    assert sweep_at(RUN_OUT - days(2))["reminded"] == 1   # still within the week after the run-out


def test_a_long_gone_run_out_is_not_reminded(client, shop):
    history(client, shop, RICE)
    assert sweep_at(RUN_OUT + days(8))["reminded"] == 0    # a week after the run-out: they buy elsewhere
    assert sweep_at(RUN_OUT + days(7))["reminded"] == 1


def test_the_merchant_sets_how_many_days_before(client, shop):
    staff, shopper, url = make_staff(), make_shopper(), "/api/v1/admin/settings"
    assert client.get(url, headers=staff.headers).get_json()["replenishment_remind_days_before"] == 3
    r = client.patch(url, json={"replenishment_remind_days_before": 5}, headers=if_match(client, url, staff.headers))
    assert r.status_code == 200 and r.get_json()["replenishment_remind_days_before"] == 5
    with database_unchanged():
        for bad in (31, -1, "5", None):
            assert_error(client.patch(url, json={"replenishment_remind_days_before": bad},
                                      headers=if_match(client, url, staff.headers)),
                         422, "validation_error")
        assert_error(client.patch(url, json={"replenishment_remind_days_before": 4},
                                  headers=shopper.headers), 403)
    history(client, shop, RICE)
    assert sweep_at(RUN_OUT - days(6))["reminded"] == 0
    assert sweep_at(RUN_OUT - days(5))["reminded"] == 1
    update_settings({"replenishment_remind_days_before": 0})
    assert outlook(client, shop.buyer, RUN_OUT)[0]["remind_on"] == RUN_OUT.isoformat()


def test_the_cli_reports_progress_and_counts_and_a_rerun_sends_nothing(app, client, shop, monkeypatch):
    history(client, shop, RICE)
    other = make_shop()
    history(client, other, RICE)
    real = reminders.sweep
    monkeypatch.setattr(reminders, "sweep", lambda **kw: real(batch_size=1, **kw))
    with at_local(RUN_OUT - days(3), 1):
        first = app.test_cli_runner().invoke(remind_command)
        again = app.test_cli_runner().invoke(remind_command)
    assert first.exit_code == 0, first.output
    assert "… 1 shopper-product pairs looked at" in first.output and "… 2 shopper-product pairs" in first.output
    assert "seen: 2, reminded: 2, already reminded: 0" in first.output
    assert "reminded: 0, already reminded: 2" in again.output
    assert len(sent()) == 2 and len(events("replenishment.reminder")) == 2


def test_the_shoppers_view_needs_a_shopper(client, shop):
    assert_error(client.get("/api/v1/store/replenishment"), 401)
    assert_error(client.get("/api/v1/store/replenishment", headers=make_staff().headers), 403)
    assert client.get("/api/v1/store/replenishment", headers=make_shopper().headers).get_json() == []
