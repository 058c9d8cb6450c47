"""The shop page a group link opens, in a real browser at phone width: ordering, sales, subscriptions, wallet."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.members import services as members
from app.orders.models import Order, OrderStatus
from app.subscriptions import plans
from app.subscriptions.models import Subscription
from tests.e2e.artifacts import screenshot
from tests.factories import PASSWORD, code_of, make_buyer, make_campaign, make_group, make_leader, make_product
from tests.replenishment_flows import fund


def log_in(page, base: str, group, email: str) -> None:
    page.goto(f"{base}/g/{code_of(group)}")
    form = page.locator("#login-form")
    form.get_by_label("E-mail or phone").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()
    page.get_by_text("you are a member of").wait_for()


def test_a_new_shopper_orders_for_pickup_and_sees_the_pickup_code_and_qr(live_server, page):
    group = make_group(make_leader(name="Wang Fang"), name="Maple Court", pay_at_pickup_allowed=True)
    rice = make_product(name="Northeast rice", skus=[{"code": "RICE-5", "name": "5 kg", "price_cents": 4990,
                                                      "stock_total": 20}])
    make_product(name="Peanut oil", skus=[{"code": "OIL-1", "name": "1.8 L", "price_cents": 3290, "stock_total": 5}])
    db.session.commit()

    page.goto(f"{live_server}/g/{code_of(group)}")
    form = page.locator("#register-form")
    form.get_by_label("Name").fill("Chen Jing")
    form.get_by_label("E-mail").fill("chen@example.com")
    form.get_by_label("Password (8+ characters)").fill("s3cret-pass")
    form.get_by_role("button", name="Register").click()
    page.get_by_role("button", name="Join this group").click()
    page.get_by_text("you are a member of Maple Court").wait_for()
    expect(page.locator("#next-pickup")).to_contain_text("pick up on")

    page.get_by_role("button", name="Add Northeast rice 5 kg to cart").click()
    page.get_by_role("button", name="Add Northeast rice 5 kg to cart").click()
    page.get_by_role("button", name="Add Peanut oil 1.8 L to cart").click()
    expect(page.locator("#cart-count")).to_have_text("3")
    page.locator("[data-tab=tab-cart]").click()
    page.get_by_text("Total CN¥132.70").wait_for()  # 2 × 49.90 + 32.90, priced by the API's /quote
    page.get_by_label("Quantity of Peanut oil 1.8 L").fill("0")
    page.get_by_label("Quantity of Peanut oil 1.8 L").dispatch_event("change")
    page.get_by_text("Total CN¥99.80").wait_for()
    page.get_by_label("Pay at pickup").check()
    page.get_by_role("button", name="Place order").click()

    order_card = page.locator("#orders article.order").first
    order_card.locator(".code").wait_for()
    db.session.commit()
    order = db.session.scalar(sa.select(Order))
    assert order.status is OrderStatus.CONFIRMED and order.total_cents == 9980
    assert [(ln.sku_id, ln.quantity) for ln in order.lines] == [(rice.skus[0].id, 2)]
    assert order_card.locator(".code").inner_text() == order.pickup_code
    assert f"Order {order.number}" in order_card.inner_text()
    assert "To pay at pickup: CN¥99.80" in order_card.inner_text()
    qr = order_card.get_by_role("img", name=f"QR code for pickup code {order.pickup_code}")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    expect(page.locator("#cart-count")).to_have_text("0")
    screenshot(page, "shop-order-pickup-code")
    assert page.console_errors == []


def test_a_refused_checkout_shows_why_and_places_nothing(live_server, page):
    group = make_group(make_leader(), pay_at_pickup_allowed=True)
    make_product(name="Peanut oil", skus=[{"code": "OIL-2", "name": "5 L", "price_cents": 8990, "stock_total": 2}])
    buyer = make_buyer(group)
    db.session.commit()
    log_in(page, live_server, group, buyer.account.email)
    page.get_by_role("button", name="Add Peanut oil 5 L to cart").click()
    page.locator("[data-tab=tab-cart]").click()
    page.get_by_label("Quantity of Peanut oil 5 L").fill("3")  # only 2 in stock
    page.get_by_label("Quantity of Peanut oil 5 L").dispatch_event("change")
    page.get_by_label("Pay at pickup").check()
    page.get_by_role("button", name="Place order").click()
    error = page.locator("#checkout-form [data-error]")
    error.filter(has_text="Only 2 left of OIL-2").wait_for()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert page.locator("#cart-count").inner_text() == "3"  # the cart is kept to fix and retry


def test_a_member_sees_sales_buys_in_the_member_zone_subscribes_and_reads_the_wallet(live_server, page):
    group = make_group(make_leader(), name="Riverside")
    eggs = make_product(name="Free-range eggs", skus=[{"code": "EGG-30", "name": "30 eggs", "price_cents": 3290,
                                                       "stock_total": 80}])
    shrimp = make_product(name="Frozen shrimp", skus=[{"code": "SHR-1", "name": "500 g", "price_cents": 4990,
                                                       "stock_total": 40}])
    beef = make_product(name="Wagyu beef", members_only=True,
                        skus=[{"code": "BEEF-1", "name": "300 g", "price_cents": 12800, "stock_total": 10}])
    make_campaign("flash_sale", items=[(eggs.skus[0].id, 1990, 50)], name="Egg flash sale", minutes=120,
                  per_person_limit=2)
    make_campaign("group_buy", items=[(shrimp.skus[0].id, 3990, 40)], name="Shrimp group buy", minutes=600,
                  threshold_kind="participants", threshold=5, threshold_scope="per_group")
    plans.create({"sku_id": eggs.skus[0].id, "discount_bps": 1000,
                  "intervals": [{"unit": "week", "count": 1}, {"unit": "week", "count": 2}]})
    buyer = make_buyer(group)
    members.join(buyer.id)
    fund(buyer, 50_000)
    db.session.commit()

    log_in(page, live_server, group, buyer.account.email)
    flash = page.locator("article.campaign[data-kind=flash_sale]")
    flash.get_by_text("Ends in").wait_for()
    assert "Up to 2 per person" in flash.inner_text()
    assert "CN¥19.90" in flash.inner_text() and "50 of 50 left" in flash.inner_text()
    progress = page.locator("article.campaign[data-kind=group_buy] progress")
    expect(progress).to_have_attribute("max", "5")
    expect(progress).to_have_attribute("value", "0")
    assert "0 of 5 neighbours joined" in page.locator("article.campaign[data-kind=group_buy]").inner_text()
    screenshot(page, "shop-campaigns")

    zone = page.locator("#member-products")
    expect(zone).to_contain_text("Wagyu beef")
    assert "Wagyu beef" not in page.locator("#products").inner_text()
    zone.get_by_role("button", name="Add Wagyu beef 300 g to cart").click()
    page.locator("[data-tab=tab-cart]").click()
    page.get_by_text("Total CN¥128.00").wait_for()
    page.get_by_role("radio", name="Wallet").check()
    page.get_by_role("button", name="Place order").click()
    page.locator("#orders article.order .code").wait_for()
    db.session.commit()
    order = db.session.scalar(sa.select(Order).where(Order.account_id == buyer.id))
    assert order.status is OrderStatus.PAID and order.payment_method == "wallet"
    assert [ln.sku_id for ln in order.lines] == [beef.skus[0].id]

    page.locator("[data-tab=tab-subscriptions]").click()
    form = page.locator("#subscribe-form")
    form.get_by_label("Item").select_option(label="Free-range eggs 30 eggs (10% off)")
    form.get_by_label("How often").select_option(label="every 2 weeks")
    form.get_by_label("Quantity").fill("2")
    form.get_by_role("button", name="Subscribe").click()
    sub_card = page.locator("#subscriptions article.subscription").first
    sub_card.get_by_text("every 2 weeks · active").wait_for()
    db.session.commit()
    sub = db.session.scalar(sa.select(Subscription).where(Subscription.account_id == buyer.id))
    assert (sub.quantity, sub.interval_count, sub.interval_unit.value) == (2, 2, "week")
    expect(sub_card).to_contain_text("Next delivery")
    sub_card.get_by_role("button", name="Pause 30 eggs").click()
    sub_card.get_by_text("· paused").wait_for()

    page.locator("[data-tab=tab-wallet]").click()
    page.get_by_text("Balance CN¥372.00").wait_for()  # 500.00 funded − 128.00 paid
    expect(page.locator("#wallet-entries tbody tr")).to_have_count(2)
    screenshot(page, "shop-wallet")
    assert page.console_errors == []
