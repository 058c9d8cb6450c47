"""Health checks for load balancers and orchestrators, outside the API prefix (docs/operations.md).

/healthz: the process is up and serving (no dependency is asked, so a database outage does not
make every web process look dead and get restarted). /readyz: the database and, when configured,
Redis answer within a short timeout; a 503 takes this process out of the load balancer's rotation.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from app.extensions import db

bp = Blueprint("ops", __name__)
TIMEOUT_SECONDS = 2


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def _check_database() -> str:
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"SET LOCAL statement_timeout = {TIMEOUT_SECONDS * 1000}"))
            conn.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception:
        current_app.logger.exception("Readiness: the database did not answer")
        return "unavailable"


def _check_redis() -> str:
    if not current_app.config["REDIS_URL"]:
        return "not_configured"
    from redis import Redis

    try:  # a client of its own with timeouts: the shared one would wait on a black-holed host
        Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=TIMEOUT_SECONDS,
                       socket_timeout=TIMEOUT_SECONDS).ping()
        return "ok"
    except Exception:
        current_app.logger.exception("Readiness: Redis did not answer")
        return "unavailable"


@bp.get("/readyz")
def readyz():
    started = time.monotonic()
    checks = {"database": _check_database(), "redis": _check_redis()}
    ready = all(v in ("ok", "not_configured") for v in checks.values())
    response = jsonify(status="ready" if ready else "unavailable", checks=checks,
                       duration_ms=round((time.monotonic() - started) * 1000, 1))
    response.status_code = 200 if ready else 503
    if not ready:
        response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response
