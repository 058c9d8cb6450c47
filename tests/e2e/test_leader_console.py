"""The leader's pickup console in a real browser: a delivery arrives one unit short, an order is
handed over against its pickup code, and the earnings and numbers follow."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.commissions import stripe_payouts, views
from app.commissions.models import Payout
from app.commissions.services import settle_due
from app.extensions import db
from app.orders.models import Order, OrderLine
from app.payments.models import Refund
from app.pickup.models import DeliveryBatch, Shortage
from tests.e2e.i18n import T, T_pattern, assert_in_language, new_page, switch_language, zh_datetime
from tests.factories import (
    PASSWORD,
    approve_change,
    if_match,
    make_buyer,
    make_group,
    make_leader,
    make_product,
    make_shopper,
    make_staff,
)
from tests.flows import batch_of, paid_order

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ADMIN = "/api/v1/admin"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"leader-{name}.png"), full_page=True)


def refused_statuses(page) -> list[int]:
    """The HTTP statuses Chromium logged as console errors ("Failed to load resource: … 403"); fails
    on any other console error. The page handles these answers, but the browser notes them anyway."""
    statuses = []
    for error in page.console_errors:
        found = re.fullmatch(r"Failed to load resource: the server responded with a status of (\d{3}) .*", error)
        assert found, error
        statuses.append(int(found[1]))
    return statuses


def log_in(page, live_server: str, login: str, *, path: str = "/leader") -> None:
    page.goto(f"{live_server}{path}")
    form = page.locator("#login-form")
    form.get_by_label(T("common.login.login")).fill(login)
    form.get_by_label(T("common.login.password"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()


@pytest.fixture
def delivery(client):
    """A leader (10% commission, withdrawable at pickup, payouts from 5.00 less a 0.50 fee, by bank)
    whose pickup point has a dispatched delivery of two paid orders: 李爱丽's 2 rice + 1 eggs, and
    周博's 1 eggs. The leader has begun Stripe onboarding."""
    staff = make_staff()
    approve_change(client, client.post(f"{ADMIN}/commission-rules", headers=staff.headers, json={
        "scope": "default", "leader_rate_bps": 1000, "valid_from": "2020-01-01T00:00:00Z"}))
    approve_change(client, client.patch(f"{ADMIN}/commission-settings",
                                        headers=if_match(client, f"{ADMIN}/commission-settings", staff.headers), json={
        "after_sale_days": 0, "payout_min_cents": 500, "payout_fee_cents": 50}))
    leader = make_leader(staff, name="王芳", point_name="枫林苑大堂")
    group = make_group(leader, name="枫林苑邻里团")
    rice = make_product(name="东北大米", skus=[{"code": "RICE", "name": "5 公斤", "price_cents": 5000,
                                              "stock_total": 50}]).skus[0].id
    eggs = make_product(name="散养鸡蛋", skus=[{"code": "EGGS", "name": "30 枚", "price_cents": 3000,
                                              "stock_total": 50}]).skus[0].id
    alice, bob = make_buyer(group, name="李爱丽"), make_buyer(group, name="周博")
    first = paid_order(client, alice, [(rice, 2), (eggs, 1)])
    second = paid_order(client, bob, [(eggs, 1)])
    batch_id = batch_of(client, staff, first)["id"]
    for step in ("close", "dispatch"):
        assert client.post(f"{ADMIN}/batches/{batch_id}/{step}", headers=staff.headers).status_code == 200
    stripe_payouts.start_onboarding(leader.leader)  # at localstripe: an account, onboarding not finished
    db.session.commit()
    return {"leader": leader, "first": first, "second": second, "batch_id": batch_id, "rice": rice}


def test_a_leader_confirms_a_short_delivery_hands_an_order_over_and_sees_the_earnings(live_server, browser, delivery):
    """In zh-CN, on a phone whose clock is in Los Angeles: times are still the store's (Shanghai)."""
    first, second, batch_id = delivery["first"], delivery["second"], delivery["batch_id"]
    leader = delivery["leader"]
    page = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, timezone_id="America/Los_Angeles")
    log_in(page, live_server, leader.account.email)
    page.get_by_text(T("leader.logged_in_as", name="王芳")).wait_for()
    assert_in_language(page, "zh-CN", shot="leader-deliveries")

    # The dispatched delivery, opened: both orders with their lines, and the arrival form per SKU.
    page.get_by_role("button", name=T_pattern("leader.deliveries.open_named", point="枫林苑大堂")).click()
    detail = page.locator("#batch")
    detail.get_by_text(T("status.batch.dispatched")).first.wait_for()
    assert first["number"] in detail.inner_text() and "周博" in detail.inner_text()
    detail.get_by_label(T("leader.arrival.short_by", name="东北大米 · 5 公斤")).fill("1")
    assert detail.get_by_label(T_pattern("leader.arrival.short_by_order", name="散养鸡蛋 · 30 枚")).count() == 2
    assert_in_language(page, "zh-CN", shot="leader-arrival-form")
    unlabelled = "[...document.querySelectorAll('input, select')].filter((c) => !c.labels.length).length"
    assert page.evaluate(unlabelled) == 0  # every control of every section, the arrival form's too
    # Confirming asks first and says what will happen; cancelling changes nothing.
    detail.get_by_role("button", name=T("leader.arrival.confirm")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(T("leader.arrival.confirm_short", short=T("leader.arrival.short_units", count=1)))
    assert_in_language(page, "zh-CN", shot="leader-arrival-confirm")
    dialog.get_by_role("button", name=T("common.confirm.cancel")).click()
    expect(dialog).to_have_count(0)
    db.session.commit()
    assert db.session.get(DeliveryBatch, batch_id).status.value == "dispatched"
    assert db.session.scalar(sa.select(Shortage)) is None
    detail.get_by_role("button", name=T("leader.arrival.confirm")).click()
    dialog.get_by_role("button", name=T("leader.arrival.confirm")).click()
    page.get_by_text(T("leader.arrival.done_short", ready=T("leader.arrival.ready", count=2),
                       short=T("leader.arrival.short_units", count=1))).wait_for()
    # "quantity" is units sent less units refunded, and the short unit was refunded at once (jobs inline).
    assert T("leader.orders.line_with", line="东北大米 · 5 公斤 × 1", parts=T("leader.orders.short", count=1)) \
        in detail.inner_text()
    assert detail.get_by_role("button", name=T("leader.arrival.confirm")).count() == 0  # arrived: not twice
    shot(page, "arrival-confirmed")

    db.session.commit()  # the browser's requests committed on other connections
    assert db.session.get(DeliveryBatch, batch_id).status.value == "arrived"
    rice_line = db.session.scalar(sa.select(OrderLine).where(OrderLine.order_id == first["id"],
                                                             OrderLine.sku_id == delivery["rice"]))
    shortage = db.session.scalar(sa.select(Shortage))
    assert (shortage.order_line_id, shortage.quantity, shortage.reason.value) == (rice_line.id, 1, "missing")
    assert db.session.scalar(sa.select(Refund.amount_cents).where(Refund.order_id == first["id"])) == 5000

    # 李爱丽 shows her code (typed in lower case); her order is handed over.
    page.get_by_role("tab", name=T("leader.tabs.pickup"), exact=True).click()
    page.get_by_label(T("leader.pickup.code")).fill(first["pickup_code"].lower())
    page.get_by_role("button", name=T("leader.pickup.submit")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(T("leader.pickup.confirm_paid", name="李爱丽"))
    dialog.get_by_role("button", name=T("leader.pickup.confirm")).click()
    result = page.locator("#pickup-result")
    result.get_by_text(T("leader.pickup.handed_over", number=first["number"])).wait_for()
    assert T("leader.pickup.shopper", name="李爱丽") in result.inner_text()
    both = T("common.list_separator").join([T("leader.orders.short", count=1), T("leader.orders.collected", count=1)])
    assert T("leader.orders.line_with", line="东北大米 · 5 公斤 × 1", parts=both) in result.inner_text()
    assert T("leader.pickup.all_collected") in result.inner_text()
    assert_in_language(page, "zh-CN", shot="leader-handed-over")
    db.session.commit()
    assert db.session.get(Order, first["id"]).fulfilment.value == "picked_up"

    # Only 周博's order is still waiting.
    page.get_by_role("tab", name=T("leader.tabs.waiting"), exact=True).click()
    page.get_by_text(T("leader.waiting.ready", count=1)).wait_for()
    waiting = page.locator("#waiting").inner_text()
    assert second["number"] in waiting and first["number"] not in waiting
    assert T("leader.waiting.empty_partial") in waiting and T("leader.waiting.empty_overdue") in waiting  # says why
    assert_in_language(page, "zh-CN", shot="leader-waiting")

    # Earnings: 10% of 160.00 accrued, less 5.00 clawed back for the refunded rice; 李爱丽's part
    # (8.00) settles at once (no after-sale window here), 周博's 3.00 waits for his pickup.
    settle_due()
    balance = views.balance_of(leader.id)
    assert (balance["available_cents"], balance["pending_cents"]) == (800, 300)
    page.get_by_role("tab", name=T("leader.tabs.earnings"), exact=True).click()
    page.get_by_text(T("leader.earnings.stripe_unfinished")).wait_for()
    earnings = page.locator("#earnings")
    stats = earnings.locator("dl.stats").inner_text()
    assert "¥8.00" in stats and "¥3.00" in stats
    assert earnings.get_by_role("button", name=T("leader.earnings.continue")).is_visible()
    earned = f"{T('status.entry.accrue')} · {T('leader.earnings.order', number=first['number'])} · 东北大米"
    earnings.get_by_text(earned).wait_for()
    assert T("status.entry.clawback") in earnings.inner_text()
    earnings.get_by_label(T("leader.earnings.amount")).fill("5")
    earnings.get_by_role("button", name=T("leader.earnings.request")).click()
    earnings.get_by_text(T("leader.earnings.requested_text", amount="¥5.00", net="¥4.50", fee="¥0.50")).wait_for()
    assert T("status.payout.requested") in earnings.locator("#payouts").inner_text()
    db.session.commit()
    payout = db.session.scalar(sa.select(Payout))
    assert (payout.amount_cents, payout.fee_cents, payout.status.value) == (500, 50, "requested")
    assert views.balance_of(leader.id)["withdrawing_cents"] == 500
    # When it was requested, on the store's clock (the phone is 15 or 16 hours behind Shanghai).
    assert zh_datetime(payout.created_at) in earnings.locator("#payouts").inner_text()
    assert_in_language(page, "zh-CN", shot="leader-earnings")

    page.get_by_role("tab", name=T("leader.tabs.performance"), exact=True).click()
    numbers = page.locator("#performance-table")
    numbers.get_by_text(T("leader.performance.this_month")).wait_for()
    assert "¥110.00" in numbers.inner_text()  # sales: 160.00 paid less 50.00 refunded
    assert_in_language(page, "zh-CN", shot="leader-performance")

    # The console in English: the same figures and states, in English words.
    switch_language(page, "en")
    page.get_by_text(T("leader.logged_in_as", "en", name="王芳")).wait_for()
    page.locator("#batches article").first.wait_for()
    assert T("status.batch.arrived", "en") in page.locator("#batches").inner_text()
    assert_in_language(page, "en", shot="leader-deliveries")
    page.get_by_role("tab", name=T("leader.tabs.earnings", "en"), exact=True).click()
    page.get_by_text(T("leader.earnings.stripe_unfinished", "en")).wait_for()
    assert T("status.payout.requested", "en") in page.locator("#payouts").inner_text()
    assert_in_language(page, "en", shot="leader-earnings")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("tab", name=T("leader.tabs.deliveries", "en"), exact=True).click()
    page.get_by_role("button", name=T_pattern("leader.deliveries.open_named", "en")).click()
    page.locator("#batch-orders table").wait_for()
    shot(page, "desktop")
    assert page.console_errors == []

    page.get_by_role("button", name=T("common.logout", "en")).click()
    page.locator("#login-form").wait_for()
    assert page.evaluate("localStorage.getItem('storefront.leader-token')") is None
    page.context.close()


def test_a_shopper_who_is_not_a_leader_is_told_so(live_server, page):
    shopper = make_shopper(name="只是购物")
    db.session.commit()
    log_in(page, live_server, shopper.account.email)
    page.get_by_text(T_pattern("leader.login.not_leader")).wait_for()
    assert page.locator("#console").is_hidden()
    assert page.evaluate("localStorage.getItem('storefront.leader-token')") is None
    assert_in_language(page, "zh-CN", shot="leader-not-a-leader")
    assert refused_statuses(page) == [403]  # GET /leader/me: handled, shown above


def test_wrong_codes_and_the_return_from_stripe_are_explained(live_server, page, delivery):
    leader = delivery["leader"]
    log_in(page, live_server, leader.account.email, path="/leader?payout-account=expired")
    page.get_by_text(T("leader.stripe.expired")).wait_for()
    page.get_by_text(T("leader.earnings.stripe_unfinished")).wait_for()  # opened on Earnings
    assert page.evaluate("location.search") == ""

    page.get_by_role("tab", name=T("leader.tabs.pickup"), exact=True).click()
    error = page.locator("#pickup-form [data-error]")
    page.get_by_label(T("leader.pickup.code")).fill("WRONG234")
    page.get_by_role("button", name=T("leader.pickup.submit")).click()
    page.wait_for_function("() => document.querySelector('#pickup-form [data-error]').textContent !== ''")
    wrong = error.inner_text()
    # Not ready yet: the delivery has not been confirmed as arrived. The API's refusal comes with
    # the order's state, which the console names in the leader's language.
    page.get_by_label(T("leader.pickup.code")).fill(delivery["second"]["pickup_code"])
    page.get_by_role("button", name=T("leader.pickup.submit")).click()
    error.get_by_text(T("leader.fact.fulfilment", state=T("status.fulfilment.scheduled")), exact=False).wait_for()
    assert error.inner_text() != wrong
    assert_in_language(page, "zh-CN", shot="leader-wrong-code")
    assert refused_statuses(page) == [404]  # not ready: the preview shows it, nothing is attempted
