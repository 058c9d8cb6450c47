"""The purchasing tab in a real browser at phone width: the night's plan for a delivery day, its
proposed purchase order confirmed, sent and received into stock."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from app.catalog.models import Sku
from app.extensions import db
from app.inventory.models import StockMovement
from app.purchasing.models import PoStatus, PurchaseOrder
from tests.e2e.i18n import T, T_pattern, assert_in_language
from tests.e2e.test_merchant_dashboard import fits_the_phone, log_in
from tests.factories import make_buyer, make_group, make_product, make_staff
from tests.flows import pickup_order
from tests.purchasing_flows import offer, supplier


def test_plan_confirm_a_purchase_order_and_receive_it_on_a_phone(live_server, page, client):
    staff = make_staff(name="梅晓", email="mei@shop.test")
    group = make_group(name="枫林苑邻里团")
    rice = make_product(name="东北大米", skus=[
        {"code": "RICE-5", "name": "5 公斤", "price_cents": 5000, "stock_total": 3}]).skus[0]
    rice_id = rice.id
    order = pickup_order(client, make_buyer(group, name="李雷"), [(rice_id, 3)], group)
    farm = supplier(client, staff, name="绿野农场", contact_name="王经理")
    offer(client, staff, farm["id"], rice_id, 3200, min_units=5)
    db.session.commit()
    total_before = db.session.get(Sku, rice_id).stock_total

    log_in(page, live_server)
    page.get_by_role("tab", name=T("admin.tabs.purchasing")).click()
    plan_form = page.locator("#plan-form")
    plan_form.get_by_label(T("admin.batches.date")).fill(order["pickup_date"])
    plan_form.get_by_role("button", name=T("admin.purchasing.compute")).click()
    result = page.locator("#plan-result")
    card = result.locator("article", has_text="绿野农场")
    card.wait_for()
    expect(result.locator("[data-plan-state]")).to_have_text(T_pattern("admin.purchasing.forecast"))
    row = result.locator("tr", has_text="RICE-5")
    assert row.locator("td").nth(1).inner_text() == "3"                     # confirmed
    quantity = card.get_by_label(T("admin.purchasing.quantity_of", name="东北大米"))
    expect(quantity).to_have_value("5")                                    # the supplier's minimum
    quantity.fill("6")
    assert fits_the_phone(page)
    assert_in_language(page, "zh-CN", shot="purchasing-plan-phone")
    card.get_by_role("button", name=T("admin.purchasing.confirm")).click()

    detail = page.locator("#po-detail")
    expect(detail.locator("[data-po-status]")).to_have_attribute("data-po-status", "draft")
    detail.get_by_role("button", name=T("admin.purchasing.send")).click()
    expect(detail.locator("[data-po-status]")).to_have_attribute("data-po-status", "sent")
    receipt = page.locator("#receipt-form")
    receipt.get_by_label(T("admin.purchasing.accepted_of", name="东北大米 (5 公斤) · RICE-5")).fill("5")
    receipt.get_by_label(T("admin.purchasing.rejected_of", name="东北大米 (5 公斤) · RICE-5")).fill("1")
    receipt.get_by_label(T("admin.purchasing.reject_reason")).fill("包装破损")
    receipt.get_by_role("button", name=T("admin.purchasing.receive")).click()
    expect(detail.locator("[data-po-status]")).to_have_attribute("data-po-status", "received")
    assert fits_the_phone(page)
    assert_in_language(page, "zh-CN", shot="purchasing-received-phone")
    assert page.console_errors == []

    db.session.commit()  # the browser's requests committed on other connections
    [po] = db.session.scalars(sa.select(PurchaseOrder)).all()
    assert po.status is PoStatus.RECEIVED and po.lines[0].quantity == 6
    assert (po.lines[0].accepted, po.lines[0].rejected, po.lines[0].short) == (5, 1, 0)
    assert db.session.get(Sku, rice_id).stock_total == total_before + 5
    moved = db.session.scalars(sa.select(StockMovement).where(StockMovement.reference_type == "receipt")).all()
    assert [(m.sku_id, m.quantity, m.reason.value) for m in moved] == [(rice_id, 5, "received")]
