"""Turning an idempotency outcome into a response: the stored body as is, flagged when replayed."""
from __future__ import annotations

from flask import jsonify

from app.idempotency.service import Outcome


def respond(outcome: Outcome):
    response = jsonify(outcome.body)
    response.status_code = outcome.status
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
