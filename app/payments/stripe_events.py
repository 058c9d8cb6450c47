"""Verified Stripe webhook events, each applied exactly once: the event id is inserted in the same
transaction as its effect, so a duplicate delivery (even a concurrent one) finds it and stops, and
every transition is guarded, so an event arriving out of order changes nothing wrongly."""
from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.orders.lifecycle import FollowUps
from app.payments import services as payments
from app.payments.models import WebhookEvent
from app.payments.refunds import record_external_refund


def handle(event: dict[str, Any]) -> str:
    """Apply one verified event; returns what happened (kept on the event row)."""
    record = WebhookEvent(provider="stripe", event_id=str(event.get("id", ""))[:255],
                          event_type=str(event.get("type", ""))[:100], outcome="received")
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        db.session.rollback()
        return "duplicate event: already processed"
    follow = FollowUps()
    record.outcome = _dispatch(event, follow)[:200]
    db.session.commit()
    follow.run()
    return record.outcome


def _dispatch(event: dict[str, Any], follow: FollowUps) -> str:
    kind = event.get("type")
    obj = (event.get("data") or {}).get("object") or {}
    if kind in ("payment_intent.succeeded", "payment_intent.payment_failed") and \
            "top_up_id" in (obj.get("metadata") or {}):
        return _top_up_event(kind, obj)
    if kind in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        payment = payments.payment_by_ref("stripe", obj.get("id"), (obj.get("metadata") or {}).get("payment_id"))
        if payment is None:
            return "ignored: not one of our payments"
        if kind == "payment_intent.succeeded":
            return "payment succeeded" if payments.apply_success(payment, follow) else "already succeeded"
        message = (obj.get("last_payment_error") or {}).get("message")
        return "payment failed" if payments.apply_failure(payment, message) else "failure ignored: not pending"
    if kind == "charge.refunded":
        payment = payments.payment_by_ref("stripe", obj.get("payment_intent"))
        if payment is None:
            return "ignored: not one of our payments"
        return record_external_refund(payment, int(obj.get("amount_refunded") or 0))
    return f"ignored: {kind} is not handled"


def _top_up_event(kind: str, obj: dict[str, Any]) -> str:
    from app.wallet import services as wallet

    top_up = wallet.top_up_by_intent(obj.get("id"), (obj.get("metadata") or {}).get("top_up_id"))
    if top_up is None:
        return "ignored: not one of our top-ups"
    if kind == "payment_intent.succeeded":
        return "top-up credited" if wallet.apply_top_up_success(top_up.id) else "top-up already credited"
    message = (obj.get("last_payment_error") or {}).get("message")
    return "top-up failed" if wallet.apply_top_up_failure(top_up.id, message) else "failure ignored: not pending"
