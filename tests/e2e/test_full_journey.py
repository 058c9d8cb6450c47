"""One order through all three screens, each in its own browser: a new shopper opens the group link,
registers, orders and sees the pickup code; the leader confirms the delivery's arrival and hands the
order over against that code, collecting the money; the merchant sees it picked up, and the analytics
page draws its charts with the sale in them."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.orders.models import Fulfilment, Order, OrderStatus
from tests.e2e.artifacts import screenshot
from tests.e2e.i18n import T, assert_in_language, new_page
from tests.factories import PASSWORD, code_of, make_group, make_leader, make_product, make_staff
from tests.flows import batch_of

CHARTS = ("chart-repurchase", "chart-repeat", "chart-ltv", "chart-referral", "chart-campaigns")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def test_a_group_link_order_is_collected_at_the_pickup_point_and_counted_by_the_merchant(live_server, browser,
                                                                                           client):
    """The shopper and the leader read Chinese (their phones' language); the merchant's browser is
    English, so the dashboard is too."""
    staff = make_staff(name="Mei Staff", email="mei@shop.test")
    leader = make_leader(staff, name="王芳", point_name="枫林苑大堂")
    group = make_group(leader, name="枫林苑邻里团", pay_at_pickup_allowed=True)
    make_product(name="东北大米", skus=[{"code": "RICE-5", "name": "5 公斤", "price_cents": 4990, "stock_total": 20}])
    db.session.commit()

    # The shopper, on a phone.
    shopper = new_page(browser, **PHONE)
    shopper.goto(f"{live_server}/g/{code_of(group)}")
    form = shopper.locator("#register-form")
    form.get_by_label(T("shop.auth.name")).fill("陈静")
    form.get_by_label(T("shop.auth.email")).fill("chen@example.com")
    form.get_by_label(T("shop.auth.new_password")).fill("s3cret-pass")
    form.get_by_role("button", name=T("shop.auth.register")).click()
    shopper.get_by_role("button", name=T("shop.join")).click()
    shopper.get_by_text(T("shop.membership.member", name="陈静", group="枫林苑邻里团")).wait_for()
    add = shopper.get_by_role("button", name=T("shop.products.add_named", name="东北大米 5 公斤"))
    add.click()
    add.click()
    shopper.get_by_role("button", name=T("shop.cart.checkout")).click()
    shopper.get_by_text(T("shop.cart.total", total="¥99.80")).wait_for()
    shopper.get_by_label(T("shop.pay.at_pickup")).check()
    shopper.get_by_role("button", name=T("shop.cart.place_order")).click()
    code_box = shopper.locator("#orders article.order .code")
    code_box.wait_for()
    pickup_code = code_box.inner_text()
    screenshot(shopper, "journey-1-shopper-code")
    db.session.commit()
    order = db.session.scalar(sa.select(Order))
    assert pickup_code == order.pickup_code and order.status is OrderStatus.CONFIRMED

    # The merchant's warehouse packs and sends the day's batch (API: the dashboard's own test covers its buttons).
    batch = batch_of(client, staff, {"id": order.id})
    for step in ("close", "dispatch"):
        assert client.post(f"/api/v1/admin/batches/{batch['id']}/{step}", headers=staff.headers).status_code == 200

    # The leader, on a phone: the delivery arrives complete; 陈静 shows the code and pays 99.80.
    lead = new_page(browser, **PHONE)
    lead.goto(f"{live_server}/leader")
    form = lead.locator("#login-form")
    form.get_by_label(T("common.login.login")).fill(leader.account.email)
    form.get_by_label(T("common.login.password"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    lead.get_by_role("button", name=T("leader.deliveries.open")).first.click()
    delivery = lead.locator("#batch")
    expect(delivery).to_contain_text(order.number)
    expect(delivery).to_contain_text(T("leader.orders.collect", amount="¥99.80"))
    delivery.get_by_role("button", name=T("leader.arrival.confirm")).click()
    lead.get_by_role("dialog").get_by_role("button", name=T("leader.arrival.confirm")).click()
    lead.get_by_text(T("leader.arrival.done_full", ready=T("leader.arrival.ready", count=1))).wait_for()
    lead.get_by_role("tab", name=T("leader.tabs.pickup"), exact=True).click()
    lead.get_by_label(T("leader.pickup.code")).fill(pickup_code)
    lead.get_by_role("button", name=T("leader.pickup.submit")).click()
    # The console looked the order up first: pay at pickup, the amount due prefilled. A wrong
    # amount is refused with the API's message and the dialog stays open.
    dialog = lead.get_by_role("dialog")
    expect(dialog).to_contain_text(T("leader.pickup.confirm_title", number=order.number))
    expect(dialog).to_contain_text("¥99.80")
    amount = dialog.get_by_label(T("leader.pickup.collected"))
    expect(amount).to_have_value("99.80")
    amount.fill("90")
    dialog.get_by_role("button", name=T("leader.pickup.confirm")).click()
    dialog.locator("[role=alert]").filter(has_text=re.compile(r".+")).wait_for()
    db.session.commit()
    db.session.refresh(order)
    assert order.fulfilment is not Fulfilment.PICKED_UP and order.paid_cents == 0
    amount.fill("99.80")
    dialog.get_by_role("button", name=T("leader.pickup.confirm")).click()
    lead.locator("#pickup-result").get_by_text(T("leader.pickup.handed_over", number=order.number)).wait_for()
    screenshot(lead, "journey-2-leader-handed-over")
    db.session.commit()
    db.session.refresh(order)
    assert order.fulfilment is Fulfilment.PICKED_UP and order.status is OrderStatus.PAID
    assert order.paid_cents == 9980

    # The shopper's page no longer shows a code to collect with.
    shopper.get_by_role("tab", name=T("shop.tabs.orders")).click()
    expect(shopper.locator("#orders article.order").first).to_contain_text(T("status.fulfilment.picked_up"))
    expect(shopper.locator("#orders article.order .code")).to_have_count(0)
    assert_in_language(shopper, "zh-CN")

    # The merchant, on a desktop in English: the order is picked up, and the analytics count the sale.
    merchant = new_page(browser, locale="en-US", viewport={"width": 1280, "height": 900})
    merchant.goto(f"{live_server}/admin")
    form = merchant.locator("#login-form")
    form.get_by_label(T("admin.login.email", "en")).fill("mei@shop.test")
    form.get_by_label(T("common.login.password", "en")).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit", "en")).click()
    row = merchant.locator("#orders-list tr", has_text=order.number)
    expect(row).to_contain_text(T("status.fulfilment.picked_up", "en"))
    expect(row).to_contain_text("陈静")
    merchant.get_by_role("tab", name=T("admin.tabs.analytics", "en")).click()
    merchant.locator("#analytics[aria-busy=false]").wait_for(state="attached")
    drawn = merchant.evaluate("""(ids) => ids.map((id) => {
        const chart = window.Chart.getChart(document.getElementById(id));
        return chart ? {id, points: chart.data.datasets.reduce((n, d) => n + d.data.length, 0),
                        width: chart.width} : {id, points: 0, width: 0};
    })""", list(CHARTS))
    for chart in drawn:
        assert chart["width"] > 0, chart
    ltv = merchant.evaluate("""() => window.Chart.getChart(document.getElementById('chart-ltv'))
        .data.datasets[0].data.reduce((a, b) => a + b, 0)""")
    assert ltv == 1  # one customer, in one lifetime-value bucket
    assert_in_language(merchant, "en", shot="journey-3-merchant-analytics")

    # The leader's one refusal is the wrong amount tried on purpose above (the browser logs the 422).
    assert [e for e in lead.console_errors if "status of 422" not in e] == [] and len(lead.console_errors) == 1
    for page in (shopper, lead, merchant):
        assert page is lead or page.console_errors == [], page.console_errors
        page.context.close()
