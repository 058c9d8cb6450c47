"""After-sales in a real browser at phone width, in zh-CN then English: on the shop's Orders tab,
asking for help on a picked-up line with photos and following the request, cancelling a paid order
before its cut-off (with a confirm step) and being refused once its batch is closed; in the leader
console, reviewing a request with its photos. Every step that changes money or a request's state
(asking, withdrawing, the leader's verdict, the merchant's decision) asks first in the shared dialog,
naming the amount."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.aftersales.models import AfterSaleRequest
from app.extensions import db
from app.pickup import batches
from tests.aftersales.helpers import ask, jpeg, picked_up, upload
from tests.e2e.i18n import T, assert_in_language, switch_language
from tests.factories import PASSWORD, code_of, make_buyer, make_group, make_leader, make_product
from tests.flows import order_row, paid_order


def open_orders(page, base: str, group, email: str) -> None:
    page.goto(f"{base}/g/{code_of(group)}")
    form = page.locator("#login-form")
    form.get_by_label(T("common.login.login")).fill(email)
    form.get_by_label(T("common.login.password"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.locator("#member-status.ok").wait_for()
    page.wait_for_load_state("networkidle")  # the page draws its parts more than once at start; act on the last
    show_orders_tab(page)


def show_orders_tab(page) -> None:
    """Showing the tab draws the list again: act once no drawing is under way (#orders not aria-busy)."""
    page.locator("nav [data-tab=tab-orders]").click()
    page.locator("#orders:not([aria-busy]) article.order").first.wait_for()


def reopen_orders(page) -> None:
    page.reload()
    page.wait_for_load_state("networkidle")
    show_orders_tab(page)


def test_a_shopper_asks_for_help_on_a_line_with_photos_and_follows_it(live_server, page, client):
    data = picked_up(client)
    buyer, order = data["buyer"], data["order"]
    line = order["lines"][0]
    db.session.commit()
    open_orders(page, live_server, data["group"], buyer.account.email)

    name = f"{line['product_name']} {line['sku_name']}"
    page.get_by_role("button", name=T("shop.aftersale.ask_named", name=name)).click()
    form = page.locator("form.aftersale-form:visible")
    form.get_by_label(T("shop.aftersale.reason")).select_option("damaged")
    form.get_by_label(T("shop.aftersale.quantity")).fill("1")
    form.get_by_label(T("shop.aftersale.description")).fill("盒子压坏了")
    form.get_by_label(T("shop.aftersale.photos", max=6)).set_input_files([
        {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": jpeg()},
        {"name": "b.jpg", "mimeType": "image/jpeg", "buffer": jpeg(300, 200)},
    ])
    form.get_by_role("button", name=T("shop.aftersale.submit")).click()
    # It asks first, saying what is claimed (1 of the line's 2 units of ¥30.00); cancelling sends nothing.
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(T("shop.aftersale.confirm_message", name=name, quantity=1, amount="¥15.00"))
    assert_in_language(page, "zh-CN", shot="shop-aftersale-confirm")
    dialog.get_by_role("button", name=T("common.confirm.cancel")).click()
    expect(dialog).to_have_count(0)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AfterSaleRequest)) == 0
    form.get_by_role("button", name=T("shop.aftersale.submit")).click()
    dialog.get_by_role("button", name=T("shop.aftersale.submit")).click()

    status = T("shop.aftersale.status", status=T("status.aftersale.awaiting_leader"),
               reason=T("status.aftersale_reason.damaged"), quantity=1)
    box = page.locator(".aftersale", has_text=status)
    box.wait_for()
    expect(box.locator("img.aftersale-photo")).to_have_count(2)
    page.wait_for_function("() => [...document.querySelectorAll('img.aftersale-photo')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    db.session.commit()
    request = db.session.scalar(sa.select(AfterSaleRequest))
    assert (request.order_line_id, request.quantity, request.description) == (line["id"], 1, "盒子压坏了")
    assert len(request.photos) == 2
    expect(box.locator(".aftersale-history li")).to_have_count(1)
    assert_in_language(page, "zh-CN", shot="shop-aftersale-open")

    # The leader confirms it; the shopper reads it in the history.
    r = client.post(f"/api/v1/leader/after-sales/{request.id}/review", headers=data["leader"].headers,
                    json={"verdict": "confirmed", "note": "确实破损"})
    assert r.status_code == 200, r.get_json()
    reopen_orders(page)
    expect(page.locator(".aftersale-history li")).to_have_count(2)
    expect(page.locator(".aftersale-history li").nth(1)).to_contain_text(T("status.aftersale_event.leader_confirmed"))
    expect(page.locator(".aftersale-history li").nth(1)).to_contain_text("确实破损")
    expect(page.locator(".aftersale-status")).to_have_text(T(
        "shop.aftersale.status", status=T("status.aftersale.awaiting_merchant"),
        reason=T("status.aftersale_reason.damaged"), quantity=1))

    switch_language(page, "en")
    page.locator("nav [data-tab=tab-orders]").click()
    expect(page.locator(".aftersale-status")).to_contain_text(T("status.aftersale.awaiting_merchant", "en"))
    assert_in_language(page, "en", shot="shop-aftersale-open")

    # Withdrawing asks first too; confirmed, the request is closed.
    page.locator(".aftersale").get_by_role("button", name=T("shop.aftersale.withdraw", "en")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(T("shop.aftersale.withdraw_title", "en", number=request.id))
    expect(dialog).to_contain_text(T("shop.aftersale.withdraw_message", "en"))
    dialog.get_by_role("button", name=T("shop.aftersale.withdraw", "en")).click()
    expect(page.locator(".aftersale-status")).to_contain_text(T("status.aftersale.withdrawn", "en"))
    db.session.commit()
    db.session.refresh(request)
    assert request.status.value == "withdrawn"


def test_a_paid_order_is_cancelled_after_a_confirm_step_and_refused_once_its_batch_closes(live_server, page, client):
    group = make_group(make_leader())
    buyer = make_buyer(group)
    sku = make_product(name="东北大米", skus=[{"code": "RICE-CX", "name": "5 公斤", "price_cents": 4990,
                                             "stock_total": 20}]).skus[0]
    db.session.commit()
    first = paid_order(client, buyer, [(sku.id, 1)])
    second = paid_order(client, buyer, [(sku.id, 2)])
    open_orders(page, live_server, group, buyer.account.email)

    card = page.locator(f"article.order[data-order='{first['number']}']")
    card.get_by_role("button", name=T("shop.orders.cancel_named", number=first["number"])).click()
    card.get_by_text(T("shop.orders.cancel_confirm", number=first["number"])).wait_for()
    assert_in_language(page, "zh-CN", shot="shop-cancel-confirm")
    card.get_by_role("button", name=T("shop.orders.cancel_yes")).click()
    done = f"({re.escape(T('status.order.cancelled'))}|{re.escape(T('status.order.refunded'))}) · "
    expect(card.locator(".order-status")).to_have_text(re.compile(done))
    expect(card.get_by_role("button", name=T("shop.orders.cancel_named", number=first["number"]))).to_have_count(0)
    db.session.commit()
    row = order_row(first["id"])
    assert row.status.value in ("cancelled", "refunded") and row.refunded_cents == row.paid_cents == 4990

    # Its batch closes (the cut-off passed): the API's refusal is shown and nothing changes.
    batches.close(order_row(second["id"]).batch_id)
    db.session.commit()
    reopen_orders(page)
    card = page.locator(f"article.order[data-order='{second['number']}']")
    card.get_by_role("button", name=T("shop.orders.cancel_named", number=second["number"])).click()
    card.get_by_role("button", name=T("shop.orders.cancel_yes")).click()
    expect(card.locator(".error[role=alert]")).not_to_be_empty()
    db.session.commit()
    assert order_row(second["id"]).refunded_cents == 0
    switch_language(page, "en")
    assert_in_language(page, "en", shot="shop-cancel-confirm")


def test_a_leader_reviews_a_request_with_its_photos_in_the_console(live_server, page, client):
    data = picked_up(client)
    request_id = ask(client, data["buyer"], data["order"], description="盒子压坏了").get_json()["id"]
    assert upload(client, data["buyer"], "store", request_id, jpeg()).status_code == 201
    db.session.commit()
    page.goto(f"{live_server}/leader")
    form = page.locator("#login-form")
    form.get_by_label(T("common.login.login")).fill(data["leader"].account.email)
    form.get_by_label(T("common.login.password"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.locator("nav.tabs [data-tab=aftersales]").click()

    card = page.locator(f"#aftersales-list article[data-aftersale='{request_id}']")
    card.wait_for()
    expect(card).to_contain_text("盒子压坏了")
    page.wait_for_function("() => [...document.querySelectorAll('#aftersales-list img')]"
                           ".some(i => i.complete && i.naturalWidth > 0)")
    assert_in_language(page, "zh-CN", shot="leader-aftersale-review")
    card.get_by_label(T("leader.aftersale.note")).fill("包装确实破了")
    card.get_by_role("button", name=T("leader.aftersale.dispute")).click()
    # The verdict cannot be changed: the dialog says what disputing means, with the claim's amount.
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(T("leader.aftersale.dispute_message", reason=T("status.aftersale_reason.damaged"),
                                     quantity=1, amount="¥15.00"))
    assert_in_language(page, "zh-CN", shot="leader-aftersale-confirm")
    dialog.get_by_role("button", name=T("leader.aftersale.dispute")).click()
    page.get_by_text(T("leader.aftersale.none")).wait_for()
    db.session.commit()
    request = db.session.get(AfterSaleRequest, request_id)
    assert (request.status.value, request.leader_verdict.value, request.leader_note) == (
        "awaiting_merchant", "disputed", "包装确实破了")
    switch_language(page, "en")
    page.locator("nav.tabs [data-tab=aftersales]").click()
    page.get_by_text(T("leader.aftersale.none", "en")).wait_for()
    assert_in_language(page, "en", shot="leader-aftersale-review")


def test_the_merchant_refunds_part_of_a_reviewed_request_from_the_dashboard(live_server, page, client):
    data = picked_up(client)
    request_id = ask(client, data["buyer"], data["order"], quantity=1, description="坏了一个").get_json()["id"]
    assert upload(client, data["buyer"], "store", request_id, jpeg()).status_code == 201
    r = client.post(f"/api/v1/leader/after-sales/{request_id}/review", headers=data["leader"].headers,
                    json={"verdict": "confirmed", "note": "确实破损"})
    assert r.status_code == 200, r.get_json()
    db.session.commit()
    page.goto(f"{live_server}/admin")
    form = page.locator("#login-form")
    form.get_by_label(T("admin.login.email")).fill(data["staff"].account.email)
    form.get_by_label(T("common.login.password")).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.get_by_text(T("admin.signed_in_as", name=data["staff"].account.name)).wait_for()
    page.locator("#tab-aftersales").click()

    card = page.locator(f"#aftersales-list article[data-aftersale='{request_id}']")
    expect(card).to_contain_text("确实破损")
    page.wait_for_function("() => [...document.querySelectorAll('#aftersales-list img')]"
                           ".some(i => i.complete && i.naturalWidth > 0)")
    assert_in_language(page, "zh-CN", shot="admin-aftersale-decide")
    card.get_by_label(T("admin.aftersale.decision")).select_option("reject")
    card.get_by_role("button", name=T("admin.aftersale.decide")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(T("admin.aftersale.confirm_reject"))
    dialog.get_by_role("button", name=T("admin.aftersale.decision_reject")).click()
    expect(dialog.locator(".error[role=alert]")).not_to_be_empty()  # a rejection needs a reason: 422 shown
    dialog.get_by_role("button", name=T("common.confirm.cancel")).click()
    expect(dialog).to_have_count(0)
    card.get_by_label(T("admin.aftersale.decision")).select_option("refund")
    card.get_by_label(T("admin.aftersale.amount")).fill("5.00")
    card.get_by_role("button", name=T("admin.aftersale.decide")).click()
    # The refund cannot be undone: the dialog names the amount before any money moves.
    expect(dialog).to_contain_text(T("admin.aftersale.confirm_refund", quantity=1, amount="¥5.00"))
    assert_in_language(page, "zh-CN", shot="admin-aftersale-confirm")
    db.session.commit()
    assert db.session.get(AfterSaleRequest, request_id).status.value == "awaiting_merchant"
    dialog.get_by_role("button", name=T("admin.aftersale.decision_refund")).click()
    page.get_by_text(T("admin.aftersale.none")).wait_for()
    db.session.commit()
    request = db.session.get(AfterSaleRequest, request_id)
    assert (request.status.value, request.refund_cents) == ("refunded", 500)
    switch_language(page, "en")
    page.get_by_text(T("admin.aftersale.none", "en")).wait_for()
    assert_in_language(page, "en", shot="admin-aftersale-decide")
