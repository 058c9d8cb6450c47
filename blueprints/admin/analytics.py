"""Merchant analytics: repurchase, repeat rates, cohorts, lifetime and referral value, leaders and
campaigns; each table also as CSV at the same path + `.csv` (definitions: docs/analytics.md)."""
from __future__ import annotations

from app.analytics import campaigns, cohorts, margin, repurchase, value
from app.clock import local_now
from app.commissions import performance
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.csv_response import csv_response
from blueprints.schemas.analytics import (
    CampaignAnalyticsSchema,
    CustomerCohortSchema,
    LifetimeValueSchema,
    MonthsQuerySchema,
    ReferralValueSchema,
    RepeatRateSchema,
    RepurchaseMonthSchema,
)
from blueprints.schemas.commissions import PerformanceQuerySchema, PerformanceSchema
from blueprints.schemas.purchasing import MarginQuerySchema, MarginSchema

PREFIX = "/analytics"
LEADER_COLUMNS = ["leader_id", "leader_name", "orders", "sales_cents", "unique_buyers", "repurchase_rate",
                  "commission_cents", "pickup_rate", "uncollected_rate"]
CAMPAIGN_COLUMNS = ["campaign_id", "name", "kind", "status", "stock_total", "sold", "sell_through_pct",
                    "revenue_cents", "unique_buyers", "sold_units", "refunded_units", "net_units",
                    "gross_revenue_cents", "refunded_cents"]


def _table(filename: str, columns: list[str], rows: list[dict]):
    return csv_response(filename, columns, [["" if r[c] is None else r[c] for c in columns] for r in rows])


def _buckets(filename: str, result: dict, counted: str):
    rows = [[b["from_cents"], "" if b["to_cents"] is None else b["to_cents"], b["customers"]]
            for b in result["buckets"]]
    return csv_response(filename, ["from_cents", "to_cents", counted], rows)


@blp.route(f"{PREFIX}/repurchase", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(MonthsQuerySchema, location="query")
@blp.response(200, RepurchaseMonthSchema(many=True))
def analytics_repurchase(query):
    """Per store-local month, oldest first: buyers, returning buyers (who purchased in an earlier
    month) and the repurchase rate"""
    return repurchase.repurchase(query["months"])


@blp.route(f"{PREFIX}/repurchase.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(MonthsQuerySchema, location="query")
@blp.csv("CSV: one row per month")
def analytics_repurchase_csv(query):
    """The repurchase table as CSV"""
    return _table(f"repurchase-{local_now():%Y-%m}.csv", ["month", "buyers", "returning", "repurchase_rate"],
                  repurchase.repurchase(query["months"]))


@blp.route(f"{PREFIX}/repeat-rates", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.response(200, RepeatRateSchema(many=True))
def analytics_repeat_rates():
    """30/60/90 days: of the customers whose first purchase is at least that old, the share who
    purchased again within that many days of it"""
    return repurchase.repeat_rates()


@blp.route(f"{PREFIX}/repeat-rates.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.csv("CSV: one row per window")
def analytics_repeat_rates_csv():
    """The repeat rates as CSV"""
    return _table(f"repeat-rates-{local_now():%Y-%m-%d}.csv", ["days", "customers", "repeated", "repeat_rate"],
                  repurchase.repeat_rates())


@blp.route(f"{PREFIX}/cohorts", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(MonthsQuerySchema, location="query")
@blp.response(200, CustomerCohortSchema(many=True))
def analytics_cohorts(query):
    """Customer cohorts by first-purchase month (within the last `months`): how many of each
    purchased 0, 1, 2 … months on"""
    return cohorts.cohorts(query["months"])


@blp.route(f"{PREFIX}/cohorts.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(MonthsQuerySchema, location="query")
@blp.csv("CSV: one row per cohort, one column per month offset (active customers)")
def analytics_cohorts_csv(query):
    """The cohort table as CSV"""
    table = cohorts.cohorts(query["months"])
    width = max((len(c["active"]) for c in table), default=1)
    rows = [[c["cohort"], c["customers"], *c["active"], *[""] * (width - len(c["active"]))] for c in table]
    return csv_response(f"cohorts-{local_now():%Y-%m}.csv",
                        ["cohort", "customers", *[f"month_{k}" for k in range(width)]], rows)


@blp.route(f"{PREFIX}/lifetime-value", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.response(200, LifetimeValueSchema)
def analytics_lifetime_value():
    """Per customer, the net money of their purchases: mean, median, 90th percentile and buckets"""
    return value.lifetime_value()


@blp.route(f"{PREFIX}/lifetime-value.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.csv("CSV: one row per bucket")
def analytics_lifetime_value_csv():
    """The lifetime-value buckets as CSV"""
    return _buckets(f"lifetime-value-{local_now():%Y-%m-%d}.csv", value.lifetime_value(), "customers")


@blp.route(f"{PREFIX}/referral-value", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.response(200, ReferralValueSchema)
def analytics_referral_value():
    """Per referrer, the net money of purchases by the shoppers they referred: distribution and top 10"""
    return value.referral_value()


@blp.route(f"{PREFIX}/referral-value.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.csv("CSV: one row per bucket (referrers)")
def analytics_referral_value_csv():
    """The referral-value buckets as CSV"""
    return _buckets(f"referral-value-{local_now():%Y-%m-%d}.csv", value.referral_value(), "referrers")


@blp.route(f"{PREFIX}/referrers.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.csv("CSV: one row per referrer, most value first")
def analytics_referrers_csv():
    """Every referrer whose referred shoppers purchased, with the value they brought, as CSV"""
    return _table(f"referrers-{local_now():%Y-%m-%d}.csv", ["account_id", "name", "referred_customers", "value_cents"],
                  value.referrers())


@blp.route(f"{PREFIX}/leaders", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(PerformanceQuerySchema, location="query")
@blp.response(200, PerformanceSchema(many=True))
def analytics_leaders(query):
    """Leader performance for a store-local month (as /leaders/performance)"""
    return performance.performance(*performance.month_window(query["month"]))


@blp.route(f"{PREFIX}/leaders.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(PerformanceQuerySchema, location="query")
@blp.csv("CSV: one row per leader")
def analytics_leaders_csv(query):
    """Leader performance for a month as CSV"""
    month = query["month"] or f"{local_now():%Y-%m}"
    return _table(f"leaders-{month}.csv", LEADER_COLUMNS,
                  performance.performance(*performance.month_window(month)))


@blp.route(f"{PREFIX}/campaigns", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.response(200, CampaignAnalyticsSchema(many=True))
def analytics_campaigns():
    """Every approved campaign, latest start first: stock, sold, sell-through, revenue, unique buyers"""
    return campaigns.campaign_table()


@blp.route(f"{PREFIX}/campaigns.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.csv("CSV: one row per approved campaign")
def analytics_campaigns_csv():
    """The campaign table as CSV"""
    return _table(f"campaigns-{local_now():%Y-%m-%d}.csv", CAMPAIGN_COLUMNS, campaigns.campaign_table())


MARGIN_COLUMNS = ["key", "name", "units", "revenue_cents", "cost_cents", "margin_cents", "margin_pct", "uncosted_units"]


def _margin(query):
    return margin.margin(query["by"], *performance.month_window(query["month"]))


@blp.route(f"{PREFIX}/margin", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(MarginQuerySchema, location="query")
@blp.response(200, MarginSchema(many=True))
def analytics_margin(query):
    """Margin for a store-local month by SKU, campaign or leader: revenue less units × the cost price
    in effect when each order was placed (docs/analytics.md)"""
    return _margin(query)


@blp.route(f"{PREFIX}/margin.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(MarginQuerySchema, location="query")
@blp.csv("CSV: one row per SKU, campaign or leader")
def analytics_margin_csv(query):
    """The margin table as CSV"""
    month = query["month"] or f"{local_now():%Y-%m}"
    return _table(f"margin-by-{query['by']}-{month}.csv", MARGIN_COLUMNS, _margin(query))
