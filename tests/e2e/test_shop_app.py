"""The shop page as a resident uses it on a phone (390×844): the product grid with pictures and
savings, the sticky cart bar, the bottom tabs, the welcome coupon at checkout with the amount due
and the pickup day, an invitation-only group that says how to get in, and share posters whose QR
code decodes to the right link — in zh-CN and in English, with screenshots kept as artefacts."""
from __future__ import annotations

import base64
import io
import re

import sqlalchemy as sa
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from app.coupons import services as coupons
from app.extensions import db
from app.groups import bindings
from app.groups.models import GroupLink
from app.orders.models import Order
from blueprints.schemas.common import link_url
from tests.e2e.artifacts import SCREENSHOTS, screenshot
from tests.e2e.i18n import T, assert_in_language, switch_language
from tests.e2e.test_leader_console import log_in as leader_log_in
from tests.e2e.test_shop_page import log_in
from tests.factories import PASSWORD, code_of, make_buyer, make_group, make_leader, make_product, make_shopper


def picture(live_server: str, name: str) -> list[str]:
    return [f"{live_server}/static/demo/products/{name}.webp"]


def welcome_coupon(buyer):
    """The demo's welcome coupon: 5.00 off a spend of 30.00, one per shopper."""
    template = coupons.create_template({"name": "新人券：满30减5", "kind": "amount", "amount_off_cents": 500,
                                        "min_spend_cents": 3000, "valid_days": 30, "per_person_limit": 1})
    return coupons.issue_coupon(template.id, buyer.account.id, source="merchant", source_ref=f"welcome:{buyer.id}")


def qr_text(page, img, name: str) -> str:
    """Decode the poster's QR code from the PNG the page made (zxing-cpp, as a phone camera would);
    the PNG itself is kept with the screenshots as `<name>.png`."""
    src = img.get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    data = base64.b64decode(src.split(",", 1)[1])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"{name}.png").write_bytes(data)
    png = Image.open(io.BytesIO(data))
    assert png.size == (750, 1210)
    found = zxingcpp.read_barcodes(png)
    assert [b.format for b in found] == [zxingcpp.BarcodeFormat.QRCode]
    return found[0].text


def test_grid_cart_bar_tabs_and_the_welcome_coupon_at_checkout(live_server, page):
    group = make_group(make_leader(name="王芳"), name="枫林苑", pay_at_pickup_allowed=True)
    apples = make_product(name="烟台红富士苹果", image_urls=picture(live_server, "apples"), skus=[
        {"code": "APL-5", "name": "5 斤", "price_cents": 1990, "compare_at_price_cents": 2590, "stock_total": 20}])
    make_product(name="上海青", skus=[{"code": "BOK-1", "name": "500 克", "price_cents": 390, "stock_total": 9}])
    buyer = make_buyer(group, name="陈静")
    coupon = welcome_coupon(buyer)
    db.session.commit()
    log_in(page, live_server, group, buyer.account.email)

    # Two columns at phone width, the picture loaded, the price with the price it is compared with and the saving.
    grid = page.locator("#products")
    cards = grid.locator("article.product-card")
    card = grid.locator(f"[data-product='{apples.id}']")
    expect(card.get_by_role("button", name=T("shop.products.add_named", name="烟台红富士苹果 5 斤"))).to_be_enabled()
    expect(cards).to_have_count(2)
    boxes = grid.evaluate("g => [...g.querySelectorAll('article.product-card')]"
                          ".map(c => c.getBoundingClientRect().toJSON())")
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]  # side by side
    assert boxes[0]["width"] < 195  # two columns in 390 pixels
    assert card.get_by_role("img", name="烟台红富士苹果").evaluate("img => img.complete && img.naturalWidth > 0")
    expect(card).to_contain_text("¥19.90")
    expect(card.locator(".was")).to_have_text("¥25.90")
    expect(card.locator(".saving")).to_have_text(T("shop.products.saving", amount="¥6.00"))
    expect(page.locator("#cart-bar-total")).to_have_text(T("shop.cart.bar_empty"))
    expect(page.get_by_role("button", name=T("shop.cart.checkout"))).to_be_disabled()

    # The detail sheet, and the sticky cart bar counting and pricing what is added.
    card.get_by_role("button", name=T("shop.products.details_named", name="烟台红富士苹果")).click()
    sheet = page.locator("#product-sheet")
    expect(sheet.get_by_role("heading", name="烟台红富士苹果")).to_be_visible()
    sheet.get_by_role("button", name=T("shop.products.add_named", name="烟台红富士苹果 5 斤")).click()
    sheet.get_by_role("button", name=T("common.close")).click()
    card.get_by_role("button", name=T("shop.products.add_named", name="烟台红富士苹果 5 斤")).click()
    expect(page.locator("#cart-count")).to_have_text("2")
    expect(page.locator("#cart-bar-total")).to_have_text("¥39.80")
    bar = page.locator("#cart-bar").bounding_box()
    assert bar["y"] + bar["height"] <= 844 and bar["y"] > 844 - 160  # pinned above the bottom tabs
    assert_in_language(page, "zh-CN", shot="shop-app-grid")

    # Checkout: the welcome coupon can be chosen, the amount due and the pickup day show before paying.
    page.get_by_role("button", name=T("shop.cart.checkout")).click()
    page.get_by_label(T("shop.coupons.label")).select_option(str(coupon.id))
    expect(page.locator("#coupon-off")).to_have_text(T("shop.cart.coupon_off", amount="¥5.00"))
    expect(page.locator("#cart-total")).to_have_text(T("shop.cart.total", total="¥34.80"))
    expect(page.locator("#cart-bar-total")).to_have_text("¥34.80")
    expect(page.locator("#cart-pickup")).to_have_text(re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日周. 到「.+」自提$"))
    # No wallet balance: the wallet is not offered; the group takes payment at pickup.
    expect(page.get_by_role("radio", name=T("shop.pay.wallet"))).to_have_count(0)
    page.get_by_label(T("shop.pay.at_pickup")).check()
    assert_in_language(page, "zh-CN", shot="shop-app-checkout")
    page.get_by_role("button", name=T("shop.cart.place_order")).click()
    page.locator("#orders article.order .code").wait_for()
    expect(page.get_by_role("tab", name=T("shop.tabs.orders"))).to_have_attribute("aria-selected", "true")
    db.session.commit()
    order = db.session.scalar(sa.select(Order).where(Order.account_id == buyer.id))
    assert (order.coupon_id, order.coupon_discount_cents, order.total_cents) == (coupon.id, 500, 3480)
    expect(page.locator("#cart-count")).to_have_text("0")

    # The bottom tabs: 首页 / 订单 / 我的, each showing its screen.
    page.get_by_role("tab", name=T("shop.tabs.me"), exact=True).click()
    expect(page.locator("#tab-me")).to_be_visible()
    expect(page.locator("#tab-shop")).to_be_hidden()
    assert_in_language(page, "zh-CN", shot="shop-app-me")

    switch_language(page, "en")
    home = page.get_by_role("tab", name=T("shop.tabs.shop", "en"), exact=True)
    expect(home).to_have_attribute("aria-selected", "true")
    card = page.locator(f"#products [data-product='{apples.id}']")
    expect(card.locator(".saving")).to_have_text(T("shop.products.saving", "en", amount="¥6.00"))
    expect(page.locator("#cart-bar-total")).to_have_text(T("shop.cart.bar_empty", "en"))
    assert_in_language(page, "en", shot="shop-app-grid")
    page.get_by_role("tab", name=T("shop.tabs.orders", "en"), exact=True).click()
    expect(page.locator("#orders article.order")).to_have_count(1)
    # A desktop: three columns, the cart bar and tabs still at hand.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("tab", name=T("shop.tabs.shop", "en"), exact=True).click()
    expect(page.locator("#products article.product-card").first).to_be_visible()
    screenshot(page, "shop-app-grid-desktop-en")
    assert page.console_errors == []


def test_a_coupon_the_cart_is_too_small_for_says_why_in_english(live_server, page):
    group = make_group(make_leader(), pay_at_pickup_allowed=True)
    make_product(name="上海青", skus=[{"code": "BOK-2", "name": "500 克", "price_cents": 390, "stock_total": 9}])
    buyer = make_buyer(group)
    coupon = welcome_coupon(buyer)
    db.session.commit()
    log_in(page, live_server, group, buyer.account.email)
    switch_language(page, "en")
    page.get_by_role("button", name=T("shop.products.add_named", "en", name="上海青 500 克")).click()
    page.get_by_role("button", name=T("shop.cart.checkout", "en")).click()
    page.get_by_label(T("shop.coupons.label", "en")).select_option(str(coupon.id))
    expect(page.locator("#coupon-error")).not_to_be_empty()  # the API's reason (below the minimum spend)
    expect(page.locator("#cart-total")).to_have_text(T("shop.cart.total", "en", total="¥3.90"))  # priced without it
    assert_in_language(page, "en", shot="shop-app-coupon-refused")
    assert all("422" in error for error in page.console_errors)  # the refused quote, as Chromium logs it


def test_an_invitation_only_group_explains_how_to_get_in(live_server, page):
    leader = make_leader(name="王芳")
    group = make_group(leader, name="翠湖", admission_rule="invitation_only")
    shopper = make_shopper(name="陈静")
    personal = bindings.mint_link(leader.account.id, group.id)  # the leader's own link (an invitation)
    db.session.commit()

    log_in_page = page.goto(f"{live_server}/g/{code_of(group)}")
    assert log_in_page.ok
    invite = page.locator("#invite-only")
    expect(invite).to_have_text(T("shop.membership.invitation_only", leader="王芳"))
    form = page.locator("#login-form")
    form.get_by_label(T("common.login.login")).fill(shopper.account.email)
    form.get_by_label(T("common.login.password"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    expect(page.locator("#member-status")).to_have_text(T("shop.membership.invitation_hello", name="陈静"))
    expect(invite).to_be_visible()
    expect(page.get_by_role("button", name=T("shop.join"))).to_be_hidden()  # no Join that would fail
    assert_in_language(page, "zh-CN", shot="shop-app-invitation-only")

    switch_language(page, "en")
    expect(page.locator("#invite-only")).to_have_text(T("shop.membership.invitation_only", "en", leader="王芳"))
    assert_in_language(page, "en", shot="shop-app-invitation-only")

    # The leader's personal link is an invitation: through it, Join is offered and works.
    page.goto(f"{live_server}/g/{personal.code}")
    page.get_by_role("button", name=T("shop.join", "en")).click()
    page.locator("#member-status.ok").wait_for()
    expect(page.locator("#invite-only")).to_be_hidden()
    assert page.console_errors == []


def test_posters_carry_a_qr_code_of_the_sharers_own_link(live_server, page, browser):
    leader = make_leader(name="王芳", point_name="枫林苑大堂")
    group = make_group(leader, name="枫林苑")
    eggs = make_product(name="散养鸡蛋", image_urls=picture(live_server, "eggs"), skus=[
        {"code": "EGG-30", "name": "30 枚", "price_cents": 3290, "stock_total": 80}])
    buyer = make_buyer(group, name="陈静")
    db.session.commit()

    # A shopper's product poster: the product's picture, name and price, and the shopper's own link to it.
    log_in(page, live_server, group, buyer.account.email)
    page.locator(f"#products [data-product='{eggs.id}']").get_by_role(
        "button", name=T("shop.products.details_named", name="散养鸡蛋")).click()
    page.locator("#product-sheet").get_by_role("button", name=T("common.poster.make")).click()
    poster = page.get_by_role("img", name=T("common.poster.alt", title="散养鸡蛋"))
    expect(poster).to_be_visible()
    db.session.commit()
    mine = db.session.scalar(sa.select(GroupLink).where(GroupLink.owner_account_id == buyer.account.id))
    assert qr_text(page, poster, "poster-product-zh-CN") == f"{link_url(mine.code)}?p={eggs.id}"
    save = page.get_by_role("link", name=T("common.poster.save"))
    expect(save).to_have_attribute("download", "散养鸡蛋.png")
    screenshot(page, "shop-app-poster-zh-CN")
    page.get_by_role("button", name=T("common.close")).last.click()

    # The shopper's invitation poster (我的), in English.
    switch_language(page, "en")
    page.get_by_role("tab", name=T("shop.tabs.me", "en"), exact=True).click()
    page.get_by_role("button", name=T("shop.invite.poster", "en")).click()
    title = T("common.poster.group_title", "en", group="枫林苑")
    poster = page.get_by_role("img", name=T("common.poster.alt", "en", title=title))
    expect(poster).to_be_visible()
    assert qr_text(page, poster, "poster-invitation-en") == link_url(mine.code)
    screenshot(page, "shop-app-poster-en")

    # The product poster's link opens that product's sheet.
    page.goto(f"{live_server}/g/{mine.code}?p={eggs.id}")
    expect(page.locator("#product-sheet").get_by_role("heading", name="散养鸡蛋")).to_be_visible()
    assert page.console_errors == []

    # The leader's poster in the leader console: the leader's own link.
    lead = page.context.browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    leader_log_in(lead, live_server, leader.account.email)
    lead.locator("#share summary").click()
    lead.get_by_role("button", name=T("leader.posters.make", group="枫林苑")).click()
    poster = lead.get_by_role("img", name=T("common.poster.alt", title=T("common.poster.group_title", group="枫林苑")))
    expect(poster).to_be_visible()
    db.session.commit()
    theirs = db.session.scalar(sa.select(GroupLink).where(GroupLink.owner_account_id == leader.account.id))
    assert qr_text(lead, poster, "poster-leader-zh-CN") == link_url(theirs.code)
    screenshot(lead, "leader-poster-zh-CN")
    lead.context.close()
