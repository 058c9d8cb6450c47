"""Commission behaviours the mutation run of app/commissions showed unguarded (scripts/mutate
commissions; docs/testing.md "Mutation testing"): what a rejected payout records, the payout lists'
filters and order, and the audit on orders with no leader or no referrer."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.commissions import audit, ledger
from app.commissions.ledger import Line
from app.commissions.models import Bucket, EntryKind, JournalEntry, JournalLine, Payout
from app.extensions import db
from app.groups.models import Group
from tests.api.test_commissions import rule
from tests.api.test_payouts import ADMIN, LEADER, ask, balance, earned
from tests.api.test_payouts import people as people  # noqa: F401 (the fixture)
from tests.assertions import assert_error
from tests.factories import (
    approve_change,
    approve_payout,
    checkout,
    if_match,
    make_buyer,
    make_group,
    make_leader,
    make_product,
    make_staff,
)
from tests.flows import paid_order

SETTINGS = f"{ADMIN}/commission-settings"


def test_a_rejected_payout_records_who_when_and_why_and_gives_the_leader_their_balance_back(client, people):
    staff, leader = people
    earned(leader, 3000)
    payout = ask(client, leader, 2000).get_json()
    r = client.post(f"{ADMIN}/payouts/{payout['id']}/reject", headers=staff.headers, json={"reason": "bank details"})
    body = r.get_json()
    assert (body["status"], body["reason"]) == ("rejected", "bank details") and body["decided_at"], body
    db.session.commit()
    assert db.session.get(Payout, payout["id"]).decided_by_id == staff.id
    mine = balance(client, leader)
    assert (mine["available_cents"], mine["withdrawing_cents"]) == (3000, 0)
    entries = client.get(f"{LEADER}/commissions/entries", headers=leader.headers).get_json()
    assert sorted((e["bucket"], e["amount_cents"], e["role"]) for e in entries if e["kind"] == "payout") == [
        ("available", -2000, "leader"), ("available", 2000, "leader"),
        ("withdrawing", -2000, "leader"), ("withdrawing", 2000, "leader")]
    memos = dict(db.session.execute(sa.select(JournalEntry.ref, JournalEntry.memo).where(
        JournalEntry.ref.like(f"payout:%:{payout['id']}"))).all())
    assert memos == {f"payout:request:{payout['id']}": f"payout {payout['id']}",
                     f"payout:reject:{payout['id']}": f"payout {payout['id']} rejected"}
    again = assert_error(client.post(f"{ADMIN}/payouts/{payout['id']}/reject", headers=staff.headers,
                                     json={"reason": "twice"}), 409, "payout_not_pending")
    assert again["message"] == "This payout was rejected"


def test_the_bank_file_holds_only_bank_payouts_in_order_and_records_when_it_went(client, people):
    staff, leader = people
    other = make_leader()
    earned(leader, 9000)
    earned(other, 9000, ref="seed-other")
    first, second = ask(client, leader, 2000, "a").get_json(), ask(client, other, 3000, "b").get_json()
    for p in (second, first):
        assert approve_payout(client, staff, p["id"]).status_code == 200
    # A payout requested under Stripe Connect stays out of the bank file.
    db.session.add(Payout(account_id=leader.account.id, leader_id=leader.leader.id, amount_cents=1500,
                          fee_cents=0, status="approved", provider="stripe_connect", client_key="s"))
    db.session.commit()
    export = client.post(f"{ADMIN}/payouts/export", headers=staff.headers)
    rows = export.get_data(as_text=True).splitlines()[1:]
    assert [int(r.split(",")[0]) for r in rows] == [first["id"], second["id"]]
    listed = client.get(f"{ADMIN}/payouts?status=exported", headers=staff.headers).get_json()
    assert sorted(p["id"] for p in listed) == sorted([first["id"], second["id"]])
    assert all(p["exported_at"] for p in listed)
    r = client.post(f"{ADMIN}/payouts/{first['id']}/paid", headers=staff.headers, json={"bank_reference": "B-77"})
    assert r.get_json()["bank_reference"] == "B-77" and r.get_json()["paid_at"], r.get_json()
    memo = db.session.scalar(sa.select(JournalEntry.memo).where(JournalEntry.ref == f"payout:paid:{first['id']}"))
    assert memo == f"payout {first['id']} paid"


def test_payout_lists_are_newest_first_and_the_status_filter_filters(client, people):
    staff, leader = people
    earned(leader, 9000)
    old, new = ask(client, leader, 2000, "a").get_json(), ask(client, leader, 3000, "b").get_json()
    client.post(f"{ADMIN}/payouts/{old['id']}/reject", headers=staff.headers, json={"reason": "no"})
    mine = client.get(f"{LEADER}/payouts", headers=leader.headers).get_json()
    assert [(p["id"], p["status"]) for p in mine] == [(new["id"], "requested"), (old["id"], "rejected")]
    every = client.get(f"{ADMIN}/payouts", headers=staff.headers).get_json()
    assert [p["id"] for p in every] == [new["id"], old["id"]]
    assert [p["id"] for p in client.get(f"{ADMIN}/payouts?status=rejected", headers=staff.headers).get_json()] == [
        old["id"]]


def test_the_audit_expects_no_share_for_a_missing_leader_or_referrer(app, client):
    """Lines carry the rule's rates whoever is there; the audit, like the accrual, pays a share only to
    a party the order has: a group without a leader, or a shopper no one referred, earns nothing."""
    from app.groups.services import add_link
    from tests.factories import join, make_shopper

    staff = make_staff()
    approve_change(client, client.patch(SETTINGS, headers=if_match(client, SETTINGS, staff.headers),
                                        json={"referrer_share_enabled": True}))
    rule(client, staff, leader_rate_bps=1000, referrer_rate_bps=200)
    sku = make_product(skus=[{"code": "AU", "name": "x", "price_cents": 20_001, "stock_total": 9}]).skus[0]
    group = make_group(make_leader())
    alice = make_buyer(group)
    bob = make_shopper()
    join(bob, group, add_link(group.id, alice.account.id).code)
    referred = paid_order(client, bob, [(sku.id, 1)])
    unreferred = paid_order(client, alice, [(sku.id, 1)])
    leaderless = make_group(make_leader())
    carol = make_buyer(leaderless)
    db.session.execute(sa.update(Group).where(Group.id == leaderless.id).values(leader_id=None))
    db.session.commit()
    nobody = paid_order(client, carol, [(sku.id, 1)])
    shares = dict(db.session.execute(
        sa.select(JournalEntry.order_id, sa.func.count()).where(JournalEntry.kind == EntryKind.ACCRUE)
        .group_by(JournalEntry.order_id)).all())
    assert shares.get(nobody["id"]) is None and {referred["id"], unreferred["id"]} <= set(shares)
    audit = app.test_cli_runner().invoke(args=["commissions-audit"])
    assert audit.exit_code == 0, audit.output
    assert "matches the orders" in audit.output


def test_the_audit_reports_an_entry_that_does_not_balance_and_checks_paid_orders_in_batches(app, client):
    """PostgreSQL refuses an unbalanced entry at commit (tests/test_commission_properties.py); on
    SQLite, or with that trigger disabled by hand, the audit is what finds it. Orders never paid have
    no accrual and are not the audit's business."""
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL refuses the unbalanced entry itself")
    staff = make_staff()
    rule(client, staff, leader_rate_bps=1000)
    group = make_group(make_leader())
    sku = make_product(skus=[{"code": "BA", "name": "x", "price_cents": 1000, "stock_total": 9}]).skus[0]
    paid = [paid_order(client, make_buyer(group), [(sku.id, 1)])["id"] for _ in range(3)]
    assert checkout(client, make_buyer(group), [(sku.id, 1)]).status_code == 201  # never paid: no accrual
    stray = JournalEntry(kind=EntryKind.ACCRUE, ref="by-hand", memo="a bad manual fix")
    stray.lines = [JournalLine(account_id=None, bucket=Bucket.COMMISSION_EXPENSE, amount_cents=-40)]
    db.session.add(stray)
    db.session.commit()
    seen: list[int] = []
    assert audit.run(progress=seen.append, batch_size=2) == [
        audit.Difference(0, None, None, 0, -40, f"entry {stray.id} does not balance")]
    assert seen == [2, 3] and len(paid) == 3
    out = app.test_cli_runner().invoke(args=["commissions-audit"])
    assert out.exit_code == 1
    assert (f"DIFFERENCE order 0 line None None: expected 0, ledger -40 (entry {stray.id} does not balance)"
            in out.output)
    assert "checked 3 orders" in out.output


def test_approving_ones_own_payout_is_refused_with_the_payout_named(client, people):
    staff, leader = people
    earned(leader, 10_000)
    payout_id = ask(client, leader, 5_000).get_json()["id"]
    same_person = make_staff(role="finance", email=leader.account.email)  # one person, two logins
    body = assert_error(client.post(f"{ADMIN}/payouts/{payout_id}/approve", headers=same_person.headers),
                        403, "four_eyes_required")
    assert body["details"] == {"rule": "four_eyes", "payout_id": payout_id}
    assert body["message"] == "Another staff member must approve this payout: it is your own"
    assert client.get(f"{LEADER}/payouts", headers=leader.headers).get_json()[0]["status"] == "requested"


def test_an_approval_records_who_and_when_and_a_rejected_payout_cannot_be_approved(client, people):
    staff, leader = people
    earned(leader, 9000)
    payout = ask(client, leader, 2000, "a").get_json()
    approver = make_staff(role="finance")
    assert approve_payout(client, staff, payout["id"], approver).status_code == 200
    approved = client.get(f"{ADMIN}/payouts/{payout['id']}", headers=staff.headers).get_json()
    assert approved["status"] == "approved" and approved["decided_at"], approved
    db.session.commit()
    assert db.session.get(Payout, payout["id"]).decided_by_id == approver.id  # the second pair of eyes
    other = ask(client, leader, 2000, "b").get_json()
    client.post(f"{ADMIN}/payouts/{other['id']}/reject", headers=staff.headers, json={"reason": "no"})
    body = assert_error(client.post(f"{ADMIN}/payouts/{other['id']}/approve", headers=staff.headers), 409,
                        "payout_not_pending")
    assert body["message"] == "This payout was rejected"


def test_approving_again_sends_a_stripe_payout_whose_approval_died_but_not_one_stripe_refused(client):
    """Approving the approval request again sends an approved Stripe payout if it was never sent (the
    process died after committing the approval); one Stripe refused waits for the merchant's explicit
    send."""
    from app.commissions import payout_approvals, payouts
    from app.staff import approvals
    from tests.api.test_stripe_payouts import onboard, set_up, transfers_of

    staff, leader = make_staff(), make_leader()
    approve_change(client, client.patch(SETTINGS, headers=if_match(client, SETTINGS, staff.headers), json={
        "payout_min_cents": 1000, "payout_fee_cents": 100, "payout_fee_bps": 0, "payout_provider": "stripe_connect"}))
    account_id = set_up(client, leader, complete=False)
    earned(leader, 9000)
    approver = make_staff(role="finance")
    refused = ask(client, leader, 2000, "r").get_json()
    request = approve_payout(client, staff, refused["id"], approver).get_json()
    payout = f"{ADMIN}/payouts/{refused['id']}"
    assert client.get(payout, headers=staff.headers).get_json()["last_error"]
    onboard(account_id)
    assert client.post(f"{ADMIN}/payout-requests/{request['id']}/approve", headers=approver.headers).status_code == 200
    again = client.get(payout, headers=staff.headers).get_json()
    assert (again["status"], bool(again["last_error"])) == ("approved", True) and transfers_of(refused["id"]) == []
    died = ask(client, leader, 3000, "d").get_json()
    proposal = payout_approvals.propose(died["id"], staff.id)
    # As if the process died between committing the approval and sending: approved, never sent.
    approvals.approve(proposal, approver.id, lambda r: payouts.apply_approval(r.subject_id, approver.id))
    assert db.session.get(Payout, died["id"], populate_existing=True).status.value == "approved"
    assert client.post(f"{ADMIN}/payout-requests/{proposal.id}/approve", headers=approver.headers).status_code == 200
    sent = client.get(f"{ADMIN}/payouts/{died['id']}", headers=staff.headers).get_json()
    assert sent["status"] == "paid" and [t.amount for t in transfers_of(died["id"])] == [2900]


def test_the_fee_share_is_rounded_down_to_a_whole_cent_and_unknown_payouts_are_404(client, people):
    staff, leader = people  # fee: 1.00 + 1 %
    earned(leader, 9000)
    payout = ask(client, leader, 2099).get_json()
    assert (payout["fee_cents"], payout["net_cents"]) == (120, 1979)
    for action, body in (("approve", None), ("reject", {"reason": "x"}), ("paid", {"bank_reference": "B"})):
        missing = assert_error(client.post(f"{ADMIN}/payouts/987654/{action}", headers=staff.headers, json=body),
                               404, "payout_not_found")
        assert missing["details"]["id"] == 987654


def test_exactly_the_minimum_is_enough_and_two_leaders_may_use_the_same_key(client, people):
    staff, leader = people  # minimum 10.00
    other = make_leader()
    earned(leader, 5000)
    earned(other, 5000, ref="seed-other")
    mine = ask(client, leader, 1000, "same-key")
    theirs = ask(client, other, 1000, "same-key")
    assert (mine.status_code, theirs.status_code) == (201, 201), (mine.get_json(), theirs.get_json())
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert theirs.get_json()["leader_id"] == other.leader.id
    assert balance(client, other)["withdrawing_cents"] == 1000


def test_a_fee_equal_to_the_amount_is_refused(client):
    staff, leader = make_staff(), make_leader()
    approve_change(client, client.patch(f"{ADMIN}/commission-settings",
                                        headers=if_match(client, f"{ADMIN}/commission-settings", staff.headers),
                                        json={"payout_min_cents": 100, "payout_fee_cents": 500, "payout_fee_bps": 0}))
    earned(leader, 5000)
    body = assert_error(ask(client, leader, 500, "equal"), 422, "payout_fee_too_high")
    assert body["details"] == {"fee_cents": 500}
    assert ask(client, leader, 501, "above").status_code == 201


def test_refunding_one_line_of_two_claws_back_that_lines_share_only(client):
    staff, leader = make_staff(), make_leader()
    rule(client, staff, leader_rate_bps=1000)
    cheap, dear = (make_product(skus=[{"code": f"CL{p}", "name": "x", "price_cents": p, "stock_total": 9}]).skus[0]
                   for p in (1000, 3000))
    order = paid_order(client, make_buyer(make_group(leader)), [(cheap.id, 1), (dear.id, 1)])
    assert client.get(f"{LEADER}/commissions", headers=leader.headers).get_json()["pending_cents"] == 400
    dear_line = next(ln["id"] for ln in order["lines"] if ln["sku_id"] == dear.id)
    r = client.post(f"{ADMIN}/orders/{order['id']}/refunds", headers={**staff.headers, "Idempotency-Key": "cl"},
                    json={"reason": "x", "lines": [{"line_id": dear_line, "quantity": 1}]})
    assert r.status_code == 201 and r.get_json()["amount_cents"] == 3000, r.get_json()
    assert client.get(f"{LEADER}/commissions", headers=leader.headers).get_json()["pending_cents"] == 100


def test_the_audit_lists_every_unexpected_share_by_line_then_role(app, client):
    """Two shares the orders do not explain, on two lines of one order: a referrer share on the
    first line of an order nobody referred, and 0.05 too much leader share on the second."""
    staff, leader = make_staff(), make_leader()
    rule(client, staff, leader_rate_bps=1000)
    skus = [make_product(skus=[{"code": f"UX{p}", "name": "x", "price_cents": p, "stock_total": 9}]).skus[0]
            for p in (1000, 2000)]
    order = paid_order(client, make_buyer(make_group(leader)), [(s.id, 1) for s in skus])
    first, second = sorted(ln["id"] for ln in order["lines"])
    for ref, role, line_id, cents in (("x-ref", "referrer", first, 30), ("x-lead", "leader", second, 5)):
        ledger.post(EntryKind.ACCRUE, ref, [Line(leader.account.id, Bucket.PENDING, cents, role, line_id),
                                            Line(None, Bucket.COMMISSION_EXPENSE, -cents, None, line_id)],
                    order_id=order["id"])
    db.session.commit()
    assert audit.run() == [
        audit.Difference(order["id"], first, "referrer", 0, 30, "net commission differs"),
        audit.Difference(order["id"], second, "leader", 200, 205, "net commission differs")]
    out = app.test_cli_runner().invoke(args=["commissions-audit"])
    assert f"DIFFERENCE order {order['id']} line {first} referrer: expected 0, ledger 30 (net commission differs)" \
        in out.output
