from __future__ import annotations

import sqlalchemy as sa

from app.pickup_points import services as points
from app.pickup_points.models import PickupPoint
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.pagination import SQLPage
from blueprints.schemas.pickup import (
    ClosureRangeSchema,
    ClosureSchema,
    PickupPointSchema,
    StaffPickupPointInputSchema,
)


@blp.route("/pickup-points", methods=["GET"])
@blp.requires(Role.STAFF, "pickup_points.read")
@blp.response(200, PickupPointSchema(many=True))
@blp.paginate(SQLPage)
def list_points():
    """All pickup points"""
    return sa.select(PickupPoint).order_by(PickupPoint.id)


@blp.route("/pickup-points", methods=["POST"])
@blp.requires(Role.STAFF, "pickup_points.manage")
@blp.arguments(StaffPickupPointInputSchema)
@blp.response(201, PickupPointSchema)
@blp.errors(404, 409)
def create_point(data):
    """Create a pickup point, optionally run by a leader"""
    leader_id = data.pop("leader_id", None)
    return points.create_point(data, leader_id=leader_id)


@blp.route("/pickup-points/<id:point_id>", methods=["GET"])
@blp.requires(Role.STAFF, "pickup_points.read")
@blp.response(200, PickupPointSchema)
@blp.errors(404)
def get_point(point_id):
    """One pickup point"""
    return points.get_point(point_id)


@blp.route("/pickup-points/<id:point_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "pickup_points.manage")
@blp.arguments(StaffPickupPointInputSchema(partial=True))
@blp.response(200, PickupPointSchema)
@blp.errors(404, 409)
def update_point(changes, point_id):
    """Edit a pickup point, reassign it to a leader, or deactivate it"""
    return points.update_point(points.get_point(point_id), changes, as_staff=True)


@blp.route("/pickup-points/<id:point_id>/closures", methods=["POST"])
@blp.requires(Role.STAFF, "pickup_points.manage")
@blp.arguments(ClosureRangeSchema)
@blp.response(201, ClosureSchema(many=True))
@blp.errors(404, 422)
def add_closures(data, point_id):
    """Close the point on a range of dates. Orders already booked there on those days (not yet packed)
    move to the next open day, or to `move_to`; their shoppers are told and may cancel instead."""
    return points.add_closures(points.get_point(point_id), data["start_date"], data["end_date"], data["reason"],
                               data["move_to"])


@blp.route("/pickup-points/<id:point_id>/closures/<date:day>", methods=["DELETE"])
@blp.requires(Role.STAFF, "pickup_points.manage")
@blp.response(204)
@blp.errors(404)
def remove_closure(point_id, day):
    """Reopen the point on a date"""
    points.remove_closure(points.get_point(point_id), day)
