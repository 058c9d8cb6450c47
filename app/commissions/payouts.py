"""Payouts: a leader asks to withdraw available commission (at least the minimum; the fee is the
store's), the merchant approves or rejects, approved payouts go out through a provider.

Every money step is a journal entry with a unique ref, so no step happens twice:
request   available −A, withdrawing +A        (the amount is set aside at once: no double spend)
reject    withdrawing −A, available +A
paid      withdrawing −A, paid_out +(A − fee), store +fee

Approval needs two staff members (four-eyes, payout_approvals.py). When approved, the pickup cash the
leader owes is withheld from it (leader cash ledger, `netted`): the provider sends A − fee − netted.

Providers (the store's setting when the payout is requested, kept on the payout):
- bank export: approved payouts are written to a CSV for the merchant's bank
  (`POST /admin/payouts/export`), then marked paid when the bank confirms;
- Stripe Connect: approval sends a transfer to the leader's connected account (stripe_payouts.py).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Account
from app.commissions import ledger
from app.commissions.ledger import Line
from app.commissions.models import Bucket, EntryKind, Payout, PayoutProvider, PayoutStatus
from app.commissions.rules import settings
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.i18n import _
from app.leaders.models import Leader

NO_SYNC = {"synchronize_session": False}
NETTED_REFERENCE = "NETTED"  # a payout the leader's cash owed took whole: nothing went to a bank or Stripe


# What state a payout is in, for a refusal: one sentence per state so each translates naturally.
STATES = {
    PayoutStatus.REQUESTED: _("This payout is waiting for approval"),
    PayoutStatus.APPROVED: _("This payout is approved and waiting to go out"),
    PayoutStatus.EXPORTED: _("This payout is in a bank file"),
    PayoutStatus.SENDING: _("This payout is being sent"),
    PayoutStatus.PAID: _("This payout is already paid"),
    PayoutStatus.REJECTED: _("This payout was rejected"),
}


def state_of(status: PayoutStatus):
    return STATES[status]


def fee_for(amount: int) -> int:
    s = settings()
    return s.payout_fee_cents + amount * s.payout_fee_bps // 10_000  # the share rounded down


def request(leader: Leader, amount: int, client_key: str) -> Payout:
    """Set the amount aside for a payout, once per (leader, key). Refused below the minimum, when
    the fee would take it all, or beyond what is available (checked under the account's row lock,
    so two requests at once cannot both spend the same balance)."""
    existing = db.session.scalar(sa.select(Payout).where(Payout.account_id == leader.account_id,
                                                         Payout.client_key == client_key))
    if existing is not None:
        if existing.amount_cents != amount:
            raise Conflict(_("This Idempotency-Key was used for another amount"), code="idempotency_key_reused")
        return existing
    minimum, fee = settings().payout_min_cents, fee_for(amount)
    if amount < minimum:
        raise InvalidRequest(_("Below the minimum payout"), code="payout_below_minimum",
                             details={"minimum_cents": minimum})
    if fee >= amount:
        raise InvalidRequest(_("The fee would take the whole amount"), code="payout_fee_too_high",
                             details={"fee_cents": fee})
    provider = settings().payout_provider
    if provider is PayoutProvider.STRIPE_CONNECT and not leader.stripe_account_id:
        raise Conflict(_("Set up your Stripe payout account first (POST /leader/payout-account)"),
                       code="payout_account_missing")
    db.session.execute(sa.select(Account.id).where(Account.id == leader.account_id).with_for_update())
    available = ledger.balances(leader.account_id)[Bucket.AVAILABLE]
    if amount > available:
        raise Conflict(_("More than your available commission"), code="insufficient_commission",
                       details={"available_cents": available})
    try:
        with db.session.begin_nested():
            payout = Payout(account_id=leader.account_id, leader_id=leader.id, amount_cents=amount, fee_cents=fee,
                            status=PayoutStatus.REQUESTED, provider=provider.value, client_key=client_key)
            db.session.add(payout)
            db.session.flush()
            ledger.post(EntryKind.PAYOUT, f"payout:request:{payout.id}",
                        [Line(leader.account_id, Bucket.AVAILABLE, -amount, "leader"),
                         Line(leader.account_id, Bucket.WITHDRAWING, amount, "leader")], memo=f"payout {payout.id}")
    except IntegrityError:  # the same key at the same moment: that request stands
        db.session.rollback()
        return db.session.scalar(sa.select(Payout).where(Payout.account_id == leader.account_id,
                                                         Payout.client_key == client_key))
    db.session.commit()
    return payout


def get(payout_id: int) -> Payout:
    payout = db.session.get(Payout, payout_id)
    if payout is None:
        raise not_found("payout", id=payout_id)
    return payout


def transition(payout_id: int, from_states: tuple[PayoutStatus, ...], to: PayoutStatus, **values) -> bool:
    return bool(db.session.execute(sa.update(Payout).where(Payout.id == payout_id, Payout.status.in_(from_states))
                                   .values(status=to, **values).execution_options(**NO_SYNC)).rowcount)


def apply_approval(payout_id: int, staff_id: int) -> int:
    """Approve a requested payout inside the four-eyes approval's transaction (payout_approvals.py; no
    commit): the cash the leader owes is withheld from it first (netting, docs/commissions.md). A payout
    the netting takes whole has nothing to send: it is paid at once, its reference NETTED."""
    payout = get(payout_id)
    if not transition(payout_id, (PayoutStatus.REQUESTED,), PayoutStatus.APPROVED, decided_by_id=staff_id,
                      decided_at=utcnow()):
        raise Conflict(state_of(payout.status), code="payout_not_pending")
    from app.leader_cash import ledger as cash

    netted = cash.net_against_payout(payout.leader_id, payout_id, payout.amount_cents - payout.fee_cents)
    if netted:
        db.session.execute(sa.update(Payout).where(Payout.id == payout_id).values(cash_netted_cents=netted)
                           .execution_options(**NO_SYNC))
    db.session.refresh(payout)
    if payout.net_cents == 0:
        post_paid(payout, NETTED_REFERENCE, (PayoutStatus.APPROVED,))
    return payout_id


def reject(payout_id: int, staff_id: int, reason: str) -> Payout:
    """Reject a payout not yet sent: the amount goes back to available, cash withheld from it is owed
    again, and a pending four-eyes approval of it is closed with the same reason."""
    payout = get(payout_id)
    if not transition(payout_id, (PayoutStatus.REQUESTED, PayoutStatus.APPROVED), PayoutStatus.REJECTED,
                 decided_by_id=staff_id, decided_at=utcnow(), reason=reason):
        raise Conflict(state_of(payout.status), code="payout_not_pending")
    # Read after our guarded UPDATE holds the row: an approval that raced us has committed its netting.
    from app.leader_cash import ledger as cash

    if netted := cash.netted_for_payout(payout_id):
        cash.reverse_netting(payout.leader_id, payout_id, netted)
        db.session.execute(sa.update(Payout).where(Payout.id == payout_id).values(cash_netted_cents=0)
                           .execution_options(**NO_SYNC))
    close_pending_approval(payout_id, staff_id, reason)
    ledger.post(EntryKind.PAYOUT, f"payout:reject:{payout_id}",
                [Line(payout.account_id, Bucket.WITHDRAWING, -payout.amount_cents, "leader"),
                 Line(payout.account_id, Bucket.AVAILABLE, payout.amount_cents, "leader")],
                memo=f"payout {payout_id} rejected")
    db.session.commit()
    return db.session.get(Payout, payout_id, populate_existing=True)


EXPORT_HEADER = ["payout_id", "leader_id", "leader_name", "phone", "net_amount_cents", "fee_cents",
                 "reference", "amount_cents", "cash_netted_cents"]  # new columns last: bank imports read by position


def export_rows() -> list[list]:
    """The approved payouts not yet exported, as rows for the bank file; they are marked exported
    in the same transaction (exporting again gives only newer ones)."""
    payouts = list(db.session.scalars(sa.select(Payout).where(Payout.status == PayoutStatus.APPROVED,
                                                              Payout.provider == PayoutProvider.BANK_EXPORT)
                                      .order_by(Payout.id).with_for_update()))
    rows, now = [], utcnow()
    for p in payouts:
        leader = db.session.get(Leader, p.leader_id)
        rows.append([p.id, p.leader_id, leader.display_name, leader.phone, p.net_cents, p.fee_cents,
                     f"PAYOUT-{p.id}", p.amount_cents, p.cash_netted_cents])
        transition(p.id, (PayoutStatus.APPROVED,), PayoutStatus.EXPORTED, exported_at=now)
    db.session.commit()
    return rows


def mark_paid(payout_id: int, bank_reference: str) -> Payout:
    """The bank confirmed: the amount leaves withdrawing, the net is paid out, the fee is the
    store's. A repeated confirmation changes nothing (the status guard and the entry's ref)."""
    payout = get(payout_id)
    if payout.provider != PayoutProvider.BANK_EXPORT:  # Stripe's answer records it; a manual mark could pay twice
        raise Conflict(_("This payout is paid by Stripe transfer, not by the bank"), code="payout_not_bank_export")
    return record_paid(payout, bank_reference, (PayoutStatus.EXPORTED, PayoutStatus.APPROVED))


def post_paid(payout: Payout, reference: str, from_states: tuple[PayoutStatus, ...]) -> bool:
    """Move the payout to paid and post the entry, once (the status guard and the entry's ref). The
    leader's paid_out grows by amount − fee: what was sent plus the cash owed it cancelled. No commit."""
    if not transition(payout.id, from_states, PayoutStatus.PAID, paid_at=utcnow(), bank_reference=reference,
                      last_error=None):
        return False
    ledger.post(EntryKind.PAYOUT, f"payout:paid:{payout.id}",
                [Line(payout.account_id, Bucket.WITHDRAWING, -payout.amount_cents, "leader"),
                 Line(payout.account_id, Bucket.PAID_OUT, payout.amount_cents - payout.fee_cents, "leader"),
                 Line(None, Bucket.COMMISSION_EXPENSE, payout.fee_cents)], memo=f"payout {payout.id} paid")
    return True


def record_paid(payout: Payout, reference: str, from_states: tuple[PayoutStatus, ...]) -> Payout:
    if not post_paid(payout, reference, from_states):
        db.session.refresh(payout)
        if payout.status is not PayoutStatus.PAID:
            raise Conflict(state_of(payout.status), code="payout_not_approved")
    db.session.commit()
    return db.session.get(Payout, payout.id, populate_existing=True)


def close_pending_approval(payout_id: int, staff_id: int, reason: str | None) -> None:
    from app.staff.models import ApprovalRequest, ApprovalStatus

    db.session.execute(sa.update(ApprovalRequest).where(
        ApprovalRequest.kind == "payout", ApprovalRequest.subject_id == payout_id,
        ApprovalRequest.status == ApprovalStatus.PENDING).values(
        status=ApprovalStatus.REJECTED, decided_by_id=staff_id, decided_at=utcnow(), rejection_reason=reason)
        .execution_options(**NO_SYNC))


def of_account(account_id: int) -> sa.Select:
    return sa.select(Payout).where(Payout.account_id == account_id).order_by(Payout.id.desc())


def to_review(status: str | None) -> sa.Select:
    query = sa.select(Payout).order_by(Payout.id.desc())
    return query.where(Payout.status == PayoutStatus(status)) if status else query
