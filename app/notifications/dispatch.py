"""Dispatching outbox events: the in-app inbox, and a signed webhook to the merchant's URL.

An event is claimed with a guarded UPDATE and its inbox rows and webhook delivery are written in
the same transaction, so two dispatchers never both dispatch it. A webhook delivery is claimed the
same way before each try, retried with backoff after a failure, and never sent again once sent.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time

import requests
import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.metrics import WEBHOOK_FAILURES
from app.notifications.models import (
    DeliveryStatus,
    Notification,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
)
from app.settings.services import get_settings

NO_SYNC = {"synchronize_session": False}
# Wait before retry n (after the n-th failure); after the last, the delivery is given up.
BACKOFF = [dt.timedelta(seconds=30), dt.timedelta(minutes=2), dt.timedelta(minutes=10),
           dt.timedelta(hours=1), dt.timedelta(hours=6)]
SENDING_LEASE = dt.timedelta(minutes=2)
TIMEOUT_SECONDS = 5
SIGNATURE_HEADER = "X-Storefront-Signature"


def dispatch_pending(limit: int = 200) -> int:
    """Job/sweep: dispatch every undispatched event, then try the webhooks that are due."""
    ids = list(db.session.scalars(sa.select(OutboxEvent.id).where(OutboxEvent.dispatched_at.is_(None))
                                  .order_by(OutboxEvent.id).limit(limit)))
    # The merchant's webhook URL is read once for the batch, not once per event: each event commits,
    # which expires the settings row, so reading it per event cost a SELECT each (over a third of
    # the demo seed's settings reads: docs/demo.md, "Time").
    url = get_settings().webhook_url if ids else None
    done = sum(_dispatch_one(event_id, url) for event_id in ids)
    deliver_due()
    return done


def _dispatch_one(event_id: int, url: str | None) -> bool:
    if not db.session.execute(sa.update(OutboxEvent).where(OutboxEvent.id == event_id,
                                                           OutboxEvent.dispatched_at.is_(None))
                              .values(dispatched_at=utcnow()).execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()
        return False  # another dispatcher has it
    event = db.session.get(OutboxEvent, event_id)
    for r in event.recipients:
        db.session.add(Notification(account_id=r["account_id"], audience=r["audience"], outbox_event_id=event.id,
                                    event_type=event.event_type, title=r["title"][:200], body=r["body"][:1000],
                                    data=event.payload))
    if url:
        db.session.add(WebhookDelivery(outbox_event_id=event.id, url=url, next_attempt_at=utcnow()))
    db.session.commit()
    return True


def envelope(event: OutboxEvent) -> dict:
    return {"id": f"evt_{event.id}", "type": event.event_type, "created_at": event.created_at.isoformat(),
            "data": event.payload}


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">: the Stripe scheme, so receivers know it."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver_due(limit: int = 100) -> int:
    """Try every webhook delivery whose time has come; returns how many were sent."""
    now = utcnow()
    due = list(db.session.scalars(sa.select(WebhookDelivery.id).where(
        sa.or_(sa.and_(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now),
               sa.and_(WebhookDelivery.status == DeliveryStatus.SENDING,
                       WebhookDelivery.next_attempt_at <= now - SENDING_LEASE)))
        .order_by(WebhookDelivery.next_attempt_at).limit(limit)))
    return sum(_try_delivery(delivery_id) for delivery_id in due)


def _claim(delivery_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(sa.update(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id,
        sa.or_(sa.and_(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now),
               sa.and_(WebhookDelivery.status == DeliveryStatus.SENDING,
                       WebhookDelivery.next_attempt_at <= now - SENDING_LEASE)))
        .values(status=DeliveryStatus.SENDING, next_attempt_at=now).execution_options(**NO_SYNC)).rowcount
    db.session.commit()
    return bool(claimed)


def _try_delivery(delivery_id: int) -> bool:
    if not _claim(delivery_id):
        return False
    delivery = db.session.get(WebhookDelivery, delivery_id)
    event = db.session.get(OutboxEvent, delivery.outbox_event_id)
    body = json.dumps(envelope(event), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "X-Storefront-Event-Id": f"evt_{delivery.outbox_event_id}",
               SIGNATURE_HEADER: sign(body, get_settings().webhook_secret or "", int(time.time()))}
    if event.request_id:  # the receiver can quote it; our logs of that request carry the same id
        headers["X-Request-Id"] = event.request_id
    url = delivery.url
    db.session.rollback()  # no transaction stays open across the HTTP call
    started = time.monotonic()
    status_code, error = None, None
    try:
        response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False)
        status_code = response.status_code
        ok = 200 <= status_code < 300
        error = None if ok else f"HTTP {status_code}"
    except requests.RequestException as exc:
        ok, error = False, f"{type(exc).__name__}: {exc}"[:500]
    if not ok:
        WEBHOOK_FAILURES.inc()
    _record(delivery_id, ok, status_code, error, int((time.monotonic() - started) * 1000))
    return ok


def _record(delivery_id: int, ok: bool, status_code: int | None, error: str | None, duration_ms: int) -> None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    db.session.add(WebhookAttempt(delivery_id=delivery_id, status_code=status_code, error=error,
                                  duration_ms=duration_ms))
    delivery.attempts += 1
    if ok:
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, utcnow()
    elif delivery.attempts > len(BACKOFF):
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = utcnow() + BACKOFF[delivery.attempts - 1]
    db.session.commit()
