"""One order through all three screens, each in its own browser: a new shopper opens the group link,
registers, orders and sees the pickup code; the leader confirms the delivery's arrival and hands the
order over against that code, collecting the money; the merchant sees it picked up, and the analytics
page draws its charts with the sale in them."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.orders.models import Fulfilment, Order, OrderStatus
from tests.e2e.artifacts import screenshot
from tests.factories import PASSWORD, code_of, make_group, make_leader, make_product, make_staff
from tests.flows import batch_of

CHARTS = ("chart-repurchase", "chart-repeat", "chart-ltv", "chart-referral", "chart-campaigns")


def new_page(browser, **context):
    """A page in a fresh browser context (its own localStorage: its own login) that records console errors."""
    page = browser.new_context(**context).new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page


def test_a_group_link_order_is_collected_at_the_pickup_point_and_counted_by_the_merchant(live_server, browser,
                                                                                           client):
    staff = make_staff(name="Mei Staff", email="mei@shop.test")
    leader = make_leader(staff, name="Wang Fang", point_name="Maple Court lobby")
    group = make_group(leader, name="Maple Court neighbours", pay_at_pickup_allowed=True)
    make_product(name="Northeast rice", skus=[{"code": "RICE-5", "name": "5 kg", "price_cents": 4990,
                                              "stock_total": 20}])
    db.session.commit()

    # The shopper, on a phone.
    shopper = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    shopper.goto(f"{live_server}/g/{code_of(group)}")
    form = shopper.locator("#register-form")
    form.get_by_label("Name").fill("Chen Jing")
    form.get_by_label("E-mail").fill("chen@example.com")
    form.get_by_label("Password (8+ characters)").fill("s3cret-pass")
    form.get_by_role("button", name="Register").click()
    shopper.get_by_role("button", name="Join this group").click()
    shopper.get_by_text("you are a member of Maple Court neighbours").wait_for()
    shopper.get_by_role("button", name="Add Northeast rice 5 kg to cart").click()
    shopper.get_by_role("button", name="Add Northeast rice 5 kg to cart").click()
    shopper.get_by_role("tab", name="Cart").click()
    shopper.get_by_text("Total CN¥99.80").wait_for()
    shopper.get_by_label("Pay at pickup").check()
    shopper.get_by_role("button", name="Place order").click()
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

    # The leader, on a phone: the delivery arrives complete; Chen shows the code and pays 99.80.
    lead = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    lead.goto(f"{live_server}/leader")
    form = lead.locator("#login-form")
    form.get_by_label("E-mail or phone").fill(leader.account.email)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()
    lead.get_by_role("button", name="Open").first.click()
    delivery = lead.locator("#batch")
    expect(delivery).to_contain_text(order.number)
    expect(delivery).to_contain_text("collect CN¥99.80")
    delivery.get_by_role("button", name="Confirm arrival").click()
    lead.get_by_text("Arrival confirmed: 1 order ready for pickup").wait_for()
    lead.get_by_role("tab", name="Hand over", exact=True).click()
    lead.get_by_label("Pickup code").fill(pickup_code)
    lead.get_by_label("Amount collected (pay-at-pickup orders only)").fill("99.80")
    lead.get_by_role("button", name="Verify and hand over").click()
    lead.locator("#pickup-result").get_by_text(f"Handed over: order {order.number}").wait_for()
    screenshot(lead, "journey-2-leader-handed-over")
    db.session.commit()
    db.session.refresh(order)
    assert order.fulfilment is Fulfilment.PICKED_UP and order.status is OrderStatus.PAID
    assert order.paid_cents == 9980

    # The shopper's page no longer shows a code to collect with.
    shopper.get_by_role("tab", name="My orders").click()
    expect(shopper.locator("#orders article.order").first).to_contain_text("Picked up")
    expect(shopper.locator("#orders article.order .code")).to_have_count(0)

    # The merchant, on a desktop: the order is picked up, and the analytics count the sale.
    merchant = new_page(browser, viewport={"width": 1280, "height": 900})
    merchant.goto(f"{live_server}/admin")
    form = merchant.locator("#login-form")
    form.get_by_label("E-mail").fill("mei@shop.test")
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()
    row = merchant.locator("#orders-list tr", has_text=order.number)
    expect(row).to_contain_text("picked up")
    expect(row).to_contain_text("Chen Jing")
    merchant.get_by_role("tab", name="Analytics").click()
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
    screenshot(merchant, "journey-3-merchant-analytics")

    for page in (shopper, lead, merchant):
        assert page.console_errors == [], page.console_errors
        page.context.close()
