from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.groups.models import Binding
from tests.e2e.i18n import T, assert_in_language, switch_language
from tests.factories import code_of, make_category, make_group, make_leader, make_product


def test_a_new_shopper_opens_a_group_link_registers_and_joins_the_group(live_server, page):
    leader = make_leader(name="王芳")
    group = make_group(leader, name="枫林苑邻里团")
    fruit = make_category(name="水果")
    make_product(name="富士苹果", category_id=fruit.id)
    make_product(name="东北大米")
    group_id = group.id

    page.goto(f"{live_server}/g/{code_of(group)}")
    page.get_by_role("heading", name="枫林苑邻里团").wait_for()
    assert T("shop.group.leader", name="王芳") in page.locator("#group-meta").inner_text()
    page.get_by_text("富士苹果").wait_for()
    assert page.locator("#products article").count() == 2
    assert_in_language(page, "zh-CN", shot="shop-group-link")

    form = page.locator("#register-form")
    form.get_by_label(T("shop.auth.name")).fill("新邻居")
    form.get_by_label(T("shop.auth.email")).fill("neighbour@example.com")
    form.get_by_label(T("shop.auth.new_password")).fill("s3cret-pass")
    form.get_by_role("button", name=T("shop.auth.register")).click()
    page.get_by_role("button", name=T("shop.join")).click()
    page.get_by_text(T("shop.membership.member", name="新邻居", group="枫林苑邻里团")).wait_for()

    db.session.commit()  # the browser's requests committed on other connections
    bound = db.session.scalar(sa.select(Binding.group_id).where(Binding.ended_at.is_(None)))
    assert bound == group_id
    # Category filter works in the page.
    page.get_by_label(T("shop.products.category")).select_option(label="水果")
    page.get_by_role("button", name=T("common.show")).click()
    page.wait_for_function("() => document.querySelectorAll('#products article').length === 1")
    assert_in_language(page, "zh-CN")

    # The same page in English, chosen in the page's menu: kept on this device.
    switch_language(page, "en")
    page.get_by_text(T("shop.membership.member", "en", name="新邻居", group="枫林苑邻里团")).wait_for()
    assert page.evaluate("localStorage.getItem('locale')") == "en"
    assert_in_language(page, "en", shot="shop-group-link")
    assert page.console_errors == []


def test_an_unknown_group_link_shows_a_friendly_page(live_server, page):
    response = page.goto(f"{live_server}/g/NOSUCH99")
    assert response.status == 404
    page.get_by_role("heading", name=T("notfound.heading")).wait_for()
    assert_in_language(page, "zh-CN", shot="not-found")
    switch_language(page, "en")
    assert T("notfound.heading", "en") in page.locator("h1").inner_text()
    assert_in_language(page, "en", shot="not-found")
    # Chromium notes the page's own 404 (once per load); the page's script logged nothing.
    page_404 = "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"
    assert set(page.console_errors) == {page_404}
