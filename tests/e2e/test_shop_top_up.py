"""Wallet top-ups and the membership fee by WeChat Pay in the shop page, against localstripe extended
with it (tests/localstripe_wallets.py): the methods offered are client-config's top_up_methods, the
QR box is the one orders use (static/js/shop/apppay.js), and waiting reads the top-up until Stripe
says paid. The home page's /?top_up=<id>#wallet return (Alipay) lands on the wallet and shows the result."""
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
from tests.e2e.i18n import T, assert_in_language
from tests.e2e.test_shop_page import log_in
from tests.e2e.test_shop_wechat_alipay import decoded_qr
from tests.factories import code_of, make_buyer, make_group, make_leader
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
