"""Schemas for subscription plans, subscriptions, their cycles and the merchant's volume view."""
from __future__ import annotations

import marshmallow as ma

from app.payments.methods import SINGLE_USE
from app.subscriptions.models import CycleStatus, IntervalUnit, PayWith, SubscriptionStatus
from blueprints import fields as f
from blueprints.schemas.common import QuerySchema, Schema
from blueprints.schemas.content import localized_of

UNITS = [u.value for u in IntervalUnit]


class IntervalSchema(Schema):
    unit = f.Choice(UNITS, required=True)
    count = f.Int(1, 365, required=True)


class PlanSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    sku_id = f.Id(required=True)
    intervals = ma.fields.List(ma.fields.Nested(IntervalSchema), required=True,
                               validate=ma.validate.Length(min=1, max=12),
                               metadata={"description": "The intervals offered, e.g. every 2 weeks"})
    discount_bps = f.Int(0, 5000, load_default=0, metadata={"description": "Subscription discount off the "
                                                                            "regular price, basis points"})
    active = ma.fields.Boolean(load_default=True)


class PlanUpdateSchema(Schema):
    intervals = ma.fields.List(ma.fields.Nested(IntervalSchema), validate=ma.validate.Length(min=1, max=12))
    discount_bps = f.Int(0, 5000)
    active = ma.fields.Boolean()


class PlanQuerySchema(QuerySchema):
    active_only = ma.fields.Boolean(load_default=False)


class CardSetupSchema(Schema):
    setup_intent_id = ma.fields.String()
    client_secret = ma.fields.String(metadata={"description": "Confirm with Stripe.js (confirmCardSetup)"})


class SubscribeSchema(Schema):
    sku_id = f.Id(required=True)
    quantity = f.Int(1, 99, required=True)
    interval_unit = f.Choice(UNITS, required=True)
    interval_count = f.Int(1, 365, required=True)
    start_date = ma.fields.Date(required=True, metadata={"description": "The first delivery date"})
    pay_with = f.Choice([*(p.value for p in PayWith), *SINGLE_USE], required=True, metadata={
        "description": "card (saved) or wallet; WeChat Pay and Alipay cannot renew (422 renewal_needs_card_or_wallet)"})
    setup_intent_id = f.Str(max_length=80, load_default=None,
                            metadata={"description": "A completed SetupIntent (pay_with card)"})


class ChangeSchema(Schema):
    quantity = f.Int(1, 99)
    interval_unit = f.Choice(UNITS)
    interval_count = f.Int(1, 365)
    pay_with = f.Choice([*(p.value for p in PayWith), *SINGLE_USE])
    setup_intent_id = f.Str(max_length=80, metadata={"description": "A new card (completed SetupIntent)"})


class SkipSchema(Schema):
    cycle_date = ma.fields.Date(load_default=None, metadata={"description": "Default: the next delivery"})


class PauseSchema(Schema):
    until = ma.fields.Date(load_default=None, metadata={"description": "Resume by itself on this date; "
                                                                      "none: until resumed"})


class ResumeSchema(Schema):
    setup_intent_id = f.Str(max_length=80, load_default=None, metadata={"description": "A new card, if the "
                                                                                       "old one failed"})


class CycleSchema(Schema):
    cycle_date = ma.fields.Date()
    status = f.Function(lambda c: c.status.value, metadata={"enum": [s.value for s in CycleStatus]},
                        returns=ma.fields.String())
    order_id = ma.fields.Integer(allow_none=True)
    amount_cents = ma.fields.Integer()
    attempts = ma.fields.Integer(metadata={"description": "Failed charge attempts"})
    next_retry_at = ma.fields.DateTime(allow_none=True)
    last_error = ma.fields.String(allow_none=True)


class SubscriptionSchema(Schema):
    @ma.pre_dump
    def _described(self, item, **_):  # a page of Subscription rows gets the computed fields too
        from app.subscriptions.views import describe

        return item if isinstance(item, dict) else describe(item)

    id = f.Function(lambda d: d["subscription"].id, returns=ma.fields.Integer())
    account_id = f.Function(lambda d: d["subscription"].account_id, returns=ma.fields.Integer())
    sku_id = f.Function(lambda d: d["subscription"].sku_id, returns=ma.fields.Integer())
    sku_name = f.Function(lambda d: localized_of(d["subscription"].sku, "name"), returns=ma.fields.String())
    quantity = f.Function(lambda d: d["subscription"].quantity, returns=ma.fields.Integer())
    interval = f.Function(lambda d: {"unit": d["subscription"].interval_unit.value,
                                             "count": d["subscription"].interval_count},
                          returns=ma.fields.Nested(IntervalSchema))
    status = f.Function(lambda d: d["subscription"].status.value,
                        metadata={"enum": [s.value for s in SubscriptionStatus]}, returns=ma.fields.String())
    pause_reason = f.Function(lambda d: d["subscription"].pause_reason, allow_none=True,
                              metadata={"description": "shopper, or payment_failed (dunning)"},
                              returns=ma.fields.String())
    paused_until = f.Function(lambda d: d["subscription"].paused_until and d["subscription"].paused_until.isoformat(),
                              allow_none=True, returns=ma.fields.Date())
    pay_with = f.Function(lambda d: d["subscription"].pay_with.value, returns=ma.fields.String())
    next_delivery_date = ma.fields.Date(allow_none=True)
    next_charge_at = ma.fields.DateTime(allow_none=True)
    next_charge_cents = ma.fields.Integer(allow_none=True, metadata={"description": "At today's prices"})
    skips = ma.fields.List(ma.fields.Date())
    recent_cycles = ma.fields.List(ma.fields.Nested(CycleSchema))


class StaffSubscriptionQuerySchema(QuerySchema):
    status = f.Choice([s.value for s in SubscriptionStatus], load_default=None)


class VolumeQuerySchema(QuerySchema):
    days = f.QueryInt(1, 90, load_default=14)


class VolumeSchema(Schema):
    delivery_date = ma.fields.Date()
    sku_id = ma.fields.Integer()
    sku_code = ma.fields.String()
    sku_name = ma.fields.String()
    quantity = ma.fields.Integer()
    subscriptions = ma.fields.Integer()
