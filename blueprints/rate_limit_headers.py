"""IETF rate-limit fields (draft-ietf-httpapi-ratelimit-headers-10) instead of the legacy X-RateLimit-*.

flask-limiter 4.1 only writes X-RateLimit-* and puts Retry-After on every limited answer, 200s
included, which tells a well-behaved client to back off when nothing was refused. Its own headers are
therefore off (RATELIMIT_HEADERS_ENABLED = False) and this hook writes, from the limit the route used:

    RateLimit-Policy: "login";q=10;w=60     quota q requests per window of w seconds
    RateLimit: "login";r=7;t=42             r requests left, window resets in t seconds

and Retry-After only on 429 (503s set their own). docs/api.md "Rate limits".
"""
from __future__ import annotations

import math
import time

from flask import Flask, Response, request

from app.extensions import limiter

RETRY_STATUSES = frozenset({429, 503})


def policy_name() -> str:
    # The route's last name part (e.g. "login"): a token clients can match between the two fields.
    return (request.endpoint or "default").rsplit(".", 1)[-1].replace("_", "-")


def add_rate_limit_fields(response: Response) -> Response:
    current = limiter.current_limit
    if current is not None:
        name = policy_name()
        window = current.limit.get_expiry()
        reset = min(window, max(0, math.ceil(current.reset_at - time.time())))  # reset_at rounds up a second
        response.headers["RateLimit-Policy"] = f'"{name}";q={current.limit.amount};w={window}'
        response.headers["RateLimit"] = f'"{name}";r={max(0, current.remaining)};t={reset}'
        if response.status_code == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(max(1, reset))
    if response.status_code not in RETRY_STATUSES:
        response.headers.pop("Retry-After", None)
    return response


def register_rate_limit_headers(app: Flask) -> None:
    # Flask runs after_request hooks last-registered first; put this one at the end of that order so
    # flask-limiter's deduct_when (pickup codes count only failures) has run before `remaining` is read.
    app.after_request_funcs.setdefault(None, []).insert(0, add_rate_limit_fields)
