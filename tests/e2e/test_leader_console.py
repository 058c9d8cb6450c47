"""The leader's pickup console in a real browser: a delivery arrives one unit short, an order is
handed over against its pickup code, and the earnings and numbers follow."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.commissions import stripe_payouts, views
from app.commissions.models import Payout
from app.commissions.services import settle_due
from app.extensions import db
from app.orders.models import Order, OrderLine
from app.payments.models import Refund
from app.pickup.models import DeliveryBatch, Shortage
from tests.factories import PASSWORD, make_buyer, make_group, make_leader, make_product, make_shopper, make_staff
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
    form.get_by_label("E-mail or phone").fill(login)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()


@pytest.fixture
def delivery(client):
    """A leader (10% commission, withdrawable at pickup, payouts from 5.00 less a 0.50 fee, by bank)
    whose pickup point has a dispatched delivery of two paid orders: Alice's 2 rice + 1 eggs, and
    Bob's 1 eggs. The leader has begun Stripe onboarding."""
    staff = make_staff()
    assert client.post(f"{ADMIN}/commission-rules", headers=staff.headers, json={
        "scope": "default", "leader_rate_bps": 1000, "valid_from": "2020-01-01T00:00:00Z"}).status_code == 201
    assert client.patch(f"{ADMIN}/commission-settings", headers=staff.headers, json={
        "after_sale_days": 0, "payout_min_cents": 500, "payout_fee_cents": 50}).status_code == 200
    leader = make_leader(staff, name="Wang Fang", point_name="Maple Court lobby")
    group = make_group(leader, name="Maple Court neighbours")
    rice = make_product(name="Northeast rice", skus=[{"code": "RICE", "name": "5 kg", "price_cents": 5000,
                                                      "stock_total": 50}]).skus[0].id
    eggs = make_product(name="Free-range eggs", skus=[{"code": "EGGS", "name": "30 pack", "price_cents": 3000,
                                                       "stock_total": 50}]).skus[0].id
    alice, bob = make_buyer(group, name="Alice Li"), make_buyer(group, name="Bob Zhou")
    first = paid_order(client, alice, [(rice, 2), (eggs, 1)])
    second = paid_order(client, bob, [(eggs, 1)])
    batch_id = batch_of(client, staff, first)["id"]
    for step in ("close", "dispatch"):
        assert client.post(f"{ADMIN}/batches/{batch_id}/{step}", headers=staff.headers).status_code == 200
    stripe_payouts.start_onboarding(leader.leader)  # at localstripe: an account, onboarding not finished
    db.session.commit()
    return {"leader": leader, "first": first, "second": second, "batch_id": batch_id, "rice": rice}


def test_a_leader_confirms_a_short_delivery_hands_an_order_over_and_sees_the_earnings(live_server, page, delivery):
    first, second, batch_id = delivery["first"], delivery["second"], delivery["batch_id"]
    leader = delivery["leader"]
    log_in(page, live_server, leader.account.email)
    page.get_by_text("Logged in as Wang Fang").wait_for()
    shot(page, "deliveries")

    # The dispatched delivery, opened: both orders with their lines, and the arrival form per SKU.
    page.get_by_role("button", name=re.compile("^Open delivery of .* to Maple Court lobby$")).click()
    detail = page.locator("#batch")
    detail.get_by_text("On its way").first.wait_for()
    assert first["number"] in detail.inner_text() and "Bob Zhou" in detail.inner_text()
    detail.get_by_label("Northeast rice · 5 kg: short by").fill("1")
    assert detail.get_by_label(re.compile(r"^Free-range eggs · 30 pack, order .*: short by$")).count() == 2
    shot(page, "arrival-form")
    unlabelled = "[...document.querySelectorAll('input, select')].filter((c) => !c.labels.length).length"
    assert page.evaluate(unlabelled) == 0  # every control of every section, the arrival form's too
    detail.get_by_role("button", name="Confirm arrival").click()
    page.get_by_text("Arrival confirmed: 2 orders ready for pickup, 1 short unit (refunded").wait_for()
    # "quantity" is units sent less units refunded, and the short unit was refunded at once (jobs inline).
    assert "Northeast rice · 5 kg × 1 (1 short)" in detail.inner_text()
    assert detail.get_by_role("button", name="Confirm arrival").count() == 0  # arrived: no second confirmation
    shot(page, "arrival-confirmed")

    db.session.commit()  # the browser's requests committed on other connections
    assert db.session.get(DeliveryBatch, batch_id).status.value == "arrived"
    rice_line = db.session.scalar(sa.select(OrderLine).where(OrderLine.order_id == first["id"],
                                                             OrderLine.sku_id == delivery["rice"]))
    shortage = db.session.scalar(sa.select(Shortage))
    assert (shortage.order_line_id, shortage.quantity, shortage.reason.value) == (rice_line.id, 1, "missing")
    assert db.session.scalar(sa.select(Refund.amount_cents).where(Refund.order_id == first["id"])) == 5000

    # Alice shows her code (typed in lower case); her order is handed over.
    page.get_by_role("tab", name="Hand over", exact=True).click()
    page.get_by_label("Pickup code").fill(first["pickup_code"].lower())
    page.get_by_role("button", name="Verify and hand over").click()
    result = page.locator("#pickup-result")
    result.get_by_text(f"Handed over: order {first['number']}").wait_for()
    assert "Shopper: Alice Li" in result.inner_text()
    assert "Northeast rice · 5 kg × 1 (1 short, 1 collected)" in result.inner_text()
    assert "Everything is collected." in result.inner_text()
    shot(page, "handed-over")
    db.session.commit()
    assert db.session.get(Order, first["id"]).fulfilment.value == "picked_up"

    # Only Bob's order is still waiting.
    page.get_by_role("tab", name="Waiting", exact=True).click()
    page.get_by_text("Ready for pickup (1)").wait_for()
    waiting = page.locator("#waiting").inner_text()
    assert second["number"] in waiting and first["number"] not in waiting
    shot(page, "waiting")

    # Earnings: 10% of 160.00 accrued, less 5.00 clawed back for the refunded rice; Alice's part
    # (8.00) settles at once (no after-sale window here), Bob's 3.00 waits for his pickup.
    settle_due()
    balance = views.balance_of(leader.id)
    assert (balance["available_cents"], balance["pending_cents"]) == (800, 300)
    page.get_by_role("tab", name="Earnings", exact=True).click()
    page.get_by_text("Your Stripe payout account is not finished yet.").wait_for()
    earnings = page.locator("#earnings")
    stats = earnings.locator("dl.stats").inner_text()
    assert "8.00" in stats and "3.00" in stats
    assert earnings.get_by_role("button", name="Continue Stripe onboarding").is_visible()
    earnings.get_by_text(f"Earned · order {first['number']} · Northeast rice").wait_for()
    assert "Refund clawback" in earnings.inner_text()
    earnings.get_by_label("Amount to withdraw").fill("5")
    earnings.get_by_role("button", name="Request payout").click()
    earnings.get_by_text("Payout of").wait_for()
    assert "you receive" in earnings.locator("#payout-result").inner_text()
    assert "Requested" in earnings.locator("#payouts").inner_text()
    shot(page, "earnings")
    db.session.commit()
    payout = db.session.scalar(sa.select(Payout))
    assert (payout.amount_cents, payout.fee_cents, payout.status.value) == (500, 50, "requested")
    assert views.balance_of(leader.id)["withdrawing_cents"] == 500

    page.get_by_role("tab", name="Performance", exact=True).click()
    numbers = page.locator("#performance-table")
    numbers.get_by_text("Your numbers this month").wait_for()
    assert "110.00" in numbers.inner_text()  # sales: 160.00 paid less 50.00 refunded
    shot(page, "performance")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("tab", name="Deliveries", exact=True).click()
    page.get_by_role("button", name=re.compile("^Open delivery of")).click()
    page.locator("#batch-orders table").wait_for()
    shot(page, "desktop")
    assert page.console_errors == []

    page.get_by_role("button", name="Log out").click()
    page.locator("#login-form").wait_for()
    assert page.evaluate("localStorage.getItem('storefront.leader-token')") is None


def test_a_shopper_who_is_not_a_leader_is_told_so(live_server, page):
    shopper = make_shopper(name="Just Shopping")
    db.session.commit()
    log_in(page, live_server, shopper.account.email)
    page.get_by_text("You are not a group leader").wait_for()
    assert page.locator("#console").is_hidden()
    assert page.evaluate("localStorage.getItem('storefront.leader-token')") is None
    shot(page, "not-a-leader")
    assert refused_statuses(page) == [403]  # GET /leader/me: handled, shown above


def test_wrong_codes_and_the_return_from_stripe_are_explained(live_server, page, delivery):
    leader = delivery["leader"]
    log_in(page, live_server, leader.account.email, path="/leader?payout-account=expired")
    page.get_by_text("The Stripe onboarding link expired").wait_for()
    page.get_by_text("Your Stripe payout account is not finished yet.").wait_for()  # opened on Earnings
    assert page.evaluate("location.search") == ""

    page.get_by_role("tab", name="Hand over", exact=True).click()
    page.get_by_label("Pickup code").fill("WRONG234")
    page.get_by_role("button", name="Verify and hand over").click()
    page.get_by_text("No order has that pickup code").wait_for()
    # Not ready yet: the delivery has not been confirmed as arrived.
    page.get_by_label("Pickup code").fill(delivery["second"]["pickup_code"])
    page.get_by_role("button", name="Verify and hand over").click()
    page.get_by_text("This order is not waiting at the pickup point (the order is: On its way)").wait_for()
    shot(page, "wrong-code")
    assert refused_statuses(page) == [404, 409]
