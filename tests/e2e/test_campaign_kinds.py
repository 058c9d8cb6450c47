"""The campaign form offers every kind the API has, with each kind's own fields, and the product
picker works after a search for each: a pre-sale and a member day are created as drafts."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from app.campaigns.models import Campaign
from app.extensions import db
from tests.e2e.i18n import T
from tests.e2e.test_merchant_dashboard import log_in, shop  # noqa: F401 (a fixture)


def fill_common(page, name: str, kind: str, shop_data) -> object:  # noqa: F811
    form = page.locator("#campaign-form")
    form.get_by_label(T("admin.campaign_form.name"), exact=True).fill(name)
    form.get_by_label(T("admin.campaign_form.kind")).select_option(kind)
    form.get_by_label(T("admin.campaign_form.starts")).fill("2031-03-01T10:00")
    form.get_by_label(T("admin.campaign_form.ends")).fill("2031-03-05T12:00")
    form.get_by_label(T("admin.campaign_form.find")).fill("鸡蛋")
    # The picker is filled again after each search: wait for it, or the choice is wiped.
    with page.expect_response(lambda r: "/api/v1/admin/products" in r.url):
        form.get_by_role("button", name=T("admin.campaign_form.find_button"), exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('#campaign-sku option').length === 2")
    form.get_by_label(T("admin.campaign_form.sku")).select_option(str(shop_data["eggs"].id))
    form.get_by_label(T("admin.campaign_form.price")).fill("25.00")
    return form


def test_a_pre_sale_and_a_member_day_from_the_form(live_server, page, shop):  # noqa: F811
    log_in(page, live_server)
    page.get_by_role("tab", name=T("admin.tabs.campaigns")).click()

    form = fill_common(page, "鸡蛋预售", "pre_sale", shop)
    assert form.get_by_label(T("admin.campaign_form.day_of_month")).is_hidden()
    form.get_by_label(T("admin.campaign_form.stock")).fill("30")
    form.get_by_label(T("admin.campaign_form.deposit"), exact=True).fill("5")
    form.get_by_label(T("admin.campaign_form.deposit_value")).fill("8")
    form.get_by_label(T("admin.campaign_form.balance_starts")).fill("2031-03-06T10:00")
    form.get_by_label(T("admin.campaign_form.balance_ends")).fill("2031-03-08T10:00")
    form.get_by_label(T("admin.campaign_form.ship_date")).fill("2031-03-10")
    form.get_by_role("button", name=T("admin.campaign_form.create")).click()
    page.get_by_text(T("admin.campaigns.created", name="鸡蛋预售")).wait_for()

    form = fill_common(page, "会员日鸡蛋", "member_day", shop)
    assert form.get_by_label(T("admin.campaign_form.deposit_value")).is_hidden()
    form.get_by_label(T("admin.campaign_form.day_of_month")).fill("8")
    form.get_by_label(T("admin.campaign_form.points_multiplier")).fill("2")
    form.get_by_role("button", name=T("admin.campaign_form.create")).click()
    expect(page.locator("[role=status]").first).to_have_text(T("admin.campaigns.created", name="会员日鸡蛋"))

    db.session.commit()
    pre = db.session.scalar(sa.select(Campaign).where(Campaign.name == "鸡蛋预售"))
    assert (pre.kind.value, pre.balance_policy.value, str(pre.ship_date)) == ("pre_sale", "forfeit", "2031-03-10")
    assert (pre.items[0].deposit_cents, pre.items[0].deposit_value_cents, pre.items[0].stock_total) == (500, 800, 30)
    day = db.session.scalar(sa.select(Campaign).where(Campaign.name == "会员日鸡蛋"))
    assert (day.kind.value, day.day_of_month, day.items[0].points_multiplier, day.items[0].stock_total) == \
        ("member_day", 8, 2, None)
