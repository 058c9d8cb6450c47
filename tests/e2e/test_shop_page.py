"""The shop page a group link opens, in a real browser at phone width, in zh-CN (the store's first
language) and then in English: ordering, sales, subscriptions, wallet."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.members import services as members
from app.orders.models import Order, OrderStatus
from app.subscriptions import plans
from app.subscriptions.models import Subscription
from tests.e2e.i18n import T, T_pattern, assert_in_language, switch_language
from tests.factories import PASSWORD, code_of, make_buyer, make_campaign, make_group, make_leader, make_product
from tests.replenishment_flows import fund


def log_in(page, base: str, group, email: str) -> None:
    page.goto(f"{base}/g/{code_of(group)}")
    form = page.locator("#login-form")
    form.get_by_label(T("common.login.login")).fill(email)
    form.get_by_label(T("common.login.password"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.locator("#member-status.ok").wait_for()


def add_to_cart(page, name: str, lang: str = "zh-CN"):
    return page.get_by_role("button", name=T("shop.products.add_named", lang, name=name))


def test_a_new_shopper_orders_for_pickup_and_sees_the_pickup_code_and_qr(live_server, page):
    group = make_group(make_leader(name="王芳"), name="枫林苑", pay_at_pickup_allowed=True)
    rice = make_product(name="东北大米", skus=[{"code": "RICE-5", "name": "5 公斤", "price_cents": 4990,
                                              "stock_total": 20}])
    make_product(name="花生油", skus=[{"code": "OIL-1", "name": "1.8 升", "price_cents": 3290, "stock_total": 5}])
    db.session.commit()

    page.goto(f"{live_server}/g/{code_of(group)}")
    form = page.locator("#register-form")
    form.get_by_label(T("shop.auth.name")).fill("陈静")
    form.get_by_label(T("shop.auth.email")).fill("chen@example.com")
    form.get_by_label(T("shop.auth.new_password")).fill("s3cret-pass")
    form.get_by_role("button", name=T("shop.auth.register")).click()
    page.get_by_role("button", name=T("shop.join")).click()
    page.get_by_text(T("shop.membership.member", name="陈静", group="枫林苑")).wait_for()
    expect(page.locator("#next-pickup")).to_contain_text("自提")
    # The cut-off and pickup are on the store's clock, 24-hour: "… 23:00 前下单 → … 10:00–20:00 自提".
    expect(page.locator("#next-pickup")).to_have_text(
        re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日周. \d{2}:\d{2} 前下单 → .+ \d{2}:\d{2}–\d{2}:\d{2} 自提$"))

    add_to_cart(page, "东北大米 5 公斤").click()
    add_to_cart(page, "东北大米 5 公斤").click()
    add_to_cart(page, "花生油 1.8 升").click()
    expect(page.locator("#cart-count")).to_have_text("3")
    page.locator("[data-tab=tab-cart]").click()
    page.get_by_text(T("shop.cart.total", total="¥132.70")).wait_for()  # 2 × 49.90 + 32.90, priced by /quote
    page.get_by_label(T("shop.cart.quantity_of", name="花生油 1.8 升")).fill("0")
    page.get_by_label(T("shop.cart.quantity_of", name="花生油 1.8 升")).dispatch_event("change")
    page.get_by_text(T("shop.cart.total", total="¥99.80")).wait_for()
    assert_in_language(page, "zh-CN", shot="shop-cart")
    page.get_by_label(T("shop.pay.at_pickup")).check()
    page.get_by_role("button", name=T("shop.cart.place_order")).click()

    order_card = page.locator("#orders article.order").first
    order_card.locator(".code").wait_for()
    db.session.commit()
    order = db.session.scalar(sa.select(Order))
    assert order.status is OrderStatus.CONFIRMED and order.total_cents == 9980
    assert [(ln.sku_id, ln.quantity) for ln in order.lines] == [(rice.skus[0].id, 2)]
    assert order_card.locator(".code").inner_text() == order.pickup_code
    assert T("shop.orders.order", number=order.number) in order_card.inner_text()
    assert T("shop.orders.due_at_pickup", amount="¥99.80") in order_card.inner_text()
    assert f"{T('status.order.confirmed')} · {T('status.fulfilment.scheduled')}" in order_card.inner_text()
    qr = order_card.get_by_role("img", name=T("shop.orders.qr_alt", code=order.pickup_code))
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    expect(page.locator("#cart-count")).to_have_text("0")
    assert_in_language(page, "zh-CN", shot="shop-order-pickup-code")

    # In English the same order reads in English, with ¥ and the same code.
    switch_language(page, "en")
    page.get_by_role("tab", name=T("shop.tabs.orders", "en")).click()
    order_card = page.locator("#orders article.order").first
    expect(order_card).to_contain_text(T("shop.orders.due_at_pickup", "en", amount="¥99.80"))
    expect(order_card).to_contain_text(
        f"{T('status.order.confirmed', 'en')} · {T('status.fulfilment.scheduled', 'en')}")
    assert_in_language(page, "en", shot="shop-order-pickup-code")
    assert page.console_errors == []


def test_a_refused_checkout_shows_why_and_places_nothing(live_server, page):
    group = make_group(make_leader(), pay_at_pickup_allowed=True)
    make_product(name="花生油", skus=[{"code": "OIL-2", "name": "5 升", "price_cents": 8990, "stock_total": 2}])
    buyer = make_buyer(group)
    db.session.commit()
    log_in(page, live_server, group, buyer.account.email)
    add_to_cart(page, "花生油 5 升").click()
    page.locator("[data-tab=tab-cart]").click()
    page.get_by_label(T("shop.cart.quantity_of", name="花生油 5 升")).fill("3")  # only 2 in stock
    page.get_by_label(T("shop.cart.quantity_of", name="花生油 5 升")).dispatch_event("change")
    page.get_by_label(T("shop.pay.at_pickup")).check()
    page.get_by_role("button", name=T("shop.cart.place_order")).click()
    # The API's reason (in the caller's language once the server translates), naming the SKU.
    page.locator("#checkout-form [data-error]").filter(has_text="OIL-2").wait_for()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert page.locator("#cart-count").inner_text() == "3"  # the cart is kept to fix and retry


def test_a_member_sees_sales_buys_in_the_member_zone_subscribes_and_reads_the_wallet(live_server, page):
    group = make_group(make_leader(), name="河畔")
    eggs = make_product(name="散养鸡蛋", skus=[{"code": "EGG-30", "name": "30 枚", "price_cents": 3290,
                                              "stock_total": 80}])
    shrimp = make_product(name="冻虾仁", skus=[{"code": "SHR-1", "name": "500 克", "price_cents": 4990,
                                             "stock_total": 40}])
    beef = make_product(name="和牛", members_only=True,
                        skus=[{"code": "BEEF-1", "name": "300 克", "price_cents": 12800, "stock_total": 10}])
    make_campaign("flash_sale", items=[(eggs.skus[0].id, 1990, 50)], name="鸡蛋秒杀", minutes=120,
                  per_person_limit=2)
    make_campaign("group_buy", items=[(shrimp.skus[0].id, 3990, 40)], name="虾仁拼团", minutes=600,
                  threshold_kind="participants", threshold=5, threshold_scope="per_group")
    plans.create({"sku_id": eggs.skus[0].id, "discount_bps": 1000,
                  "intervals": [{"unit": "week", "count": 1}, {"unit": "week", "count": 2}]})
    buyer = make_buyer(group)
    members.join(buyer.id)
    fund(buyer, 50_000)
    db.session.commit()

    log_in(page, live_server, group, buyer.account.email)
    flash = page.locator("article.campaign[data-kind=flash_sale]")
    flash.get_by_text(T("shop.campaigns.ends_in", left="")).wait_for()
    assert T("shop.campaigns.limit", count=2) in flash.inner_text()
    assert "¥19.90" in flash.inner_text() and T("shop.campaigns.left", left=50, total=50) in flash.inner_text()
    progress = page.locator("article.campaign[data-kind=group_buy] progress")
    expect(progress).to_have_attribute("max", "5")
    expect(progress).to_have_attribute("value", "0")
    assert T("shop.campaigns.progress_people", current=0, threshold=5) in \
        page.locator("article.campaign[data-kind=group_buy]").inner_text()
    assert_in_language(page, "zh-CN", shot="shop-campaigns")

    zone = page.locator("#member-products")
    expect(zone).to_contain_text("和牛")
    assert "和牛" not in page.locator("#products").inner_text()
    zone.get_by_role("button", name=T("shop.products.add_named", name="和牛 300 克")).click()
    page.locator("[data-tab=tab-cart]").click()
    page.get_by_text(T("shop.cart.total", total="¥128.00")).wait_for()
    page.get_by_role("radio", name=T("shop.pay.wallet")).check()
    page.get_by_role("button", name=T("shop.cart.place_order")).click()
    page.locator("#orders article.order .code").wait_for()
    db.session.commit()
    order = db.session.scalar(sa.select(Order).where(Order.account_id == buyer.id))
    assert order.status is OrderStatus.PAID and order.payment_method == "wallet"
    assert [ln.sku_id for ln in order.lines] == [beef.skus[0].id]

    page.locator("[data-tab=tab-me]").click()
    form = page.locator("#subscribe-form")
    form.get_by_label(T("shop.subscriptions.item")).select_option(
        label="散养鸡蛋 30 枚" + T("shop.subscriptions.off", percent=10))
    form.get_by_label(T("shop.subscriptions.interval")).select_option(label=T("shop.subscriptions.every_week", count=2))
    form.get_by_label(T("shop.subscriptions.quantity")).fill("2")
    form.get_by_role("button", name=T("shop.subscriptions.subscribe"), exact=True).click()
    sub_card = page.locator("#subscriptions article.subscription").first
    every_two_weeks = T("shop.subscriptions.every_week", count=2)
    sub_card.get_by_text(f"{every_two_weeks} · {T('status.subscription.active')}").wait_for()
    db.session.commit()
    sub = db.session.scalar(sa.select(Subscription).where(Subscription.account_id == buyer.id))
    assert (sub.quantity, sub.interval_count, sub.interval_unit.value) == (2, 2, "week")
    expect(sub_card.locator("p.muted").first).to_have_text(T_pattern("shop.subscriptions.next_charge"))
    pause = T("shop.subscriptions.action_named", action=T("shop.subscriptions.pause"), name="30 枚")
    sub_card.get_by_role("button", name=pause).click()
    sub_card.get_by_text(f"· {T('status.subscription.paused')}").wait_for()
    assert_in_language(page, "zh-CN", shot="shop-subscriptions")

    page.get_by_text(T("shop.wallet.balance", total="¥372.00")).wait_for()  # 500.00 funded − 128.00 paid
    expect(page.locator("#wallet-entries tbody tr")).to_have_count(2)
    assert_in_language(page, "zh-CN", shot="shop-wallet")

    switch_language(page, "en")
    page.get_by_role("tab", name=T("shop.tabs.me", "en"), exact=True).click()
    page.get_by_text(T("shop.wallet.balance", "en", total="¥372.00")).wait_for()
    expect(page.locator("#wallet-entries")).to_contain_text(T("status.wallet.payment", "en"))
    assert_in_language(page, "en", shot="shop-wallet")
    every_two_weeks = T("shop.subscriptions.every_week", "en", count=2)
    page.get_by_text(f"{every_two_weeks} · {T('status.subscription.paused', 'en')}").wait_for()
    page.get_by_role("tab", name=T("shop.tabs.shop", "en")).click()
    flash = page.locator("article.campaign[data-kind=flash_sale]")
    flash.get_by_text(T("shop.campaigns.ends_in", "en", left="")).wait_for()
    assert_in_language(page, "en", shot="shop-campaigns")
    assert page.console_errors == []
