"""The driver's API (the driver page, static/driver.html): their own route runs only. Another
driver's run answers 404, as if it did not exist."""
from __future__ import annotations

from flask import Response

from app.clock import local_today
from app.delivery import runs, sheets
from blueprints.admin import blp
from blueprints.admin.delivery_routes import sheet
from blueprints.aftersale_photos import PHOTO_DOC, photo_upload, read_upload
from blueprints.auth import Role, current_account
from blueprints.schemas.aftersales import PhotoUploadSchema
from blueprints.schemas.delivery import DriverRunQuerySchema, RunSchema, RunStopSchema, SheetSchema


@blp.route("/driver/runs", methods=["GET"])
@blp.requires(Role.STAFF, "routes.drive")
@blp.arguments(DriverRunQuerySchema, location="query")
@blp.response(200, RunSchema(many=True))
def my_runs(query):
    """Your route runs of a day, or (without a day) today's and the coming ones, by date and departure"""
    return runs.drivers_runs(current_account().id, query.get("delivery_date"), local_today())


@blp.route("/driver/runs/<id:run_id>", methods=["GET"])
@blp.requires(Role.STAFF, "routes.drive")
@blp.response(200, SheetSchema)
@blp.errors(404)
def my_run(run_id):
    """One of your runs: stops in order with address and location, bags and SKU counts to unload"""
    run = runs.drivers_run(run_id, current_account().id)
    return sheet(run, sheets.load(run))


@blp.route("/driver/runs/<id:run_id>/stops/<id:stop_id>/delivered", methods=["POST"])
@blp.requires(Role.STAFF, "routes.drive")
@blp.response(200, RunStopSchema)
@blp.errors(404, 409)
def mark_delivered(run_id, stop_id):
    """Mark a stop delivered (the time is kept; marking again changes nothing); the leader then confirms arrival"""
    return runs.mark_delivered(runs.drivers_run(run_id, current_account().id), stop_id, current_account().id)


@blp.route("/driver/runs/<id:run_id>/stops/<id:stop_id>/photo", methods=["POST"])
@blp.requires(Role.STAFF, "routes.drive")
@photo_upload
@blp.arguments(PhotoUploadSchema, location="files")
@blp.response(200, RunStopSchema)
@blp.errors(404, 413, 422)
def add_photo(files, run_id, stop_id):
    """A photo of the goods left at the stop (re-encoded, no metadata); a new one replaces the last"""
    return runs.add_photo(runs.drivers_run(run_id, current_account().id), stop_id, read_upload(files))


@blp.route("/driver/runs/<id:run_id>/stops/<id:stop_id>/photo", methods=["GET"])
@blp.requires(Role.STAFF, "routes.drive")
@blp.doc(**PHOTO_DOC)
@blp.errors(404)
def my_photo(run_id, stop_id):
    """The photo of one of your stops"""
    return _photo(runs.photo_bytes(runs.drivers_run(run_id, current_account().id), stop_id))


@blp.route("/route-runs/<id:run_id>/stops/<id:stop_id>/photo", methods=["GET"])
@blp.requires(Role.STAFF, "routes.read")
@blp.doc(**PHOTO_DOC)
@blp.errors(404)
def stop_photo(run_id, stop_id):
    """The driver's photo of a stop"""
    return _photo(runs.photo_bytes(runs.get_run(run_id), stop_id))


def _photo(data: bytes) -> Response:
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
