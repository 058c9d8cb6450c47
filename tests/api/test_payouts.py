"""Payouts: a leader withdraws available commission (minimum, fee), the merchant approves or
rejects, the bank file goes out once, a repeated confirmation never pays twice, and two requests
at once cannot spend the same balance."""
from __future__ import annotations

import pytest

from app.commissions import ledger
from app.commissions.ledger import Line
from app.commissions.models import Bucket, EntryKind
from app.extensions import db
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import approve_change, approve_payout, if_match, make_leader, make_staff

ADMIN, LEADER = "/api/v1/admin", "/api/v1/leader"


def earned(leader, cents: int, ref: str = "seed") -> None:
    """Settled commission, posted through the ledger as the settlement sweep would leave it."""
    ledger.post(EntryKind.SETTLE, ref, [Line(leader.account.id, Bucket.AVAILABLE, cents, "leader"),
                                        Line(None, Bucket.COMMISSION_EXPENSE, -cents)])
    db.session.commit()


def ask(client, leader, amount, key="p1"):
    return client.post(f"{LEADER}/payouts", json={"amount_cents": amount},
                       headers={**leader.headers, "Idempotency-Key": key})


def balance(client, leader):
    return client.get(f"{LEADER}/commissions", headers=leader.headers).get_json()


@pytest.fixture
def people(client):
    staff, leader = make_staff(), make_leader()
    approve_change(client, client.patch(f"{ADMIN}/commission-settings",
                                        headers=if_match(client, f"{ADMIN}/commission-settings", staff.headers),
                                        json={"payout_min_cents": 1000, "payout_fee_cents": 100,
                                              "payout_fee_bps": 100}))
    return staff, leader


def test_request_approve_export_and_pay_once(client, people):
    staff, leader = people
    earned(leader, 10_000)
    r = ask(client, leader, 5000)
    assert r.status_code == 201, r.get_json()
    payout = r.get_json()
    assert (payout["fee_cents"], payout["net_cents"], payout["status"]) == (150, 4850, "requested")
    assert ask(client, leader, 5000).get_json()["id"] == payout["id"]  # same key: same payout
    mine = balance(client, leader)
    assert (mine["available_cents"], mine["withdrawing_cents"]) == (5000, 5000)
    todo = client.get(f"{ADMIN}/payouts?status=requested", headers=staff.headers).get_json()
    assert [p["id"] for p in todo] == [payout["id"]]
    assert approve_payout(client, staff, payout["id"]).status_code == 200
    export = client.post(f"{ADMIN}/payouts/export", headers=staff.headers)
    assert export.status_code == 200 and export.headers["X-Payout-Count"] == "1"
    assert f"{payout['id']},{leader.leader.id}" in export.get_data(as_text=True)
    assert client.post(f"{ADMIN}/payouts/export", headers=staff.headers).headers["X-Payout-Count"] == "0"
    for _ in range(2):  # the bank's confirmation, entered twice
        r = client.post(f"{ADMIN}/payouts/{payout['id']}/paid", headers=staff.headers, json={"bank_reference": "B1"})
        assert r.status_code == 200 and r.get_json()["status"] == "paid"
    mine = balance(client, leader)
    assert (mine["available_cents"], mine["withdrawing_cents"], mine["paid_out_cents"]) == (5000, 0, 4850)
    liability = client.get(f"{ADMIN}/commissions/liability", headers=staff.headers).get_json()
    assert liability["total_cents"] == 5000


def test_a_rejected_payout_returns_the_amount(client, people):
    staff, leader = people
    earned(leader, 3000)
    payout = ask(client, leader, 2000).get_json()
    r = client.post(f"{ADMIN}/payouts/{payout['id']}/reject", headers=staff.headers, json={"reason": "bank details"})
    assert r.get_json()["status"] == "rejected"
    assert balance(client, leader)["available_cents"] == 3000
    assert_error(client.post(f"{ADMIN}/payouts/{payout['id']}/approve", headers=staff.headers), 409,
                 "payout_not_pending")
    assert_error(client.post(f"{ADMIN}/payouts/{payout['id']}/paid", headers=staff.headers,
                             json={"bank_reference": "x"}), 409, "payout_not_approved")


def test_requests_below_the_minimum_or_beyond_the_balance_are_refused(client, people):
    _, leader = people
    earned(leader, 1500)
    with database_unchanged():
        assert_error(ask(client, leader, 999, "a"), 422, "payout_below_minimum")
        assert_error(ask(client, leader, 1501, "b"), 409, "insufficient_commission")
    assert ask(client, leader, 1500, "c").status_code == 201
    assert_error(ask(client, leader, 1500, "c2"), 409, "insufficient_commission")
    assert_error(ask(client, leader, 1200, "c"), 409, "idempotency_key_reused")


def test_a_leader_sees_only_their_own_payouts(client, people):
    _, leader = people
    other = make_leader()
    earned(leader, 5000)
    ask(client, leader, 2000)
    assert client.get(f"{LEADER}/payouts", headers=other.headers).get_json() == []
    assert len(client.get(f"{LEADER}/payouts", headers=leader.headers).get_json()) == 1


@pytest.mark.postgres
def test_two_requests_at_once_cannot_spend_the_same_balance(app, client, people):
    _, leader = people
    earned(leader, 5000)
    headers = leader.headers

    def request(c, i):
        return c.post(f"{LEADER}/payouts", json={"amount_cents": 3000}, headers={**headers, "Idempotency-Key": f"r{i}"})

    codes = sorted(r.status_code for r in race(app, 6, request))
    assert codes == [201] + [409] * 5
    mine = balance(client, leader)
    assert (mine["available_cents"], mine["withdrawing_cents"]) == (2000, 3000)


def test_a_leader_reads_their_payout_terms_from_me(client, people):
    staff, leader = people
    terms = client.get(f"{LEADER}/me", headers=leader.headers).get_json()["payout_terms"]
    assert terms == {"provider": "bank_export", "minimum_cents": 1000, "fee_cents": 100, "fee_bps": 100,
                     "has_stripe_account": False}
    approve_change(client, client.patch(f"{ADMIN}/commission-settings",
                                        headers=if_match(client, f"{ADMIN}/commission-settings", staff.headers),
                                        json={"payout_min_cents": 2500}))
    assert client.get(f"{LEADER}/me", headers=leader.headers).get_json()["payout_terms"]["minimum_cents"] == 2500
