"""Security headers on every response (issue 20).

The pages keep staff and shopper tokens in localStorage, so a script injected into a page, or a
page framed by another site, could act as the person. The pages load scripts and styles from our own
origin only (no inline script or style anywhere, the API docs page included: app/templates), and
Stripe.js from Stripe's origin when a card is needed. docs/security.md lists each header and why.
"""
from __future__ import annotations

from flask import Flask

# Stripe.js runs from js.stripe.com, draws card fields and 3-D Secure in frames from its own hosts and
# calls api.stripe.com (Stripe's published CSP list). Images may come from a CDN a merchant uses.
PAGE_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' https://js.stripe.com https://*.js.stripe.com",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self' https://api.stripe.com",
    "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# Anything else (JSON, CSV, scripts) is never a document to run or frame.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",             # frame-ancestors for browsers that predate CSP 2
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

DATA_HEADERS = [*COMMON.items(), ("Content-Security-Policy", DATA_POLICY)]


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        for name, value in COMMON.items():
            response.headers.setdefault(name, value)
        policy = PAGE_POLICY if response.mimetype == "text/html" else DATA_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
