"""The leader's earnings: balances and the journal lines behind them."""
from __future__ import annotations

from app.commissions import views
from blueprints.auth import Role, current_leader
from blueprints.leader import blp
from blueprints.pagination import RowPage
from blueprints.schemas.commissions import BalanceSchema, JournalLineSchema


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
