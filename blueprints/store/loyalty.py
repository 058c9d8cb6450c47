"""Membership, points, the group's points ranking and coupons, for the shopper."""
from __future__ import annotations

from app.clock import local_now, store_tz
from app.coupons import services as coupons
from app.errors import NotFound
from app.extensions import db
from app.groups.bindings import current_binding
from app.i18n import _
from app.loyalty import ledger, member_day, referrals
from app.loyalty import services as loyalty
from app.members import birthday
from app.members import services as members
from app.members.models import Membership
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.privacy import mask_name
from blueprints.schemas.loyalty import (
    CouponSchema,
    JoinSchema,
    MembershipSchema,
    OptionalKeySchema,
    PointsEntrySchema,
    RankingQuerySchema,
    RankingSchema,
    SocialValueSchema,
    TierSchema,
)
from blueprints.store import blp
from blueprints.store.campaigns import _my_group_id


@blp.route("/membership", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(OptionalKeySchema, location="headers")
@blp.arguments(JoinSchema(), location="json", required=False)
@blp.response(200, MembershipSchema)
@blp.errors(409, 422)
def join_membership(headers, data):
    """Join (or renew) the store's membership: free, or for the programme's fee paid from your wallet
    (`payment_method: wallet`, with an Idempotency-Key). Members see members-only campaigns, the
    member zone and member prices, earn points on paid orders and climb tiers."""
    return members.join(current_account().id, payment_method=(data or {}).get("payment_method"),
                        key=headers.get("idempotency_key"))


@blp.route("/membership", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, MembershipSchema)
@blp.errors(404)
def my_membership():
    """Your membership: points balance, growth points, tier and what the next tier needs"""
    membership = db.session.get(Membership, current_account().id)
    if membership is None:
        raise NotFound(_("You are not a member yet"), code="not_a_member")
    return membership


@blp.route("/membership/tiers", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, TierSchema(many=True))
def membership_tiers():
    """The tiers and what each gives (discount, points multiplier, early access to new products)"""
    return loyalty.tiers()


@blp.route("/points/entries", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, PointsEntrySchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def my_points_entries():
    """Your points ledger, newest first: each entry with the balance after it"""
    return ledger.entries_of(current_account().id)


@blp.route("/points/ranking", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.arguments(RankingQuerySchema, location="query")
@blp.response(200, RankingSchema)
@blp.errors(404, 422)
def group_points_ranking(query):
    """This month's (or `month`'s) points ranking in your group: points earned, net of refunds"""
    group_id = _my_group_id()
    month = query["month"] or local_now().strftime("%Y-%m")
    start, end = loyalty.month_bounds(month, store_tz())
    me = current_account().id
    rows = [{"rank": n, "account_id": a, "name": name if a == me else mask_name(name), "points": points}
            for n, (a, name, points) in enumerate(loyalty.ranking(group_id, start, end), start=1)]
    return {"group_id": group_id, "month": month, "rows": rows}


@blp.route("/coupons", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, CouponSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def my_coupons():
    """Your coupons, soonest to expire first; use one at checkout with `coupon_id`. On your birthday
    this also hands over the store's birthday coupon if the sweep has not yet."""
    birthday.grant_if_birthday(current_account())
    binding = current_binding(current_account().id)
    member_day.grant(current_account().id, binding.group_id if binding else None)
    db.session.commit()
    return coupons.coupons_of(current_account().id)


@blp.route("/referrals", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, SocialValueSchema)
def my_referrals():
    """The shoppers you brought through your link, and those they brought: how many, what they spent"""
    return referrals.social_value(current_account().id)
