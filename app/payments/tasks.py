"""Payment reconciliation: ask the provider about payments left pending (a lost webhook, a crash)
and retry refunds the provider has not confirmed. Safe to run any number of times."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.payments import services as payments
from app.payments.models import Payment, PaymentStatus
from app.payments.refunds import complete_refund, pending_refund_ids

LOOK_BACK = dt.timedelta(days=7)  # card holds and intents older than this are long settled


def reconcile(older_than_minutes: int | None = None) -> dict[str, int]:
    minutes = older_than_minutes or current_app.config["PAYMENT_RECONCILE_AFTER_MINUTES"]
    cutoff = utcnow() - dt.timedelta(minutes=minutes)
    ids = list(db.session.scalars(sa.select(Payment.id).where(
        Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED)), Payment.provider_ref.is_not(None),
        Payment.started_at <= cutoff, Payment.started_at >= utcnow() - LOOK_BACK).order_by(Payment.id).limit(500)))
    counts = {"payments_checked": 0, "payments_succeeded": 0, "refunds_retried": 0, "errors": 0}
    for payment_id in ids:
        try:
            if payments.refresh(payment_id).status is PaymentStatus.SUCCEEDED:
                counts["payments_succeeded"] += 1
            counts["payments_checked"] += 1
        except DomainError:
            db.session.rollback()
            counts["errors"] += 1
    for refund_id in pending_refund_ids(utcnow() - dt.timedelta(minutes=1)):
        complete_refund(refund_id)
        counts["refunds_retried"] += 1
    return counts
