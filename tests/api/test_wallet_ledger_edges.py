"""Wallet ledger edges that mutation testing (scripts/mutate wallet) found unguarded: paying the
whole balance, a replayed payment after the balance moved, a one-cent refund, refunds found by
their own payment among several shoppers', the links a refund entry keeps, the refusal's details,
duplicate bonus tiers and a failed top-up's record."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.extensions import db
from app.orders.models import Order
from app.wallet import ledger
from app.wallet import services as wallet_services
from app.wallet.models import TopUp, TopUpStatus, WalletEntry, WalletKind
from tests.assertions import assert_error
from tests.factories import checkout, make_buyer, make_product, make_shopper, make_staff
from tests.stripe_helpers import CARD_DECLINED, pay_intent, stripe_client

BASE, ADMIN = "/api/v1/store", "/api/v1/admin"


def funded(principal: int, bonus: int = 0) -> int:
    account_id = make_shopper().account.id
    ledger.post(account_id, WalletKind.TOP_UP, principal, bonus, ref=f"fund:{account_id}")
    db.session.commit()
    return account_id


def test_paying_the_whole_balance_empties_the_wallet_principal_and_bonus_alike(app_ctx):
    account_id = funded(900, 100)
    entry = ledger.spend(account_id, 1000, ref="all")
    db.session.commit()
    assert (entry.principal_delta, entry.bonus_delta) == (-900, -100)
    assert ledger.balance(account_id).total_cents == 0


def test_a_replayed_payment_returns_the_first_entry_even_when_the_balance_no_longer_covers_it(app_ctx):
    account_id = funded(1000)
    first = ledger.spend(account_id, 800, ref="pay:1")
    db.session.commit()
    again = ledger.spend(account_id, 800, ref="pay:1")  # 200 left: a new payment of 800 would be refused
    assert again.id == first.id
    assert ledger.balance(account_id).total_cents == 200


def test_a_short_wallet_is_refused_with_the_balance_and_the_amount_asked(app_ctx):
    account_id = funded(300, 50)
    with pytest.raises(Conflict) as refused:
        ledger.spend(account_id, 351, ref="short")
    assert (refused.value.code, refused.value.details) == (
        "insufficient_wallet_balance", {"balance_cents": 350, "requested_cents": 351})
    db.session.rollback()
    with pytest.raises(Conflict) as refused:  # the guarded UPDATE's own refusal says the same
        ledger.post(account_id, WalletKind.PAYMENT, -300, -60, ref="short-post")
    assert refused.value.details == {"balance_cents": 350, "requested_cents": 360}
    db.session.rollback()
    with pytest.raises(Conflict):  # more bonus than there is, however much principal: the guard, not the CHECK
        ledger.post(account_id, WalletKind.PAYMENT, 0, -51, ref="bonus-short")


def test_a_replayed_posting_returns_the_first_entry_even_when_it_could_not_be_made_again(app_ctx):
    account_id = funded(1000)
    first = ledger.post(account_id, WalletKind.PAYMENT, -800, 0, ref="post:1")
    db.session.commit()
    assert ledger.post(account_id, WalletKind.PAYMENT, -800, 0, ref="post:1").id == first.id


def test_a_one_cent_refund_is_given_back(app_ctx):
    account_id = funded(1000)
    paid = ledger.spend(account_id, 500, ref="pay:cent")
    db.session.commit()
    entry = ledger.refund_entry(paid, 1, ref="refund:cent")
    assert (entry.principal_delta, entry.bonus_delta) == (1, 0)
    assert ledger.balance(account_id).total_cents == 501


def wallet_order(client, price: int) -> tuple[int, WalletEntry]:
    """A shopper with 1000 in the wallet pays an order of `price` from it; their payment entry."""
    buyer = make_buyer()
    ledger.post(buyer.account.id, WalletKind.TOP_UP, 1000, 0, ref=f"fund:{buyer.account.id}")
    db.session.commit()
    sku = make_product(skus=[{"code": f"WL{price}", "name": "x", "price_cents": price, "stock_total": 5}]).skus[0]
    assert checkout(client, buyer, [(sku.id, 1)], method="wallet").status_code == 201
    return buyer.account.id, db.session.scalar(sa.select(WalletEntry).where(
        WalletEntry.account_id == buyer.account.id, WalletEntry.kind == WalletKind.PAYMENT))


def test_a_refund_entry_points_at_its_payment_and_refunds_in_parts_add_up_in_whole_cents(client):
    buyer = make_buyer()
    ledger.post(buyer.account.id, WalletKind.TOP_UP, 1000, 300, ref="fund")
    db.session.commit()
    sku = make_product(skus=[{"code": "WLP", "name": "x", "price_cents": 500, "stock_total": 5}]).skus[0]
    assert checkout(client, buyer, [(sku.id, 1)], method="wallet").status_code == 201
    paid = db.session.scalar(sa.select(WalletEntry).where(WalletEntry.kind == WalletKind.PAYMENT))
    assert (paid.principal_delta, paid.bonus_delta) == (-385, -115)  # 500 x 300/1300, rounded down
    assert paid.order_id == db.session.scalar(sa.select(Order.id).where(Order.account_id == buyer.account.id))
    first = ledger.give_back(paid.payment_id, 7, ref="refund:links:1")
    assert (first.kind, first.refund_of_id, first.order_id, first.payment_id) == (
        WalletKind.REFUND, paid.id, paid.order_id, paid.payment_id)
    assert paid.order_id is not None and paid.payment_id is not None
    assert (first.principal_delta, first.bonus_delta) == (6, 1)  # 115 x 7/500 = 1.61: one cent of bonus
    assert all(isinstance(v, int) for v in (first.principal_delta, first.bonus_delta))
    second = ledger.give_back(paid.payment_id, 1000, ref="refund:links:2")  # only what is left: 493
    assert (second.principal_delta + second.bonus_delta, first.bonus_delta + second.bonus_delta) == (493, 115)
    assert ledger.give_back(paid.payment_id, 1, ref="refund:links:3") is None
    db.session.commit()
    assert ledger.balance(buyer.account.id) == ledger.Balance(1000, 300)


def test_giving_back_a_payment_finds_that_payment_and_not_another_shoppers(client):
    first_shopper, _ = wallet_order(client, 400)
    second_shopper, second = wallet_order(client, 600)
    back = ledger.give_back(second.payment_id, 600, ref="refund:second")
    db.session.commit()
    assert back.account_id == second_shopper and back.refund_of_id == second.id
    assert (ledger.balance(first_shopper).total_cents, ledger.balance(second_shopper).total_cents) == (600, 1000)


def test_giving_back_a_payment_that_took_nothing_from_the_wallet_does_nothing(app_ctx):
    assert ledger.give_back(987654, 100, ref="refund:none") is None


def test_a_second_bonus_tier_at_the_same_threshold_is_refused(client):
    staff = make_staff()
    tier = {"min_amount_cents": 10000, "bonus_cents": 1000}
    assert client.post(f"{ADMIN}/wallet/bonus-tiers", headers=staff.headers, json=tier).status_code == 201
    assert_error(client.post(f"{ADMIN}/wallet/bonus-tiers", headers=staff.headers,
                             json={**tier, "bonus_cents": 2000}), 409, "bonus_tier_exists")


def test_a_failed_top_up_keeps_the_reason_and_leaves_the_shoppers_other_top_ups_pending(app_ctx):
    account_id = make_shopper().account.id
    failing, other = (TopUp(account_id=account_id, amount_cents=1000, bonus_cents=0, status=TopUpStatus.PENDING,
                            client_key=key, purpose="wallet") for key in ("a", "b"))
    db.session.add_all([failing, other])
    db.session.commit()
    assert wallet_services.apply_top_up_failure(failing.id, None) is True
    assert wallet_services.apply_top_up_failure(other.id, "card declined") is True
    assert wallet_services.apply_top_up_failure(other.id, "again") is False  # only a pending one fails
    db.session.commit()
    rows = {t.client_key: (t.status, t.failure_message) for t in db.session.scalars(sa.select(TopUp))}
    assert rows == {"a": (TopUpStatus.FAILED, "payment failed"), "b": (TopUpStatus.FAILED, "card declined")}


def pending_top_up(account_id: int, key: str, amount: int = 1000, bonus: int = 100, purpose: str = "wallet") -> TopUp:
    top_up = TopUp(account_id=account_id, amount_cents=amount, bonus_cents=bonus, status=TopUpStatus.PENDING,
                   client_key=key, purpose=purpose)
    db.session.add(top_up)
    db.session.commit()
    return top_up


def test_a_top_up_success_credits_that_top_up_once_and_stamps_it(app_ctx):
    first_shopper, second_shopper = make_shopper().account.id, make_shopper().account.id
    top_up = pending_top_up(first_shopper, "a")
    other = pending_top_up(second_shopper, "b")
    assert wallet_services.apply_top_up_success(top_up.id) is True
    assert wallet_services.apply_top_up_success(top_up.id) is False  # a second report credits nothing
    assert wallet_services.apply_top_up_success(987654) is False
    db.session.commit()
    db.session.expire_all()
    assert (top_up.status, top_up.succeeded_at is not None, other.status) == (
        TopUpStatus.SUCCEEDED, True, TopUpStatus.PENDING)
    entry = db.session.scalar(sa.select(WalletEntry).where(WalletEntry.account_id == first_shopper))
    assert (entry.kind, entry.principal_delta, entry.bonus_delta, entry.top_up_id, entry.note) == (
        WalletKind.TOP_UP, 1000, 100, top_up.id, "top-up of 1000 with 100 bonus")
    assert ledger.balance(second_shopper).total_cents == 0


def test_a_top_up_that_failed_and_then_succeeded_forgets_the_failure(app_ctx):
    top_up = pending_top_up(make_shopper().account.id, "f")
    wallet_services.apply_top_up_failure(top_up.id, "card declined")
    assert wallet_services.apply_top_up_success(top_up.id) is True  # the shopper retried and paid
    db.session.commit()
    db.session.expire_all()
    assert (top_up.status, top_up.failure_message) == (TopUpStatus.SUCCEEDED, None)


def test_a_shopper_only_sees_their_own_top_up(client):
    owner, stranger = make_buyer(), make_buyer()
    top_up = pending_top_up(owner.account.id, "own")
    error = assert_error(client.get(f"{BASE}/wallet/top-ups/{top_up.id}", headers=stranger.headers),
                         404, "top_up_not_found")
    assert error["details"] == {"id": top_up.id}
    assert_error(client.get(f"{BASE}/wallet/top-ups/987654", headers=owner.headers), 404, "top_up_not_found")


def test_looking_at_a_top_up_asks_stripe_when_its_webhook_has_not_come(client):
    buyer = make_buyer()
    paid, declined = (client.post(f"{BASE}/wallet/top-ups", json={"amount_cents": 1500},
                                  headers={**buyer.headers, "Idempotency-Key": key}).get_json() for key in ("p", "d"))
    db.session.commit()
    pay_intent(db.session.get(TopUp, paid["id"]).provider_ref)
    pay_intent(db.session.get(TopUp, declined["id"]).provider_ref, CARD_DECLINED)
    assert client.get(f"{BASE}/wallet/top-ups/{paid['id']}", headers=buyer.headers).get_json()["status"] == "succeeded"
    failed = client.get(f"{BASE}/wallet/top-ups/{declined['id']}", headers=buyer.headers).get_json()
    assert failed["status"] == "failed"
    db.session.expire_all()
    assert db.session.get(TopUp, declined["id"]).failure_message not in (None, "payment failed")
    assert ledger.balance(buyer.account.id).total_cents == 1500


def test_top_ups_up_to_the_limit_are_taken_and_larger_ones_refused(client):
    buyer = make_buyer()
    limit = wallet_services.MAX_TOP_UP_CENTS
    ok = client.post(f"{BASE}/wallet/top-ups", json={"amount_cents": limit},
                     headers={**buyer.headers, "Idempotency-Key": "max"})
    assert ok.status_code == 201, ok.get_json()
    error = assert_error(client.post(f"{BASE}/wallet/top-ups", json={"amount_cents": limit + 1},
                                     headers={**buyer.headers, "Idempotency-Key": "over"}), 422, "top_up_too_large")
    assert error["details"] == {"max_cents": limit}


def test_the_highest_tier_reached_sets_the_bonus_and_tiers_can_be_listed_and_removed(client):
    staff = make_staff()
    for minimum, bonus in ((20000, 3000), (50000, 8000), (10000, 1000)):  # not created in order
        r = client.post(f"{ADMIN}/wallet/bonus-tiers", headers=staff.headers,
                        json={"min_amount_cents": minimum, "bonus_cents": bonus})
        assert r.status_code == 201
    assert [wallet_services.bonus_for(a) for a in (9999, 10000, 20000, 49999, 60000)] == [0, 1000, 3000, 3000, 8000]
    tiers = client.get(f"{ADMIN}/wallet/bonus-tiers", headers=staff.headers).get_json()
    assert [t["min_amount_cents"] for t in tiers] == [10000, 20000, 50000]
    top = tiers[2]["id"]
    assert client.delete(f"{ADMIN}/wallet/bonus-tiers/{top}", headers=staff.headers).status_code == 204
    assert wallet_services.bonus_for(60000) == 3000
    error = assert_error(client.delete(f"{ADMIN}/wallet/bonus-tiers/{top}", headers=staff.headers),
                         404, "bonus_tier_not_found")
    assert error["details"] == {"id": top}


def test_a_long_failure_reason_is_cut_to_the_column(app_ctx):
    top_up = pending_top_up(make_shopper().account.id, "long")
    wallet_services.apply_top_up_failure(top_up.id, "x" * 600)
    db.session.commit()
    db.session.expire_all()
    assert len(top_up.failure_message) == 500


def test_the_pending_membership_top_up_is_the_shoppers_latest_membership_one(app_ctx):
    shopper, other = make_shopper().account.id, make_shopper().account.id
    pending_top_up(shopper, "m1", purpose="membership")
    latest = pending_top_up(shopper, "m2", purpose="membership")
    pending_top_up(shopper, "w", purpose="wallet")  # newer, but a wallet top-up
    pending_top_up(other, "o", purpose="membership")  # newer, but someone else's
    assert wallet_services.pending_membership_top_up(shopper).id == latest.id
    assert wallet_services.pending_membership_top_up(make_shopper().account.id) is None


def test_each_shopper_and_each_key_has_its_own_top_up(client):
    first, second = make_buyer(), make_buyer()

    def start(buyer, key):
        r = client.post(f"{BASE}/wallet/top-ups", json={"amount_cents": 2000},
                        headers={**buyer.headers, "Idempotency-Key": key})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    unstarted = pending_top_up(second.account.id, "no-intent-yet")  # its intent not created yet
    mine = start(first, "same-key")
    assert start(second, "same-key") != mine  # another shopper's key of the same name
    assert start(first, "other-key") != mine  # the same shopper, a new key
    assert start(first, "same-key") == mine
    db.session.expire_all()
    assert unstarted.provider_ref is None  # each intent is written to its own top-up only
    intent = stripe_client().v1.payment_intents.retrieve(db.session.get(TopUp, mine).provider_ref)
    assert intent.metadata["top_up_id"] == str(mine)  # so a webhook finds it even without our intent id


def test_a_top_up_is_found_by_its_intent_or_by_an_id_that_does_not_contradict_it(app_ctx):
    account_id = make_shopper().account.id
    with_intent = pending_top_up(account_id, "i1")
    other_intent = pending_top_up(account_id, "i2")
    no_intent = pending_top_up(account_id, "i3")
    with_intent.provider_ref, other_intent.provider_ref = "pi_mine", "pi_other"
    db.session.commit()
    find = wallet_services.top_up_by_intent
    assert find("pi_mine", None).id == with_intent.id
    assert find("pi_mine", str(other_intent.id)).id == with_intent.id  # the intent wins over the metadata
    assert find(None, str(no_intent.id)).id == no_intent.id
    assert find("pi_unknown", str(no_intent.id)).id == no_intent.id  # no intent stored yet: the id decides
    assert find("pi_unknown", str(with_intent.id)) is None  # the id names a top-up of another intent
    assert find(None, "abc") is None and find(None, None) is None


def test_a_membership_paid_by_card_takes_the_fee_fixed_when_the_payment_started(client):
    from tests.stripe_helpers import intent_event, post_webhook

    staff = make_staff()
    client.patch(f"{ADMIN}/loyalty/program", headers=staff.headers, json={"membership_fee_cents": 2900})
    buyer = make_buyer()
    started = client.post(f"{BASE}/membership", headers={**buyer.headers, "Idempotency-Key": "join"},
                          json={"payment_method": "stripe"}).get_json()
    client.patch(f"{ADMIN}/loyalty/program", headers=staff.headers, json={"membership_fee_cents": 1900})
    db.session.commit()
    intent = db.session.get(TopUp, started["pending_payment"]["top_up_id"]).provider_ref
    pay_intent(intent)
    post_webhook(client, intent_event("payment_intent.succeeded", intent))
    assert ledger.balance(buyer.account.id).total_cents == 0  # 29.00 in, 29.00 out: not the new 19.00


def test_a_posting_that_breaks_another_constraint_is_not_taken_for_a_replay(app_ctx):
    account_id = funded(1000)
    with pytest.raises(IntegrityError):  # an order that does not exist: not a duplicate ref, so not swallowed
        ledger.post(account_id, WalletKind.PAYMENT, -10, 0, ref="no-such-order", order_id=987654)
