"""The merchant dashboard by role, in a real browser: each built-in role sees exactly the tabs and
decision buttons its permissions allow (GET /admin/me); an owner manages the team (invite, change a
role, deactivate) and reads, filters and downloads the audit log."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.campaigns import services as campaign_services
from app.commissions import ledger
from app.commissions.ledger import Line
from app.commissions.models import Bucket, EntryKind
from app.extensions import db
from app.staff.permissions import BUILTIN_ROLES
from tests.e2e.i18n import T, new_page
from tests.factories import PASSWORD, make_campaign, make_leader, make_product, make_staff

TAB_PERMISSION = {"orders": "orders.read", "campaigns": "campaigns.read", "products": "catalog.read",
                  "applications": "leaders.read",
                  "batches": "batches.read", "routes": "routes.read", "aftersales": "orders.refund",
                  "payouts": "payouts.read",
                  "analytics": "analytics.read",
                  "staff": "staff.manage", "audit": "audit.read"}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def store(client):
    """A submitted campaign by one staff member and a payout a leader asked for."""
    author = make_staff(role="operations", name="作者", email="author@shop.test")
    leader = make_leader(author, name="王芳")
    rice = make_product(name="东北大米", skus=[{"code": "RICE-5", "name": "5 公斤", "price_cents": 5000,
                                                "stock_total": 100}]).skus[0]
    campaign_services.submit(make_campaign(items=[(rice.id, 4500, 10)], approve=False, staff=author, name="大米周"))
    ledger.post(EntryKind.SETTLE, "e2e-roles", [Line(leader.account.id, Bucket.AVAILABLE, 8000, "leader"),
                                                Line(None, Bucket.COMMISSION_EXPENSE, -8000)])
    db.session.commit()
    r = client.post("/api/v1/leader/payouts", json={"amount_cents": 5000},
                    headers={**leader.headers, "Idempotency-Key": "e2e-roles-payout"})
    assert r.status_code in (200, 201), r.get_json()
    return {"author": author, "payout": r.get_json()["id"]}


def log_in(browser, base, email, name):
    page = new_page(browser, viewport=DESKTOP)
    page.goto(f"{base}/admin")
    form = page.locator("#login-form")
    form.get_by_label(T("admin.login.email")).fill(email)
    form.get_by_label(T("common.login.password")).fill(PASSWORD)
    form.get_by_role("button", name=T("common.login.submit")).click()
    page.get_by_text(T("admin.signed_in_as", name=name)).wait_for()
    return page


@pytest.mark.parametrize("role", sorted(BUILTIN_ROLES))
def test_each_role_sees_only_what_it_may_do(live_server, browser, store, role):
    allowed = BUILTIN_ROLES[role]
    make_staff(role=role, name="当班", email=f"{role}@shop.test")
    page = log_in(browser, live_server, f"{role}@shop.test", "当班")
    tabs = page.locator("#tabs [data-tab]:visible")
    expected = [tab for tab, permission in TAB_PERMISSION.items() if permission in allowed]
    expect(tabs).to_have_count(len(expected))
    assert [b.get_attribute("data-tab") for b in tabs.all()] == expected
    # The first allowed tab opens by itself.
    expect(page.locator(f"#{expected[0]}")).to_be_visible()
    if "campaigns.read" in allowed:
        page.get_by_role("tab", name=T("admin.tabs.campaigns")).click()
        row = page.locator("#campaigns-list tr", has_text="大米周")
        row.wait_for()
        approve = row.get_by_role("button", name=T("admin.campaigns.approve_named", name="大米周"))
        expect(approve).to_have_count(1 if "campaigns.approve" in allowed else 0)
        expect(page.locator("#campaign-new")).to_be_visible(visible="campaigns.edit" in allowed)
    if "payouts.read" in allowed:
        page.get_by_role("tab", name=T("admin.tabs.payouts")).click()
        row = page.locator("#payouts-list tr", has_text="王芳")
        row.wait_for()
        approve = T("admin.payouts.approve_named", id=store["payout"], leader="王芳")
        expect(row.get_by_role("button", name=approve)).to_have_count(
            1 if "payouts.approve" in allowed else 0)
        expect(page.locator("#payouts-export")).to_be_visible(visible="payouts.send" in allowed)
    assert page.console_errors == []
    page.context.close()


def test_an_owner_manages_the_team_and_reads_the_audit_log(live_server, browser, store):
    owner = make_staff(name="店主", email="owner@shop.test")
    page = log_in(browser, live_server, "owner@shop.test", "店主")
    page.get_by_role("tab", name=T("admin.tabs.staff")).click()
    page.locator("#staff-list tr", has_text="author@shop.test").wait_for()

    form = page.locator("#staff-invite")
    form.get_by_label(T("admin.staff.name")).fill("小李")
    form.get_by_label(T("admin.staff.email")).fill("li@shop.test")
    form.get_by_label(T("admin.staff.role")).select_option("warehouse")
    form.get_by_role("button", name=T("admin.staff.invite")).click()
    invited = page.locator("#staff-invited")
    expect(invited).to_contain_text(T("admin.staff.invited", name="小李", email="li@shop.test"))
    password = invited.locator(".secret").inner_text().rsplit("：", 1)[-1].strip()
    assert len(password) >= 8
    row = page.locator("#staff-list tr", has_text="li@shop.test")
    row.wait_for()

    row.get_by_label(T("admin.staff.role_of", name="小李")).select_option("driver")
    expect(page.locator("#notice")).to_contain_text("小李")
    row.get_by_role("button", name=T("admin.staff.deactivate_named", name="小李")).click()
    expect(page.locator("#notice")).to_have_text(T("admin.staff.deactivated", name="小李"))
    expect(page.locator("#staff-list tr", has_text="li@shop.test")).to_contain_text(T("admin.staff.inactive"))

    page.get_by_role("tab", name=T("admin.tabs.audit")).click()
    entries = page.locator("#audit-list tbody tr")
    expect(entries.first).to_contain_text("admin.deactivate_staff")  # newest first
    filters = page.locator("#audit-filter")
    filters.get_by_label(T("admin.audit.actor_id")).fill(str(owner.id))
    filters.get_by_role("button", name=T("common.show")).click()
    expect(entries).to_have_count(3)  # the owner's invite, role change and deactivation
    filters.get_by_label(T("admin.audit.action")).fill("admin.invite_staff")
    filters.get_by_role("button", name=T("common.show")).click()
    expect(entries).to_have_count(1)
    assert "accounts" in entries.first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name=T("admin.audit.csv")).click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    # The page reads Chinese, so the CSV's header row does too (its columns keep their order).
    assert text[0].startswith("编号,时间,操作人编号") and len(text) == 2 and "admin.invite_staff" in text[1]
    assert page.console_errors == []
    page.context.close()
