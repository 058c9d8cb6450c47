"""Merchant analytics: query parameters and the rows of each table (see docs/analytics.md)."""
from __future__ import annotations

import marshmallow as ma

from blueprints import fields as f
from blueprints.schemas.common import QuerySchema, Schema


class MonthsQuerySchema(QuerySchema):
    months = f.QueryInt(1, 36, load_default=12, metadata={
        "description": "How many store-local months, ending with the current one (1–36)"})


class RepurchaseMonthSchema(Schema):
    month = ma.fields.String(metadata={"description": "YYYY-MM in the store timezone"})
    buyers = ma.fields.Integer(metadata={"description": "Customers with a purchase in the month"})
    returning = ma.fields.Integer(metadata={"description": "Of those, customers who purchased in an earlier month"})
    repurchase_rate = ma.fields.Float(allow_none=True,
                                      metadata={"description": "returning / buyers; null without buyers"})


class RepeatRateSchema(Schema):
    days = ma.fields.Integer()
    customers = ma.fields.Integer(metadata={"description": "Customers whose first purchase is at least `days` old"})
    repeated = ma.fields.Integer(metadata={"description": "Of those, customers who purchased again within `days` "
                                                          "days of their first purchase"})
    repeat_rate = ma.fields.Float(allow_none=True)


class CustomerCohortSchema(Schema):
    cohort = ma.fields.String(metadata={"description": "Store-local month of the first purchase (YYYY-MM)"})
    customers = ma.fields.Integer()
    active = ma.fields.List(ma.fields.Integer(), metadata={
        "description": "Customers of the cohort who purchased 0, 1, 2 … months on, up to the current month"})
    retention = ma.fields.List(ma.fields.Float(), metadata={"description": "active / customers"})


class BucketSchema(Schema):
    from_cents = ma.fields.Integer()
    to_cents = ma.fields.Integer(allow_none=True, metadata={"description": "Exclusive; null for the last bucket"})
    customers = ma.fields.Integer(metadata={"description": "Parties whose value is in [from, to) — customers, or "
                                                           "referrers in the referral value"})


class LifetimeValueSchema(Schema):
    customers = ma.fields.Integer()
    average_cents = ma.fields.Integer(allow_none=True)
    median_cents = ma.fields.Integer(allow_none=True)
    p90_cents = ma.fields.Integer(allow_none=True, metadata={"description": "90th percentile, nearest rank"})
    buckets = ma.fields.List(ma.fields.Nested(BucketSchema))


class ReferrerSchema(Schema):
    account_id = ma.fields.Integer()
    name = ma.fields.String()
    referred_customers = ma.fields.Integer()
    value_cents = ma.fields.Integer(metadata={"description": "Net money of the purchases of shoppers they referred"})


class ReferralValueSchema(LifetimeValueSchema):
    customers = ma.fields.Integer(metadata={"description": "Referred shoppers with a purchase"})
    referrers = ma.fields.Integer(metadata={"description": "Referrers whose referred shoppers purchased; the mean, "
                                                           "median, p90 and buckets are over them"})
    top = ma.fields.List(ma.fields.Nested(ReferrerSchema), metadata={"description": "The 10 with the most value"})


class CampaignAnalyticsSchema(Schema):
    campaign_id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    status = ma.fields.String(metadata={"description": "The campaign's phase now: scheduled, warming_up, live, ended"})
    stock_total = ma.fields.Integer(allow_none=True, metadata={"description": "Campaign stock; null if none "
                                                                             "(sells from regular stock)"})
    sold = ma.fields.Integer()
    sell_through_pct = ma.fields.Float(allow_none=True)
    revenue_cents = ma.fields.Integer(metadata={"description": "Line totals less line refunds"})
    unique_buyers = ma.fields.Integer()
    sold_units = ma.fields.Integer(metadata={"description": "Units on orders that were paid (refunded since or not)"})
    refunded_units = ma.fields.Integer()
    net_units = ma.fields.Integer()
    gross_revenue_cents = ma.fields.Integer()
    refunded_cents = ma.fields.Integer()
