"""Joining the membership: free, or for a fee paid from the wallet or by card (a top-up of the
fee that pays it on arrival), for the programme's membership_days; renewing a paid membership
extends it from its current end."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.errors import InvalidRequest
from app.extensions import db
from app.i18n import _
from app.members.models import Membership


def is_member(account_id: int) -> bool:
    membership = db.session.get(Membership, account_id)
    return membership is not None and membership.active_at(utcnow())


def join(account_id: int, *, payment_method: str | None = None, key: str | None = None) -> Membership:
    """Join (or renew). Free: joining twice is a no-op. With a fee: paid from the wallet at once, or
    by card (active when Stripe reports the payment), once per Idempotency-Key."""
    from app.loyalty.services import program

    prog = program()
    fee = prog.membership_fee_cents
    membership = db.session.get(Membership, account_id)
    if membership is None:
        try:
            with db.session.begin_nested():
                membership = Membership(account_id=account_id, is_active=fee == 0,
                                        expires_at=None if fee == 0 else utcnow())
                db.session.add(membership)
        except IntegrityError:
            membership = db.session.get(Membership, account_id)
    if fee == 0:
        membership.is_active, membership.expires_at = True, None
        db.session.commit()
        return membership
    if payment_method not in ("wallet", "stripe", "card", "wechat_pay", "alipay") or not key:
        raise InvalidRequest(_("Membership costs a fee: pay it from your wallet, by card, WeChat Pay or Alipay "
                               "(payment_method 'wallet', 'card', 'wechat_pay' or 'alipay', with an Idempotency-Key "
                               "header)"), code="membership_fee_required",
                             details={"fee_cents": fee, "days": prog.membership_days})
    db.session.commit()
    if payment_method != "wallet":
        # A top-up of exactly the fee that pays the fee when Stripe reports it (app/wallet/services.py).
        from app.wallet.services import start_top_up

        start_top_up(account_id, fee, f"membership:{key}", purpose="membership", method=payment_method)
        return db.session.get(Membership, account_id)
    pay_fee_from_wallet(account_id, ref=f"membership:{account_id}:{key}")
    db.session.commit()
    return db.session.get(Membership, account_id)


def pay_fee_from_wallet(account_id: int, *, ref: str, fee: int | None = None) -> None:
    """Take the fee (the programme's, or the one fixed when a card payment for it started) from the
    wallet, once per ref, and run the membership membership_days on from now, or from its current
    end when renewing early. No commit."""
    from app.loyalty.services import program
    from app.wallet import ledger as wallet

    prog = program()
    membership = db.session.scalar(  # one renewal at a time per shopper: the ref is checked under it
        sa.select(Membership).where(Membership.account_id == account_id).with_for_update()
        .execution_options(populate_existing=True))
    if wallet.entry_by_ref(ref) is not None:
        return
    if membership is None:
        membership = Membership(account_id=account_id, is_active=False)
        db.session.add(membership)
        db.session.flush()
    fee = prog.membership_fee_cents if fee is None else fee
    if fee > 0:
        wallet.spend(account_id, fee, ref=ref)
    now = utcnow()
    start = max(membership.expires_at, now) if (membership.is_active and membership.expires_at) else now
    membership.is_active, membership.expires_at = True, start + dt.timedelta(days=prog.membership_days)
