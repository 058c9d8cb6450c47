"""WeChat Pay and Alipay in the shop page, against localstripe extended with both
(tests/localstripe_wallets.py): the picker offers them, WeChat Pay's QR code (decoded as a phone
camera would) waits until the shopper pays on the fake and the webhook lands, closing and paying again
shows the same code; Alipay sends the shopper away and its return_url brings them back to the order;
the wallet pays a flash-sale reservation where the merchant allows it."""
from __future__ import annotations

import base64
import io

import requests
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment
from app.settings.services import update_settings
from app.wallet import ledger
from app.wallet.models import WalletKind
from tests.e2e.artifacts import screenshot
from tests.e2e.i18n import T, assert_in_language, new_page
from tests.e2e.test_shop_page import add_to_cart, log_in
from tests.factories import PASSWORD, code_of, make_buyer, make_campaign, make_group, make_leader, make_product
from tests.stripe_helpers import intent_event, shopper_completes, sign


def shop_with_apples(pay_at_pickup=False):
    group = make_group(make_leader(name="王芳"), name="枫林苑", pay_at_pickup_allowed=pay_at_pickup)
    make_product(name="烟台红富士苹果", skus=[{"code": "APL-5", "name": "5 斤", "price_cents": 1990,
                                              "stock_total": 20}])
    buyer = make_buyer(group, name="陈静")
    db.session.commit()
    return group, buyer


def payment_of(buyer) -> Payment:
    db.session.commit()
    order_id = db.session.scalar(sa.select(Order.id).where(Order.account_id == buyer.id))
    return db.session.scalar(sa.select(Payment).where(Payment.order_id == order_id).order_by(Payment.id.desc()))


def order_of(buyer) -> Order:
    db.session.commit()
    return db.session.scalar(sa.select(Order).where(Order.account_id == buyer.id))


def decoded_qr(img) -> str:
    src = img.get_attribute("src")
    png = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
    found = zxingcpp.read_barcodes(png)
    assert [b.format for b in found] == [zxingcpp.BarcodeFormat.QRCode]
    return found[0].text


def webhook_lands(live_server: str, intent_id: str) -> None:
    """Stripe's payment_intent.succeeded, signed, posted to the running app as Stripe would."""
    payload = intent_event("payment_intent.succeeded", intent_id)
    r = requests.post(f"{live_server}/webhooks/stripe", data=payload, timeout=10,
                      headers={"Stripe-Signature": sign(payload), "Content-Type": "application/json"})
    assert r.status_code == 200, r.text


def place_order(page, method_label: str, lang: str = "zh-CN") -> None:
    add_to_cart(page, "烟台红富士苹果 5 斤", lang).click()
    page.get_by_role("button", name=T("shop.cart.checkout", lang)).click()
    page.get_by_label(method_label).check()
    page.get_by_role("button", name=T("shop.cart.place_order", lang)).click()


def test_wechat_pay_shows_the_qr_code_and_the_order_turns_paid(live_server, page):
    group, buyer = shop_with_apples()
    log_in(page, live_server, group, buyer.account.email)
    add_to_cart(page, "烟台红富士苹果 5 斤").click()
    page.get_by_role("button", name=T("shop.cart.checkout")).click()
    # Exactly what the quote says can pay: the online methods; no wallet (it holds nothing), no pickup.
    radios = page.locator("#payment-methods input[type=radio]")
    expect(radios).to_have_count(3)
    assert radios.evaluate_all("rs => rs.map(r => r.value)") == ["card", "wechat_pay", "alipay"]
    page.get_by_label(T("shop.pay.wechat_pay")).check()
    page.get_by_role("button", name=T("shop.cart.place_order")).click()

    box = page.locator("#app-payment")
    expect(box.get_by_role("heading", name=T("shop.apppay.wechat_title"))).to_be_visible()
    payment = payment_of(buyer)
    qr_data = payment.next_action["wechat_pay_display_qr_code"]["data"]
    assert decoded_qr(box.get_by_role("img", name=T("shop.apppay.qr_alt"))) == qr_data
    expect(box.locator("#app-pay-status")).to_have_text(T("shop.apppay.waiting"))
    expect(box.locator("#app-pay-hint")).to_have_text(T("shop.apppay.wechat_phone_hint"))  # a phone
    assert_in_language(page, "zh-CN", shot="shop-wechat-pay-qr")

    # Close it (pay later), then Pay now on the order: the same open payment, the same QR code.
    box.get_by_role("button", name=T("shop.apppay.close")).click()
    expect(box).to_be_hidden()
    number = order_of(buyer).number
    card = page.locator(f"#orders article[data-order='{number}']")
    expect(card.get_by_label(T("shop.orders.pay_with", number=number))).to_have_value("wechat_pay")
    card.get_by_role("button", name=T("shop.orders.pay_now")).click()
    expect(box).to_be_visible()
    assert decoded_qr(box.get_by_role("img", name=T("shop.apppay.qr_alt"))) == qr_data
    assert payment_of(buyer).id == payment.id

    # The shopper scans and pays (the fake's hook); Stripe's webhook lands; the page says paid.
    shopper_completes(payment.provider_ref)
    webhook_lands(live_server, payment.provider_ref)
    expect(box.locator("#app-pay-status")).to_have_text(T("shop.apppay.paid"), timeout=15000)
    expect(card.locator(".pickup-code .code")).to_be_visible()
    assert order_of(buyer).status.value == "paid"
    screenshot(page, "shop-wechat-pay-paid")
    assert page.console_errors == []


def test_alipay_redirects_and_comes_back_to_the_order_in_english(app, live_server, browser):
    group, buyer = shop_with_apples()
    buyer_id = buyer.id
    page = new_page(browser, "en", viewport={"width": 390, "height": 844}, is_mobile=True)
    sent_to = []

    def alipay(route):
        """Alipay's page: the shopper approves, Stripe sends them to the return_url (the test store's
        PUBLIC_BASE_URL is http://shop.test: the same path on this server)."""
        sent_to.append(route.request.url)
        with app.app_context():  # Playwright calls this from its own greenlet, outside the test's context
            payment = db.session.scalar(sa.select(Payment).join(Order, Order.id == Payment.order_id)
                                        .where(Order.account_id == buyer_id))
            shopper_completes(payment.provider_ref)
            back = payment.next_action["alipay_handle_redirect"]["return_url"]
        back = back.replace("http://shop.test", live_server)
        route.fulfill(status=302, headers={"Location": back})

    page.route("https://hooks.stripe.com/**", alipay)
    page.goto(f"{live_server}/g/{code_of(group)}")
    form = page.locator("#login-form")
    form.get_by_label(T("common.login.login", "en")).fill(buyer.account.email)
    form.get_by_label(T("common.login.password", "en"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit", "en")).click()
    page.locator("#member-status.ok").wait_for()
    with page.expect_navigation(url=f"{live_server}/g/**", timeout=15000):
        place_order(page, T("shop.pay.alipay", "en"), "en")
    assert sent_to and sent_to[0].startswith("https://hooks.stripe.com/redirect/")
    expect(page.get_by_role("tab", name=T("shop.tabs.orders", "en"), exact=True)).to_have_attribute(
        "aria-selected", "true")
    box = page.locator("#app-payment")
    expect(box.locator("#app-pay-status")).to_have_text(T("shop.apppay.paid", "en"), timeout=15000)
    assert "order=" not in page.url
    assert order_of(buyer).status.value == "paid"
    assert_in_language(page, "en", shot="shop-alipay-returned-en")
    assert page.console_errors == []
    page.context.close()


def test_the_wallet_pays_a_flash_sale_reservation_where_the_merchant_allows_it(live_server, page):
    group = make_group(make_leader(name="王芳"), name="枫林苑")
    sku = make_product(name="土鸡蛋", skus=[{"code": "EGG-30", "name": "30 枚", "price_cents": 3990,
                                            "stock_total": 50}]).skus[0]
    make_campaign("flash_sale", items=[(sku.id, 1990, 10)])
    update_settings({"campaign_methods": {"flash_sale": ["online", "wallet"]}})
    buyer = make_buyer(group, name="陈静")
    ledger.post(buyer.id, WalletKind.TOP_UP, 5000, 0, ref="test-top-up:egg", note="test funds")
    db.session.commit()
    log_in(page, live_server, group, buyer.account.email)
    page.get_by_role("button", name=T("shop.campaigns.reserve_named", name="土鸡蛋 30 枚")).click()
    page.locator("#campaigns p.ok[role=status]").wait_for()
    page.get_by_role("tab", name=T("shop.tabs.orders"), exact=True).click()
    number = order_of(buyer).number
    card = page.locator(f"#orders article[data-order='{number}']")
    page.wait_for_load_state("networkidle")  # the list is drawn twice (reserved, tab shown): choose in the last
    methods = card.get_by_label(T("shop.orders.pay_with", number=number))
    assert methods.locator("option").evaluate_all("os => os.map(o => o.value)") == [
        "card", "wechat_pay", "alipay", "wallet"]
    methods.select_option("wallet")
    card.get_by_role("button", name=T("shop.orders.pay_now")).click()
    expect(card.locator(".pickup-code .code")).to_be_visible()
    order = order_of(buyer)
    assert (order.status.value, order.payment_method, order.paid_cents) == ("paid", "wallet", 1990)
    assert page.console_errors == []


def test_a_wechat_payment_that_fails_says_so_in_our_words_and_pay_now_opens_a_new_code(live_server, page):
    group, buyer = shop_with_apples()
    log_in(page, live_server, group, buyer.account.email)
    place_order(page, T("shop.pay.wechat_pay"))
    box = page.locator("#app-payment")
    expect(box.get_by_role("img", name=T("shop.apppay.qr_alt"))).to_be_visible()
    first = payment_of(buyer)
    shopper_completes(first.provider_ref, paid=False)  # declined in WeChat
    error = box.locator("#app-pay-error")
    expect(error).not_to_be_empty(timeout=15000)
    db.session.commit()
    shown = error.inner_text()
    assert payment_of(buyer).failure_message not in shown  # the provider's text stays with staff
    assert not any(c.isascii() and c.isalpha() for c in shown)  # our Chinese sentence
    number = order_of(buyer).number
    card = page.locator(f"#orders article[data-order='{number}']")
    page.wait_for_load_state("networkidle")
    card.get_by_label(T("shop.orders.pay_with", number=number)).select_option("wechat_pay")
    card.get_by_role("button", name=T("shop.orders.pay_now")).click()
    expect(box.locator("#app-pay-status")).to_have_text(T("shop.apppay.waiting"))
    retry = payment_of(buyer)
    assert retry.id != first.id
    assert decoded_qr(box.get_by_role("img", name=T("shop.apppay.qr_alt"))) == \
        retry.next_action["wechat_pay_display_qr_code"]["data"]
    assert page.console_errors == []
