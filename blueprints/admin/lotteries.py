from __future__ import annotations

from app.lotteries import drawing
from app.lotteries import services as lotteries
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.lotteries import (
    AdminLotteryEntrySchema,
    LotteryEntryQuerySchema,
    LotteryInputSchema,
    LotteryQuerySchema,
    LotterySchema,
    LotteryUpdateSchema,
    PrizeIssueResultSchema,
)


@blp.route("/lotteries", methods=["GET"])
@blp.requires(Role.STAFF, "lotteries.read")
@blp.arguments(LotteryQuerySchema, location="query")
@blp.response(200, LotterySchema(many=True))
@blp.paginate(SQLPage, page_size=20)
def list_lotteries(query):
    """Lotteries, latest deadline first; filter by group and status. `phase` comes from the clock."""
    return lotteries.list_lotteries(**query)


@blp.route("/lotteries", methods=["POST"])
@blp.requires(Role.STAFF, "lotteries.manage")
@blp.arguments(LotteryInputSchema)
@blp.response(201, LotterySchema)
@blp.errors(422)
def create_lottery(data):
    """Create a draft lottery for a group (times without an offset are store-local)"""
    return lotteries.create(data, current_account().id)


@blp.route("/lotteries/<id:lottery_id>", methods=["GET"])
@blp.requires(Role.STAFF, "lotteries.read")
@blp.response(200, LotterySchema)
@blp.errors(404)
def get_lottery(lottery_id):
    """One lottery (its seed only once drawn)"""
    return lotteries.get_lottery(lottery_id)


@blp.route("/lotteries/<id:lottery_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "lotteries.manage")
@blp.arguments(LotteryUpdateSchema)
@blp.response(200, LotterySchema)
@blp.errors(404, 409, 422)
def update_lottery(changes, lottery_id):
    """Edit a draft (prizes are replaced as a whole)"""
    return lotteries.update(lotteries.get_lottery(lottery_id), changes)


@blp.route("/lotteries/<id:lottery_id>/publish", methods=["POST"])
@blp.requires(Role.STAFF, "lotteries.manage")
@blp.response(200, LotterySchema)
@blp.errors(404, 409, 422)
def publish_lottery(lottery_id):
    """Publish: the secret seed is drawn and its SHA-256 published; the lottery can no longer change"""
    return lotteries.publish(lotteries.get_lottery(lottery_id))


@blp.route("/lotteries/<id:lottery_id>/cancel", methods=["POST"])
@blp.requires(Role.STAFF, "lotteries.manage")
@blp.response(200, LotterySchema)
@blp.errors(404, 409)
def cancel_lottery(lottery_id):
    """Cancel a draft, or a published lottery before entries close (after the close it must be drawn)"""
    return lotteries.cancel(lotteries.get_lottery(lottery_id))


@blp.route("/lotteries/<id:lottery_id>/draw", methods=["POST"])
@blp.requires(Role.STAFF, "lotteries.manage")
@blp.response(200, LotterySchema)
@blp.errors(404, 409)
def draw_lottery(lottery_id):
    """Draw the winners once entries have closed and reveal the seed; winners are notified and get their
    prize coupons. Idempotent: drawing again returns the same result and changes nothing."""
    return drawing.draw_lottery(lottery_id)


@blp.route("/lotteries/<id:lottery_id>/issue-prizes", methods=["POST"])
@blp.requires(Role.STAFF, "lotteries.manage")
@blp.response(200, PrizeIssueResultSchema)
@blp.errors(404)
def issue_prizes(lottery_id):
    """Issue the prize coupons still owed, retrying those that failed (e.g. after raising a template's limit)"""
    lotteries.get_lottery(lottery_id)
    return drawing.issue_prizes(lottery_id, retry_failed=True)


@blp.route("/lotteries/<id:lottery_id>/entries", methods=["GET"])
@blp.requires(Role.STAFF, "lotteries.read")
@blp.arguments(LotteryEntryQuerySchema, location="query")
@blp.response(200, AdminLotteryEntrySchema(many=True))
@blp.paginate(SQLPage, page_size=50)
@blp.errors(404)
def list_entries(query, lottery_id):
    """Entries by entry number; `won=true`: the winners in the order drawn, with their prizes and coupons"""
    lotteries.get_lottery(lottery_id)
    return lotteries.entries_of(lottery_id, query.get("won"))
