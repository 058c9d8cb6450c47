"""Netting: pickup cash a leader owes is withheld from their commission payout when it is approved.
The payout shows gross, fee, cash netted and net (API, bank file); both ledgers stay balanced and
append-only; the rest carries when the cash owed exceeds the payout; a rejection gives it back."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from app.commissions import audit as commissions_audit
from app.commissions.models import Payout
from app.extensions import db
from app.leader_cash import ledger as cash
from app.leader_cash.audit import run as cash_audit
from app.leader_cash.models import CashEntry, CashKind
from tests.api.test_payouts import ADMIN, LEADER, ask, balance, earned
from tests.api.test_payouts import people as people  # noqa: F401 (the fixture)
from tests.concurrency import race
from tests.factories import approve_payout


def owes(leader, cents: int, ref: str = "seed") -> None:
    """Cash collected at pickup, posted as a handover does."""
    cash.post(CashKind.COLLECTED, f"collected:{ref}", leader.leader.id, cents)
    db.session.commit()


def payout(client, staff, payout_id):
    return client.get(f"{ADMIN}/payouts/{payout_id}", headers=staff.headers).get_json()


def assert_books_agree():
    db.session.commit()
    assert cash.total_balance() == 0
    assert cash_audit() == []
    assert commissions_audit.run() == []


def test_cash_owed_is_withheld_from_the_payout_and_shown_everywhere(client, people):
    staff, leader = people
    earned(leader, 10_000)
    owes(leader, 1_200)
    requested = ask(client, leader, 5_000).get_json()
    assert (requested["cash_netted_cents"], requested["net_cents"]) == (0, 4_850)  # decided at approval
    assert approve_payout(client, staff, requested["id"]).status_code == 200
    approved = payout(client, staff, requested["id"])
    assert (approved["status"], approved["amount_cents"], approved["fee_cents"], approved["cash_netted_cents"],
            approved["net_cents"]) == ("approved", 5_000, 150, 1_200, 3_650)
    assert cash.outstanding(leader.leader.id) == 0
    mine = client.get(f"{LEADER}/cash", headers=leader.headers).get_json()
    assert (mine["owed_cents"], mine["entries"][0]["kind"], mine["entries"][0]["payout_id"]) == (
        0, "netted", requested["id"])
    [mine] = client.get(f"{LEADER}/payouts", headers=leader.headers).get_json()
    assert (mine["cash_netted_cents"], mine["net_cents"]) == (1_200, 3_650)
    export = client.post(f"{ADMIN}/payouts/export", headers=staff.headers).get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(export)))
    assert (row["net_amount_cents"], row["amount_cents"], row["cash_netted_cents"]) == ("3650", "5000", "1200")
    client.post(f"{ADMIN}/payouts/{requested['id']}/paid", headers=staff.headers, json={"bank_reference": "B1"})
    # The commission went out whole (paid_out is amount − fee): part as money, part as the debt cancelled.
    mine = balance(client, leader)
    assert (mine["available_cents"], mine["withdrawing_cents"], mine["paid_out_cents"]) == (5_000, 0, 4_850)
    assert_books_agree()


def test_cash_owed_beyond_the_payout_is_carried_and_a_fully_netted_payout_is_paid_at_once(client, people):
    staff, leader = people
    earned(leader, 10_000)
    owes(leader, 9_000)
    first = ask(client, leader, 5_000, "a").get_json()
    approve_payout(client, staff, first["id"])
    done = payout(client, staff, first["id"])
    assert (done["status"], done["cash_netted_cents"], done["net_cents"], done["bank_reference"]) == (
        "paid", 4_850, 0, "NETTED")
    assert cash.outstanding(leader.leader.id) == 4_150  # the rest is carried to the next payout
    assert client.post(f"{ADMIN}/payouts/export", headers=staff.headers).headers["X-Payout-Count"] == "0"
    second = ask(client, leader, 5_000, "b").get_json()
    approve_payout(client, staff, second["id"])
    second = payout(client, staff, second["id"])
    assert (second["status"], second["cash_netted_cents"], second["net_cents"]) == ("approved", 4_150, 700)
    assert cash.outstanding(leader.leader.id) == 0
    assert_books_agree()


def test_a_payout_rejected_after_approval_gives_the_cash_back_to_owed(client, people):
    staff, leader = people
    earned(leader, 10_000)
    owes(leader, 1_000)
    requested = ask(client, leader, 5_000).get_json()
    approve_payout(client, staff, requested["id"])
    assert cash.outstanding(leader.leader.id) == 0
    rejected = client.post(f"{ADMIN}/payouts/{requested['id']}/reject", headers=staff.headers,
                           json={"reason": "bank details wrong"}).get_json()
    assert (rejected["status"], rejected["cash_netted_cents"]) == ("rejected", 0)
    assert cash.outstanding(leader.leader.id) == 1_000
    kinds = db.session.scalars(sa.select(CashEntry.kind).where(CashEntry.payout_id == requested["id"])
                               .order_by(CashEntry.id)).all()
    assert kinds == [CashKind.NETTED, CashKind.NETTING_REVERSED]  # appended, never edited
    assert balance(client, leader)["available_cents"] == 10_000
    # Remitting what is owed again works as before.
    r = client.post(f"{ADMIN}/leaders/{leader.leader.id}/cash/remittances", json={"amount_cents": 1_000,
                    "reference": "CASH-1"}, headers={**staff.headers, "Idempotency-Key": "r1"})
    assert r.status_code == 201 and cash.outstanding(leader.leader.id) == 0
    assert_books_agree()


def test_no_cash_owed_nets_nothing(client, people):
    staff, leader = people
    earned(leader, 10_000)
    requested = ask(client, leader, 5_000).get_json()
    approve_payout(client, staff, requested["id"])
    done = payout(client, staff, requested["id"])
    assert (done["cash_netted_cents"], done["net_cents"]) == (0, 4_850)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CashEntry)) == 0
    assert_books_agree()


def test_the_audit_finds_a_payout_whose_netting_the_cash_ledger_does_not_show(client, people):
    staff, leader = people
    earned(leader, 10_000)
    owes(leader, 500)
    requested = ask(client, leader, 5_000).get_json()
    approve_payout(client, staff, requested["id"])
    db.session.execute(sa.update(Payout).where(Payout.id == requested["id"]).values(cash_netted_cents=400))
    assert cash_audit() == [f"payout {requested['id']} says 400 netted, the cash ledger 500"]
    db.session.rollback()


def test_a_real_handover_then_a_payout_nets_the_collected_cash(client):
    from tests.aftersales.helpers import picked_up
    from tests.factories import make_staff

    s = picked_up(client, lines=((2, 700),), method="pay_at_pickup")
    leader = s["leader"]
    assert cash.outstanding(leader.leader.id) == 1_400
    earned(leader, 3_000)
    requested = ask(client, leader, 3_000).get_json()
    assert approve_payout(client, make_staff(role="finance"), requested["id"]).status_code == 200
    done = payout(client, s["staff"], requested["id"])
    assert (done["cash_netted_cents"], done["net_cents"]) == (1_400, 3_000 - done["fee_cents"] - 1_400)
    assert cash.outstanding(leader.leader.id) == 0
    assert_books_agree()


@pytest.mark.postgres
def test_a_remittance_racing_the_netting_never_takes_more_than_is_owed(app, client, people):
    staff, leader = people
    earned(leader, 10_000)
    owes(leader, 1_000)
    payout_id = ask(client, leader, 5_000).get_json()["id"]
    request_id = client.post(f"{ADMIN}/payouts/{payout_id}/approve", headers=staff.headers).get_json()["id"]
    from tests.factories import make_staff

    approver, leader_id = make_staff(role="finance"), leader.leader.id

    def go(c, i):
        if i % 2:
            return c.post(f"{ADMIN}/payout-requests/{request_id}/approve", headers=approver.headers)
        return c.post(f"{ADMIN}/leaders/{leader_id}/cash/remittances", json={"amount_cents": 1_000,
                      "reference": f"R{i}"}, headers={**staff.headers, "Idempotency-Key": f"k{i}"})

    responses = race(app, 6, go)
    remits = [r.status_code for i, r in enumerate(responses) if i % 2 == 0]
    assert all(r.status_code == 200 for i, r in enumerate(responses) if i % 2)
    db.session.commit()
    netted = db.session.get(Payout, payout_id).cash_netted_cents
    # Either the remittance came first (nothing left to net) or the netting did (every remittance refused).
    assert (netted, sorted(remits)) in ((0, [201, 409, 409]), (1_000, [409, 409, 409]))
    assert cash.outstanding(leader_id) == 0
    assert_books_agree()
