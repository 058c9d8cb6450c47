from __future__ import annotations

from app.aftersales import analytics, decisions, queries, services
from app.clock import local_now
from blueprints import sort_keys
from blueprints.admin import blp
from blueprints.aftersale_photos import PHOTO_DOC, photo_response
from blueprints.auth import Role, current_account
from blueprints.csv_response import csv_response
from blueprints.pagination import SQLPage
from blueprints.schemas.aftersales import (
    AnalyticsQuerySchema,
    AnalyticsRowSchema,
    DecisionSchema,
    RequestQuerySchema,
    RulesSchema,
    RulesUpdateSchema,
    StaffRequestSchema,
)
from blueprints.sorting import sorted_by


@blp.route("/after-sales", methods=["GET"])
@blp.requires(Role.STAFF, "orders.read")
@blp.arguments(RequestQuerySchema, location="query")
@blp.response(200, StaffRequestSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
@sorted_by(sort_keys.AFTER_SALES)
def queue(query):
    """After-sale requests, oldest first. `status=awaiting_merchant` and `status=escalated` (the
    leader's review is overdue, by the clock) are what waits for a decision."""
    return queries.for_merchant(query["status"])


@blp.route("/after-sales/<id:request_id>", methods=["GET"])
@blp.requires(Role.STAFF, "orders.read")
@blp.response(200, StaffRequestSchema)
@blp.errors(404)
def one_request(request_id):
    """One request with its photos and history"""
    return services.get_request(request_id)


@blp.route("/after-sales/<id:request_id>/decision", methods=["POST"])
@blp.requires(Role.STAFF, "orders.refund")
@blp.arguments(DecisionSchema)
@blp.response(200, StaffRequestSchema)
@blp.errors(404, 409, 422)
def decide(data, request_id):
    """Decide a reviewed (or escalated) request: `refund` (all claimed units, fewer `quantity`, or a
    partial `amount_cents`) through the order's refunds to the original payment; `replace` (stock
    taken now, delivered with the pickup point's next batch); or `reject` with a `reason`. Decided
    once: a second decision is a 409."""
    return decisions.decide_now(request_id, current_account().id, data)


@blp.route("/after-sales/<id:request_id>/photos/<id:photo_id>", methods=["GET"])
@blp.requires(Role.STAFF, "orders.read")
@blp.doc(**PHOTO_DOC)
@blp.errors(404)
def photo(request_id, photo_id):
    """A photo of a request"""
    return photo_response(services.get_request(request_id), photo_id)


@blp.route("/after-sales/rules", methods=["GET"])
@blp.requires(Role.STAFF, "settings.read")
@blp.etag
@blp.response(200, RulesSchema)
def get_rules():
    """The after-sale rules: the leader's review deadline, the auto-approval of small claims, and how cash paid
    at pickup is refunded by default"""
    row = services.rules()
    from app.extensions import db

    db.session.commit()
    return row


@blp.route("/after-sales/rules", methods=["PATCH"])
@blp.requires(Role.STAFF, "settings.manage")
@blp.etag
@blp.arguments(RulesUpdateSchema)
@blp.response(200, RulesSchema)
@blp.errors(422)
def set_rules(data):
    """Change the after-sale rules; `If-Match` required"""
    blp.check_etag(services.rules(), RulesSchema)
    return services.update_rules(data)


ANALYTICS_COLUMNS = ["key", "name", "requests", "lines_sold", "rate_pct", "refunded", "replaced", "rejected",
                     "refunded_cents"]


@blp.route("/analytics/after-sales", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(AnalyticsQuerySchema, location="query")
@blp.response(200, AnalyticsRowSchema(many=True))
def after_sale_rates(query):
    """After-sale rates (requests per order line sold) and money refunded, `by` product, pickup point,
    leader, delivery batch or reason; most requests first"""
    return analytics.rates(query["by"])


@blp.route("/analytics/after-sales.csv", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(AnalyticsQuerySchema, location="query")
@blp.csv("CSV: one row per key")
def after_sale_rates_csv(query):
    """The after-sale rates as CSV"""
    rows = analytics.rates(query["by"])
    return csv_response(f"after-sales-{query['by']}-{local_now():%Y-%m-%d}.csv", ANALYTICS_COLUMNS,
                        [["" if r[c] is None else r[c] for c in ANALYTICS_COLUMNS] for r in rows])
