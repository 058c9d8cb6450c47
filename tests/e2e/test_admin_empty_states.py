"""The merchant dashboard on a new store, in a real browser at phone width: every list that has
nothing to show says why and what to do (its own words, not a generic "nothing here"), in zh-CN and
in English."""
from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from tests.e2e.i18n import T, assert_in_language, switch_language
from tests.factories import PASSWORD, make_staff

# tab → (list box, the empty text's key); each list as it opens on a store with no orders at all.
LISTS = {
    "orders": ("#orders-list", "admin.empty.orders"),
    "campaigns": ("#campaigns-list", "admin.empty.campaigns"),
    "applications": ("#applications-list", "admin.empty.applications"),
    "batches": ("#batches-list", "admin.empty.batches"),
    "aftersales": ("#aftersales-list", "admin.aftersale.none"),
    "payouts": ("#payouts-list", "admin.empty.payouts"),
    "analytics": ("#an-leaders", "admin.empty.analytics"),
}


def log_in(page, base: str, email: str, name: str) -> None:
    page.goto(f"{base}/admin")
    form = page.locator("#login-form")
    form.get_by_label(T("admin.login.email")).fill(email)
    form.get_by_label(T("common.login.password")).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.get_by_text(T("admin.signed_in_as", name=name)).wait_for()


def empty_texts_shown(page, lang: str) -> None:
    for tab, (box, key) in LISTS.items():
        page.locator(f"#tab-{tab}").click()
        expect(page.locator(box).get_by_text(T(key, lang), exact=True)).to_be_visible()
    # The audit log is never empty (creating the owner was recorded): a filter that matches nothing.
    page.locator("#tab-audit").click()
    page.locator("#audit-list table").wait_for()
    page.locator("#audit-filter").get_by_label(T("admin.audit.action", lang)).fill("no.such.action")
    page.locator("#audit-filter").get_by_role("button", name=T("common.show", lang)).click()
    expect(page.locator("#audit-list").get_by_text(T("admin.empty.audit", lang), exact=True)).to_be_visible()


def test_every_empty_list_of_the_dashboard_says_why_and_what_to_do(live_server, page):
    make_staff(name="梅晓", email="mei@shop.test")
    db.session.commit()
    log_in(page, live_server, "mei@shop.test", "梅晓")

    empty_texts_shown(page, "zh-CN")
    # Not the generic line: each section has its own words.
    expect(page.get_by_text(T("common.empty"), exact=True)).to_have_count(0)
    page.locator("#tab-orders").click()
    assert_in_language(page, "zh-CN", shot="admin-empty-orders")

    switch_language(page, "en")
    empty_texts_shown(page, "en")
    page.locator("#tab-batches").click()
    assert_in_language(page, "en", shot="admin-empty-batches")
    assert page.console_errors == []
