"""Every error leaves the API as one JSON envelope: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

import logging

import marshmallow as ma
from flask import Flask, Response, jsonify
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from app.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
)
from app.i18n import _
from app.payments.stripe_gateway import GatewayDeclined, GatewayUnavailable
from blueprints.field_messages import translate_fields

log = logging.getLogger(__name__)

DOMAIN_STATUS = {NotFound: 404, AuthenticationFailed: 401, PermissionDenied: 403, Conflict: 409, InvalidRequest: 422,
                 RateLimited: 429, ServiceUnavailable: 503, GatewayUnavailable: 503, GatewayDeclined: 502}
HTTP_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    412: "precondition_failed", 422: "validation_error", 428: "precondition_required", 429: "rate_limited",
}
# werkzeug's descriptions are English: each status says its own, translated, message.
HTTP_MESSAGES = {
    400: lambda: _("The request could not be understood"),
    401: lambda: _("Log in first"),
    403: lambda: _("You may not do this"),
    404: lambda: _("Nothing is here; check the address"),
    405: lambda: _("This address does not take that method"),
    406: lambda: _("This address cannot answer in the format asked for"),
    409: lambda: _("The change conflicts with the current state; reload and try again"),
    413: lambda: _("The request is too large"),
    415: lambda: _("Send the body as JSON (Content-Type: application/json)"),
    412: lambda: _("Someone changed this since you loaded it; reload it and make your change again"),
    428: lambda: _("Send the ETag of what you loaded as If-Match, so another person's change is not overwritten"),
    429: lambda: _("Too many requests; wait a moment and try again"),
}
# Headers of an HTTPException worth passing on; the rest (an HTML content type) is not ours.
KEPT_HEADERS = {"allow", "retry-after", "www-authenticate"}


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable snake_case error code"})
    message = ma.fields.String(required=True, metadata={"description": "Human-readable explanation"})
    details = ma.fields.Dict(required=True, metadata={"description": "Context: offending fields, ids, limits"})


class ErrorEnvelopeSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


def envelope(status: int, code: str, message: str, details: dict | None = None, headers=None):
    # str(): a message made with app.i18n._ is lazy and renders now, in the request's language.
    response = jsonify({"error": {"code": code, "message": str(message), "details": details or {}}})
    response.status_code = status
    for name, value in headers or ():
        response.headers[name] = value
    return response


def _status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return 400


def handle_domain_error(exc: DomainError):
    status = _status_of(exc)
    headers = [("WWW-Authenticate", "Bearer")] if status == 401 else None
    if status == 503:
        headers = [("Retry-After", "5")]
    if isinstance(exc, RateLimited):
        headers = [("Retry-After", str(exc.retry_after))]
    return envelope(status, exc.code, exc.message, exc.details, headers)


def handle_http_exception(exc: HTTPException):
    if exc.code == 304:  # If-None-Match matched (flask-smorest ETag): an empty answer, never an envelope
        return Response(status=304)
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    code = HTTP_CODES.get(exc.code or 500, "http_error")
    http_message = HTTP_MESSAGES.get(exc.code or 500)
    message = data.get("message") or (http_message() if http_message else exc.description or exc.name)
    details: dict = {}
    if messages is not None:
        details = {"fields": translate_fields(messages)}
        if exc.code == 422:
            message = _("The request has invalid or unknown fields")
        if exc.code == 400 and "json" in messages:
            code, message = "malformed_json", _("The body is not valid JSON")
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() in KEPT_HEADERS]
    headers += list((data.get("headers") or {}).items())
    if exc.code and exc.code >= 500:
        return envelope(exc.code, "internal_error", _("Something went wrong on our side; it has been logged"))
    return envelope(exc.code or 500, code, message, details, headers)


def handle_integrity_error(exc: IntegrityError):
    # A service should have turned this into a domain error; the constraint still held, so say 409.
    log.warning("Unmapped integrity error: %s", exc.orig)
    return envelope(409, "constraint_violation", _("The change conflicts with existing data"))


def handle_data_error(exc: DataError):
    log.warning("Unmapped data error: %s", exc.orig)
    return envelope(422, "invalid_value", _("A value is out of range for its field"))


def handle_operational_error(exc: OperationalError):
    if "deadlock detected" in str(exc.orig) or "could not serialize" in str(exc.orig):
        # PostgreSQL broke a lock cycle by aborting this transaction: nothing was written; retry.
        log.warning("Transaction aborted by PostgreSQL: %s", exc.orig)
        return envelope(503, "concurrent_update", _("Too many changes at once; retry"), headers=[("Retry-After", "1")])
    if "database is locked" in str(exc.orig):
        # SQLite under concurrent writers (development databases only): a retry will go through.
        log.warning("SQLite busy: %s", exc.orig)
        return envelope(503, "database_busy", _("The store is busy; retry in a moment"), headers=[("Retry-After", "1")])
    if exc.connection_invalidated or "connection failed" in str(exc.orig) or "too many clients" in str(exc.orig):
        # The database went away (restart, failover) or is full: the pool reconnects; retry.
        log.warning("Database unavailable: %s", exc.orig)
        return envelope(503, "database_unavailable", _("The store's database is unavailable; retry in a moment"),
                        headers=[("Retry-After", "5")])
    return handle_unexpected(exc)


def handle_unexpected(exc: Exception):
    log.exception("Unhandled error")
    return envelope(500, "internal_error", _("Something went wrong on our side; it has been logged"))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(Exception, handle_unexpected)
