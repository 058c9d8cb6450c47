"""The merchant's subscription plans: which SKUs may be subscribed, at which intervals, with what
discount."""
from __future__ import annotations

import sqlalchemy as sa

from app.catalog.models import Sku
from app.errors import InvalidRequest, not_found
from app.extensions import db
from app.i18n import _
from app.persistence import commit_unique
from app.subscriptions.models import SubscriptionPlan


def create(data: dict) -> SubscriptionPlan:
    if db.session.get(Sku, data["sku_id"]) is None:
        raise InvalidRequest(_("Unknown SKU"), code="unknown_sku", details={"sku_id": data["sku_id"]})
    plan = SubscriptionPlan(**data)
    db.session.add(plan)
    commit_unique("subscription_plan", sku_id=data["sku_id"])
    return plan


def get(plan_id: int) -> SubscriptionPlan:
    plan = db.session.get(SubscriptionPlan, plan_id)
    if plan is None:
        raise not_found("subscription_plan", id=plan_id)
    return plan


def update(plan_id: int, changes: dict) -> SubscriptionPlan:
    """Change intervals, discount or availability. Existing subscriptions keep their interval
    (even one no longer offered); the discount applies from the next renewal."""
    plan = get(plan_id)
    for name, value in changes.items():
        setattr(plan, name, value)
    db.session.commit()
    return plan


def all_plans(active_only: bool) -> sa.Select:
    query = sa.select(SubscriptionPlan).order_by(SubscriptionPlan.id)
    return query.where(SubscriptionPlan.active.is_(True)) if active_only else query


def offers(plan: SubscriptionPlan, unit: str, count: int) -> bool:
    return any(i["unit"] == unit and i["count"] == count for i in plan.intervals)
