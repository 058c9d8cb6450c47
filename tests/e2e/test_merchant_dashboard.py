"""The merchant dashboard (/admin) in a real browser: staff log in, find an order, create, submit and
approve a flash sale, reject another campaign, approve a leader application, work a delivery batch
and download its pick list, approve a payout, and read the analytics charts and tables."""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from playwright.sync_api import expect

from app.campaigns import services as campaign_services
from app.campaigns.models import Campaign
from app.commissions import ledger
from app.commissions.ledger import Line
from app.commissions.models import Bucket, EntryKind, Payout
from app.db import utcnow
from app.extensions import db
from app.groups.services import add_link
from app.leaders import services as leader_services
from app.leaders.models import LeaderApplication
from app.pickup.models import DeliveryBatch
from tests.e2e.artifacts import SCREENSHOTS, screenshot
from tests.e2e.i18n import T, T_pattern, assert_in_language, new_page, switch_language
from tests.factories import (
    PASSWORD,
    application_data,
    join,
    make_buyer,
    make_campaign,
    make_group,
    make_leader,
    make_product,
    make_shopper,
    make_staff,
)
from tests.flows import order_row, paid_order
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook

DESKTOP = {"width": 1280, "height": 900}


def shoot(page, name: str) -> None:
    screenshot(page, f"merchant-{name}")


def desktop_page(browser):
    """A desktop-sized zh-CN page recording console errors and the API's answers like the `page` fixture."""
    page = new_page(browser, viewport=DESKTOP)
    return page.context, page


def zh_month(month: str) -> str:
    """YYYY-MM as the zh-CN dashboard shows it ("2026年3月")."""
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def fits_the_phone(page) -> bool:
    """Nothing sticks out sideways at 390px (wide tables scroll inside their own box)."""
    return page.evaluate("document.documentElement.scrollWidth") <= 390


UNLABELLED = """[...document.querySelectorAll('input, select, textarea')]
    .filter((e) => !e.labels?.length && !e.getAttribute('aria-label')).map((e) => e.outerHTML)"""


def fresh(model, row_id):
    db.session.commit()  # the browser's requests committed on other connections
    return db.session.get(model, row_id)


@pytest.fixture(autouse=True)
def long_logins(app, monkeypatch):
    """The history's shoppers log in months ago; their tokens must still work."""
    monkeypatch.setitem(app.config, "SHOPPER_TOKEN_TTL_HOURS", 24 * 365)


@pytest.fixture
def shop(client):
    """A store with one paid order in an open batch, a submitted campaign, a pending leader
    application and a payout requested by the leader."""
    staff = make_staff(name="梅晓", email="mei@shop.test")
    leader = make_leader(staff, name="王芳", point_name="枫林苑小亭")
    group = make_group(leader, name="枫林苑邻里团")
    rice = make_product(name="东北大米", skus=[
        {"code": "RICE-5", "name": "5 公斤", "price_cents": 5000, "stock_total": 100}]).skus[0]
    eggs = make_product(name="散养鸡蛋", skus=[
        {"code": "EGG-30", "name": "30 枚", "price_cents": 3000, "stock_total": 100}]).skus[0]
    buyer = make_buyer(group, name="李雷")
    order = paid_order(client, buyer, [(rice.id, 2), (eggs.id, 1)])
    doubtful = make_campaign(items=[(rice.id, 4500, 10)], approve=False, staff=staff, name="大米周")
    campaign_services.submit(doubtful)
    applicant = make_shopper(name="赵敏")
    application = leader_services.apply(applicant.id, application_data(name="赵敏", point_name="桦林路小店"))
    ledger.post(EntryKind.SETTLE, "e2e-seed", [Line(leader.account.id, Bucket.AVAILABLE, 8000, "leader"),
                                               Line(None, Bucket.COMMISSION_EXPENSE, -8000)])
    db.session.commit()
    payout = client.post("/api/v1/leader/payouts", json={"amount_cents": 5000},
                         headers={**leader.headers, "Idempotency-Key": "e2e-payout"}).get_json()
    db.session.commit()
    return {"staff": staff, "leader": leader, "group": group, "rice": rice, "eggs": eggs, "buyer": buyer,
            "order": order, "doubtful": doubtful.id, "application": application.id, "payout": payout["id"],
            "batch": order_row(order["id"]).batch_id}


def log_in(page, base: str, screenshot: str | None = None, language: str = "zh-CN") -> None:
    page.goto(f"{base}/admin")
    form = page.locator("#login-form")
    form.wait_for()
    if screenshot:
        shoot(page, screenshot)
    form.get_by_label(T("admin.login.email")).fill("mei@shop.test")
    form.get_by_label(T("common.login.password")).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.get_by_text(T("admin.signed_in_as", language, name="梅晓")).wait_for()


def test_staff_run_the_store_from_the_dashboard_on_a_phone(live_server, page, shop):
    log_in(page, live_server, screenshot="login-phone")

    # Orders: the paid order is listed with its group, status, fulfilment and total.
    number = shop["order"]["number"]
    orders = page.locator("#orders-list")
    row = orders.locator("tr", has_text=number)
    row.wait_for()
    assert "枫林苑邻里团" in row.inner_text() and T("status.order.paid") in row.inner_text()
    assert T("status.fulfilment.scheduled") in row.inner_text() and "¥130.00" in row.inner_text()
    assert shop["buyer"].account.name in row.inner_text()
    page.get_by_role("button", name=T("admin.orders.details", number=number)).click()
    assert "东北大米 (5 公斤)" in page.locator("#order-detail").inner_text()
    filters = page.locator("#orders-filter")
    filters.get_by_label(T("admin.filter.status")).select_option("cancelled")
    filters.get_by_role("button", name=T("common.show")).click()
    orders.get_by_text(T("admin.empty.orders")).wait_for()
    filters.get_by_label(T("admin.filter.status")).select_option("paid")
    filters.get_by_role("button", name=T("common.show")).click()
    row.wait_for()
    assert fits_the_phone(page)
    assert_in_language(page, "zh-CN", shot="merchant-orders-phone")

    # Campaigns: a flash sale through the form, submitted and approved; another one rejected.
    page.get_by_role("tab", name=T("admin.tabs.campaigns")).click()
    form = page.locator("#campaign-form")
    form.get_by_label(T("admin.campaign_form.name"), exact=True).fill("鸡蛋秒杀")
    form.get_by_label(T("admin.campaign_form.kind")).select_option("flash_sale")
    form.get_by_label(T("admin.campaign_form.starts")).fill("2031-03-01T10:00")
    form.get_by_label(T("admin.campaign_form.ends")).fill("2031-03-01T12:00")
    form.get_by_label(T("admin.campaign_form.find")).fill("鸡蛋")
    form.get_by_role("button", name=T("admin.campaign_form.find_button"), exact=True).click()
    sku_select = form.get_by_label(T("admin.campaign_form.sku"))
    # A function, not a bare expression: Playwright evals an expression, which the page's CSP refuses.
    page.wait_for_function("() => document.querySelectorAll('#campaign-sku option').length === 2")
    sku_select.select_option(str(shop["eggs"].id))
    form.get_by_label(T("admin.campaign_form.price")).fill("19.90")
    form.get_by_label(T("admin.campaign_form.stock")).fill("40")
    form.get_by_label(T("admin.campaign_form.limit")).fill("2")
    form.get_by_role("button", name=T("admin.campaign_form.create")).click()
    page.get_by_text(T("admin.campaigns.created", name="鸡蛋秒杀")).wait_for()
    page.get_by_role("button", name=T("admin.campaigns.submit_named", name="鸡蛋秒杀")).click()
    page.get_by_role("button", name=T("admin.campaigns.approve_named", name="鸡蛋秒杀")).wait_for()
    # Four-eyes: nobody approves their own campaign, so a colleague drafted this one. The test's
    # read transaction ends first: on SQLite it would block the server's writes (and ours on it).
    db.session.commit()
    colleague = make_staff(role="operations")
    db.session.execute(sa.update(Campaign).where(Campaign.name == "鸡蛋秒杀")
                       .values(created_by_id=colleague.id))
    db.session.commit()
    page.get_by_role("button", name=T("admin.campaigns.approve_named", name="鸡蛋秒杀")).click()
    page.get_by_role("dialog").get_by_role("button", name=T("admin.approve")).click()
    page.get_by_text(T("admin.campaigns.decided", name="鸡蛋秒杀", review=T("status.review.approved"))).wait_for()
    db.session.commit()
    flash = db.session.scalar(sa.select(Campaign).where(Campaign.name == "鸡蛋秒杀"))
    assert (flash.kind.value, flash.review.value, flash.per_person_limit) == ("flash_sale", "approved", 2)
    [item] = flash.items
    assert (item.sku_id, item.campaign_price_cents, item.stock_total) == (shop["eggs"].id, 1990, 40)
    assert flash.starts_at.isoformat() == "2031-03-01T02:00:00+00:00"  # 10:00 in Shanghai

    page.get_by_role("button", name=T("admin.campaigns.reject_named", name="大米周")).click()
    page.get_by_label(T("admin.campaigns.why_reject", name="大米周")).fill("库存数字不对")
    page.keyboard.press("Enter")
    page.get_by_text(T("admin.campaigns.decided", name="大米周", review=T("status.review.rejected"))).wait_for()
    rejected = fresh(Campaign, shop["doubtful"])
    assert (rejected.review.value, rejected.rejection_reason) == ("rejected", "库存数字不对")
    page.get_by_role("button", name=T("admin.campaigns.stats_named", name="鸡蛋秒杀")).click()
    page.get_by_role("heading", name=T("admin.campaigns.stats_title", name="鸡蛋秒杀")).wait_for()
    assert "散养鸡蛋 (30 枚)" in page.locator("#campaign-detail").inner_text()
    assert fits_the_phone(page)
    assert_in_language(page, "zh-CN", shot="merchant-campaigns-phone")

    # Leader applications: the pending one is approved.
    page.get_by_role("tab", name=T("admin.tabs.applications")).click()
    page.get_by_role("button", name=T("admin.applications.approve_named", name="赵敏")).click()
    page.get_by_role("dialog").get_by_role("button", name=T("admin.approve")).click()
    page.get_by_text(T("admin.applications.decided", name="赵敏", status=T("status.application.approved"))).wait_for()
    assert fresh(LeaderApplication, shop["application"]).status.value == "approved"
    assert_in_language(page, "zh-CN", shot="merchant-applications-phone")

    # Delivery batches: open the order's batch, download its pick list, close and dispatch it.
    page.get_by_role("tab", name=T("admin.tabs.batches")).click()
    page.get_by_role("button", name=T_pattern("admin.batches.open_named")).click()
    detail = page.locator("#batch-detail")
    detail.get_by_role("heading", name=T_pattern("admin.batches.title")).wait_for()
    code = order_row(shop["order"]["id"]).pickup_code
    pick_list = detail.locator("table", has_text=T("admin.batches.pick_list"))
    assert number in pick_list.inner_text() and code in pick_list.inner_text()
    with page.expect_download() as info:
        detail.get_by_role("button", name=T("admin.batches.download")).click()
    download = info.value
    assert download.suggested_filename.startswith("pick-list-") and download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows[0]) == 7  # the header row (in the caller's language once the server translates it)
    assert sorted(rows[1:]) == [[number, code, "李雷", "EGG-30", "散养鸡蛋", "30 枚", "1"],
                                [number, code, "李雷", "RICE-5", "东北大米", "5 公斤", "2"]]
    assert fits_the_phone(page)
    assert_in_language(page, "zh-CN", shot="merchant-batch-phone")
    # Closing and dispatching ask first: cancelling changes nothing, confirming does it.
    dialog = page.get_by_role("dialog")
    detail.get_by_role("button", name=T("admin.batches.close")).click()
    dialog.get_by_role("button", name=T("admin.batches.close")).click()
    detail.get_by_role("button", name=T("admin.batches.dispatch")).click()
    expect(dialog).to_contain_text(T("admin.confirm.dispatch_message", count=1))
    assert_in_language(page, "zh-CN", shot="merchant-dispatch-confirm")
    dialog.get_by_role("button", name=T("common.confirm.cancel")).click()
    expect(dialog).to_have_count(0)
    assert fresh(DeliveryBatch, shop["batch"]).status.value == "closed"
    detail.get_by_role("button", name=T("admin.batches.dispatch")).click()
    dialog.get_by_role("button", name=T("admin.batches.dispatch")).click()
    expect(detail.locator("p.muted").first).to_contain_text(T("status.batch.dispatched"))
    assert fresh(DeliveryBatch, shop["batch"]).status.value == "dispatched"

    # Payouts: the leader's request is approved.
    page.get_by_role("tab", name=T("admin.tabs.payouts")).click()
    payout_row = page.locator("#payouts-list tr", has_text=f"#{shop['payout']}")
    payout_row.wait_for()
    assert fits_the_phone(page)
    assert_in_language(page, "zh-CN", shot="merchant-payouts-phone")
    assert "王芳" in payout_row.inner_text() and "¥50.00" in payout_row.inner_text()
    page.get_by_role("button", name=T("admin.payouts.approve_named", id=shop["payout"], leader="王芳")).click()
    page.get_by_role("dialog").get_by_role("button", name=T("admin.approve")).click()
    page.get_by_text(T("admin.payouts.decided", id=shop["payout"], leader="王芳",
                       status=T("status.payout.approved"))).wait_for()
    assert fresh(Payout, shop["payout"]).status.value == "approved"

    # Keyboard: arrows move between the tabs; logging out returns to the login form.
    page.get_by_role("tab", name=T("admin.tabs.payouts")).focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name=T("admin.tabs.analytics")).get_attribute("aria-selected") == "true"
    page.locator("#an-repeat table").wait_for(state="attached")
    assert page.evaluate(UNLABELLED) == []

    # In English: the same order, states in English words.
    switch_language(page, "en")
    page.get_by_role("tab", name=T("admin.tabs.orders", "en")).click()
    row = page.locator("#orders-list tr", has_text=number)
    expect(row).to_contain_text(T("status.order.paid", "en"))
    assert fits_the_phone(page)
    assert_in_language(page, "en", shot="merchant-orders-phone")
    page.get_by_role("button", name=T("common.logout", "en")).click()
    page.get_by_role("heading", name=T("admin.login.title", "en")).wait_for()
    assert page.evaluate("localStorage.getItem('storefront.staff-token')") is None
    assert page.console_errors == []


@pytest.fixture
def history(client, app, monkeypatch, shop):
    """Purchases over the last 100 days in a second group (soy-milk grains at 25.00), two of the
    shoppers referred by Sun Li, and a live flash sale of 10 units of which Cai bought 4 at 20.00.
    Net value per customer: Bo 25, Eve 25, Amy 50, Dan 50, Cai 130, Li Lei (shop) 130."""
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    now = utcnow()
    days_ago = lambda n: now - dt.timedelta(days=n)  # noqa: E731
    with time_machine.travel(days_ago(101)):  # their logins must be valid then
        group = make_group(make_leader(shop["staff"], name="Chen Jie", point_name="Birch Court kiosk"),
                           name="Birch Court neighbours")
        soy = make_product(name="Soy-milk grains", skus=[
            {"code": "SOY-1", "name": "1 kg", "price_cents": 2500, "stock_total": 500}]).skus[0]
        amy, bo, cai = (make_buyer(group, name=name) for name in ("Amy", "Bo", "Cai"))
        sun = make_buyer(group, name="Sun Li")
        dan, eve = make_shopper(name="Dan"), make_shopper(name="Eve")
        for shopper in (dan, eve):
            join(shopper, group, add_link(group.id, sun.id).code)
    for buyer, days, quantity in [(amy, 100, 1), (bo, 100, 1), (amy, 80, 1), (cai, 50, 1), (dan, 10, 2),
                                  (cai, 5, 1), (eve, 3, 1)]:
        with time_machine.travel(days_ago(days)):
            paid_order(client, buyer, [(soy.id, quantity)])
    flash = make_campaign(items=[(soy.id, 2000, 10)], staff=shop["staff"], name="Soy milk flash")
    reserved = client.post(f"/api/v1/store/flash-sales/{flash.items[0].id}/reserve", json={"quantity": 4},
                           headers={**cai.headers, "Idempotency-Key": str(uuid.uuid4())}).get_json()
    paying = client.post(f"/api/v1/store/orders/{reserved['order_id']}/pay", headers=cai.headers).get_json()
    pay_intent(intent_of(paying))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(paying)))
    db.session.commit()
    return {"sun": sun}


def chart(page, canvas_id: str) -> dict:
    """What Chart.js drew on a canvas: its type, labels and each dataset's label and data."""
    return page.evaluate("""(id) => {
        const chart = window.Chart.getChart(document.getElementById(id));
        if (!chart) return null;
        return {type: chart.config.type, labels: chart.data.labels, width: chart.width, height: chart.height,
                datasets: chart.data.datasets.map((d) => ({label: d.label, data: d.data}))};
    }""", canvas_id)


def cells(page, selector: str) -> list[list[str]]:
    return page.locator(selector).evaluate("""(table) => [...table.tBodies[0].rows].map(
        (row) => [...row.cells].map((cell) => cell.textContent.trim()))""")


def test_analytics_draw_charts_and_tables_of_the_stores_numbers(live_server, browser, page, client, shop, history):
    context, desktop = desktop_page(browser)
    log_in(desktop, live_server)
    desktop.get_by_role("tab", name=T("admin.tabs.analytics")).click()
    desktop.locator("#analytics[aria-busy=false]").wait_for(state="attached")
    api = {name: client.get(f"/api/v1/admin/analytics/{name}", headers=shop["staff"].headers).get_json()
           for name in ("repurchase?months=12", "cohorts?months=12")}

    # Repeat rates: of Amy, Bo and Cai (first purchase 30+ days ago) only Amy bought again within
    # 30 days (20 days on); of Amy and Bo (60+ and 90+ days ago), Amy.
    repeat = chart(desktop, "chart-repeat")
    days = [T("admin.analytics.days", count=n) for n in (30, 60, 90)]
    assert repeat["labels"] == days
    assert repeat["datasets"][0]["data"] == [0.3333, 0.5, 0.5]
    assert cells(desktop, "#an-repeat table") == [[days[0], "3", "1", "33.3%"], [days[1], "2", "1", "50.0%"],
                                                  [days[2], "2", "1", "50.0%"]]
    assert desktop.locator("#an-repeat [data-figures]").inner_text().count("%") == 3

    # Repurchase and cohorts show what the API says for the last 12 months.
    repurchase = chart(desktop, "chart-repurchase")
    assert repurchase["labels"] == [zh_month(r["month"]) for r in api["repurchase?months=12"]]
    assert repurchase["datasets"][0]["data"] == [r["repurchase_rate"] for r in api["repurchase?months=12"]]
    assert repurchase["datasets"][1]["data"] == [r["buyers"] for r in api["repurchase?months=12"]]
    assert sum(repurchase["datasets"][1]["data"]) >= 6 and repurchase["width"] > 300
    expected_cohorts = [[zh_month(c["cohort"]), str(c["customers"]),
                         *[f"{math.floor(r * 100 + 0.5)}%" for r in c["retention"]]] for c in api["cohorts?months=12"]]
    assert [row[:len(want)] for row, want in zip(cells(desktop, "#an-cohorts table"), expected_cohorts,
                                                 strict=True)] == expected_cohorts
    assert sum(int(row[1]) for row in expected_cohorts) == 6  # Amy, Bo, Cai, Dan, Eve, Li Lei

    # Lifetime value: 25, 25, 50, 50, 130, 130.
    ltv = chart(desktop, "chart-ltv")
    assert ltv["datasets"][0]["data"] == [2, 2, 2, 0, 0, 0, 0, 0]
    assert (ltv["labels"][0], ltv["labels"][-1]) == ("¥0–¥50", "¥5,000+")
    figures = desktop.locator("#an-ltv [data-figures]").inner_text()
    for text in ("6", "68.33", "50.00", "130.00"):
        assert text in figures

    # Referral value: Sun Li brought Dan (50) and Eve (25).
    assert chart(desktop, "chart-referral")["datasets"][0]["data"] == [0, 1, 0, 0, 0, 0, 0, 0]
    top = cells(desktop, f"#an-referral table:has(caption:text('{T('admin.analytics.top_referrers')}'))")
    assert [row[:2] for row in top] == [["Sun Li", "2"]] and top[0][2].endswith("75.00")

    # Campaign sell-through: 4 of the flash sale's 10 units.
    campaigns = chart(desktop, "chart-campaigns")
    assert (campaigns["labels"], campaigns["datasets"][0]["data"]) == (["Soy milk flash"], [40.0])
    [row] = cells(desktop, "#an-campaigns table")
    assert row[0] == "Soy milk flash" and row[3:6] == ["10", "4", "40.0%"] and row[7] == "1"

    # Leader performance this month: 王芳's one order of 130.00 to one buyer.
    leaders = {r[0]: r for r in cells(desktop, "#an-leaders table")}
    assert leaders["王芳"][1] == "1" and leaders["王芳"][2] == "¥130.00"
    assert leaders["王芳"][3] == "1"
    assert_in_language(desktop, "zh-CN", shot="merchant-analytics-desktop")

    with desktop.expect_download() as info:
        desktop.get_by_role("button", name=T("admin.csv_of", what=T("admin.analytics.cohorts.title"))).click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(expected_cohorts) + 1 and len(rows[0]) >= 3  # a header row, then a row per cohort
    assert [row[:2] for row in rows[1:]] == [[c["cohort"], str(c["customers"])] for c in api["cohorts?months=12"]]
    with desktop.expect_download() as info:
        desktop.get_by_role("button", name=T("admin.analytics.all_referrers")).click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows[0]) == 4 and rows[1:] == [[str(history["sun"].id), "Sun Li", "2", "7500"]]
    for part in ("an-repurchase", "an-ltv"):
        desktop.locator(f"#{part}").screenshot(path=str(SCREENSHOTS / f"merchant-{part}.png"))
    desktop.get_by_role("tab", name=T("admin.tabs.campaigns")).click()
    desktop.get_by_role("button", name=T("admin.campaigns.approve_named", name="大米周")).wait_for()
    shoot(desktop, "campaigns-desktop")
    desktop.get_by_role("tab", name=T("admin.tabs.orders")).click()
    desktop.locator("#orders-list tr", has_text=shop["order"]["number"]).wait_for()
    shoot(desktop, "orders-desktop")

    # The analytics in English: the charts' words too.
    switch_language(desktop, "en")
    desktop.get_by_role("tab", name=T("admin.tabs.analytics", "en")).click()
    desktop.locator("#analytics[aria-busy=false]").wait_for(state="attached")
    desktop.locator("#an-repeat table").wait_for(state="attached")
    assert chart(desktop, "chart-repeat")["labels"] == [T("admin.analytics.days", "en", count=n) for n in (30, 60, 90)]
    assert chart(desktop, "chart-repurchase")["datasets"][0]["label"] == T("leader.performance.repurchase", "en")
    assert_in_language(desktop, "en", shot="merchant-analytics-desktop")
    assert desktop.console_errors == []
    context.close()

    # The same tab on a phone: every chart drawn within the narrow screen — in English, the
    # language Mei chose on the desktop, which her account keeps.
    log_in(page, live_server, language="en")
    page.get_by_role("tab", name=T("admin.tabs.analytics", "en")).click()
    page.locator("#analytics[aria-busy=false]").wait_for(state="attached")
    for canvas in ("chart-repurchase", "chart-repeat", "chart-ltv", "chart-referral", "chart-campaigns"):
        drawn = chart(page, canvas)
        assert drawn and 250 < drawn["width"] <= 390 and drawn["height"] >= 160, (canvas, drawn)
    assert fits_the_phone(page)
    assert_in_language(page, "en", shot="merchant-analytics-phone")
    assert page.console_errors == []
