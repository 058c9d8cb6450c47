"""Leader commissions: rules (most specific wins, snapshotted at order time), accrual on payment,
settlement after pickup plus the after-sale window, clawbacks, the views, the audit."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.commissions import ledger
from app.commissions.ledger import Line
from app.commissions.models import Bucket, EntryKind, JournalEntry
from app.db import utcnow
from app.extensions import db
from tests.factories import (
    approve_change,
    if_match,
    make_buyer,
    make_category,
    make_group,
    make_leader,
    make_product,
    make_staff,
)
from tests.flows import batch_of, deliver, order_row, paid_order

ADMIN, LEADER = "/api/v1/admin", "/api/v1/leader"
EPOCH = "2020-01-01T00:00:00Z"


def rule(client, staff, **data):
    body = {"scope": "default", "leader_rate_bps": 1000, "valid_from": EPOCH} | data
    r = client.post(f"{ADMIN}/commission-rules", headers=staff.headers, json=body)
    return {**body, "id": approve_change(client, r)["result_id"]}


def balance(client, leader) -> dict:
    return client.get(f"{LEADER}/commissions", headers=leader.headers).get_json()


def picked_up(client, staff, leader, buyer, lines) -> dict:
    order = paid_order(client, buyer, lines)
    batch = batch_of(client, staff, order)
    deliver(client, staff, leader, batch["id"])
    code = order_row(order["id"]).pickup_code
    assert client.post(f"{LEADER}/pickups", headers=leader.headers, json={"code": code}).status_code == 200
    return order


@pytest.fixture
def shop(client):
    staff, leader = make_staff(), make_leader()
    group = make_group(leader)
    return staff, leader, group


def test_the_most_specific_rule_wins_and_is_snapshotted_on_the_line(client, shop):
    staff, leader, group = shop
    fruit = make_category()
    plain = make_product(skus=[{"code": "C1", "name": "x", "price_cents": 1000, "stock_total": 9}]).skus[0]
    apple = make_product(category_id=fruit.id, skus=[{"code": "C2", "name": "x", "price_cents": 1000,
                                                      "stock_total": 9}]).skus[0]
    pear = make_product(category_id=fruit.id, skus=[{"code": "C3", "name": "x", "price_cents": 1000,
                                                     "stock_total": 9}])
    rule(client, staff, leader_rate_bps=1000)
    rule(client, staff, scope="category", target_id=fruit.id, leader_rate_bps=800)
    special = rule(client, staff, scope="product", target_id=pear.id, leader_rate_bps=1200)
    rule(client, staff, leader_rate_bps=3000, valid_from="2031-01-01T00:00:00Z")  # not yet valid
    order = paid_order(client, make_buyer(group), [(plain.id, 1), (apple.id, 1), (pear.skus[0].id, 1)])
    row = order_row(order["id"])
    assert [(ln.sku_id, ln.leader_rate_bps) for ln in row.lines] == [(plain.id, 1000), (apple.id, 800),
                                                                      (pear.skus[0].id, 1200)]
    assert row.lines[2].commission_rule_id == special["id"]
    approve_change(client, client.post(f"{ADMIN}/commission-rules/{special['id']}/end", headers=staff.headers,
                                       json={"valid_until": utcnow().isoformat()}))
    assert order_row(order["id"]).lines[2].leader_rate_bps == 1200  # the snapshot stands
    assert balance(client, leader)["pending_cents"] == 100 + 80 + 120


def test_commission_settles_after_pickup_plus_the_window_once(client, shop):
    staff, leader, group = shop
    approve_change(client, client.patch(f"{ADMIN}/commission-settings",
                                        headers=if_match(client, f"{ADMIN}/commission-settings", staff.headers),
                                        json={"after_sale_days": 7}))
    rule(client, staff, leader_rate_bps=1000)
    sku = make_product(skus=[{"code": "S1", "name": "x", "price_cents": 1999, "stock_total": 9}]).skus[0]
    picked_up(client, staff, leader, make_buyer(group), [(sku.id, 3)])  # 59.97 → 5.99 (rounded down)
    assert balance(client, leader)["pending_cents"] == 599
    from app.jobs.schedule import commissions_settle_job

    with time_machine.travel(utcnow() + dt.timedelta(days=6)):
        assert commissions_settle_job()["settled"] == 0
    with time_machine.travel(utcnow() + dt.timedelta(days=8)):
        assert commissions_settle_job()["settled"] == 1
        assert commissions_settle_job()["settled"] == 0
    mine = balance(client, leader)
    assert (mine["pending_cents"], mine["available_cents"]) == (0, 599)
    entries = client.get(f"{LEADER}/commissions/entries", headers=leader.headers).get_json()
    assert [(e["kind"], e["bucket"], e["amount_cents"]) for e in entries] == [
        ("settle", "available", 599), ("settle", "pending", -599), ("accrue", "pending", 599)]
    assert entries[2]["rate_bps"] == 1000 and entries[2]["order_number"]


def test_partial_refunds_claw_back_in_proportion_from_pending_then_available(client, shop):
    staff, leader, group = shop
    rule(client, staff, leader_rate_bps=1000)
    sku = make_product(skus=[{"code": "R1", "name": "x", "price_cents": 1000, "stock_total": 9}]).skus[0]
    order = picked_up(client, staff, leader, make_buyer(group), [(sku.id, 3)])  # 3.00 commission
    line_id = order["lines"][0]["id"]

    def refund(key, quantity):
        r = client.post(f"{ADMIN}/orders/{order['id']}/refunds", headers={**staff.headers, "Idempotency-Key": key},
                        json={"reason": "x", "restock": False, "lines": [{"line_id": line_id, "quantity": quantity}]})
        assert r.status_code in (200, 201), r.get_json()

    refund("r1", 1)
    assert balance(client, leader)["pending_cents"] == 200
    with time_machine.travel(utcnow() + dt.timedelta(days=30)):
        from app.commissions.services import settle_due

        settle_due()
    refund("r2", 1)  # (after the time travel: staff tokens last hours, not a month)
    mine = balance(client, leader)
    assert (mine["pending_cents"], mine["available_cents"]) == (0, 100)


def test_a_refund_after_payout_leaves_an_explicit_negative_balance_that_later_earnings_offset(client, shop):
    staff, leader, group = shop
    rule(client, staff, leader_rate_bps=1000)
    sku = make_product(skus=[{"code": "P1", "name": "x", "price_cents": 5000, "stock_total": 9}]).skus[0]
    buyer = make_buyer(group)
    order = picked_up(client, staff, leader, buyer, [(sku.id, 1)])
    with time_machine.travel(utcnow() + dt.timedelta(days=30)):
        from app.commissions.services import settle_due

        settle_due()
    account = leader.account.id
    ledger.post(EntryKind.PAYOUT, "payout:test", [Line(account, Bucket.AVAILABLE, -500, "leader"),
                                                 Line(account, Bucket.PAID_OUT, 500, "leader")])
    db.session.commit()
    r = client.post(f"{ADMIN}/orders/{order['id']}/refunds", headers={**staff.headers, "Idempotency-Key": "x"},
                    json={"reason": "x", "restock": False})
    assert r.status_code in (200, 201)
    mine = balance(client, leader)
    assert (mine["available_cents"], mine["paid_out_cents"]) == (-500, 500)
    negative = client.get(f"{ADMIN}/commissions/balances?negative_only=true", headers=staff.headers).get_json()
    assert [(b["account_id"], b["available_cents"]) for b in negative] == [(account, -500)]
    picked_up(client, staff, leader, buyer, [(sku.id, 2)])
    with time_machine.travel(utcnow() + dt.timedelta(days=30)):
        settle_due()
    assert balance(client, leader)["available_cents"] == 500  # 10.00 earned, 5.00 of it offset the debt


def test_a_leader_sees_only_their_own_ledger(client, shop):
    staff, leader, group = shop
    other = make_leader()
    rule(client, staff, leader_rate_bps=1000)
    sku = make_product().skus[0]
    paid_order(client, make_buyer(group), [(sku.id, 1)])
    paid_order(client, make_buyer(make_group(other)), [(sku.id, 2)])
    mine = client.get(f"{LEADER}/commissions/entries", headers=leader.headers).get_json()
    theirs = client.get(f"{LEADER}/commissions/entries", headers=other.headers).get_json()
    assert [e["amount_cents"] for e in mine] == [100] and [e["amount_cents"] for e in theirs] == [200]
    assert client.get(f"{ADMIN}/commissions/liability", headers=staff.headers).get_json()["total_cents"] == 300


def test_the_referrer_share_when_enabled(client, shop):
    from app.groups.services import add_link
    from tests.factories import join, make_shopper

    staff, leader, group = shop
    approve_change(client, client.patch(f"{ADMIN}/commission-settings",
                                        headers=if_match(client, f"{ADMIN}/commission-settings", staff.headers),
                                        json={"referrer_share_enabled": True}))
    rule(client, staff, leader_rate_bps=1000, referrer_rate_bps=200)
    alice = make_buyer(group)
    bob = make_shopper()
    join(bob, group, add_link(group.id, alice.account.id).code)
    sku = make_product(skus=[{"code": "RS", "name": "x", "price_cents": 1001, "stock_total": 9}]).skus[0]
    paid_order(client, bob, [(sku.id, 1)])
    entry = db.session.scalar(sa.select(JournalEntry).where(JournalEntry.kind == EntryKind.ACCRUE))
    assert sorted((x.role, x.amount_cents) for x in entry.lines if x.account_id) == [("leader", 100),
                                                                                     ("referrer", 20)]
    assert sum(x.amount_cents for x in entry.lines) == 0


def test_a_crash_midway_through_settlement_and_a_rerun_settle_each_order_once(client, shop, monkeypatch):
    from app.commissions import services

    staff, leader, group = shop
    rule(client, staff, leader_rate_bps=1000)
    sku = make_product(skus=[{"code": "CR", "name": "x", "price_cents": 1000, "stock_total": 20}]).skus[0]
    orders = [picked_up(client, staff, leader, make_buyer(group), [(sku.id, 1)]) for _ in range(3)]
    real, calls = services.settle_order, []

    def crash_on_the_second(order_id):
        calls.append(order_id)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(order_id)

    with time_machine.travel(utcnow() + dt.timedelta(days=30)):
        monkeypatch.setattr(services, "settle_order", crash_on_the_second)
        with pytest.raises(RuntimeError):
            services.settle_due()
        db.session.rollback()
        monkeypatch.setattr(services, "settle_order", real)
        assert services.settle_due()["settled"] == 2
    settles = db.session.scalars(sa.select(JournalEntry.order_id).where(JournalEntry.kind == EntryKind.SETTLE)).all()
    assert sorted(settles) == sorted(o["id"] for o in orders)
    assert balance(client, leader)["available_cents"] == 300


def test_the_audit_finds_nothing_on_a_clean_ledger_and_reports_a_stray_entry(app, client, shop):
    staff, leader, group = shop
    rule(client, staff, leader_rate_bps=1000)
    sku = make_product().skus[0]
    order = paid_order(client, make_buyer(group), [(sku.id, 2)])
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["commissions-audit"])
    assert clean.exit_code == 0, clean.output
    line_id = order["lines"][0]["id"]
    ledger.post(EntryKind.ACCRUE, "stray", [Line(leader.account.id, Bucket.PENDING, 50, "leader", line_id),
                                            Line(None, Bucket.COMMISSION_EXPENSE, -50, None, line_id)],
                order_id=order["id"])
    db.session.commit()
    dirty = runner.invoke(args=["commissions-audit"])
    assert dirty.exit_code == 1
    assert f"order {order['id']} line {line_id} leader: expected 200, ledger 250" in dirty.output


def test_a_prepaid_orders_shortage_is_clawed_back_once_and_the_audit_agrees(app, client, shop):
    """The short unit was charged, then refunded at arrival: its share comes back through the
    refund's clawback, and the audit must not take it out of the base a second time."""
    staff, leader, group = shop
    rule(client, staff, leader_rate_bps=800)
    sku = make_product(skus=[{"code": "OIL", "name": "5 L", "price_cents": 4391, "stock_total": 9}]).skus[0]
    order = paid_order(client, make_buyer(group), [(sku.id, 2)])  # 87.82: 7.02 commission
    batch = batch_of(client, staff, order)
    deliver(client, staff, leader, batch["id"],
            shortages=[{"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason": "damaged"}])
    assert order_row(order["id"]).refunded_cents == 4391
    assert balance(client, leader)["pending_cents"] == 702 - 351  # half the units refunded: half back
    audit = app.test_cli_runner().invoke(args=["commissions-audit"])
    assert audit.exit_code == 0, audit.output
