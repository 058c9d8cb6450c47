from __future__ import annotations

from app.pickup_points.services import nearby
from blueprints.schemas.pickup import NearbyPointSchema, NearbyQuerySchema
from blueprints.store import blp


@blp.route("/pickup-points/nearby", methods=["GET"])
@blp.arguments(NearbyQuerySchema, location="query")
@blp.response(200, NearbyPointSchema(many=True))
def nearby_points(query):
    """Active pickup points within radius_km of a location, nearest first, with distance in metres"""
    return nearby(query["lat"], query["lng"], radius_km=query["radius_km"], limit=query["limit"])
