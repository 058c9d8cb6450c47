"""Errors and headers every operation can answer with, declared once and referenced everywhere."""
from __future__ import annotations

ENVELOPE = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}


def _header(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


COMMON_HEADERS = {
    "X-Request-Id": {
        "description": "This request's id (the caller's X-Request-ID, or one made): quote it when reporting a problem",
        "schema": {"type": "string"}},
    "Retry-After": {
        "description": "Seconds to wait before retrying (on 429 and 503 only)",
        "schema": {"type": "integer", "minimum": 0}},
    "RateLimit": {
        "description": "IETF RateLimit header: the limit's remaining quota and reset, e.g. `\"auth\";r=4;t=52`",
        "schema": {"type": "string"}},
    "RateLimit-Policy": {
        "description": "IETF RateLimit-Policy header: the quota and window, e.g. `\"auth\";q=5;w=60`",
        "schema": {"type": "string"}},
    "Link": {
        "description": "RFC 8288 links to the first, previous, next and last pages (rel=first|prev|next|last)",
        "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "true when this is the stored answer to an earlier request with the same Idempotency-Key",
        "schema": {"type": "boolean"}},
}

# Responses apispec/flask-smorest do not register, or register without their headers.
COMMON_RESPONSES = {
    "SERVICE_UNAVAILABLE": {
        "description": "Retry later with the same request (and Idempotency-Key): the database or a provider "
                       "(payment, SMS) is unavailable, or PostgreSQL aborted the transaction to break a lock "
                       "cycle; nothing was written",
        "content": ENVELOPE, "headers": {"Retry-After": _header("Retry-After")}},
}
# Headers added to the error responses flask-smorest registers.
ERROR_HEADERS = {
    "TOO_MANY_REQUESTS": {"Retry-After": _header("Retry-After"), "RateLimit": _header("RateLimit"),
                          "RateLimit-Policy": _header("RateLimit-Policy")},
}


def add_common_answers(operation: dict, *, has_path_parameters: bool) -> None:
    responses = operation["responses"]
    parameters = operation.get("parameters", [])
    responses.setdefault("503", {"$ref": "#/components/responses/SERVICE_UNAVAILABLE"})
    if "requestBody" in operation:
        responses.setdefault("400", {"$ref": "#/components/responses/BAD_REQUEST"})  # malformed JSON
        responses.setdefault("413", {"$ref": "#/components/responses/REQUEST_ENTITY_TOO_LARGE"})
        responses.setdefault("422", {"$ref": "#/components/responses/UNPROCESSABLE_ENTITY"})
    if has_path_parameters:
        responses.setdefault("404", {"$ref": "#/components/responses/NOT_FOUND"})  # ids out of range
    idempotent = any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in parameters)
    rate_limited = "429" in responses  # the quota's state comes with every answer of a limited operation
    for status, response in responses.items():
        if not status.startswith("2") or "$ref" in response:
            continue
        headers = response.setdefault("headers", {})
        headers["X-Request-Id"] = _header("X-Request-Id")
        if "X-Pagination" in headers:
            headers["Link"] = _header("Link")
        if idempotent:
            headers["Idempotent-Replayed"] = _header("Idempotent-Replayed")
        if rate_limited:
            headers["RateLimit"] = _header("RateLimit")
            headers["RateLimit-Policy"] = _header("RateLimit-Policy")


def add_error_headers(responses: dict) -> None:
    for name, response in responses.items():
        headers = response.setdefault("headers", {})
        headers.update(ERROR_HEADERS.get(name, {}))
        headers["X-Request-Id"] = _header("X-Request-Id")
