"""Merchant: the loyalty programme, tiers, points adjustments, coupon templates and issuing,
and the wallet's top-up bonus tiers."""
from __future__ import annotations

import sqlalchemy as sa

from app.coupons import services as coupons
from app.coupons.models import CouponTemplate
from app.errors import DomainError
from app.extensions import db
from app.loyalty import referrals
from app.loyalty import services as loyalty
from app.wallet import services as wallet
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.pagination import SQLPage
from blueprints.schemas.loyalty import (
    BonusTierSchema,
    CouponSchema,
    CouponTemplateSchema,
    IssueCouponsSchema,
    IssueResultSchema,
    PointsAdjustmentSchema,
    PointsEntrySchema,
    ProgramSchema,
    ProgramUpdateSchema,
    SocialValueSchema,
    TierSchema,
    TierUpdateSchema,
)
from blueprints.schemas.orders import IdempotencyHeaderSchema


@blp.route("/loyalty/program", methods=["GET"])
@blp.requires(Role.STAFF, "loyalty.read")
@blp.response(200, ProgramSchema)
def get_program():
    """Earning rate, point value and the share of an order points may pay"""
    row = loyalty.program()
    db.session.commit()
    return row


@blp.route("/loyalty/program", methods=["PATCH"])
@blp.requires(Role.STAFF, "loyalty.manage")
@blp.arguments(ProgramUpdateSchema)
@blp.response(200, ProgramSchema)
@blp.errors(404)
def update_program(changes):
    """Change the programme; applies to orders paid from now on"""
    return loyalty.update_program(changes)


@blp.route("/loyalty/tiers", methods=["GET"])
@blp.requires(Role.STAFF, "loyalty.read")
@blp.response(200, TierSchema(many=True))
def list_tiers():
    """Tiers by growth threshold"""
    return loyalty.tiers()


@blp.route("/loyalty/tiers", methods=["POST"])
@blp.requires(Role.STAFF, "loyalty.manage")
@blp.arguments(TierSchema)
@blp.response(201, TierSchema)
@blp.errors(409)
def create_tier(data):
    """Add a tier (unique name and growth threshold)"""
    return loyalty.create_tier(data)


@blp.route("/loyalty/tiers/<id:tier_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "loyalty.manage")
@blp.arguments(TierUpdateSchema)
@blp.response(200, TierSchema)
@blp.errors(404, 409)
def update_tier(changes, tier_id):
    """Change a tier; members' tiers follow at once (a tier is derived from growth points)"""
    return loyalty.update_tier(tier_id, changes)


@blp.route("/loyalty/tiers/<id:tier_id>", methods=["DELETE"])
@blp.requires(Role.STAFF, "loyalty.manage")
@blp.response(204)
@blp.errors(404)
def delete_tier(tier_id):
    """Remove a tier"""
    loyalty.delete_tier(tier_id)


@blp.route("/shoppers/<id:account_id>/points", methods=["POST"])
@blp.requires(Role.STAFF, "shoppers.points")
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(PointsAdjustmentSchema)
@blp.response(201, PointsEntrySchema)
@blp.errors(409)
def adjust_points(headers, data, account_id):
    """Adjust a member's points with a note (goodwill, corrections); once per Idempotency-Key"""
    return loyalty.adjust(account_id, data["delta"], data["note"], headers["idempotency_key"])


@blp.route("/shoppers/<id:account_id>/social-value", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.response(200, SocialValueSchema)
@blp.errors(404)
def shopper_social_value(account_id):
    """Direct and second-level referred shoppers of this shopper and their spend"""
    from app.accounts.models import Account
    from app.errors import not_found

    if db.session.get(Account, account_id) is None:
        raise not_found("shopper", id=account_id)
    return referrals.social_value(account_id)


@blp.route("/coupon-templates", methods=["GET"])
@blp.requires(Role.STAFF, "loyalty.read")
@blp.response(200, CouponTemplateSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_coupon_templates():
    """Coupon templates, newest first"""
    return sa.select(CouponTemplate).order_by(CouponTemplate.id.desc())


@blp.route("/coupon-templates", methods=["POST"])
@blp.requires(Role.STAFF, "coupons.manage")
@blp.arguments(CouponTemplateSchema)
@blp.response(201, CouponTemplateSchema)
@blp.errors(422)
def create_coupon_template(data):
    """Define a coupon: amount or percent off, minimum spend, validity, limits, products or categories"""
    return coupons.create_template(data)


@blp.route("/coupon-templates/<id:template_id>/deactivate", methods=["POST"])
@blp.requires(Role.STAFF, "coupons.manage")
@blp.response(200, CouponTemplateSchema)
@blp.errors(404)
def deactivate_coupon_template(template_id):
    """Stop issuing this coupon (coupons already issued stay usable)"""
    return coupons.set_active(template_id, False)


@blp.route("/coupon-templates/<id:template_id>/issue", methods=["POST"])
@blp.requires(Role.STAFF, "coupons.manage")
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(IssueCouponsSchema)
@blp.response(200, IssueResultSchema)
@blp.errors(404)
def issue_coupons(headers, data, template_id):
    """Give shoppers a coupon each. Per shopper, once per Idempotency-Key: a retry issues nothing
    twice; shoppers over a limit are listed under `refused` with the reason."""
    coupons.get_template(template_id)
    issued, refused = [], []
    for account_id in dict.fromkeys(data["account_ids"]):
        try:
            issued.append(coupons.issue_coupon(
                template_id, account_id, source="merchant",
                source_ref=f"merchant:{template_id}:{headers['idempotency_key']}:{account_id}"))
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            refused.append({"account_id": account_id, "code": error.code, "message": str(error.message)})
    return {"issued": issued, "refused": refused}


@blp.route("/coupons/<id:coupon_id>/void", methods=["POST"])
@blp.requires(Role.STAFF, "coupons.manage")
@blp.response(200, CouponSchema)
@blp.errors(404, 409)
def void_coupon(coupon_id):
    """Withdraw an unused coupon"""
    return coupons.void(coupon_id)


@blp.route("/wallet/bonus-tiers", methods=["GET"])
@blp.requires(Role.STAFF, "loyalty.read")
@blp.response(200, BonusTierSchema(many=True))
def list_bonus_tiers():
    """Top-up bonus tiers"""
    return wallet.bonus_tiers()


@blp.route("/wallet/bonus-tiers", methods=["POST"])
@blp.requires(Role.STAFF, "loyalty.manage")
@blp.arguments(BonusTierSchema)
@blp.response(201, BonusTierSchema)
@blp.errors(409)
def create_bonus_tier(data):
    """Top up at least min_amount_cents, get bonus_cents (the highest tier reached applies)"""
    return wallet.create_bonus_tier(data)


@blp.route("/wallet/bonus-tiers/<id:tier_id>", methods=["DELETE"])
@blp.requires(Role.STAFF, "loyalty.manage")
@blp.response(204)
@blp.errors(404)
def delete_bonus_tier(tier_id):
    """Remove a bonus tier (top-ups already started keep the bonus they were shown)"""
    wallet.delete_bonus_tier(tier_id)
