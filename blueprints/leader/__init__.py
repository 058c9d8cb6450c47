"""Leader console API: /api/v1/leader. A leader sees only their own groups and pickup points."""
from blueprints.base import Blueprint

blp = Blueprint("leader", __name__, url_prefix="/api/v1/leader", description="Group leader API")

from blueprints.leader import aftersales, batches, commissions, groups, pickup_points, posts, profile  # noqa: E402,F401
