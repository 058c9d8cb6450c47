"""Payment reconciliation: ask the provider about payments left pending (a lost webhook, a crash)
and retry refunds the provider has not confirmed. Safe to run any number of times."""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from flask import current_app

from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.payments import services as payments
from app.payments.models import Payment, PaymentStatus, RefundStatus
from app.payments.refunds import complete_refund, pending_refund_ids
from app.payments.stripe_gateway import GatewayNotFound

log = logging.getLogger(__name__)

LOOK_BACK = dt.timedelta(days=7)  # card holds and intents older than this are long settled


def reconcile(older_than_minutes: int | None = None) -> dict[str, int]:
    minutes = older_than_minutes or current_app.config["PAYMENT_RECONCILE_AFTER_MINUTES"]
    cutoff = utcnow() - dt.timedelta(minutes=minutes)
    ids = list(db.session.scalars(sa.select(Payment.id).where(
        Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED)), Payment.provider_ref.is_not(None),
        Payment.started_at <= cutoff, Payment.started_at >= utcnow() - LOOK_BACK).order_by(Payment.id).limit(500)))
    counts = {"payments_checked": 0, "payments_succeeded": 0, "payments_not_found": 0, "errors": 0}
    for payment_id in ids:
        try:
            if payments.refresh(payment_id).status is PaymentStatus.SUCCEEDED:
                counts["payments_succeeded"] += 1
            counts["payments_checked"] += 1
        except GatewayNotFound:
            # The provider answered and has no such payment: not an outage, and asking again will
            # not change it (a key of another account or mode, or deleted there). Left pending for
            # a person to look at; the order expires unpaid as usual.
            db.session.rollback()
            log.warning("Payment %s: the provider has no payment %s (404)", payment_id,
                        db.session.get(Payment, payment_id).provider_ref)
            counts["payments_not_found"] += 1
        except DomainError:
            db.session.rollback()
            counts["errors"] += 1
    return counts | retry_refunds()


def retry_refunds() -> dict[str, int]:
    """Send again the refunds still pending a minute after they were recorded: their process died
    mid-call, or the provider was down. A refund another worker is sending right now (its claim has
    not lapsed) is left alone; one the provider already made (the call went through, the answer was
    lost) is found there by our id, never made twice. Runs every minute (app/jobs/schedule.py)."""
    counts = {"refunds_retried": 0, "refunds_completed": 0, "refunds_failed": 0}
    for refund_id in pending_refund_ids(utcnow() - dt.timedelta(minutes=1)):
        status = complete_refund(refund_id).status
        counts["refunds_retried"] += 1
        counts["refunds_completed"] += status is RefundStatus.SUCCEEDED
        counts["refunds_failed"] += status is RefundStatus.FAILED
    return counts
