"""Joining the membership: free, or for a fee paid from the wallet (app/wallet), for the
programme's membership_days; renewing a paid membership extends it from its current end."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.errors import InvalidRequest
from app.extensions import db
from app.members.models import Membership


def is_member(account_id: int) -> bool:
    membership = db.session.get(Membership, account_id)
    return membership is not None and membership.active_at(utcnow())


def join(account_id: int, *, payment_method: str | None = None, key: str | None = None) -> Membership:
    """Join (or renew). Free: joining twice is a no-op. With a fee: paid from the wallet, once per
    Idempotency-Key; the membership runs membership_days from now, or from its current end."""
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
    if payment_method != "wallet" or not key:
        raise InvalidRequest("Membership costs a fee: pay it from your wallet (payment_method 'wallet' and an "
                             "Idempotency-Key header)", code="membership_fee_required",
                             details={"fee_cents": fee, "days": prog.membership_days})
    from app.wallet import ledger as wallet

    ref = f"membership:{account_id}:{key}"
    if wallet.entry_by_ref(ref) is None:
        db.session.refresh(membership, with_for_update=True)  # one renewal at a time per shopper
        wallet.spend(account_id, fee, ref=ref)
        start = max(membership.expires_at or utcnow(), utcnow()) if membership.is_active else utcnow()
        membership.is_active, membership.expires_at = True, start + dt.timedelta(days=prog.membership_days)
    db.session.commit()
    return membership
