"""The shopper's stored-value wallet: balance, ledger, bonus tiers and top-ups through Stripe."""
from __future__ import annotations

from app.wallet import ledger
from app.wallet import services as wallet
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.loyalty import (
    BonusTierSchema,
    TopUpRequestSchema,
    TopUpSchema,
    WalletEntrySchema,
    WalletSchema,
)
from blueprints.schemas.orders import IdempotencyHeaderSchema
from blueprints.store import blp


@blp.route("/wallet", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, WalletSchema)
def my_wallet():
    """Your balance: principal (what you paid in) and bonus (what top-up tiers added)"""
    return ledger.balance(current_account().id)


@blp.route("/wallet/entries", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, WalletEntrySchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def my_wallet_entries():
    """Your wallet ledger, newest first: each entry with the balances after it"""
    return ledger.entries_of(current_account().id)


@blp.route("/wallet/bonus-tiers", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, BonusTierSchema(many=True))
def wallet_bonus_tiers():
    """Top up at least this much, get this bonus"""
    return wallet.bonus_tiers()


@blp.route("/wallet/top-ups", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(TopUpRequestSchema)
@blp.response(201, TopUpSchema)
@blp.errors(409, 422)
def start_top_up(headers, data):
    """Top up the wallet by card: confirm `client_secret` with Stripe.js; the wallet is credited
    (amount plus the bonus shown here) when Stripe reports the payment. Idempotent per key."""
    return wallet.start_top_up(current_account().id, data["amount_cents"], headers["idempotency_key"],
                               method=data["payment_method"])


@blp.route("/wallet/top-ups/<id:top_up_id>", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, TopUpSchema)
@blp.errors(404)
def my_top_up(top_up_id):
    """One top-up; asks Stripe for its state if still pending (in case a webhook is late)"""
    return wallet.refresh_top_up(current_account().id, top_up_id)
