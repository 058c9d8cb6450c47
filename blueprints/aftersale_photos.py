"""Serving and accepting after-sale photos, shared by the three surfaces (each checks who may)."""
from __future__ import annotations

from functools import wraps

from flask import Response, current_app, request

from app.aftersales import services
from app.aftersales.photos import BadPhoto
from app.i18n import _

# image/jpeg is what is sent; application/octet-stream is listed too because generators that know no
# image types (openapi-python-client) then read the body as bytes instead of dropping the response.
BINARY = {"schema": {"type": "string", "format": "binary"}}
PHOTO_DOC = {"responses": {"200": {"description": "The photo (re-encoded JPEG, no metadata)",
                                   "content": {"image/jpeg": BINARY, "application/octet-stream": BINARY}}}}


def photo_upload(func):
    """Photos may be larger than the API's general body limit (MAX_CONTENT_LENGTH): raise it for
    this route before the body is read (a photo over the photo limit is refused by its check)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        request.max_content_length = current_app.config["AFTERSALE_PHOTO_MAX_BYTES"] + 64 * 1024
        return func(*args, **kwargs)

    return wrapper


def photo_response(row, photo_id: int) -> Response:
    data, content_type = services.photo_bytes(row, photo_id)
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def read_upload(files: dict) -> bytes:
    if files.get("photo") is None:
        raise BadPhoto(_("Send the photo as the multipart field 'photo'"), code="photo_missing")
    return files["photo"].read()
