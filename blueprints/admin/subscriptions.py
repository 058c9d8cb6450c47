"""Merchant: subscription plans, every subscription with its failures, and the volume coming up."""
from __future__ import annotations

from app.subscriptions import plans, views
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.pagination import SQLPage
from blueprints.schemas.subscriptions import (
    PlanQuerySchema,
    PlanSchema,
    PlanUpdateSchema,
    StaffSubscriptionQuerySchema,
    SubscriptionSchema,
    VolumeQuerySchema,
    VolumeSchema,
)


@blp.route("/subscription-plans", methods=["GET"])
@blp.requires(Role.STAFF, "subscriptions.read")
@blp.arguments(PlanQuerySchema, location="query")
@blp.response(200, PlanSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_plans(query):
    """Subscription plans"""
    return plans.all_plans(query["active_only"])


@blp.route("/subscription-plans", methods=["POST"])
@blp.requires(Role.STAFF, "subscriptions.manage")
@blp.arguments(PlanSchema)
@blp.response(201, PlanSchema)
@blp.errors(409, 422)
def create_plan(data):
    """Make a SKU subscribable: the intervals offered and the subscription discount (one plan per SKU)"""
    return plans.create(data)


@blp.route("/subscription-plans/<id:plan_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "subscriptions.manage")
@blp.arguments(PlanUpdateSchema)
@blp.response(200, PlanSchema)
@blp.errors(404)
def update_plan(data, plan_id):
    """Change a plan; subscriptions keep their interval, the discount applies from the next renewal"""
    return plans.update(plan_id, data)


@blp.route("/subscriptions", methods=["GET"])
@blp.requires(Role.STAFF, "subscriptions.read")
@blp.arguments(StaffSubscriptionQuerySchema, location="query")
@blp.response(200, SubscriptionSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_subscriptions(query):
    """Every subscription, newest first, with its next delivery and latest cycles (failed charges,
    retries and their errors); `status=paused` includes dunning"""
    return views.for_staff(query["status"])


@blp.route("/subscriptions/upcoming", methods=["GET"])
@blp.requires(Role.STAFF, "subscriptions.read")
@blp.arguments(VolumeQuerySchema, location="query")
@blp.response(200, VolumeSchema(many=True))
def upcoming_volume(query):
    """Units subscribed per SKU and delivery day over the next `days` days (for purchasing)"""
    return views.upcoming_volume(query["days"])
