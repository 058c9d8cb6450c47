"""Cash paid at pickup comes back as the merchant chooses: by the leader, out of the cash they hold
(what they owe falls), or as credit to the shopper's wallet (principal). Once per refund, whatever
repeats or races; the choice means nothing for an order paid otherwise (422)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.leader_cash import ledger as cash
from app.leader_cash.audit import run as cash_audit
from app.payments.models import Refund
from app.payments.refunds import complete_refund
from app.wallet.ledger import balance
from app.wallet.models import WalletEntry, WalletKind
from tests.aftersales.helpers import ask, picked_up
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import if_match

ADMIN = "/api/v1/admin"


def reviewed(client, s):
    req = ask(client, s["buyer"], s["order"]).get_json()
    client.post(f"/api/v1/leader/after-sales/{req['id']}/review", headers=s["leader"].headers,
                json={"verdict": "confirmed"})
    return req


def wallet_refunds(account_id: int) -> list[int]:
    db.session.commit()
    return list(db.session.scalars(sa.select(WalletEntry.principal_delta).where(
        WalletEntry.account_id == account_id, WalletEntry.kind == WalletKind.REFUND)))


def test_the_merchant_credits_the_wallet_instead_of_the_leader_paying_cash(client):
    s = picked_up(client, lines=((2, 700),), method="pay_at_pickup")
    leader_id, buyer_id = s["leader"].leader.id, s["buyer"].id
    req = reviewed(client, s)
    done = client.post(f"{ADMIN}/after-sales/{req['id']}/decision", headers=s["staff"].headers,
                       json={"decision": "refund", "cash_refund_by": "wallet"}).get_json()
    assert (done["status"], done["cash_refund_by"], done["refund_cents"]) == ("refunded", "wallet", 700)
    assert balance(buyer_id).principal_cents == 700 and balance(buyer_id).bonus_cents == 0
    assert cash.outstanding(leader_id) == 1400  # the leader still holds all the cash they took
    refund = db.session.scalar(sa.select(Refund).where(Refund.order_id == s["order"]["id"]))
    assert (refund.status.value, refund.cash_refund_by) == ("succeeded", "wallet")
    assert refund.provider_ref.startswith("wallet-entry-")
    complete_refund(refund.id)  # a repeated completion (a sweep) credits nothing more
    assert wallet_refunds(buyer_id) == [700]
    refunds = client.get(f"{ADMIN}/orders/{s['order']['id']}/refunds", headers=s["staff"].headers).get_json()
    assert [r["cash_refund_by"] for r in refunds] == ["wallet"]
    assert cash.total_balance() == 0 and cash_audit() == []


def test_the_rules_choose_for_auto_approved_claims(client):
    s = picked_up(client, lines=((2, 700),), method="pay_at_pickup")
    r = client.patch(f"{ADMIN}/after-sales/rules", headers=if_match(client, f"{ADMIN}/after-sales/rules",
                                                                  s["staff"].headers),
                     json={"cash_refund_by": "wallet", "auto_approve_max_cents": 1000,
                           "auto_approve_max_rate_bps": 10_000})
    assert r.status_code == 200 and r.get_json()["cash_refund_by"] == "wallet"
    req = ask(client, s["buyer"], s["order"]).get_json()
    assert (req["status"], req["cash_refund_by"]) == ("refunded", "wallet")
    assert wallet_refunds(s["buyer"].id) == [700]
    assert cash.outstanding(s["leader"].leader.id) == 1400


def test_by_default_the_leader_pays_it_and_owes_less(client):
    s = picked_up(client, lines=((2, 700),), method="pay_at_pickup")
    key = {**s["staff"].headers, "Idempotency-Key": "cash-1"}
    url = f"{ADMIN}/orders/{s['order']['id']}/refunds"
    body = {"reason": "bruised", "lines": [{"line_id": s["order"]["lines"][0]["id"], "quantity": 1}]}
    for _ in range(2):  # a retry with the same key is the same refund
        r = client.post(url, headers=key, json=body)
        assert r.status_code == 201 and r.get_json()["cash_refund_by"] == "leader"
    assert cash.outstanding(s["leader"].leader.id) == 700
    assert wallet_refunds(s["buyer"].id) == []
    assert cash.total_balance() == 0 and cash_audit() == []


def test_a_staff_refund_of_a_cash_order_can_go_to_the_wallet_once(client):
    s = picked_up(client, lines=((2, 700),), method="pay_at_pickup")
    headers = {**s["staff"].headers, "Idempotency-Key": "w-1"}
    url = f"{ADMIN}/orders/{s['order']['id']}/refunds"
    for _ in range(2):
        r = client.post(url, headers=headers, json={"reason": "short weight", "cash_refund_by": "wallet"})
        assert r.status_code == 201 and r.get_json()["cash_refund_by"] == "wallet", r.get_json()
    assert wallet_refunds(s["buyer"].id) == [1400]
    assert cash.outstanding(s["leader"].leader.id) == 1400


def test_choosing_how_cash_goes_back_on_a_card_order_is_refused(client):
    s = picked_up(client)  # paid by card
    req = reviewed(client, s)
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/orders/{s['order']['id']}/refunds",
                                 headers={**s["staff"].headers, "Idempotency-Key": "c1"},
                                 json={"reason": "x", "cash_refund_by": "wallet"}), 422, "not_paid_in_cash")
        error = assert_error(client.post(f"{ADMIN}/after-sales/{req['id']}/decision", headers=s["staff"].headers,
                                         json={"decision": "refund", "cash_refund_by": "wallet"}), 422,
                             "not_paid_in_cash")
    assert error["details"] == {"payment_method": "stripe"}
    assert_error(client.post(f"{ADMIN}/after-sales/{req['id']}/decision", headers=s["staff"].headers,
                             json={"decision": "refund", "cash_refund_by": "bank"}), 422)


@pytest.mark.postgres
def test_two_wallet_approvals_at_once_credit_once(app, client):
    s = picked_up(client, lines=((2, 700),), method="pay_at_pickup")
    req, headers = reviewed(client, s), s["staff"].headers
    responses = race(app, 6, lambda c, i: c.post(f"{ADMIN}/after-sales/{req['id']}/decision", headers=headers,
                                                 json={"decision": "refund", "cash_refund_by": "wallet"}))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 5
    refund_id = db.session.scalar(sa.select(Refund.id).where(Refund.order_id == s["order"]["id"]))

    def finish(c, i):  # sweeps finishing it at once, each in its own app context (own session)
        with app.app_context():
            complete_refund(refund_id)

    race(app, 4, finish)
    assert wallet_refunds(s["buyer"].id) == [700]
    assert balance(s["buyer"].id).total_cents == 700
