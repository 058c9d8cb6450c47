"""Merchant API: /api/v1/admin. Staff accounts only (owners from `flask create-staff`, others invited by an owner),
each operation allowed to the staff roles holding its permission (docs/staff.md)."""
from blueprints.base import Blueprint

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Merchant (staff) API")

from blueprints.admin import (  # noqa: E402,F401
    aftersales,
    analytics,
    auth,
    batches,
    campaigns,
    catalog,
    commissions,
    delivery_routes,
    driver,
    groups,
    leader_cash,
    leaders,
    lotteries,
    loyalty,
    orders,
    pickup_points,
    posts,
    settings,
    shoppers,
    staff,
    stock,
    subscriptions,
)
