from __future__ import annotations

import datetime as dt

import marshmallow as ma

from app.campaigns import groupbuy, presale
from app.campaigns import stock as campaign_stock
from app.campaigns.models import BalancePolicy, CampaignKind, Review, Threshold, ThresholdScope
from app.campaigns.phases import Phase, phase, window
from app.clock import store_tz
from app.db import utcnow
from app.i18n import gettext_now
from blueprints import fields as f
from blueprints import sort_keys
from blueprints.schemas.common import QuerySchema, Schema, WindowSchema
from blueprints.schemas.content import Localized, Translations, localized_of


class LocalDateTime(ma.fields.DateTime):
    """ISO 8601; without an offset it is read as the store's local time. Always stored as UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=store_tz())
        if not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= parsed <= dt.datetime(2100, 1, 1, tzinfo=dt.UTC):
            raise ma.ValidationError(gettext_now("Must be between 2000 and 2100."))
        return parsed.astimezone(dt.UTC)


class CampaignItemInputSchema(Schema):
    sku_id = f.Id(required=True)
    campaign_price_cents = f.Cents(required=True)
    stock_total = f.Int(0, 10_000_000, allow_none=True,
                        metadata={"description": "Campaign stock, apart from regular stock (null for member days)"})
    deposit_cents = f.Cents(allow_none=True, metadata={"description": "Pre-sale: deposit per unit"})
    deposit_value_cents = f.Cents(allow_none=True, metadata={"description": "Pre-sale: what the deposit counts for"})
    points_multiplier = f.Int(1, 10, allow_none=True,
                              metadata={"description": "Member day: members earn this many times the points"})


class CampaignInputSchema(Schema):
    kind = f.Choice(CampaignKind, required=True)
    name = f.name(120, required=True)
    description = f.Str(max_length=2000, allow_none=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    warmup_minutes = f.Int(0, 10_080)
    all_groups = ma.fields.Boolean()
    group_ids = ma.fields.List(f.Id(), validate=ma.validate.Length(max=500))
    members_only = ma.fields.Boolean()
    per_person_limit = f.Int(1, 10_000, allow_none=True)
    stackable = ma.fields.Boolean()
    hold_minutes = f.Int(1, 1440)
    balance_starts_at = LocalDateTime(allow_none=True)
    balance_ends_at = LocalDateTime(allow_none=True)
    balance_policy = f.Choice(BalancePolicy, allow_none=True)
    ship_date = ma.fields.Date(allow_none=True)
    threshold_kind = f.Choice(Threshold, allow_none=True)
    threshold = f.Int(1, 1_000_000, allow_none=True)
    threshold_scope = f.Choice(ThresholdScope, allow_none=True)
    day_of_month = f.Int(1, 28, allow_none=True)
    coupon_template_id = f.Id(allow_none=True, metadata={"description": "Member days: a coupon every member "
                                                                         "gets on the day"})
    items = ma.fields.List(ma.fields.Nested(CampaignItemInputSchema), validate=ma.validate.Length(max=100))
    translations = Translations("campaign")


class CampaignUpdateSchema(CampaignInputSchema):
    kind = f.Choice(CampaignKind)
    name = f.name(120)
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()


class CampaignItemSchema(Schema):
    id = ma.fields.Integer()
    sku_id = ma.fields.Integer()
    product_name = f.Function(lambda i: localized_of(i.sku.product, "name"), returns=ma.fields.String())
    sku_name = f.Function(lambda i: localized_of(i.sku, "name"), returns=ma.fields.String())
    list_price_cents = f.Function(lambda i: i.sku.price_cents, returns=ma.fields.Integer())
    campaign_price_cents = ma.fields.Integer()
    stock_total = ma.fields.Integer(allow_none=True)
    stock_left = f.Method("_left", allow_none=True, returns=ma.fields.Integer())
    deposit_cents = ma.fields.Integer(allow_none=True)
    deposit_value_cents = ma.fields.Integer(allow_none=True)
    points_multiplier = ma.fields.Integer(allow_none=True)
    balance_cents = f.Method("_balance", allow_none=True,
                             metadata={"description": "Pre-sale: what is left to pay after the deposit"},
                             returns=ma.fields.Integer())

    def _left(self, item):
        if item.stock_total is None or item.campaign.review is not Review.APPROVED:
            return None
        total, reserved, sold = campaign_stock.counts(item.id)
        return max(total - reserved - sold, 0)

    def _balance(self, item):
        return presale.unit_price(item) - item.deposit_cents if item.deposit_cents else None


class ProgressSchema(Schema):
    participants = ma.fields.Integer()
    units = ma.fields.Integer()
    threshold = ma.fields.Integer()
    counted = ma.fields.String()
    current = ma.fields.Integer()
    outcome = ma.fields.String()


class StoreCampaignSchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    name = Localized("name", metadata={"description": "In the reader's language when translated"})
    description = Localized("description", allow_none=True)
    phase = f.Function(lambda c: phase(c, utcnow()).value, returns=ma.fields.String())
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime()
    next_window = f.Method("_window", allow_none=True, returns=ma.fields.Nested(WindowSchema))
    seconds_to_start = f.Method("_countdown", allow_none=True,
                                metadata={"description": "Countdown while warming up or scheduled"},
                                returns=ma.fields.Integer())
    members_only = ma.fields.Boolean()
    per_person_limit = ma.fields.Integer(allow_none=True)
    stackable = ma.fields.Boolean()
    balance_starts_at = ma.fields.DateTime(allow_none=True)
    balance_ends_at = ma.fields.DateTime(allow_none=True)
    ship_date = ma.fields.Date(allow_none=True)
    day_of_month = ma.fields.Integer(allow_none=True)
    coupon_template_id = ma.fields.Integer(allow_none=True)
    items = ma.fields.List(ma.fields.Nested(CampaignItemSchema))
    group_buy = f.Method("_progress", allow_none=True, returns=ma.fields.Nested(ProgressSchema))

    def _window(self, campaign):
        current = window(campaign, utcnow())
        return {"start": current[0].isoformat(), "end": current[1].isoformat()} if current else None

    def _countdown(self, campaign):
        current = window(campaign, utcnow())
        if current is None or phase(campaign, utcnow()) not in (Phase.SCHEDULED, Phase.WARMING_UP):
            return None
        return int((current[0] - utcnow()).total_seconds())

    def _progress(self, campaign):
        group_id = self.context_group_id()
        if campaign.kind is not CampaignKind.GROUP_BUY or group_id is None:
            return None
        return ProgressSchema().dump(groupbuy.progress(campaign, group_id))

    def context_group_id(self):
        from flask import g

        return getattr(g, "campaign_group_id", None)


class CampaignSchema(StoreCampaignSchema):
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    translations = ma.fields.Dict(allow_none=True)
    review = ma.fields.String()
    rejection_reason = ma.fields.String(allow_none=True)
    warmup_minutes = ma.fields.Integer()
    hold_minutes = ma.fields.Integer()
    all_groups = ma.fields.Boolean()
    group_ids = f.Function(lambda c: sorted(g.id for g in c.groups), returns=ma.fields.List(ma.fields.Integer()))
    balance_policy = ma.fields.String(allow_none=True)
    threshold_kind = ma.fields.String(allow_none=True)
    threshold = ma.fields.Integer(allow_none=True)
    threshold_scope = ma.fields.String(allow_none=True)
    created_by_id = ma.fields.Integer()
    reviewed_by_id = ma.fields.Integer(allow_none=True)
    submitted_at = ma.fields.DateTime(allow_none=True)
    reviewed_at = ma.fields.DateTime(allow_none=True)


class CampaignQuerySchema(QuerySchema):
    sort = sort_keys.CAMPAIGNS.field()
    review = f.Choice(Review)
    kind = f.Choice(CampaignKind)


class SoldRefundedNetSchema(Schema):
    sold_units = ma.fields.Integer(metadata={"description": "Units on orders that were paid (refunded since or not)"})
    refunded_units = ma.fields.Integer()
    net_units = ma.fields.Integer(metadata={"description": "sold_units - refunded_units"})
    gross_revenue_cents = ma.fields.Integer()
    refunded_cents = ma.fields.Integer()


class ItemStatsSchema(SoldRefundedNetSchema):
    item_id = ma.fields.Integer()
    sku_id = ma.fields.Integer()
    stock_total = ma.fields.Integer(allow_none=True)
    reserved = ma.fields.Integer()
    sold = ma.fields.Integer(allow_none=True)
    sell_through_pct = ma.fields.Float(allow_none=True)
    revenue_cents = ma.fields.Integer()
    unique_buyers = ma.fields.Integer()


class GroupStatsSchema(Schema):
    group_id = ma.fields.Integer()
    group_name = ma.fields.String(allow_none=True)
    units = ma.fields.Integer()
    revenue_cents = ma.fields.Integer()
    unique_buyers = ma.fields.Integer()


class CampaignStatsSchema(SoldRefundedNetSchema):
    campaign_id = ma.fields.Integer()
    revenue_cents = ma.fields.Integer(metadata={"description": "Net: paid line totals less refunds"})
    unique_buyers = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(ItemStatsSchema))
    groups = ma.fields.List(ma.fields.Nested(GroupStatsSchema))


class FlashReserveSchema(Schema):
    quantity = f.Int(1, 99, load_default=1)


class FlashReservationSchema(Schema):
    order_id = ma.fields.Integer()
    number = ma.fields.String()
    status = ma.fields.String()
    quantity = ma.fields.Integer()
    unit_price_cents = ma.fields.Integer()
    total_cents = ma.fields.Integer()
    currency = ma.fields.String()
    expires_at = ma.fields.DateTime(allow_none=True, metadata={"description": "Pay before this (POST …/pay)"})
    pickup_date = ma.fields.Date(allow_none=True)


class QuoteLineSchema(Schema):
    sku_id = f.Id(required=True)
    quantity = f.Int(1, 999, load_default=1)
    campaign_item_id = f.Id(allow_none=True)


class QuoteRequestSchema(Schema):
    lines = ma.fields.List(ma.fields.Nested(QuoteLineSchema), required=True, validate=ma.validate.Length(min=1, max=50))
    coupon_id = f.Id(load_default=None, allow_none=True,
                     metadata={"description": "Price this coupon onto the cart as checkout would (nothing is used)"})


class CandidateSchema(Schema):
    rule = ma.fields.String()
    unit_price_cents = ma.fields.Integer()
    applied = ma.fields.Boolean()
    note = ma.fields.String(allow_none=True)


class LineQuoteSchema(Schema):
    sku_id = ma.fields.Integer()
    quantity = ma.fields.Integer()
    list_price_cents = ma.fields.Integer()
    unit_price_cents = ma.fields.Integer()
    discount_cents = ma.fields.Integer()
    rule = ma.fields.String()
    campaign_id = ma.fields.Integer(allow_none=True)
    line_total_cents = ma.fields.Integer()
    points_multiplier = ma.fields.Integer(metadata={"description": "Loyalty points on this line are earned at "
                                                                   "this multiple (member day)"})
    candidates = ma.fields.List(ma.fields.Nested(CandidateSchema))


class PriceQuoteSchema(Schema):
    lines = ma.fields.List(ma.fields.Nested(LineQuoteSchema))
    subtotal_cents = ma.fields.Integer(metadata={"description": "The lines added up"})
    coupon_id = ma.fields.Integer(allow_none=True)
    coupon_discount_cents = ma.fields.Integer(metadata={"description": "What coupon_id takes off this cart"})
    total_cents = ma.fields.Integer(metadata={"description": "To pay: subtotal − the coupon's discount"})
    currency = ma.fields.String()
    pickup_date = ma.fields.Date(metadata={"description": "The day an order placed now is picked up"})
    payment_methods = ma.fields.List(ma.fields.String(), metadata={
        "description": "Exactly the methods that can pay this cart now (offer only these): card, wechat_pay, "
                       "alipay, wallet, pay_at_pickup"})


class PayOrderSchema(Schema):
    payment_method = ma.fields.String(load_default="card", validate=ma.validate.OneOf(
        ["card", "wechat_pay", "alipay", "wallet", "stripe"]), metadata={
        "description": "card (default; confirm payment.client_secret with Stripe.js), wechat_pay (show "
                       "payment.next_action.qr_code_data as a QR code), alipay (send the shopper to "
                       "payment.next_action.redirect_url) or wallet (paid at once). One of the order's "
                       "payment_methods."})
