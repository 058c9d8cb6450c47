from __future__ import annotations

import sqlalchemy as sa

from app.pickup_points import services as points
from app.pickup_points.models import PickupPoint
from blueprints.auth import Role, current_leader
from blueprints.leader import blp
from blueprints.pagination import SQLPage
from blueprints.schemas.pickup import ClosureRangeSchema, ClosureSchema, PickupPointInputSchema, PickupPointSchema


@blp.route("/pickup-points", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, PickupPointSchema(many=True))
@blp.paginate(SQLPage)
def my_points():
    """Pickup points the caller runs"""
    return sa.select(PickupPoint).where(PickupPoint.leader_id == current_leader().id).order_by(PickupPoint.id)


@blp.route("/pickup-points/<id:point_id>", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, PickupPointSchema)
@blp.errors(404)
def get_point(point_id):
    """One of the caller's pickup points"""
    return points.get_point_of_leader(point_id, current_leader().id)


@blp.route("/pickup-points/<id:point_id>", methods=["PATCH"])
@blp.requires(Role.LEADER)
@blp.arguments(PickupPointInputSchema(partial=True))
@blp.response(200, PickupPointSchema)
@blp.errors(404)
def update_point(changes, point_id):
    """Change address, location, contact or opening hours (hours replace the whole week)"""
    point = points.get_point_of_leader(point_id, current_leader().id)
    return points.update_point(point, changes)


@blp.route("/pickup-points/<id:point_id>/closures", methods=["POST"])
@blp.requires(Role.LEADER)
@blp.arguments(ClosureRangeSchema)
@blp.response(201, ClosureSchema(many=True))
@blp.errors(404, 422)
def add_closures(data, point_id):
    """Close the point from start_date to end_date inclusive (holidays, stock-taking). Orders booked
    there on those days move to the next open day (or `move_to`); their shoppers are told."""
    point = points.get_point_of_leader(point_id, current_leader().id)
    return points.add_closures(point, data["start_date"], data["end_date"], data["reason"], data["move_to"])


@blp.route("/pickup-points/<id:point_id>/closures/<date:day>", methods=["DELETE"])
@blp.requires(Role.LEADER)
@blp.response(204)
@blp.errors(404)
def remove_closure(point_id, day):
    """Reopen the point on a date"""
    point = points.get_point_of_leader(point_id, current_leader().id)
    points.remove_closure(point, day)
