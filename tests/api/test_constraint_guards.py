"""Guards that were only a database CHECK (a bug there became a 500): the service checks first and
answers the documented 409/422, and the tests assert the status, not only the final state."""
from __future__ import annotations

import pytest

from app.errors import InvalidRequest
from app.extensions import db
from app.wallet import ledger as wallet
from app.wallet.models import WalletKind
from tests.api.test_payouts import ask, earned
from tests.api.test_refunds import order_row, paid_order, refund
from tests.assertions import assert_error, database_unchanged
from tests.factories import approve_change, if_match, make_leader, make_shopper, make_staff
from tests.stripe_helpers import event_payload, intent_of, post_webhook, stripe_client

ADMIN = "/api/v1/admin"


def test_a_payout_whose_fee_takes_it_all_is_422_not_a_constraint_500(client):
    """Bug: request() without `if fee >= amount` (the payouts CHECK fee_cents < amount_cents refuses: 500)."""
    staff, leader = make_staff(), make_leader()
    r = client.patch(f"{ADMIN}/commission-settings",
                     headers=if_match(client, f"{ADMIN}/commission-settings", staff.headers),
                     json={"payout_min_cents": 0, "payout_fee_cents": 500, "payout_fee_bps": 0})
    approve_change(client, r)  # commission settings change with a colleague's approval (four-eyes)
    earned(leader, 10_000)
    with database_unchanged():
        error = assert_error(ask(client, leader, 500, "fee-all"), 422, "payout_fee_too_high")
        assert error["details"] == {"fee_cents": 500}
    assert ask(client, leader, 501, "fee-less").status_code == 201  # one cent over the fee goes through


def test_a_refund_beyond_what_is_left_after_a_dashboard_refund_is_409(client):
    """Bugs: _record without its order and payment guards (the orders and payments CHECKs refuse: 500)."""
    staff = make_staff()
    order, _, _ = paid_order(client)  # 6000
    stripe_client().v1.refunds.create(params={"payment_intent": intent_of(order), "amount": 1000})
    post_webhook(client, event_payload("charge.refunded", {
        "id": "ch_x", "payment_intent": intent_of(order), "amount_refunded": 1000}))
    assert order_row(order["id"]).refunded_cents == 1000
    with database_unchanged():  # every unit is still unrefunded, but 5000 of the money is all that is left
        assert_error(refund(client, staff, order["id"], {"reason": "all"}), 409, "refund_exceeds_paid")
    line = order["lines"][0]
    r = refund(client, staff, order["id"], {"reason": "part", "lines": [{"line_id": line["id"], "quantity": 2}]})
    assert r.status_code == 201 and r.get_json()["amount_cents"] == 3000, r.get_json()


def test_a_wallet_payment_or_movement_of_nothing_is_a_clear_refusal(app_ctx):
    """Was: the wallet_entries CHECK entry_moves_something raising IntegrityError (a 500)."""
    account_id = make_shopper().account.id
    wallet.post(account_id, WalletKind.TOP_UP, 1000, 0, ref="fund")
    db.session.commit()
    for call in (lambda: wallet.spend(account_id, 0, ref="zero"), lambda: wallet.spend(account_id, -5, ref="neg"),
                 lambda: wallet.post(account_id, WalletKind.ADJUST, 0, 0, ref="nothing")):
        with pytest.raises(InvalidRequest) as refused:
            call()
        assert refused.value.code == "wallet_amount_not_positive"
        db.session.rollback()
    assert wallet.balance(account_id).total_cents == 1000
    assert wallet.entry_by_ref("zero") is None and wallet.entry_by_ref("nothing") is None
