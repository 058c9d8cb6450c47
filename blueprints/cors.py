"""CORS for headless front ends on other origins (a mini-program's web view, a separate shop site).

Off unless CORS_ALLOWED_ORIGINS lists origins. Only the API (/api/...) answers cross-origin; the
pages and the Stripe webhook never do. Tokens travel in the Authorization header and the API sets no
cookies, so credentials are never allowed: another site's page can use the API only with a token it
was given, exactly as a native app would. docs/security.md.
"""
from __future__ import annotations

from flask import Flask, request
from flask_cors import CORS

ALLOWED_HEADERS = ["Authorization", "Content-Type", "Accept-Language", "Idempotency-Key"]
# What a front end on another origin may read: paging (X-Pagination, Link), caching (ETag), rate limits.
EXPOSED_HEADERS = ["Content-Language", "Retry-After", "RateLimit", "RateLimit-Policy", "X-Request-Id",
                   "X-Pagination", "Link", "ETag", "Idempotent-Replayed", "X-Payout-Count"]


def register_cors(app: Flask) -> None:
    origins = app.config["CORS_ALLOWED_ORIGINS"]
    if not origins:
        return
    CORS(app, resources={r"/api/*": {"origins": origins}}, allow_headers=ALLOWED_HEADERS,
         expose_headers=EXPOSED_HEADERS, methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
         supports_credentials=False, max_age=600, vary_header=True)

    @app.after_request
    def vary_on_origin(response):
        # flask-cors adds Vary only for lists of two or more; with one, an answer cached for a
        # stranger (no Allow-Origin) would still be served to the listed front end.
        if request.path.startswith("/api/"):
            response.vary.add("Origin")
        return response
