from __future__ import annotations

from app.errors import NotFound
from app.i18n import _
from app.lotteries import drawing
from app.lotteries import services as lotteries
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.lotteries import LotteryAuditSchema, LotteryEntrySchema, StoreLotterySchema
from blueprints.store import blp


@blp.route("/lotteries", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StoreLotterySchema(many=True))
@blp.paginate(SQLPage, page_size=20)
@blp.errors(404)
def my_lotteries():
    """Your group's lotteries: open, closed, drawn (with your entry and result)"""
    return lotteries.visible_to_group(lotteries.group_of(current_account().id))


@blp.route("/lotteries/<id:lottery_id>", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StoreLotterySchema)
@blp.errors(404)
def my_lottery(lottery_id):
    """One lottery of your group"""
    return lotteries.get_visible(lottery_id, lotteries.group_of(current_account().id))


@blp.route("/lotteries/<id:lottery_id>/enter", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.response(200, LotteryEntrySchema)
@blp.errors(404, 409)
def enter_lottery(lottery_id):
    """Enter before the deadline, if the entry rule allows (403 says why not). Once per shopper: entering
    again returns your entry."""
    account_id = current_account().id
    lotteries.get_visible(lottery_id, lotteries.group_of(account_id))
    return lotteries.enter(lottery_id, account_id)


@blp.route("/lotteries/<id:lottery_id>/entry", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, LotteryEntrySchema)
@blp.errors(404)
def my_entry(lottery_id):
    """Your entry and its result (pending until the draw; then won with the prize, or not_won)"""
    account_id = current_account().id
    entry = lotteries.entry_of(lottery_id, account_id)
    if entry is None:
        lotteries.get_visible(lottery_id, lotteries.group_of(account_id))
        raise NotFound(_("You have not entered this lottery"), code="not_entered")
    return entry


@blp.route("/lotteries/<id:lottery_id>/audit", methods=["GET"])
@blp.response(200, LotteryAuditSchema)
@blp.errors(404)
def lottery_audit(lottery_id):
    """Public audit record: the seed hash (committed at publication), the entry list (entry numbers and
    tickets), and once drawn the seed and the winners, so anyone can recompute the draw
    (scripts/verify_lottery.py, docs/lotteries.md). No login needed."""
    lottery = lotteries.get_lottery(lottery_id)
    if lottery.seed_hash is None:  # a draft (or one cancelled before publication) has nothing public
        raise NotFound(_("Lottery not found"), code="lottery_not_found", details={"id": lottery_id})
    return drawing.audit_record(lottery)
