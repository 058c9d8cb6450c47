"""The night's tail in a real browser: the sorting sheet is printed, the driver marks the stop
delivered on a phone, the leader sees the mark, confirms arrival, and the shopper picks up."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.orders.models import Order
from app.pickup.models import DeliveryBatch
from tests.e2e.i18n import T, assert_in_language, new_page, record_api
from tests.factories import PASSWORD, make_buyer, make_group, make_leader, make_product, make_staff
from tests.flows import order_row, paid_order

ADMIN = "/api/v1/admin"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def log_in(page, url: str, login: str, login_key: str) -> None:
    page.goto(url)
    form = page.locator("#login-form")
    form.get_by_label(T(login_key)).fill(login)
    form.get_by_label(T("common.login.password"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()


def test_sorting_sheet_then_driver_delivers_then_leader_confirms_and_the_shopper_picks_up(live_server, browser, client):
    owner = make_staff(name="店长", email="owner@route.test")
    driver = make_staff(role="driver", name="张师傅", email="driver@route.test")
    leader = make_leader(owner, name="王芳", point_name="枫林苑大堂")
    group = make_group(leader, name="枫林苑邻里团")
    rice = make_product(name="东北大米", skus=[{"code": "RICE", "name": "5 公斤", "price_cents": 5000,
                                              "stock_total": 50}]).skus[0].id
    order = paid_order(client, make_buyer(group, name="李爱丽"), [(rice, 2)])
    batch_id = order_row(order["id"]).batch_id
    route = client.post(f"{ADMIN}/routes", headers=owner.headers, json={
        "name": "东线", "departure_time": "04:30", "stops": [leader.point.id]}).get_json()
    run = client.post(f"{ADMIN}/route-runs", headers=owner.headers, json={
        "route_id": route["id"], "delivery_date": order["pickup_date"], "driver_id": driver.id}).get_json()
    assert client.post(f"{ADMIN}/batches/{batch_id}/close", headers=owner.headers).status_code == 200

    # The warehouse prints the sorting sheet: one stop, 2 rice, a bag label with a masked name and a QR.
    desk = new_page(browser, viewport={"width": 1280, "height": 900})
    log_in(desk, f"{live_server}/admin", "owner@route.test", "admin.login.email")
    desk.get_by_text(T("admin.signed_in_as", name="店长")).wait_for()
    desk.get_by_role("tab", name=T("admin.tabs.routes")).click()
    desk.locator("#runs-date").fill(order["pickup_date"])
    desk.locator("#runs-filter").get_by_role("button").click()
    desk.locator("#runs-list").get_by_text("东线").wait_for()
    link = desk.get_by_role("link", name=T("admin.routes.sorting_sheet"))
    assert link.get_attribute("href") == f"/admin/route-sheet?run={run['id']}&kind=sorting"
    sheet = desk.context.new_page()  # the same login (storage); it records what the API said, as new_page does
    sheet.console_errors = []
    sheet.on("console", lambda m: sheet.console_errors.append(m.text) if m.type == "error" else None)
    record_api(sheet)
    sheet.goto(f"{live_server}{link.get_attribute('href')}")
    sheet.get_by_role("heading", name=T("admin.sheet.stop", position=1, point="枫林苑大堂")).wait_for()
    label = sheet.locator(f"[data-order='{order['number']}']")
    expect(label).to_contain_text("李**")
    assert "李爱丽" not in sheet.inner_text("body")
    expect(label.locator("img.qr")).to_have_attribute("src", re.compile("^data:image/gif;base64,"))
    assert "2" in sheet.locator(".sheet-stop table").inner_text()
    assert_in_language(sheet, "zh-CN", shot="route-sorting-sheet")
    sheet.emulate_media(media="print")
    expect(sheet.get_by_role("button", name=T("admin.sheet.print"))).to_be_hidden()
    assert desk.console_errors == [] and sheet.console_errors == []

    # The driver, on a phone: today's run, the stop, "delivered" (twice is once).
    phone = new_page(browser, **PHONE)
    log_in(phone, f"{live_server}/driver", "driver@route.test", "admin.login.email")
    phone.locator(f"[data-run='{run['id']}']").click()
    stop = phone.locator("li.stop").first
    expect(stop).to_contain_text("枫林苑大堂")
    expect(stop.get_by_role("link", name=T("admin.driver.map"))).to_have_attribute("href", re.compile("uri.amap.com"))
    assert_in_language(phone, "zh-CN", shot="route-driver")
    stop.get_by_role("button", name=T("admin.driver.mark")).click()
    phone.locator("li.stop [data-delivered]").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    assert phone.console_errors == []

    # The leader sees the driver's mark, confirms arrival, and hands the order over against its code.
    console = new_page(browser, **PHONE)
    log_in(console, f"{live_server}/leader", leader.account.email, "common.login.login")
    console.locator(".driver-mark").wait_for()
    expect(console.locator(".driver-mark")).to_contain_text("张师傅")
    console.get_by_role("button", name=re.compile("枫林苑大堂")).first.click()
    detail = console.locator("#batch")
    detail.get_by_role("button", name=T("leader.arrival.confirm")).click()
    console.get_by_role("dialog").get_by_role("button", name=T("leader.arrival.confirm")).click()
    expect(detail.get_by_role("button", name=T("leader.arrival.confirm"))).to_have_count(0)
    console.get_by_role("tab", name=T("leader.tabs.pickup"), exact=True).click()
    console.get_by_label(T("leader.pickup.code")).fill(order["pickup_code"])
    console.get_by_role("button", name=T("leader.pickup.submit")).click()
    console.get_by_role("dialog").get_by_role("button", name=T("leader.pickup.confirm")).click()
    console.get_by_text(T("leader.pickup.handed_over", number=order["number"])).wait_for()

    db.session.commit()
    assert db.session.get(DeliveryBatch, batch_id).status.value == "arrived"
    assert db.session.scalar(sa.select(Order.fulfilment).where(Order.id == order["id"])).value == "picked_up"
    for page in (desk, phone, console):
        page.context.close()
