from __future__ import annotations

from app.aftersales import queries, services
from blueprints import sort_keys
from blueprints.aftersale_photos import PHOTO_DOC, photo_response, photo_upload, read_upload
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.aftersales import (
    OpenRequestSchema,
    PhotoSchema,
    PhotoUploadSchema,
    RequestQuerySchema,
    RequestSchema,
)
from blueprints.sorting import sorted_by
from blueprints.store import blp


@blp.route("/orders/<id:order_id>/after-sales", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(OpenRequestSchema)
@blp.response(201, RequestSchema)
@blp.errors(404, 409, 422)
def open_request(data, order_id):
    """Ask for help on a line of a picked-up order (quality, damaged, missing, wrong item, expired,
    other), within the after-sale window. One open request per line; add photos next. The pickup
    point's leader reviews it, then the merchant decides; small claims may be refunded at once."""
    return services.open_request(current_account().id, order_id, data)


@blp.route("/after-sales", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.arguments(RequestQuerySchema, location="query")
@blp.response(200, RequestSchema(many=True))
@blp.paginate(SQLPage)
@sorted_by(sort_keys.AFTER_SALES)
def my_requests(query):
    """Your after-sale requests, newest first, each with its history"""
    return queries.for_shopper(current_account().id, query["status"])


@blp.route("/after-sales/<id:request_id>", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, RequestSchema)
@blp.errors(404)
def my_request(request_id):
    """One of your after-sale requests with its history"""
    return services.own_request(current_account().id, request_id)


@blp.route("/after-sales/<id:request_id>/photos", methods=["POST"])
@blp.requires(Role.SHOPPER)
@photo_upload
@blp.arguments(PhotoUploadSchema, location="files")
@blp.response(201, PhotoSchema)
@blp.errors(404, 409, 413, 422)
def add_photo(files, request_id):
    """Add a photo (up to 6 per request) while the request is open"""
    row = services.own_request(current_account().id, request_id)
    return services.add_photo(row, read_upload(files), current_account().id, "shopper")



@blp.route("/after-sales/<id:request_id>/photos/<id:photo_id>", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.doc(**PHOTO_DOC)
@blp.errors(404)
def my_photo(request_id, photo_id):
    """A photo of one of your requests"""
    return photo_response(services.own_request(current_account().id, request_id), photo_id)


@blp.route("/after-sales/<id:request_id>/withdraw", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.response(200, RequestSchema)
@blp.errors(404, 409)
def withdraw(request_id):
    """Take back an open request (the line may be asked about again)"""
    return services.withdraw(services.own_request(current_account().id, request_id), current_account().id)
