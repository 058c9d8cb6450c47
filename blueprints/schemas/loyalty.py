"""Schemas for membership standing, points, tiers, coupons and the wallet."""
from __future__ import annotations

import marshmallow as ma

from app.coupons.models import CouponKind
from app.coupons.services import shown_status
from app.i18n import gettext_now
from blueprints import fields as f
from blueprints.schemas.common import NextActionSchema, QuerySchema, Schema, currency_field


class TierSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    min_growth = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=10**12),
                                   metadata={"description": "Growth points needed to reach this tier"})
    discount_bps = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=5000),
                                     metadata={"description": "Off regular-priced items, in basis points"})
    points_multiplier_pct = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=100, max=1000),
                                              metadata={"description": "150 earns 1.5× points"})
    early_access_hours = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=720),
                                           metadata={"description": "Hours before everyone on new products"})


class TierUpdateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    min_growth = ma.fields.Integer(validate=ma.validate.Range(min=0, max=10**12))
    discount_bps = ma.fields.Integer(validate=ma.validate.Range(min=0, max=5000))
    points_multiplier_pct = ma.fields.Integer(validate=ma.validate.Range(min=100, max=1000))
    early_access_hours = ma.fields.Integer(validate=ma.validate.Range(min=0, max=720))


class ProgramSchema(Schema):
    points_per_unit = ma.fields.Integer(validate=ma.validate.Range(min=0, max=1000),
                                        metadata={"description": "Points per whole currency unit paid"})
    point_value_cents = ma.fields.Integer(validate=ma.validate.Range(min=1, max=10_000),
                                          metadata={"description": "What one redeemed point takes off"})
    max_redeem_bps = ma.fields.Integer(validate=ma.validate.Range(min=0, max=10_000),
                                       metadata={"description": "Share of an order points may pay"})
    referral_reward_points = ma.fields.Integer(validate=ma.validate.Range(min=0, max=1_000_000),
                                               metadata={"description": "To the referrer (if a member) for a "
                                                                        "referred shopper's first paid order"})
    referral_coupon_template_id = f.Id(allow_none=True,
                                                    metadata={"description": "Coupon to the referrer, same moment"})
    new_product_member_hours = ma.fields.Integer(validate=ma.validate.Range(min=0, max=720),
                                                 metadata={"description": "Members buy new products this early"})
    membership_fee_cents = ma.fields.Integer(validate=ma.validate.Range(min=0, max=10**8),
                                             metadata={"description": "0: joining is free; else paid from the wallet"})
    membership_days = ma.fields.Integer(validate=ma.validate.Range(min=1, max=3660),
                                        metadata={"description": "How long a paid membership runs"})


class ProgramUpdateSchema(ProgramSchema):
    """The PATCH body: Program's fields, each optional. A name of its own, so that the answer's schema
    (Program) can say which fields it always has."""


class JoinSchema(Schema):
    payment_method = f.Choice(["wallet", "card", "stripe", "wechat_pay", "alipay"], load_default=None,
                              allow_none=True,
                              metadata={"description": "For a paid membership: from the wallet (at once), or online "
                                                       "(one of client-config top_up_methods; pending_payment then "
                                                       "carries client_secret and next_action)"})


class OptionalKeySchema(QuerySchema):
    idempotency_key = ma.fields.String(data_key="Idempotency-Key", load_default=None, validate=ma.validate.Length(
        min=1, max=255), metadata={"description": "Needed to pay a membership fee (once per key)"})


class SocialValueSchema(Schema):
    account_id = ma.fields.Integer()
    direct_shoppers = ma.fields.Integer(metadata={"description": "Shoppers this one referred (first touch)"})
    direct_spend_cents = ma.fields.Integer(metadata={"description": "Their lifetime spend, net of refunds"})
    second_level_shoppers = ma.fields.Integer()
    second_level_spend_cents = ma.fields.Integer()


class MembershipSchema(Schema):
    account_id = ma.fields.Integer()
    is_active = ma.fields.Boolean()
    active = ma.fields.Boolean(metadata={"description": "Active now (a paid membership lapses)"})
    expires_at = ma.fields.DateTime(allow_none=True, metadata={"description": "A paid membership's end"})
    created_at = ma.fields.DateTime()
    points_balance = ma.fields.Integer()
    growth_points = ma.fields.Integer()
    tier = ma.fields.Nested(TierSchema, allow_none=True)
    next_tier = ma.fields.Nested(TierSchema, allow_none=True)
    points_to_next_tier = ma.fields.Integer(allow_none=True)
    pending_payment = ma.fields.Dict(allow_none=True, metadata={
        "description": "A membership fee being paid by card: {top_up_id, amount_cents, client_secret}"})

    @ma.pre_dump
    def _derive(self, membership, **_):
        """Tier, next tier and a pending card payment, each looked up once."""
        from app.db import utcnow
        from app.loyalty.services import next_tier, tier_for
        from app.payments.methods import next_action_view
        from app.wallet.services import pending_membership_top_up

        growth = membership.growth_points
        upcoming = next_tier(growth)
        top_up = pending_membership_top_up(membership.account_id)
        return {"account_id": membership.account_id, "is_active": membership.is_active,
                "active": membership.active_at(utcnow()), "expires_at": membership.expires_at,
                "created_at": membership.created_at, "points_balance": membership.points_balance,
                "growth_points": growth, "tier": tier_for(growth), "next_tier": upcoming,
                "points_to_next_tier": upcoming.min_growth - growth if upcoming else None,
                "pending_payment": None if top_up is None else {
                    "top_up_id": top_up.id, "amount_cents": top_up.amount_cents, "client_secret": top_up.client_secret,
                    "method": top_up.method or "card", "next_action": next_action_view(top_up.next_action)}}


class PointsEntrySchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    delta = ma.fields.Integer()
    balance_after = ma.fields.Integer()
    growth_delta = ma.fields.Integer()
    growth_after = ma.fields.Integer()
    order_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class PointsAdjustmentSchema(Schema):
    delta = ma.fields.Integer(required=True, validate=[ma.validate.Range(min=-10**9, max=10**9),
                                                       ma.validate.NoneOf([0], error="must not be zero")])
    note = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class RankingQuerySchema(QuerySchema):
    month = ma.fields.String(load_default=None, validate=ma.validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                             metadata={"description": "YYYY-MM in the store timezone; default this month"})


class RankingRowSchema(Schema):
    rank = ma.fields.Integer()
    account_id = ma.fields.Integer()
    name = ma.fields.String()
    points = ma.fields.Integer()


class RankingSchema(Schema):
    group_id = ma.fields.Integer()
    month = ma.fields.String()
    rows = ma.fields.List(ma.fields.Nested(RankingRowSchema))


class CouponTemplateSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    kind = f.Choice([k.value for k in CouponKind], required=True)
    amount_off_cents = ma.fields.Integer(load_default=None, allow_none=True,
                                         validate=ma.validate.Range(min=1, max=10**9))
    percent_off = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=100))
    min_spend_cents = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=10**9))
    valid_from = ma.fields.AwareDateTime(load_default=None, allow_none=True)
    valid_until = ma.fields.AwareDateTime(load_default=None, allow_none=True)
    valid_days = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=3650),
                                   metadata={"description": "Valid this many days from issue (capped by valid_until)"})
    per_person_limit = f.Int(1, 1_000_000, load_default=None, allow_none=True)
    total_limit = f.Int(1, 100_000_000, load_default=None, allow_none=True)
    product_ids = ma.fields.List(f.Id(), load_default=list,
                                 validate=ma.validate.Length(max=200))
    category_ids = ma.fields.List(f.Id(), load_default=list,
                                  validate=ma.validate.Length(max=200))
    issued_count = ma.fields.Integer(dump_only=True)
    is_active = ma.fields.Boolean(dump_only=True)

    @ma.post_dump(pass_original=True)
    def _ids(self, data, template, **_):
        data["product_ids"] = [p.id for p in template.products]
        data["category_ids"] = [c.id for c in template.categories]
        return data

    @ma.validates_schema
    def _shape(self, data, **_):
        if data["kind"] == CouponKind.AMOUNT and (data["amount_off_cents"] is None or data["percent_off"] is not None):
            raise ma.ValidationError(gettext_now("An amount coupon has amount_off_cents and no percent_off"),
                                     "amount_off_cents")
        if data["kind"] == CouponKind.PERCENT and (data["percent_off"] is None or data["amount_off_cents"] is not None):
            raise ma.ValidationError(gettext_now("A percent coupon has percent_off and no amount_off_cents"),
                                     "percent_off")
        if data["valid_days"] is None and data["valid_until"] is None:
            raise ma.ValidationError(gettext_now("Give valid_days, valid_until or both"), "valid_days")
        if data["valid_from"] and data["valid_until"] and data["valid_from"] >= data["valid_until"]:
            raise ma.ValidationError(gettext_now("valid_from must be before valid_until"), "valid_until")


class IssueCouponsSchema(Schema):
    account_ids = ma.fields.List(f.Id(), required=True,
                                 validate=ma.validate.Length(min=1, max=500))


class CouponSchema(Schema):
    id = ma.fields.Integer()
    template_id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    name = f.Function(lambda c: c.template.name, returns=ma.fields.String())
    kind = f.Function(lambda c: c.template.kind.value, returns=ma.fields.String())
    amount_off_cents = f.Function(lambda c: c.template.amount_off_cents, allow_none=True, returns=ma.fields.Integer())
    percent_off = f.Function(lambda c: c.template.percent_off, allow_none=True, returns=ma.fields.Integer())
    min_spend_cents = f.Function(lambda c: c.template.min_spend_cents, returns=ma.fields.Integer())
    product_ids = f.Function(lambda c: [p.id for p in c.template.products], returns=ma.fields.List(ma.fields.Integer()))
    category_ids = f.Function(lambda c: [x.id for x in c.template.categories],
                              returns=ma.fields.List(ma.fields.Integer()))
    status = f.Function(lambda c: shown_status(c),
                        metadata={"enum": ["available", "not_yet_valid", "expired", "used", "void"]},
                        returns=ma.fields.String())
    valid_from = ma.fields.DateTime()
    valid_until = ma.fields.DateTime()
    source = f.Function(lambda c: c.source.value, returns=ma.fields.String())
    order_id = ma.fields.Integer(allow_none=True)
    used_at = ma.fields.DateTime(allow_none=True)


class IssueResultSchema(Schema):
    issued = ma.fields.List(ma.fields.Nested(CouponSchema))
    refused = ma.fields.List(ma.fields.Dict(), metadata={"description": "{account_id, code, message} per refusal"})


class WalletSchema(Schema):
    principal_cents = ma.fields.Integer()
    bonus_cents = ma.fields.Integer()
    total_cents = ma.fields.Integer()
    currency = currency_field()


class WalletEntrySchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    principal_delta = ma.fields.Integer()
    bonus_delta = ma.fields.Integer()
    principal_after = ma.fields.Integer()
    bonus_after = ma.fields.Integer()
    order_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class BonusTierSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    min_amount_cents = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=10**9))
    bonus_cents = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=10**9))


class TopUpRequestSchema(Schema):
    amount_cents = ma.fields.Integer(required=True, validate=ma.validate.Range(min=100, max=10**9))
    payment_method = f.Choice(["card", "stripe", "wechat_pay", "alipay"], load_default="card",
                              metadata={"description": "One of client-config top_up_methods"})


class TopUpSchema(Schema):
    id = ma.fields.Integer()
    amount_cents = ma.fields.Integer()
    bonus_cents = ma.fields.Integer()
    status = f.Function(lambda t: t.status.value, returns=ma.fields.String())
    client_secret = ma.fields.String(allow_none=True, metadata={"description": "Confirm with Stripe.js"})
    method = f.Function(lambda t: t.method or "card", returns=ma.fields.String())
    next_action = f.Function(lambda t: _next_action(t.next_action) if t.status.value == "pending" else None,
                             allow_none=True, metadata={"description": "WeChat Pay QR / Alipay redirect, as on "
                                                                               "an order's payment"},
                             returns=ma.fields.Nested(NextActionSchema))
    failure_message = f.Function(lambda t: _shopper_failure() if t.status.value == "failed" else None,
                                 allow_none=True, returns=ma.fields.String())
    succeeded_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


def _next_action(action):
    from app.payments.methods import next_action_view

    return next_action_view(action)


def _shopper_failure():
    from app.payments.stripe_gateway import shopper_message

    return shopper_message(None)
