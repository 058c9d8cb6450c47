"""The wallet ledger: every movement is one entry (principal and bonus apart, each with its
balance after) written with the guarded balance UPDATE in one savepoint, once per ref.

Spending rule: a payment takes principal and bonus in proportion to the balances at that moment
(the bonus part rounded down). A refund of a wallet-paid part gives each back in the proportion
that payment took them (cumulatively, so a payment refunded in parts returns exactly what it
took). Bonus is never paid out as cash: it only ever returns to the wallet.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, InvalidRequest
from app.extensions import db
from app.i18n import _
from app.wallet.models import Wallet, WalletEntry, WalletKind

NO_SYNC = {"synchronize_session": False}


class InsufficientBalance(Conflict):
    def __init__(self, balance: int, wanted: int):
        super().__init__(_("The wallet balance is too low"), code="insufficient_wallet_balance",
                         details={"balance_cents": balance, "requested_cents": wanted})


@dataclass(frozen=True)
class Balance:
    principal_cents: int = 0
    bonus_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.principal_cents + self.bonus_cents


def balance(account_id: int) -> Balance:
    wallet = db.session.get(Wallet, account_id)
    return Balance(wallet.principal_cents, wallet.bonus_cents) if wallet else Balance()


def entry_by_ref(ref: str) -> WalletEntry | None:
    return db.session.scalar(sa.select(WalletEntry).where(WalletEntry.ref == ref))


def _ensure_wallet(account_id: int) -> None:
    if db.session.get(Wallet, account_id) is None:
        try:
            with db.session.begin_nested():
                db.session.add(Wallet(account_id=account_id, principal_cents=0, bonus_cents=0))
        except IntegrityError:
            pass  # created concurrently


def post(account_id: int, kind: WalletKind, principal_delta: int, bonus_delta: int, *, ref: str,
         order_id: int | None = None, payment_id: int | None = None, top_up_id: int | None = None,
         refund_of_id: int | None = None, note: str | None = None) -> WalletEntry:
    """One movement, once per ref (a rerun returns the first entry). No commit."""
    if (existing := entry_by_ref(ref)) is not None:
        return existing
    if principal_delta == 0 and bonus_delta == 0:  # else the entry CHECK refuses it: a 500, not an answer
        raise _nothing_to_move()
    _ensure_wallet(account_id)
    try:
        with db.session.begin_nested():
            after = db.session.execute(
                sa.update(Wallet)
                .where(Wallet.account_id == account_id, Wallet.principal_cents + principal_delta >= 0,
                       Wallet.bonus_cents + bonus_delta >= 0)
                .values(principal_cents=Wallet.principal_cents + principal_delta,
                        bonus_cents=Wallet.bonus_cents + bonus_delta)
                .returning(Wallet.principal_cents, Wallet.bonus_cents).execution_options(**NO_SYNC)).one_or_none()
            if after is None:
                raise InsufficientBalance(balance(account_id).total_cents, -(principal_delta + bonus_delta))
            entry = WalletEntry(account_id=account_id, kind=kind, principal_delta=principal_delta,
                                bonus_delta=bonus_delta, principal_after=after[0], bonus_after=after[1],
                                order_id=order_id, payment_id=payment_id, top_up_id=top_up_id,
                                refund_of_id=refund_of_id, ref=ref, note=note)
            db.session.add(entry)
    except IntegrityError:
        entry = entry_by_ref(ref)
        if entry is None:
            raise
    return entry


def spend(account_id: int, amount: int, *, ref: str, order_id: int | None = None,
          payment_id: int | None = None) -> WalletEntry:
    """Take `amount` (principal and bonus in proportion). The balance row is locked first, so two
    payments at once are serialised and the second sees what the first left. No commit."""
    if (existing := entry_by_ref(ref)) is not None:
        return existing
    if amount <= 0:
        raise _nothing_to_move()
    _ensure_wallet(account_id)
    held = db.session.execute(sa.select(Wallet.principal_cents, Wallet.bonus_cents)
                              .where(Wallet.account_id == account_id).with_for_update()).one()
    total = held[0] + held[1]
    if amount > total:
        raise InsufficientBalance(total, amount)
    bonus_part = amount * held[1] // total if total else 0
    return post(account_id, WalletKind.PAYMENT, -(amount - bonus_part), -bonus_part, ref=ref, order_id=order_id,
                payment_id=payment_id)


def _nothing_to_move() -> InvalidRequest:
    return InvalidRequest(_("A wallet movement must move some money"), code="wallet_amount_not_positive")


def give_back(payment_id: int, amount: int, *, ref: str) -> WalletEntry | None:
    """Return `amount` of the wallet payment behind payments row `payment_id`. No commit."""
    if (existing := entry_by_ref(ref)) is not None:
        return existing
    paid = db.session.scalar(sa.select(WalletEntry).where(WalletEntry.payment_id == payment_id,
                                                          WalletEntry.kind == WalletKind.PAYMENT))
    return refund_entry(paid, amount, ref=ref) if paid is not None else None


def refund_entry(paid: WalletEntry, amount: int, *, ref: str) -> WalletEntry | None:
    """Return `amount` of one payment entry: principal and bonus in the proportion it took them,
    counted cumulatively over earlier refunds of it (so refunds in parts add up to exactly what it
    took), and never more than it took. No commit."""
    if (existing := entry_by_ref(ref)) is not None:
        return existing
    taken = -(paid.principal_delta + paid.bonus_delta)
    before = int(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(WalletEntry.principal_delta + WalletEntry.bonus_delta), 0))
        .where(WalletEntry.refund_of_id == paid.id)))
    amount = min(amount, taken - before)
    if amount <= 0:
        return None
    bonus_taken = -paid.bonus_delta
    bonus_now = bonus_taken * (before + amount) // taken - bonus_taken * before // taken
    return post(paid.account_id, WalletKind.REFUND, amount - bonus_now, bonus_now, ref=ref, order_id=paid.order_id,
                payment_id=paid.payment_id, refund_of_id=paid.id)


def entries_of(account_id: int) -> sa.Select:
    return sa.select(WalletEntry).where(WalletEntry.account_id == account_id).order_by(WalletEntry.id.desc())
