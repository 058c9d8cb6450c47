from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.accounts.models import Account, AccountKind
from app.catalog.models import Category, Product
from app.clock import local_now
from app.commissions.models import CommissionRule, EntryKind, JournalEntry, Payout, PayoutStatus
from app.coupons.models import Coupon, CouponSource
from app.demo.catalogue import PRODUCTS
from app.extensions import db
from app.groups.models import Binding, Group
from app.inventory.models import MovementReason, StockMovement
from app.lotteries.models import Lottery, LotteryStatus
from app.loyalty.models import PointsEntry
from app.members.models import Membership
from app.orders.models import Fulfilment, Order, OrderStatus
from app.payments.models import Refund
from app.posts.models import PostLike, SharePost
from app.settings.services import get_settings
from app.subscriptions.models import SubscriptionPlan
from app.wallet.models import TopUp, TopUpStatus, Wallet, WalletEntry
from tests.factories import auth

SHORT = ["seed-demo", "--days", "110", "--orders", "110"]  # every screen has data; a third of the default's time


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def staff_headers(client) -> dict:
    r = client.post("/api/v1/admin/auth/login", json={"login": "admin@demo.shop", "password": "demo-admin-123"})
    return auth(r.get_json()["token"])


def test_seed_demo_builds_a_history_every_screen_and_audit_can_use_and_is_idempotent(app, client, monkeypatch):
    """One seed (the tables are emptied after each test, and a seed costs seconds): each check below
    is a function of its own."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=SHORT)
    assert result.exit_code == 0, result.output
    db.session.commit()
    links_land_a_new_shopper_in_a_group_with_a_chinese_catalogue_and_pictures(client, result.output)
    every_analytics_table_and_the_leader_performance_have_data(client)
    the_ledgers_add_up_and_the_commission_audit_passes(app)
    every_capability_of_a_walkthrough_is_there(client)
    a_shopper_finishes_every_campaign_sale_from_the_wallet_without_stripe(app, client, monkeypatch)
    before = (count(Order), count(WalletEntry), count(JournalEntry))
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "skipped" in again.output
    assert (count(Order), count(WalletEntry), count(JournalEntry)) == before


def links_land_a_new_shopper_in_a_group_with_a_chinese_catalogue_and_pictures(client, demo: str):
    assert count(Group) == 4 and count(Product) == len(PRODUCTS) and count(Category) == 8
    links = re.findall(r"\((open|invitation_only)\): http://shop\.test/g/([A-Z0-9]+)", demo)
    assert len(links) == 4 and "admin@demo.shop" in demo and re.search(r"\d{4}-\d{2}: +\d+ orders", demo)
    code = next(c for rule, c in links if rule == "open")

    page = client.get(f"/g/{code}")
    assert page.status_code == 200 and b'src="/static/js/shop/main.js"' in page.data
    reg = client.post("/api/v1/store/auth/register",
                      json={"name": "New neighbour", "email": "new@example.com", "password": "s3cret-pass"})
    joined = client.post(f"/api/v1/store/groups/{code}/join", headers=auth(reg.get_json()["token"]))
    assert joined.status_code == 201
    zh = client.get(f"/api/v1/store/groups/{code}/products?page_size=100", headers={"Accept-Language": "zh-CN"})
    assert len(zh.get_json()) >= 30 and all(re.search(r"[\u4e00-\u9fff]", p["name"]) for p in zh.get_json())
    # The test store speaks English: every name, description and category arrives translated.
    products = client.get(f"/api/v1/store/groups/{code}/products?page_size=100").get_json()
    assert all(not re.search(r"[\u4e00-\u9fff]", p["name"] + p["description"] + p["category"]["name"]
                             + "".join(s["name"] for s in p["skus"])) for p in products)
    picture = urlsplit(products[0]["image_urls"][0])
    served = client.get(picture.path)
    assert served.status_code == 200 and served.mimetype == "image/webp" and len(served.data) > 3000
    campaigns = client.get("/api/v1/store/campaigns", headers=auth(reg.get_json()["token"])).get_json()
    assert {c["kind"] for c in campaigns} == {"flash_sale", "group_buy", "member_day", "pre_sale"}
    assert not any(re.search(r"[\u4e00-\u9fff]", c["name"] + c["description"]) for c in campaigns)
    flash = next(c for c in campaigns if c["kind"] == "flash_sale")
    assert flash["phase"] == "live" and flash["items"][0]["stock_left"] == 50
    assert len(client.get("/api/v1/store/wallet/bonus-tiers", headers=auth(reg.get_json()["token"])).get_json()) == 3


def every_analytics_table_and_the_leader_performance_have_data(client):
    headers = staff_headers(client)
    get = lambda path: client.get(f"/api/v1/admin/analytics/{path}", headers=headers).get_json()  # noqa: E731
    months = get("repurchase?months=4")
    assert sum(m["buyers"] for m in months) > 20 and any(m["returning"] for m in months)
    assert all(r["customers"] > 0 and r["repeated"] > 0 for r in get("repeat-rates"))
    cohorts = get("cohorts?months=4")
    assert len(cohorts) >= 3 and any(len(c["active"]) > 1 and c["active"][1] for c in cohorts)
    lifetime, referral = get("lifetime-value"), get("referral-value")
    assert lifetime["customers"] > 20 and sum(b["customers"] for b in lifetime["buckets"]) == lifetime["customers"]
    assert referral["referrers"] > 0 and referral["top"]
    last_month = (local_now().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    leaders = get(f"leaders?month={last_month}")
    assert len(leaders) >= 3 and all(row["orders"] > 0 and row["commission_cents"] > 0 for row in leaders)
    member_day = next(c for c in get("campaigns") if c["kind"] == "member_day")
    assert member_day["revenue_cents"] > 0 and member_day["unique_buyers"] > 0
    statuses = {s for (s,) in db.session.execute(sa.select(Order.status))}
    assert OrderStatus.PAID in statuses and statuses & {OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}
    assert count(Order, Order.fulfilment == Fulfilment.UNCOLLECTED) > 0
    assert count(Order, Order.fulfilment == Fulfilment.PICKED_UP) > count(Order) * 0.7


def the_ledgers_add_up_and_the_commission_audit_passes(app):
    audit = app.test_cli_runner().invoke(args=["commissions-audit"])
    assert audit.exit_code == 0, audit.output
    stock = app.test_cli_runner().invoke(args=["stock-audit"])
    assert stock.exit_code == 0, stock.output
    assert count(StockMovement, StockMovement.reason == MovementReason.RECEIVED) > 0   # the demo's deliveries
    assert count(JournalEntry, JournalEntry.kind == EntryKind.SETTLE) > 0
    assert count(Payout, Payout.status == PayoutStatus.PAID) > 0
    for model, kind in ((Wallet, WalletEntry), (Membership, PointsEntry)):
        for holder in db.session.scalars(sa.select(model)):
            entries = db.session.scalars(sa.select(kind).where(kind.account_id == holder.account_id)
                                         .order_by(kind.id)).all()
            if kind is WalletEntry:
                assert (holder.principal_cents, holder.bonus_cents) == (
                    sum(e.principal_delta for e in entries), sum(e.bonus_delta for e in entries))
                assert entries[-1].principal_after == holder.principal_cents
            else:
                assert holder.points_balance == sum(e.delta for e in entries)
    top_ups = db.session.scalars(sa.select(TopUp).where(TopUp.status == TopUpStatus.SUCCEEDED)).all()
    assert top_ups and any(t.bonus_cents > 0 for t in top_ups)
    assert all(count(WalletEntry, WalletEntry.top_up_id == t.id) == 1 for t in top_ups)
    for login in ("chen@demo.shop", "zhou@demo.shop"):  # every demo login can pay from the wallet
        account = db.session.scalar(sa.select(Account).where(Account.email == login))
        assert db.session.get(Wallet, account.id).principal_cents >= 10000


def every_capability_of_a_walkthrough_is_there(client):
    from app.subscriptions.models import Subscription

    assert count(Product, Product.members_only.is_(True)) >= 2 and count(Product, Product.is_new.is_(True)) == 1
    assert count(Subscription) > 0 and count(SubscriptionPlan) >= 5
    assert get_settings().birthday_coupon_template_id is not None
    assert count(Coupon, Coupon.source == CouponSource.BIRTHDAY) + count(Coupon, Coupon.source == CouponSource.LOTTERY)
    drawn_and_open = {lot.status for lot in db.session.scalars(sa.select(Lottery))}
    assert drawn_and_open == {LotteryStatus.DRAWN, LotteryStatus.PUBLISHED}
    posts = db.session.scalars(sa.select(SharePost)).all()
    assert posts and all(p.image_urls and client.get(urlsplit(p.image_urls[0]).path).status_code == 200
                         for p in posts)
    assert count(PostLike) > 0 and count(Membership) > 5
    assert count(Binding, Binding.referrer_account_id.is_not(None)) >= 5
    assert count(CommissionRule) == 2 and count(Refund) > 0
    password = client.post("/api/v1/store/auth/login", json={"login": "chen@demo.shop", "password": "demo-pass-123"})
    assert password.status_code == 200  # the cheap demo hash is accepted (and upgraded) at login
    headers = {"Authorization": f"Bearer {password.get_json()['token']}"}
    held = client.get("/api/v1/store/coupons", headers=headers).get_json()
    welcome = [c["name"] for c in held if c["status"] == "available" and c["min_spend_cents"] == 3000]
    assert welcome == ["新人券：满30减5"]  # usable at checkout (the shop's coupon picker)


def a_shopper_finishes_every_campaign_sale_from_the_wallet_without_stripe(app, client, monkeypatch):
    """The README walkthrough: a flash-sale reservation, a group-buy join and a pre-sale deposit, paid."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    config = client.get("/api/v1/store/client-config").get_json()
    assert config["payment_methods"] == ["wallet"]
    assert all(m == ["wallet"] for m in config["campaign_payment_methods"].values())
    token = client.post("/api/v1/store/auth/login", json={"login": "chen@demo.shop", "password": "demo-pass-123"}
                        ).get_json()["token"]
    headers = auth(token)
    campaigns = {c["kind"]: c for c in client.get("/api/v1/store/campaigns", headers=headers).get_json()}
    flash_item = campaigns["flash_sale"]["items"][0]
    reserved = client.post(f"/api/v1/store/flash-sales/{flash_item['id']}/reserve", json={"quantity": 1},
                           headers={**headers, "Idempotency-Key": "walk-flash"})
    assert reserved.status_code == 201, reserved.get_json()
    order_id = reserved.get_json()["order_id"]
    assert client.get(f"/api/v1/store/orders/{order_id}", headers=headers).get_json()["payment_methods"] == ["wallet"]
    paid = client.post(f"/api/v1/store/orders/{order_id}/pay", json={"payment_method": "wallet"}, headers=headers)
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid", paid.get_json()
    for kind, status in (("group_buy", "paid"), ("pre_sale", "deposit_paid")):
        item = campaigns[kind]["items"][0]
        line = {"sku_id": item["sku_id"], "quantity": 1, "campaign_item_id": item["id"]}
        quote = client.post("/api/v1/store/quote", json={"lines": [line]}, headers=headers).get_json()
        assert quote["payment_methods"] == ["wallet"], quote
        r = client.post("/api/v1/store/orders", json={"lines": [line], "payment_method": "wallet"},
                        headers={**headers, "Idempotency-Key": f"walk-{kind}"})
        assert r.status_code == 201 and r.get_json()["status"] == status, r.get_json()


def test_seed_demo_refuses_a_store_with_data_unless_if_empty(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo", "--days", "7", "--orders", "5"]).exit_code == 0
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "already has accounts" in again.output
    before = count(Order)
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0 and "skipped" in skipped.output and count(Order) == before


def test_seed_demo_options_are_checked(app):
    bad = app.test_cli_runner().invoke(args=["seed-demo", "--days", "3"])
    assert bad.exit_code == 2 and "--days" in bad.output and count(Account) == 0


def test_unknown_group_link_page_is_a_friendly_404(client):
    page = client.get("/g/NOSUCH99")
    # The words come from the catalogues in the browser (tests/e2e/test_group_link_page.py reads them).
    assert page.status_code == 404 and b'data-i18n="notfound.heading"' in page.data


def test_home_page_points_to_the_api_docs(client):
    assert b"/api/docs" in client.get("/").data


def test_create_staff_command_creates_a_staff_account_and_refuses_duplicates(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["create-staff", "--email", "Boss@Shop.test", "--name", "Boss", "--password", "longpass1"])
    assert ok.exit_code == 0, ok.output
    account = db.session.scalar(sa.select(Account).where(Account.email == "boss@shop.test"))
    assert account.kind == AccountKind.STAFF
    dup = runner.invoke(args=["create-staff", "--email", "boss@shop.test", "--name", "B", "--password", "longpass1"])
    assert dup.exit_code != 0 and "already exists" in dup.output
    short = runner.invoke(args=["create-staff", "--email", "x@shop.test", "--name", "B", "--password", "short"])
    assert short.exit_code != 0 and "8" in short.output


def test_the_api_keeps_no_cookie_session(app, client):
    """Bearer tokens only: no request opens a signed cookie session or sets a cookie."""
    import flask

    from tests.factories import make_shopper

    shopper = make_shopper()
    response = client.get("/api/v1/store/me", headers=shopper.headers)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    with app.test_request_context("/", headers={"Cookie": "session=forged"}):
        opened = app.session_interface.open_session(app, flask.request)
    assert isinstance(opened, flask.sessions.NullSession)
