"""A shopper downloads their data and deletes their account: the person is gone, the books stay
whole (issue 20, PIPL/GDPR)."""
from __future__ import annotations

import json

import sqlalchemy as sa

from app.accounts.models import Account
from app.extensions import db
from tests.api.test_refunds import paid_order
from tests.assertions import assert_error, database_unchanged
from tests.factories import PASSWORD, make_buyer, make_leader

ME = "/api/v1/store/me"
BOOKS = {  # table → the column whose sum must not move
    "orders": "total_cents", "order_lines": "line_total_cents", "payments": "amount_cents",
    "commission_lines": "amount_cents", "points_entries": "delta", "wallet_entries": "principal_delta",
}


def books() -> dict[str, tuple[int, int]]:
    db.session.commit()
    out = {}
    for name, column in BOOKS.items():
        table = db.metadata.tables[name]
        count, total = db.session.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(table.c[column]), 0))
                                          .select_from(table)).one()
        out[name] = (int(count), int(total))
    return out


def test_a_shopper_exports_their_own_data_and_nobody_elses(client):
    order, _, buyer = paid_order(client)
    paid_order(client)                                    # someone else's
    r = client.get(f"{ME}/export", headers=buyer.headers)
    assert r.status_code == 200
    data = r.get_json()
    assert data["account"]["email"] == buyer.account.email
    assert [o["id"] for o in data["orders"]] == [order["id"]]
    assert {ln["order_id"] for ln in data["order_lines"]} == {order["id"]}
    assert data["bindings"] and all(b["account_id"] == buyer.id for b in data["bindings"])
    text = json.dumps(data)
    assert "password" not in text and "token_hash" not in text and "argon2" not in text
    assert_error(client.get(f"{ME}/export"), 401)


def test_deleting_the_account_anonymises_the_person_and_keeps_the_books(app, client, zh_store):
    order, _, buyer = paid_order(client)
    email, old_headers = buyer.account.email, buyer.headers
    before = books()
    with database_unchanged():
        assert_error(client.delete(ME, headers=old_headers, json={"password": "not it"}), 401, "invalid_credentials")
    r = client.delete(ME, headers=old_headers, json={"password": PASSWORD})
    assert r.status_code == 204
    db.session.commit()
    account = db.session.get(Account, buyer.id, populate_existing=True)
    assert (account.email, account.phone, account.birth_month, account.is_active) == (
        f"deleted-{buyer.id}@deleted.invalid", None, None, False)
    assert account.name == "已注销用户"  # in the store's language: the name is data, not a message
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(Account).where(Account.email == email))
    # Every session ends at once, and the old login no longer works.
    assert_error(client.get(ME, headers=old_headers), 401)
    assert_error(client.post("/api/v1/store/auth/login", json={"login": email, "password": PASSWORD}), 401)
    # The books: every order, payment, commission, points and wallet row still there, unchanged.
    assert books() == before
    assert books()["commission_lines"][1] == 0            # the commission journal still sums to zero
    from app.orders.models import Order

    assert db.session.get(Order, order["id"]).account_id == buyer.id
    audit = app.test_cli_runner().invoke(args=["commissions-audit"])
    assert audit.exit_code == 0, audit.output


def test_a_leader_hands_their_groups_over_before_deleting(client):
    leader = make_leader()
    with database_unchanged():
        assert_error(client.delete(ME, headers=leader.headers, json={"password": PASSWORD}), 409, "leader_account")


def test_the_password_is_required(client):
    buyer = make_buyer()
    with database_unchanged():
        assert_error(client.delete(ME, headers=buyer.headers, json={}), 422, "validation_error")
