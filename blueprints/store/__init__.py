"""Shopper API: /api/v1/store. Shoppers arrive through group links shared in chats."""
from blueprints.base import Blueprint

blp = Blueprint("store", __name__, url_prefix="/api/v1/store", description="Shopper API")

from blueprints.store import (  # noqa: E402,F401
    aftersales,
    auth,
    campaigns,
    catalog,
    client_config,
    data_rights,
    groups,
    leader_applications,
    lotteries,
    loyalty,
    orders,
    pickup,
    pickup_schedule,
    posts,
    profile,
    replenishment,
    subscriptions,
    wallet,
)
