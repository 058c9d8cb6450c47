"""Wallet top-ups and the membership fee by WeChat Pay in the shop page, against localstripe extended
with it (tests/localstripe_wallets.py): the methods offered are client-config's top_up_methods, the
QR box is the one orders use (static/js/shop/apppay.js), and waiting reads the top-up until Stripe
says paid. The home page's /?top_up=<id>#wallet return (Alipay) lands on the wallet and shows the result;
the membership fee by Alipay goes to Alipay and comes back a member; the top-up screens in English."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from app.db import utcnow
from app.extensions import db
from app.loyalty.services import update_program
from app.members.models import Membership
from app.wallet import ledger
from app.wallet.models import TopUp
from app.wallet.services import start_top_up
from tests.e2e.i18n import T, assert_in_language, new_page
from tests.e2e.test_shop_page import log_in
from tests.e2e.test_shop_wechat_alipay import decoded_qr
from tests.factories import PASSWORD, code_of, make_buyer, make_group, make_leader
from tests.stripe_helpers import shopper_completes


def shopper():
    group = make_group(make_leader(name="王芳"), name="枫林苑")
    buyer = make_buyer(group, name="陈静")
    db.session.commit()
    return group, buyer


def top_up_of(buyer) -> TopUp:
    db.session.commit()
    return db.session.scalar(sa.select(TopUp).where(TopUp.account_id == buyer.id).order_by(TopUp.id.desc()))


def open_me(page) -> None:
    page.get_by_role("tab", name=T("shop.tabs.me"), exact=True).click()


def test_a_wechat_pay_top_up_shows_the_qr_code_and_raises_the_balance(live_server, page):
    group, buyer = shopper()
    log_in(page, live_server, group, buyer.account.email)
    open_me(page)
    form = page.locator("#top-up-form")
    methods = form.get_by_label(T("shop.wallet.pay_with"))
    assert methods.locator("option").evaluate_all("os => os.map(o => o.value)") == ["card", "wechat_pay", "alipay"]
    form.get_by_label(T("shop.wallet.amount")).fill("100")
    methods.select_option("wechat_pay")
    form.get_by_role("button", name=T("shop.wallet.top_up"), exact=True).click()

    box = page.locator("#app-payment")
    expect(box.get_by_role("heading", name=T("shop.apppay.wechat_title"))).to_be_visible()
    top_up = top_up_of(buyer)
    assert (top_up.amount_cents, top_up.method, top_up.status.value) == (10000, "wechat_pay", "pending")
    assert decoded_qr(box.get_by_role("img", name=T("shop.apppay.qr_alt"))) == \
        top_up.next_action["wechat_pay_display_qr_code"]["data"]
    expect(box.locator("#app-pay-status")).to_have_text(T("shop.apppay.waiting"))
    assert_in_language(page, "zh-CN", shot="shop-top-up-wechat-qr")

    # The shopper pays on the fake; no webhook: the page's polling asks the server, which asks Stripe.
    shopper_completes(top_up.provider_ref)
    expect(box.locator("#app-pay-status")).to_have_text(T("shop.apppay.paid"), timeout=15000)
    page.get_by_text(T("shop.wallet.balance", total="¥100.00")).wait_for()
    assert top_up_of(buyer).status.value == "succeeded"
    assert ledger.balance(buyer.id).total_cents == 10000
    assert page.console_errors == []


def test_a_failed_top_up_says_so_in_our_words(live_server, page):
    group, buyer = shopper()
    log_in(page, live_server, group, buyer.account.email)
    open_me(page)
    form = page.locator("#top-up-form")
    form.get_by_label(T("shop.wallet.amount")).fill("50")
    form.get_by_label(T("shop.wallet.pay_with")).select_option("wechat_pay")
    form.get_by_role("button", name=T("shop.wallet.top_up"), exact=True).click()
    box = page.locator("#app-payment")
    expect(box.get_by_role("img", name=T("shop.apppay.qr_alt"))).to_be_visible()
    shopper_completes(top_up_of(buyer).provider_ref, paid=False)
    error = box.locator("#app-pay-error")
    expect(error).not_to_be_empty(timeout=15000)
    shown = error.inner_text()
    assert not any(c.isascii() and c.isalpha() for c in shown)  # the API's Chinese sentence, not Stripe's
    assert top_up_of(buyer).status.value == "failed"
    page.get_by_text(T("shop.wallet.balance", total="¥0.00")).wait_for()
    assert page.console_errors == []


def test_the_membership_fee_by_wechat_pay_makes_a_member(live_server, page):
    update_program({"membership_fee_cents": 1900, "membership_days": 30})
    group, buyer = shopper()
    log_in(page, live_server, group, buyer.account.email)
    page.get_by_role("button", name=T("shop.member.become")).click()
    fee = page.locator("#member-fee")
    expect(fee).to_contain_text(T("shop.member.fee", fee="¥19.00", count=30))
    choice = fee.get_by_label(T("shop.member.pay_with"))
    assert choice.locator("option").evaluate_all("os => os.map(o => o.value)") == [
        "wallet", "card", "wechat_pay", "alipay"]
    choice.select_option("wechat_pay")
    fee.get_by_role("button", name=T("shop.member.pay", fee="¥19.00")).click()
    box = page.locator("#app-payment")
    expect(box.get_by_role("img", name=T("shop.apppay.qr_alt"))).to_be_visible()
    top_up = top_up_of(buyer)
    assert (top_up.amount_cents, top_up.purpose) == (1900, "membership")
    shopper_completes(top_up.provider_ref)
    expect(box.locator("#app-pay-status")).to_have_text(T("shop.apppay.paid"), timeout=15000)
    page.locator("#member-standing").get_by_text(T("shop.member.points", count=0)).wait_for()
    expect(page.get_by_role("button", name=T("shop.member.become"))).to_be_hidden()
    db.session.commit()
    assert db.session.get(Membership, buyer.id).active_at(utcnow())
    # Chromium notes the 422 membership_fee_required that tells the page the fee; the script logged nothing.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"]


def test_coming_back_from_alipay_shows_the_top_up_on_the_wallet(live_server, page):
    group, buyer = shopper()
    top_up = start_top_up(buyer.id, 2000, "alipay-return", method="alipay")
    assert "alipay_handle_redirect" in top_up.next_action
    shopper_completes(top_up.provider_ref)
    log_in(page, live_server, group, buyer.account.email)
    # Alipay's return_url is the home page; it sends the shopper on to the shop page they left from
    # (which the page keeps when it sends them to Alipay).
    page.evaluate("path => localStorage.setItem('storefront.shop', path)", f"/g/{code_of(group)}")
    page.goto(f"{live_server}/?top_up={top_up.id}#wallet")
    page.wait_for_url(f"{live_server}/g/{code_of(group)}**")
    expect(page.get_by_role("tab", name=T("shop.tabs.me"), exact=True)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#app-pay-status")).to_have_text(T("shop.apppay.paid"), timeout=15000)
    page.get_by_text(T("shop.wallet.balance", total="¥20.00")).wait_for()
    assert "top_up=" not in page.url
    assert page.console_errors == []


def test_the_membership_fee_by_alipay_goes_to_alipay_and_comes_back_a_member(app, live_server, page):
    update_program({"membership_fee_cents": 1900, "membership_days": 30})
    group, buyer = shopper()
    buyer_id = buyer.id
    sent_to = []

    def alipay(route):
        """Alipay's page: the shopper approves, Stripe sends them to the return_url (the test store's
        PUBLIC_BASE_URL is http://shop.test: the same path on this server)."""
        sent_to.append(route.request.url)
        with app.app_context():  # Playwright calls this from its own greenlet, outside the test's context
            top_up = db.session.scalar(sa.select(TopUp).where(TopUp.account_id == buyer_id))
            shopper_completes(top_up.provider_ref)
            back = top_up.next_action["alipay_handle_redirect"]["return_url"]
        route.fulfill(status=302, headers={"Location": back.replace("http://shop.test", live_server)})

    page.route("https://hooks.stripe.com/**", alipay)
    log_in(page, live_server, group, buyer.account.email)
    page.get_by_role("button", name=T("shop.member.become")).click()
    fee = page.locator("#member-fee")
    fee.get_by_label(T("shop.member.pay_with")).select_option("alipay")
    with page.expect_navigation(url=f"{live_server}/g/**", timeout=15000):
        fee.get_by_role("button", name=T("shop.member.pay", fee="¥19.00")).click()
    assert sent_to and sent_to[0].startswith("https://hooks.stripe.com/redirect/")
    top_up = top_up_of(buyer)
    assert (top_up.amount_cents, top_up.purpose, top_up.method) == (1900, "membership", "alipay")
    assert top_up.next_action["alipay_handle_redirect"]["return_url"] == f"http://shop.test/?top_up={top_up.id}#wallet"

    # Back on the shop page it left from, on the Me tab: the fee is paid and the shopper is a member.
    expect(page.get_by_role("tab", name=T("shop.tabs.me"), exact=True)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#app-pay-status")).to_have_text(T("shop.apppay.paid"), timeout=15000)
    assert_in_language(page, "zh-CN", shot="shop-member-fee-alipay-returned")
    page.get_by_role("tab", name=T("shop.tabs.shop"), exact=True).click()
    page.locator("#member-standing").get_by_text(T("shop.member.points", count=0)).wait_for()
    expect(page.get_by_role("button", name=T("shop.member.become"))).to_be_hidden()
    assert "top_up=" not in page.url
    db.session.commit()
    assert top_up_of(buyer).status.value == "succeeded"
    assert db.session.get(Membership, buyer.id).active_at(utcnow())
    assert ledger.balance(buyer.id).total_cents == 0  # the fee is not wallet money
    assert [e for e in page.console_errors if "422" not in e] == []  # the 422 that tells the page the fee


def test_the_top_up_screens_read_in_english(live_server, browser):
    group, buyer = shopper()
    page = new_page(browser, "en", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(f"{live_server}/g/{code_of(group)}")
    form = page.locator("#login-form")
    form.get_by_label(T("common.login.login", "en")).fill(buyer.account.email)
    form.get_by_label(T("common.login.password", "en"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit", "en")).click()
    page.locator("#member-status.ok").wait_for()
    page.get_by_role("tab", name=T("shop.tabs.me", "en"), exact=True).click()
    page.get_by_text(T("shop.wallet.balance", "en", total="¥0.00")).wait_for()
    top_up_form = page.locator("#top-up-form")
    methods = top_up_form.get_by_label(T("shop.wallet.pay_with", "en"))
    assert methods.locator("option").evaluate_all("os => os.map(o => o.textContent)") == [
        T("shop.pay.card", "en"), T("shop.pay.wechat_pay", "en"), T("shop.pay.alipay", "en")]
    assert_in_language(page, "en", shot="shop-top-up-form")

    # A payment the shopper gives up: the reason in English, in our words, not Stripe's.
    top_up_form.get_by_label(T("shop.wallet.amount", "en")).fill("50")
    methods.select_option("wechat_pay")
    top_up_form.get_by_role("button", name=T("shop.wallet.top_up", "en"), exact=True).click()
    box = page.locator("#app-payment")
    expect(box.get_by_role("heading", name=T("shop.apppay.wechat_title", "en"))).to_be_visible()
    expect(box.locator("#app-pay-status")).to_have_text(T("shop.apppay.waiting", "en"))
    assert_in_language(page, "en", shot="shop-top-up-wechat-qr")
    failed = top_up_of(buyer)
    shopper_completes(failed.provider_ref, paid=False)
    error = box.locator("#app-pay-error")
    expect(error).not_to_be_empty(timeout=15000)
    db.session.commit()
    assert top_up_of(buyer).status.value == "failed"
    assert top_up_of(buyer).failure_message not in error.inner_text()
    assert_in_language(page, "en")

    # Again, paid: the QR box says so in English and the balance rises.
    box.get_by_role("button", name=T("shop.apppay.close", "en")).click()
    top_up_form.get_by_label(T("shop.wallet.amount", "en")).fill("100")
    methods.select_option("wechat_pay")
    top_up_form.get_by_role("button", name=T("shop.wallet.top_up", "en"), exact=True).click()
    expect(box.get_by_role("img", name=T("shop.apppay.qr_alt", "en"))).to_be_visible()
    paid = top_up_of(buyer)
    assert paid.id != failed.id and paid.amount_cents == 10000
    assert decoded_qr(box.get_by_role("img", name=T("shop.apppay.qr_alt", "en"))) == \
        paid.next_action["wechat_pay_display_qr_code"]["data"]
    shopper_completes(paid.provider_ref)
    expect(box.locator("#app-pay-status")).to_have_text(T("shop.apppay.paid", "en"), timeout=15000)
    page.get_by_text(T("shop.wallet.balance", "en", total="¥100.00")).wait_for()
    assert_in_language(page, "en", shot="shop-top-up-paid")
    assert page.console_errors == []
    page.context.close()
