"""Wallet use cases: bonus tiers, top-ups through Stripe (credited once, on the provider's word),
paying an order from the wallet, and refunds back into it."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.i18n import _
from app.payments import stripe_gateway as gateway
from app.persistence import commit_unique
from app.wallet import ledger
from app.wallet.models import BonusTier, TopUp, TopUpStatus, WalletKind

NO_SYNC = {"synchronize_session": False}
MAX_TOP_UP_CENTS = 10_000_00  # one top-up; a stored-value wallet is not a bank account


def bonus_tiers() -> list[BonusTier]:
    return list(db.session.scalars(sa.select(BonusTier).order_by(BonusTier.min_amount_cents)))


def create_bonus_tier(data: dict[str, Any]) -> BonusTier:
    tier = BonusTier(**data)
    db.session.add(tier)
    commit_unique("bonus_tier", code="bonus_tier_exists")
    return tier


def delete_bonus_tier(tier_id: int) -> None:
    tier = db.session.get(BonusTier, tier_id)
    if tier is None:
        raise not_found("bonus_tier", id=tier_id)
    db.session.delete(tier)
    db.session.commit()


def bonus_for(amount_cents: int) -> int:
    return db.session.scalar(sa.select(BonusTier.bonus_cents).where(BonusTier.min_amount_cents <= amount_cents)
                             .order_by(BonusTier.min_amount_cents.desc()).limit(1)) or 0


def start_top_up(account_id: int, amount_cents: int, client_key: str, *, purpose: str = "wallet",
                 method: str = "card") -> TopUp:
    """A top-up and its Stripe PaymentIntent, once per (shopper, Idempotency-Key). The bonus is
    fixed now, so a tier changed meanwhile does not change what the shopper was shown. A
    membership top-up carries no bonus and pays the membership fee when it arrives."""
    from app.payments import methods

    method = methods.require(method, methods.top_up_methods())
    if amount_cents > MAX_TOP_UP_CENTS:
        raise InvalidRequest(_("Top-ups are limited"), code="top_up_too_large", details={"max_cents": MAX_TOP_UP_CENTS})
    top_up = db.session.scalar(sa.select(TopUp).where(TopUp.account_id == account_id, TopUp.client_key == client_key))
    if top_up is None:
        try:
            with db.session.begin_nested():
                bonus = bonus_for(amount_cents) if purpose == "wallet" else 0
                top_up = TopUp(account_id=account_id, amount_cents=amount_cents, bonus_cents=bonus,
                               status=TopUpStatus.PENDING, client_key=client_key, purpose=purpose, method=method)
                db.session.add(top_up)
        except IntegrityError:
            top_up = db.session.scalar(sa.select(TopUp).where(TopUp.account_id == account_id,
                                                              TopUp.client_key == client_key))
        db.session.commit()
    if top_up.amount_cents != amount_cents:
        raise Conflict(_("This Idempotency-Key was used for a different amount"), code="idempotency_key_reused")
    if top_up.provider_ref is None:
        top_up_id, amount, method = top_up.id, top_up.amount_cents, top_up.method or "card"
        db.session.rollback()  # no transaction open across the provider call
        back = f"{current_app.config['PUBLIC_BASE_URL']}/?top_up={top_up_id}#wallet"
        intent = gateway.create_top_up_intent(amount=amount, currency=current_app.config["STORE_CURRENCY"],
                                              top_up_id=top_up_id, method=method, return_url=back)
        db.session.execute(sa.update(TopUp).where(TopUp.id == top_up_id, TopUp.provider_ref.is_(None))
                           .values(provider_ref=intent.id, client_secret=intent.client_secret,
                                   next_action=intent.next_action)
                           .execution_options(**NO_SYNC))
        db.session.commit()
        top_up = db.session.get(TopUp, top_up_id, populate_existing=True)
    return top_up


def apply_top_up_success(top_up_id: int) -> bool:
    """Credit the wallet once: the status move is guarded and the entry's ref unique. No commit."""
    top_up = db.session.get(TopUp, top_up_id)
    if top_up is None:
        return False
    if not db.session.execute(
            sa.update(TopUp).where(TopUp.id == top_up_id, TopUp.status != TopUpStatus.SUCCEEDED)
            .values(status=TopUpStatus.SUCCEEDED, succeeded_at=utcnow(), failure_message=None)
            .execution_options(**NO_SYNC)).rowcount:
        return False
    ledger.post(top_up.account_id, WalletKind.TOP_UP, top_up.amount_cents, top_up.bonus_cents,
                ref=f"top-up:{top_up_id}", top_up_id=top_up_id,
                note=f"top-up of {top_up.amount_cents} with {top_up.bonus_cents} bonus")
    if top_up.purpose == "membership":
        from app.members.services import pay_fee_from_wallet

        pay_fee_from_wallet(top_up.account_id, ref=f"membership:top-up:{top_up_id}", fee=top_up.amount_cents)
    return True


def apply_top_up_failure(top_up_id: int, message: str | None) -> bool:
    return bool(db.session.execute(
        sa.update(TopUp).where(TopUp.id == top_up_id, TopUp.status == TopUpStatus.PENDING)
        .values(status=TopUpStatus.FAILED, failure_message=(message or "payment failed")[:500])
        .execution_options(**NO_SYNC)).rowcount)


def refresh_top_up(account_id: int, top_up_id: int) -> TopUp:
    """Ask Stripe how the top-up stands (the shopper's page after paying; a lost webhook)."""
    top_up = own_top_up(account_id, top_up_id)
    if top_up.status is TopUpStatus.SUCCEEDED or not top_up.provider_ref:
        return top_up
    ref = top_up.provider_ref
    db.session.rollback()
    intent = gateway.retrieve_intent(ref)
    if intent.status == "succeeded":
        apply_top_up_success(top_up_id)
    elif intent.error_message:
        apply_top_up_failure(top_up_id, intent.error_message)
    db.session.commit()
    return db.session.get(TopUp, top_up_id, populate_existing=True)


def pending_membership_top_up(account_id: int) -> TopUp | None:
    return db.session.scalar(sa.select(TopUp).where(
        TopUp.account_id == account_id, TopUp.purpose == "membership", TopUp.status == TopUpStatus.PENDING)
        .order_by(TopUp.id.desc()).limit(1))


def own_top_up(account_id: int, top_up_id: int) -> TopUp:
    top_up = db.session.get(TopUp, top_up_id)
    if top_up is None or top_up.account_id != account_id:
        raise not_found("top_up", id=top_up_id)
    return top_up


def top_up_by_intent(intent_id: str | None, top_up_id: str | None) -> TopUp | None:
    top_up = None
    if intent_id:
        top_up = db.session.scalar(sa.select(TopUp).where(TopUp.provider_ref == intent_id))
    if top_up is None and top_up_id and top_up_id.isdigit():
        top_up = db.session.get(TopUp, int(top_up_id))
        if top_up is not None and top_up.provider_ref not in (None, intent_id):
            top_up = None
    return top_up
