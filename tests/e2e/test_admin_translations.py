"""The merchant enters translations from the dashboard, in a real browser at phone width: a product's
English name and description and its SKU's name (Products tab), a category's name, a draft
campaign's name, and a new campaign's English name from the campaign form. What is saved is what the
API stores, and an English reader of the shop then sees it; search finds the product by it."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from app.campaigns.models import Campaign
from app.catalog.models import Category, Product, Sku
from app.extensions import db
from tests.e2e.i18n import T, assert_in_language, switch_language
from tests.factories import PASSWORD, code_of, make_campaign, make_category, make_group, make_product, make_staff

ENGLISH = "English"  # the language's own name, in both catalogues


def log_in(page, base: str) -> None:
    page.goto(f"{base}/admin")
    form = page.locator("#login-form")
    form.get_by_label(T("admin.login.email")).fill("mei@shop.test")
    form.get_by_label(T("common.login.password")).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.get_by_text(T("admin.signed_in_as", name="梅晓")).wait_for()


def fresh(model, row_id):
    db.session.commit()  # the browser's requests committed on other connections
    return db.session.get(model, row_id)


def test_the_merchant_translates_products_categories_and_campaigns(live_server, page, client):
    staff = make_staff(name="梅晓", email="mei@shop.test")
    group = make_group()
    fruit = make_category(name="时令水果")
    apples = make_product(name="红富士苹果", description="脆甜多汁。", category_id=fruit.id, skus=[
        {"code": "APPLE-5", "name": "5斤装", "price_cents": 2990, "stock_total": 10}])
    sku = apples.skus[0]
    draft = make_campaign(items=[(sku.id, 1990, 5)], approve=False, staff=staff, name="苹果周")
    db.session.commit()
    log_in(page, live_server)

    # Products: the product, not yet translated; its translation form.
    page.locator("#tab-products").click()
    row = page.locator("#products-list tr", has_text="红富士苹果")
    expect(row).to_contain_text(T("status.product.active"))
    row.get_by_role("button", name=T("admin.content.translate_named", name="红富士苹果")).click()
    form = page.locator("#product-translations")
    form.get_by_label(T("admin.content.name_in", language=ENGLISH)).fill("Fuji apples")
    form.get_by_label(T("admin.content.description_in", language=ENGLISH)).fill("Crisp and juicy.")
    form.get_by_label(T("admin.content.sku_in", code="APPLE-5", name="5斤装", language=ENGLISH)).fill("2.5 kg box")
    assert_in_language(page, "zh-CN", shot="admin-translate-product")
    form.get_by_role("button", name=T("admin.content.save")).click()
    page.get_by_text(T("admin.content.saved", name="红富士苹果")).wait_for()
    assert fresh(Product, apples.id).translations == {"en": {"name": "Fuji apples", "description": "Crisp and juicy."}}
    assert fresh(Sku, sku.id).translations == {"en": {"name": "2.5 kg box"}}
    expect(row).to_contain_text("Fuji apples")

    # Search by the English name finds it; an empty answer says how to search.
    filters = page.locator("#products-filter")
    filters.get_by_label(T("admin.products.q")).fill("fuji")
    filters.get_by_role("button", name=T("common.show")).click()
    expect(page.locator("#products-list tbody tr")).to_have_count(1)
    expect(row).to_be_visible()
    filters.get_by_label(T("admin.products.q")).fill("香蕉")
    filters.get_by_role("button", name=T("common.show")).click()
    page.locator("#products-list").get_by_text(T("admin.empty.products")).wait_for()

    # Clearing the description keeps the name (the form sends the whole object the API replaces).
    filters.get_by_label(T("admin.products.q")).fill("")
    filters.get_by_role("button", name=T("common.show")).click()
    row.get_by_role("button", name=T("admin.content.translate_named", name="红富士苹果")).click()
    expect(form.get_by_label(T("admin.content.name_in", language=ENGLISH))).to_have_value("Fuji apples")
    form.get_by_label(T("admin.content.description_in", language=ENGLISH)).fill("")
    form.get_by_role("button", name=T("admin.content.save")).click()
    page.get_by_text(T("admin.content.saved", name="红富士苹果")).wait_for()
    assert fresh(Product, apples.id).translations == {"en": {"name": "Fuji apples"}}

    # Categories.
    categories = page.locator("#categories-form")
    categories.get_by_label(T("admin.content.category_in", name="时令水果", language=ENGLISH)).fill("Fruit")
    categories.get_by_role("button", name=T("admin.categories.save")).click()
    page.get_by_text(T("admin.categories.saved")).wait_for()
    assert fresh(Category, fruit.id).translations == {"en": {"name": "Fruit"}}

    # A draft campaign, then a new one from the form.
    page.locator("#tab-campaigns").click()
    page.get_by_role("button", name=T("admin.content.translate_named", name="苹果周")).click()
    translate = page.locator("#campaign-translate")
    translate.get_by_label(T("admin.content.name_in", language=ENGLISH)).fill("Apple week")
    translate.get_by_role("button", name=T("admin.content.save")).click()
    page.get_by_text(T("admin.content.saved", name="苹果周")).wait_for()
    assert fresh(Campaign, draft.id).translations == {"en": {"name": "Apple week"}}

    new = page.locator("#campaign-form")
    new.get_by_label(T("admin.campaign_form.name"), exact=True).fill("苹果秒杀")
    new.get_by_label(T("admin.content.name_in", language=ENGLISH)).fill("Apple flash sale")
    new.get_by_label(T("admin.content.description_in", language=ENGLISH)).fill("Two boxes each")
    new.get_by_label(T("admin.campaign_form.starts")).fill("2031-03-01T10:00")
    new.get_by_label(T("admin.campaign_form.ends")).fill("2031-03-01T12:00")
    page.wait_for_function("() => document.querySelectorAll('#campaign-sku option').length === 2")
    new.get_by_label(T("admin.campaign_form.sku")).select_option(str(sku.id))
    new.get_by_label(T("admin.campaign_form.price")).fill("19.90")
    new.get_by_label(T("admin.campaign_form.stock")).fill("4")
    new.get_by_role("button", name=T("admin.campaign_form.create")).click()
    page.get_by_text(T("admin.campaigns.created", name="苹果秒杀")).wait_for()
    db.session.commit()
    created = db.session.scalar(sa.select(Campaign).where(Campaign.name == "苹果秒杀"))
    assert created.translations == {"en": {"name": "Apple flash sale", "description": "Two boxes each"}}

    # An English reader of the shop reads what was entered.
    shelf = client.get(f"/api/v1/store/groups/{code_of(group)}/products", headers={"Accept-Language": "en"}).get_json()
    assert (shelf[0]["name"], shelf[0]["category"]["name"], shelf[0]["skus"][0]["name"]) == (
        "Fuji apples", "Fruit", "2.5 kg box")

    switch_language(page, "en")
    page.locator("#tab-products").click()
    expect(page.locator("#products-list tr", has_text="红富士苹果")).to_contain_text("Fuji apples")
    page.get_by_role("button", name=T("admin.content.translate_named", "en", name="红富士苹果")).click()
    expect(page.locator("#product-translations").get_by_label(
        T("admin.content.name_in", "en", language=ENGLISH))).to_have_value("Fuji apples")
    assert_in_language(page, "en", shot="admin-translate-product")
    assert page.console_errors == []
