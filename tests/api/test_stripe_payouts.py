"""Payouts by Stripe Connect, through the real stripe SDK against localstripe plus its Connect
resources (tests/localstripe_connect.py): a leader onboards, an approved payout becomes exactly one
transfer of the net amount to their account, a refused transfer waits for the merchant, and no
crash, retry, outage or race pays twice. The fake ignores idempotency keys, so "once" here is our
own layer's doing."""
from __future__ import annotations

import datetime as dt
import urllib.request

import pytest
import time_machine
from flask import current_app

from app.commissions.models import Payout, PayoutStatus
from app.commissions.stripe_payouts import sweep, transfer_group
from app.db import utcnow
from app.extensions import db
from app.payments import stripe_gateway
from tests.api.test_payouts import ADMIN, LEADER, ask, balance, earned
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import approve_change, approve_payout, if_match, make_leader, make_staff
from tests.stripe_helpers import stripe_client


def transfers_of(payout_id: int) -> list:
    group = transfer_group(db.session.get(Payout, payout_id))
    return list(stripe_client().v1.transfers.list(params={"transfer_group": group}).data)


def onboard(account_id: str) -> None:
    """The leader fills in Stripe's hosted onboarding form."""
    url = f"{current_app.config['STRIPE_API_BASE']}/_config/accounts/{account_id}/onboard"
    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5)


@pytest.fixture
def people(client):
    staff, leader = make_staff(), make_leader()
    approve_change(client, client.patch(f"{ADMIN}/commission-settings",
                                        headers=if_match(client, f"{ADMIN}/commission-settings", staff.headers),
                                        json={"payout_min_cents": 1000, "payout_fee_cents": 100,
                                              "payout_fee_bps": 0, "payout_provider": "stripe_connect"}))
    r = client.get(f"{ADMIN}/commission-settings", headers=staff.headers)
    assert r.get_json()["payout_provider"] == "stripe_connect"
    return staff, leader


def set_up(client, leader, *, complete: bool = True) -> str:
    r = client.post(f"{LEADER}/payout-account", headers=leader.headers)
    assert r.status_code == 200, r.get_json()
    account_id = r.get_json()["stripe_account_id"]
    if complete:
        onboard(account_id)
    return account_id


def approve(client, staff, payout_id):
    """Proposed by `staff`, approved by a colleague (four-eyes); the payout as it then stands."""
    r = approve_payout(client, staff, payout_id)
    return client.get(f"{ADMIN}/payouts/{payout_id}", headers=staff.headers) if r.status_code == 200 else r


def test_leader_onboards_and_an_approved_payout_is_one_transfer_of_the_net(client, people):
    staff, leader = people
    first = client.post(f"{LEADER}/payout-account", headers=leader.headers).get_json()
    assert first["stripe_account_id"].startswith("acct_")
    assert first["onboarding_url"].startswith("https://") and first["transfers_enabled"] is False
    again = client.post(f"{LEADER}/payout-account", headers=leader.headers).get_json()
    assert again["stripe_account_id"] == first["stripe_account_id"]  # one account per leader
    onboard(first["stripe_account_id"])
    status = client.get(f"{LEADER}/payout-account", headers=leader.headers).get_json()
    assert (status["transfers_enabled"], status["details_submitted"], status["onboarding_url"]) == (True, True, None)

    earned(leader, 8000)
    payout = ask(client, leader, 5000).get_json()
    assert (payout["provider"], payout["net_cents"]) == ("stripe_connect", 4900)
    r = approve(client, staff, payout["id"])
    assert r.status_code == 200, r.get_json()
    paid = r.get_json()
    assert paid["status"] == "paid" and paid["bank_reference"].startswith("tr_")
    [transfer] = transfers_of(payout["id"])
    assert (transfer.id, transfer.amount, transfer.destination) == (paid["bank_reference"], 4900,
                                                                    first["stripe_account_id"])
    # Repeats change nothing: approving again is refused, sending again finds it paid.
    assert_error(approve(client, staff, payout["id"]), 409, "payout_not_pending")
    assert client.post(f"{ADMIN}/payouts/{payout['id']}/send", headers=staff.headers).get_json()["status"] == "paid"
    assert sweep() == {"seen": 0, "paid": 0}
    assert len(transfers_of(payout["id"])) == 1
    mine = balance(client, leader)
    assert (mine["available_cents"], mine["withdrawing_cents"], mine["paid_out_cents"]) == (3000, 0, 4900)
    # Stripe pays it, not the bank: it is in no bank file and cannot be marked paid by hand.
    assert client.post(f"{ADMIN}/payouts/export", headers=staff.headers).headers["X-Payout-Count"] == "0"
    assert_error(client.post(f"{ADMIN}/payouts/{payout['id']}/paid", headers=staff.headers,
                             json={"bank_reference": "B"}), 409, "payout_not_bank_export")


def test_a_refused_transfer_waits_for_the_merchant_and_is_sent_once_fixed(client, people):
    staff, leader = people
    account_id = set_up(client, leader, complete=False)  # onboarding not finished: no transfers capability
    earned(leader, 5000)
    payout = ask(client, leader, 2000).get_json()
    refused = approve(client, staff, payout["id"]).get_json()
    assert refused["status"] == "approved" and "transfers" in refused["last_error"]
    assert transfers_of(payout["id"]) == []
    assert sweep() == {"seen": 0, "paid": 0}  # refusals are the merchant's to retry, not the sweep's
    onboard(account_id)
    sent = client.post(f"{ADMIN}/payouts/{payout['id']}/send", headers=staff.headers).get_json()
    assert (sent["status"], sent["last_error"]) == ("paid", None)
    assert [t.amount for t in transfers_of(payout["id"])] == [1900]


def test_a_refused_payout_can_be_rejected_and_the_money_returns(client, people):
    staff, leader = people
    set_up(client, leader, complete=False)
    earned(leader, 5000)
    payout = ask(client, leader, 2000).get_json()
    approve(client, staff, payout["id"])
    r = client.post(f"{ADMIN}/payouts/{payout['id']}/reject", headers=staff.headers, json={"reason": "no account"})
    assert r.get_json()["status"] == "rejected"
    assert balance(client, leader)["available_cents"] == 5000
    assert_error(client.post(f"{ADMIN}/payouts/{payout['id']}/send", headers=staff.headers), 409,
                 "payout_not_approved")


def test_a_crash_after_the_transfer_is_finished_by_the_sweep_without_a_second_transfer(client, people, monkeypatch):
    staff, leader = people
    set_up(client, leader)
    earned(leader, 5000)
    payout = ask(client, leader, 3000).get_json()
    real = stripe_gateway.create_transfer

    def transfer_then_die(**kwargs):
        real(**kwargs)  # Stripe made the transfer; our process dies before hearing back
        raise SystemExit("worker killed")

    monkeypatch.setattr(stripe_gateway, "create_transfer", transfer_then_die)
    with pytest.raises(SystemExit):
        approve(client, staff, payout["id"])
    monkeypatch.undo()
    db.session.rollback()
    assert db.session.get(Payout, payout["id"], populate_existing=True).status is PayoutStatus.SENDING
    assert sweep() == {"seen": 0, "paid": 0}  # within the lease the sender may still be alive
    with time_machine.travel(utcnow() + dt.timedelta(minutes=6)):
        assert sweep() == {"seen": 1, "paid": 1}
    [transfer] = transfers_of(payout["id"])
    assert db.session.get(Payout, payout["id"], populate_existing=True).bank_reference == transfer.id
    assert balance(client, leader)["paid_out_cents"] == 2900


def test_stripe_unreachable_leaves_it_sending_until_the_sweep_gets_through(client, people, monkeypatch):
    staff, leader = people
    set_up(client, leader)
    earned(leader, 5000)
    payout = ask(client, leader, 3000).get_json()
    monkeypatch.setitem(current_app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens
    r = approve(client, staff, payout["id"]).get_json()
    assert r["status"] == "sending" and "unreachable" in r["last_error"]
    assert_error(client.post(f"{ADMIN}/payouts/{payout['id']}/reject", headers=staff.headers,
                             json={"reason": "x"}), 409, "payout_not_pending")  # it may have gone out
    monkeypatch.undo()
    with time_machine.travel(utcnow() + dt.timedelta(minutes=6)):
        assert sweep() == {"seen": 1, "paid": 1}
    assert len(transfers_of(payout["id"])) == 1


def test_an_approval_that_died_before_sending_is_sent_by_the_sweep(client, people):
    staff, leader = people
    set_up(client, leader)
    earned(leader, 5000)
    payout = ask(client, leader, 3000).get_json()
    db.session.query(Payout).filter_by(id=payout["id"]).update({"status": PayoutStatus.APPROVED})
    db.session.commit()  # as if the process died between committing the approval and sending
    assert sweep() == {"seen": 1, "paid": 1}
    assert len(transfers_of(payout["id"])) == 1


@pytest.mark.postgres
def test_concurrent_sends_make_one_transfer(app, client, people):
    staff, leader = people
    set_up(client, leader)
    earned(leader, 5000)
    payout_id = ask(client, leader, 3000).get_json()["id"]
    db.session.query(Payout).filter_by(id=payout_id).update({"status": PayoutStatus.APPROVED})
    db.session.commit()
    headers = staff.headers
    results = race(app, 6, lambda c, i: c.post(f"{ADMIN}/payouts/{payout_id}/send", headers=headers))
    assert {r.status_code for r in results} == {200}
    assert len(transfers_of(payout_id)) == 1
    assert balance(client, leader)["paid_out_cents"] == 2900


def test_requests_need_a_connected_account(client, people):
    _, leader = people
    earned(leader, 5000)
    with database_unchanged():
        assert_error(ask(client, leader, 2000), 409, "payout_account_missing")
    assert_error(client.get(f"{LEADER}/payout-account", headers=leader.headers), 404, "payout_account_not_found")


def test_the_merchant_links_an_existing_account(client, people):
    staff, leader = people
    other = make_leader()
    account = stripe_client().v1.accounts.create(params={"type": "express"})
    url = f"{ADMIN}/leaders/{leader.leader.id}/payout-account"
    r = client.put(url, headers=staff.headers, json={"stripe_account_id": account.id})
    assert r.status_code == 200 and r.get_json()["stripe_account_id"] == account.id
    with database_unchanged():
        assert_error(client.put(f"{ADMIN}/leaders/{other.leader.id}/payout-account", headers=staff.headers,
                                json={"stripe_account_id": account.id}), 409, "payout_account_taken")
        assert_error(client.put(url, headers=staff.headers, json={"stripe_account_id": "acct_doesnotexist"}),
                     422, "payout_account_unknown")
        assert_error(client.put(url, headers=staff.headers, json={"stripe_account_id": "ba_123456"}),
                     422, "validation_error")
        assert_error(client.put(f"{ADMIN}/leaders/999999/payout-account", headers=staff.headers,
                                json={"stripe_account_id": account.id}), 404, "leader_not_found")


def test_stripe_connect_needs_stripe(client, monkeypatch):
    staff = make_staff()
    monkeypatch.setitem(current_app.config, "STRIPE_SECRET_KEY", "")
    headers = if_match(client, f"{ADMIN}/commission-settings", staff.headers)  # the first read makes the row
    with database_unchanged():
        assert_error(client.patch(f"{ADMIN}/commission-settings", headers=headers,
                                  json={"payout_provider": "stripe_connect"}), 409, "stripe_not_configured")
        assert_error(client.patch(f"{ADMIN}/commission-settings", headers=headers,
                                  json={"payout_provider": "paypal"}), 422, "validation_error")
