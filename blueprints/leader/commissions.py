"""The leader's earnings: balances, the journal lines behind them, and payouts."""
from __future__ import annotations

from app.commissions import payouts, performance, stripe_payouts, views
from blueprints.auth import Role, current_leader
from blueprints.leader import blp
from blueprints.pagination import RowPage, SQLPage
from blueprints.schemas.commissions import (
    BalanceSchema,
    JournalLineSchema,
    PayoutAccountSchema,
    PayoutRequestSchema,
    PayoutSchema,
    PerformanceQuerySchema,
    PerformanceSchema,
)
from blueprints.schemas.orders import IdempotencyHeaderSchema


@blp.route("/commissions", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, BalanceSchema)
def my_commission():
    """Your commission: pending (earned, in the after-sale window), available (withdrawable),
    paid out"""
    return views.balance_of(current_leader().account_id)


@blp.route("/commissions/entries", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, JournalLineSchema(many=True))
@blp.paginate(RowPage, page_size=50)
def my_commission_entries():
    """Every movement of your commission, newest first, with its order, product, rule and rate"""
    return views.lines_of(current_leader().account_id)


@blp.route("/payouts", methods=["POST"])
@blp.requires(Role.LEADER)
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(PayoutRequestSchema)
@blp.response(201, PayoutSchema)
@blp.errors(409, 422)
def request_payout(headers, data):
    """Withdraw available commission (at least the minimum; the payout fee is deducted). The
    amount is set aside at once; the merchant approves it. Once per Idempotency-Key."""
    return payouts.request(current_leader(), data["amount_cents"], headers["idempotency_key"])


@blp.route("/payouts", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, PayoutSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def my_payouts():
    """Your payouts, newest first"""
    return payouts.of_account(current_leader().account_id)


@blp.route("/payout-account", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, PayoutAccountSchema)
@blp.errors(404, 409)
def my_payout_account():
    """Your Stripe account for payouts, as Stripe sees it now (404 until you set one up)"""
    return stripe_payouts.account_status(current_leader())


@blp.route("/payout-account", methods=["POST"])
@blp.requires(Role.LEADER)
@blp.response(200, PayoutAccountSchema)
@blp.errors(409)
def set_up_payout_account():
    """Set up payouts by Stripe: creates your connected account (once) and returns a link to
    Stripe's onboarding form; call again for a fresh link until onboarding is complete"""
    return stripe_payouts.start_onboarding(current_leader())


@blp.route("/performance", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.arguments(PerformanceQuerySchema, location="query")
@blp.response(200, PerformanceSchema(many=True))
def my_performance(query):
    """Your numbers for a month (one row, or none without paid orders)"""
    start, end = performance.month_window(query["month"])
    return performance.performance(start, end, current_leader().id)
