from __future__ import annotations

import sqlalchemy as sa

from app.aftersales import queries, services
from app.extensions import db
from app.pickup_points.models import PickupPoint
from blueprints import sort_keys
from blueprints.aftersale_photos import PHOTO_DOC, photo_response, photo_upload, read_upload
from blueprints.auth import Role, current_account, current_leader
from blueprints.leader import blp
from blueprints.pagination import SQLPage
from blueprints.schemas.aftersales import (
    PhotoSchema,
    PhotoUploadSchema,
    RequestQuerySchema,
    RequestSchema,
    ReviewSchema,
)
from blueprints.sorting import sorted_by


def _mine(request_id: int):
    return services.leader_request(current_leader().id, request_id)


@blp.route("/after-sales", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.arguments(RequestQuerySchema, location="query")
@blp.response(200, RequestSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
@sorted_by(sort_keys.AFTER_SALES)
def review_queue(query):
    """After-sale requests at your pickup points, soonest review deadline first (status
    `awaiting_leader` for your queue)"""
    point_ids = list(db.session.scalars(sa.select(PickupPoint.id).where(PickupPoint.leader_id == current_leader().id)))
    return queries.for_points(point_ids, query["status"])


@blp.route("/after-sales/<id:request_id>", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, RequestSchema)
@blp.errors(403, 404)
def one_request(request_id):
    """One request at your pickup point, with its photos and history"""
    return _mine(request_id)


@blp.route("/after-sales/<id:request_id>/review", methods=["POST"])
@blp.requires(Role.LEADER)
@blp.arguments(ReviewSchema)
@blp.response(200, RequestSchema)
@blp.errors(403, 404, 409, 422)
def review(data, request_id):
    """Confirm what you see at the point, or dispute it, with a note (add photos first); the merchant
    decides next. After the deadline the merchant may decide without you, but your review still counts."""
    return services.review(_mine(request_id), current_account().id, data["verdict"], data["note"])


@blp.route("/after-sales/<id:request_id>/photos", methods=["POST"])
@blp.requires(Role.LEADER)
@photo_upload
@blp.arguments(PhotoUploadSchema, location="files")
@blp.response(201, PhotoSchema)
@blp.errors(403, 404, 409, 413, 422)
def add_photo(files, request_id):
    """Add a photo of what you see at the point while the request is open"""
    return services.add_photo(_mine(request_id), read_upload(files), current_account().id, "leader")


@blp.route("/after-sales/<id:request_id>/photos/<id:photo_id>", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.doc(**PHOTO_DOC)
@blp.errors(403, 404)
def photo(request_id, photo_id):
    """A photo of a request at your pickup point"""
    return photo_response(_mine(request_id), photo_id)
