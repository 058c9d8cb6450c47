"""Merchant API: /api/v1/admin. Staff accounts only (created with `flask create-staff`)."""
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
    subscriptions,
)
