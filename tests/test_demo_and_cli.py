from __future__ import annotations

import re

import sqlalchemy as sa

from app.accounts.models import Account, AccountKind
from app.catalog.models import Category, Product
from app.extensions import db
from app.groups.models import Group
from tests.factories import auth


def test_seed_demo_builds_a_store_and_its_link_lands_a_new_shopper_in_the_group(app, client):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    assert count(Group) >= 3 and count(Product) >= 30 and count(Category) >= 5
    links = re.findall(r"\((open|invitation_only)\): http://shop\.test/g/([A-Z0-9]+)", result.output)
    assert len(links) >= 3 and "admin@demo.shop" in result.output
    code = next(c for rule, c in links if rule == "open")

    page = client.get(f"/g/{code}")
    assert page.status_code == 200 and b'src="/static/js/shop/main.js"' in page.data
    reg = client.post("/api/v1/store/auth/register",
                      json={"name": "New neighbour", "email": "new@example.com", "password": "s3cret-pass"})
    joined = client.post(f"/api/v1/store/groups/{code}/join", headers=auth(reg.get_json()["token"]))
    assert joined.status_code == 201
    group = client.get("/api/v1/store/me/group", headers=auth(reg.get_json()["token"])).get_json()
    assert group["id"] == joined.get_json()["binding"]["group"]["id"]
    assert len(client.get(f"/api/v1/store/groups/{code}/products?page_size=100").get_json()) == 30
    campaigns = client.get("/api/v1/store/campaigns", headers=auth(reg.get_json()["token"])).get_json()
    assert {c["kind"] for c in campaigns} == {"flash_sale", "group_buy", "member_day"}
    flash = next(c for c in campaigns if c["kind"] == "flash_sale")
    assert flash["phase"] == "live" and flash["items"][0]["stock_left"] == 50
    from app.accounts.models import Account, AccountKind
    from app.coupons.models import Coupon
    from app.loyalty.models import Tier

    shoppers = db.session.scalar(sa.select(sa.func.count()).select_from(Account)
                                 .where(Account.kind == AccountKind.SHOPPER, Account.email != "new@example.com"))
    assert count(Coupon) == shoppers and count(Tier) == 2
    assert len(client.get("/api/v1/store/wallet/bonus-tiers", headers=auth(reg.get_json()["token"])).get_json()) == 3


def test_seed_demo_refuses_a_store_with_data_unless_if_empty(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "already has accounts" in again.output
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0 and "skipped" in skipped.output


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
    assert short.exit_code != 0 and "8 characters" in short.output


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
