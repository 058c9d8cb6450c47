"""Incoming provider webhooks (/webhooks/...). Not part of the OpenAPI document: providers, not
API clients, call them, and they authenticate by signature rather than bearer token."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.payments import stripe_events
from app.payments.stripe_gateway import verify_event

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.post("/stripe")
def stripe_webhook():
    """Verify the signature on the raw body, then apply the event once (duplicates are acknowledged)."""
    event = verify_event(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    outcome = stripe_events.handle(event)
    return jsonify({"received": True, "outcome": outcome})
