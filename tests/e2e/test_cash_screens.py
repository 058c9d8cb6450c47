"""Leader cash, payout four-eyes and after-sale screens in a real browser, in zh-CN: the merchant's
cash by leader and a colleague's second approval that nets the cash owed; the after-sale rules form,
a cash order refunded to the wallet from the decision form and the decided list; the after-sale
chart; the leader's cash owed on the Earnings tab."""
from __future__ import annotations

from playwright.sync_api import expect

from app.aftersales.models import AfterSaleRules
from app.commissions import ledger
from app.commissions.ledger import Line
from app.commissions.models import Bucket, EntryKind, Payout
from app.extensions import db
from app.leader_cash import ledger as cash
from app.wallet.ledger import balance
from tests.aftersales.helpers import ask, picked_up
from tests.e2e.i18n import T, assert_in_language
from tests.e2e.test_staff_dashboard import log_in
from tests.factories import PASSWORD, make_staff


def a_leader_with_cash_and_a_payout(client):
    """A cash order handed over (the leader owes ¥14.00), ¥80.00 commission, a ¥50.00 payout asked."""
    s = picked_up(client, lines=((2, 700),), method="pay_at_pickup")
    leader = s["leader"]
    ledger.post(EntryKind.SETTLE, "e2e-cash", [Line(leader.account.id, Bucket.AVAILABLE, 8000, "leader"),
                                               Line(None, Bucket.COMMISSION_EXPENSE, -8000)])
    db.session.commit()
    s["payout"] = client.post("/api/v1/leader/payouts", json={"amount_cents": 5000},
                              headers={**leader.headers, "Idempotency-Key": "e2e-cash"}).get_json()["id"]
    return s


def test_a_colleague_approves_a_proposed_payout_and_the_cash_owed_is_netted(live_server, browser, client):
    s = a_leader_with_cash_and_a_payout(client)
    leader_name = s["leader"].leader.display_name
    proposer = make_staff(name="梅晓", email="mei@shop.test", role="finance")
    make_staff(name="周敏", email="zhou@shop.test", role="finance")
    assert client.post(f"/api/v1/admin/payouts/{s['payout']}/approve", headers=proposer.headers).status_code == 202
    db.session.commit()
    page = log_in(browser, live_server, "zhou@shop.test", "周敏")
    page.get_by_role("tab", name=T("admin.tabs.payouts")).click()
    owed = page.locator("#leader-cash tr", has_text=leader_name)
    expect(owed).to_contain_text("¥14.00")
    what = {"id": s["payout"], "leader": leader_name}
    page.get_by_role("button", name=T("admin.payouts.second_approve_named", **what)).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(T("admin.payouts.second_message", name="梅晓", amount="¥50.00"))
    assert_in_language(page, "zh-CN", shot="merchant-payout-second-approval")
    dialog.get_by_role("button", name=T("admin.approve")).click()
    page.get_by_text(T("admin.payouts.decided", **what, status=T("status.payout.approved"))).wait_for()
    db.session.commit()
    payout = db.session.get(Payout, s["payout"])
    assert (payout.status.value, payout.cash_netted_cents, payout.net_cents) == ("approved", 1400, 5000 - 1400)
    expect(page.locator("#leader-cash tr", has_text=leader_name)).to_have_count(0)  # nothing owed now
    page.locator("#payouts-status").select_option("approved")
    page.locator("#payouts-filter button[type=submit]").click()
    row = page.locator("#payouts-list tr", has_text=f"#{s['payout']}")
    expect(row).to_contain_text("¥14.00")
    expect(row).to_contain_text("¥36.00")
    assert page.console_errors == []
    page.context.close()


def test_rules_a_wallet_refund_of_a_cash_order_the_decided_list_and_the_chart(live_server, browser, client):
    s = picked_up(client, lines=((2, 700),), method="pay_at_pickup")
    request_id = ask(client, s["buyer"], s["order"]).get_json()["id"]
    client.post(f"/api/v1/leader/after-sales/{request_id}/review", headers=s["leader"].headers,
                json={"verdict": "confirmed"})
    make_staff(name="梅晓", email="mei@shop.test")  # an owner: rules and decisions
    db.session.commit()
    page = log_in(browser, live_server, "mei@shop.test", "梅晓")
    page.get_by_role("tab", name=T("admin.tabs.aftersales")).click()

    # The rules: cash orders go back to the wallet unless a decision says otherwise.
    page.locator("#aftersale-rules-box summary").click()
    form = page.locator("#aftersale-rules")
    expect(form.get_by_label(T("admin.aftersale.review_hours"))).to_have_value("24")
    form.get_by_label(T("admin.aftersale.review_hours")).fill("48")
    form.get_by_label(T("admin.aftersale.cash_default")).select_option("wallet")
    form.get_by_role("button", name=T("admin.aftersale.save_rules")).click()
    page.get_by_text(T("admin.aftersale.rules_saved")).wait_for()
    db.session.commit()
    rules = db.session.get(AfterSaleRules, 1)
    assert (rules.leader_review_hours, rules.cash_refund_by) == (48, "wallet")

    # The decision on a cash order offers how the cash goes back; the shopper's wallet is credited.
    card = page.locator(f"#aftersales-list article[data-aftersale='{request_id}']")
    card.get_by_label(T("admin.aftersale.cash_back")).select_option("wallet")
    assert_in_language(page, "zh-CN", shot="merchant-aftersale-rules")
    card.get_by_role("button", name=T("admin.aftersale.decide")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(T("admin.aftersale.confirm_refund", quantity=1, amount="¥7.00"))
    dialog.get_by_role("button", name=T("admin.aftersale.decision_refund")).click()
    page.get_by_text(T("admin.aftersale.none")).wait_for()
    db.session.commit()
    assert balance(s["buyer"].id).principal_cents == 700
    assert cash.outstanding(s["leader"].leader.id) == 1400

    # The decided list shows it, with how the cash went back.
    page.locator("#aftersales-status").select_option("refunded")
    decided = page.locator(f"#aftersales-list article[data-aftersale='{request_id}']")
    expect(decided).to_contain_text(T("admin.aftersale.refunded", amount="¥7.00"))
    expect(decided).to_contain_text(T("status.cash_refund_by.wallet"))
    expect(decided.locator("form")).to_have_count(0)

    # The chart: requests per product by outcome, with its table.
    page.get_by_role("tab", name=T("admin.tabs.analytics")).click()
    page.wait_for_function("() => window.Chart.getChart(document.getElementById('chart-aftersales'))"
                           "?.data.labels.length === 1")
    table = page.locator("#an-aftersales table")
    expect(table).to_contain_text(s["order"]["lines"][0]["product_name"])
    page.locator("#an-aftersales-by").select_option("reason")
    page.wait_for_function("(label) => window.Chart.getChart(document.getElementById('chart-aftersales'))"
                           "?.data.labels[0] === label", arg=T("status.aftersale_reason.damaged"))
    assert page.console_errors == []
    page.context.close()


def test_the_leader_sees_the_cash_owed_and_what_a_payout_netted(live_server, page, client):
    s = a_leader_with_cash_and_a_payout(client)
    from tests.factories import approve_payout

    assert approve_payout(client, make_staff(), s["payout"]).status_code == 200
    db.session.commit()
    assert cash.outstanding(s["leader"].leader.id) == 0
    page.goto(f"{live_server}/leader")
    form = page.locator("#login-form")
    form.get_by_label(T("common.login.login")).fill(s["leader"].account.email)
    form.get_by_label(T("common.login.password"), exact=True).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.locator("nav.tabs [data-tab=earnings]").click()
    expect(page.locator("#cash-owed-amount")).to_have_text(T("leader.cash.owed", amount="¥0.00"))
    entries = page.locator("#cash-owed table")
    expect(entries).to_contain_text(T("status.cash.collected"))
    expect(entries).to_contain_text(T("status.cash.netted"))
    expect(entries).to_contain_text(T("leader.cash.payout", id=s["payout"]))
    expect(page.locator("#payouts")).to_contain_text("¥14.00")
    assert_in_language(page, "zh-CN", shot="leader-cash-owed")
    assert page.console_errors == []
