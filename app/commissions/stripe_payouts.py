"""The Stripe Connect payout provider: approved payouts go to the leader's connected account as a
Stripe transfer of the net amount.

Never paid twice, whatever crashes or repeats:
1. claim — a guarded UPDATE approved → sending, committed before Stripe is called, so only one
   caller sends at a time (a claim older than LEASE is taken over: its caller is presumed dead);
2. look for a transfer of this payout's transfer_group first (a previous attempt may have made it
   and died before recording it), and only if there is none create one, with an idempotency key
   derived from the payout (Stripe's own guard for 24 hours);
3. record — sending → paid with the transfer id, and the ledger's paid entry (unique ref).
A refusal (no transfers capability, unknown account) puts it back to approved with the reason for
the merchant; Stripe unreachable leaves it sending, and the sweep retries after the lease.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from app.commissions import payouts
from app.commissions.models import Payout, PayoutProvider, PayoutStatus
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.i18n import _
from app.leaders.models import Leader
from app.payments import stripe_gateway
from app.payments.stripe_gateway import GatewayDeclined, GatewayUnavailable
from app.persistence import commit_unique

LEASE = dt.timedelta(minutes=5)


def transfer_group(payout: Payout) -> str:
    """Ours alone at Stripe: the id plus its creation time, so a database restored or reset against
    the same Stripe account can never find another payout's transfer."""
    return f"payout-{payout.id}-{payout.created_at:%Y%m%d%H%M%S%f}"


def _claim(payout_id: int, now: dt.datetime) -> bool:
    claimable = sa.or_(Payout.status == PayoutStatus.APPROVED,
                       sa.and_(Payout.status == PayoutStatus.SENDING, Payout.sending_since < now - LEASE))
    claimed = db.session.execute(
        sa.update(Payout).where(Payout.id == payout_id, Payout.provider == PayoutProvider.STRIPE_CONNECT, claimable)
        .values(status=PayoutStatus.SENDING, sending_since=now).execution_options(**payouts.NO_SYNC)).rowcount
    db.session.commit()
    return bool(claimed)


def send(payout_id: int) -> Payout:
    """Send an approved Stripe Connect payout (or finish one whose earlier attempt died)."""
    payout = payouts.get(payout_id)
    if payout.provider != PayoutProvider.STRIPE_CONNECT:
        raise Conflict(_("This payout goes out in the bank export"), code="payout_not_stripe")
    if not _claim(payout_id, utcnow()):
        payout = db.session.get(Payout, payout_id, populate_existing=True)
        if payout.status in (PayoutStatus.PAID, PayoutStatus.SENDING):  # done, or someone is on it
            return payout
        raise Conflict(payouts.state_of(payout.status), code="payout_not_approved")
    payout = db.session.get(Payout, payout_id, populate_existing=True)
    destination = db.session.scalar(sa.select(Leader.stripe_account_id).where(Leader.id == payout.leader_id))
    db.session.commit()  # no transaction stays open across the call to Stripe
    try:
        if destination is None:
            raise GatewayDeclined("The leader has no connected Stripe account")
        group = transfer_group(payout)
        transfer = stripe_gateway.find_transfer(group) or stripe_gateway.create_transfer(
            amount=payout.net_cents, currency=current_app.config["STORE_CURRENCY"], destination=destination,
            transfer_group=group, metadata={"payout_id": str(payout_id), "leader_id": str(payout.leader_id)})
    except GatewayDeclined as exc:  # final for this attempt: the merchant fixes the account and sends again, or rejects
        payouts.transition(payout_id, (PayoutStatus.SENDING,), PayoutStatus.APPROVED, sending_since=None,
                           last_error=str(exc)[:500])
        db.session.commit()
        return db.session.get(Payout, payout_id, populate_existing=True)
    except GatewayUnavailable as exc:  # unknown whether it went: stays sending; the sweep looks again
        payouts.transition(payout_id, (PayoutStatus.SENDING,), PayoutStatus.SENDING, last_error=str(exc)[:500])
        db.session.commit()
        return db.session.get(Payout, payout_id, populate_existing=True)
    return payouts.record_paid(payout, transfer.id, (PayoutStatus.SENDING,))


def sweep() -> dict[str, int]:
    """Send Stripe payouts that were approved but never sent (a crash between approval and the
    call) and finish claims whose sender died or lost Stripe. Safe to run at any time."""
    now = utcnow()
    due = sa.or_(sa.and_(Payout.status == PayoutStatus.APPROVED, Payout.last_error.is_(None)),
                 sa.and_(Payout.status == PayoutStatus.SENDING, Payout.sending_since < now - LEASE))
    ids = list(db.session.scalars(sa.select(Payout.id).where(Payout.provider == PayoutProvider.STRIPE_CONNECT, due)
                                  .order_by(Payout.id)))
    db.session.commit()
    paid = 0
    for payout_id in ids:
        try:
            paid += send(payout_id).status is PayoutStatus.PAID
        except Conflict:  # rejected or sent by someone else since we looked
            db.session.rollback()
    return {"seen": len(ids), "paid": paid}


# --- the leader's connected account -----------------------------------------------------------------

def require_stripe() -> None:
    if not stripe_gateway.configured():
        raise Conflict(_("Stripe is not configured on this store (STRIPE_SECRET_KEY)"), code="stripe_not_configured")


def account_status(leader: Leader) -> dict:
    """The leader's connected account as Stripe sees it now (404 when there is none)."""
    if leader.stripe_account_id is None:
        raise not_found("payout_account", leader_id=leader.id)
    require_stripe()
    return _status(stripe_gateway.retrieve_connected_account(leader.stripe_account_id))


def _status(account: stripe_gateway.ConnectedAccount) -> dict:
    return {"stripe_account_id": account.id, "transfers_enabled": account.transfers_enabled,
            "details_submitted": account.details_submitted, "onboarding_url": None}


def start_onboarding(leader: Leader) -> dict:
    """Create the leader's Express account once (idempotent per leader), and a fresh onboarding
    link to Stripe's hosted form until they have completed it."""
    require_stripe()
    if leader.stripe_account_id is None:
        account = stripe_gateway.create_connected_account(leader_id=leader.id, email=leader.account.email,
                                                          country=current_app.config["STORE_COUNTRY"])
        # Only set if still unset: two clicks at once create one account (same idempotency key), stored once.
        db.session.execute(sa.update(Leader).where(Leader.id == leader.id, Leader.stripe_account_id.is_(None))
                           .values(stripe_account_id=account.id).execution_options(**payouts.NO_SYNC))
        db.session.commit()
        db.session.refresh(leader)
    status = account_status(leader)
    if not status["details_submitted"]:
        console = f"{current_app.config['PUBLIC_BASE_URL']}/leader"  # the leader console (static/)
        status["onboarding_url"] = stripe_gateway.onboarding_link(
            account_id=leader.stripe_account_id, refresh_url=f"{console}?payout-account=expired",
            return_url=f"{console}?payout-account=done")
    return status


def link_account(leader: Leader, stripe_account_id: str) -> dict:
    """The merchant links an account the leader already has (checked with Stripe first)."""
    require_stripe()
    try:
        account = stripe_gateway.retrieve_connected_account(stripe_account_id)
    except GatewayDeclined as exc:
        raise InvalidRequest(_("Stripe does not know this account"), code="payout_account_unknown",
                             details={"stripe": str(exc)}) from None
    taken = db.session.scalar(sa.select(Leader.id).where(Leader.stripe_account_id == account.id,
                                                         Leader.id != leader.id))
    if taken is not None:
        raise Conflict(_("That Stripe account is another leader's"), code="payout_account_taken")
    leader.stripe_account_id = account.id
    commit_unique("payout_account", code="payout_account_taken")  # linked elsewhere at the same moment
    return _status(account)
