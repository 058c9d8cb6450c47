"""Refunds owed in bulk (a failed group buy, refunded pre-sale deposits) are written as rows in one
transaction, then each is refunded by its own job. A request is linked to its refund in the
transaction that records the refund, so running a job twice — or rerunning after a crash between
two refunds — refunds each order exactly once."""
from __future__ import annotations

import sqlalchemy as sa

from app.campaigns.models import RefundRequest
from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment, PaymentStatus

NO_SYNC = {"synchronize_session": False}


def request_refunds(order_ids: list[int], reason: str) -> int:
    """Queue a refund of everything paid on each order (no commit); duplicates are ignored."""
    from app.campaigns.stock import _insert

    created = 0
    for order_id in order_ids:
        # Count RETURNING rows: rowcount is -1 for ON CONFLICT inserts on PostgreSQL.
        created += len(db.session.execute(_insert(RefundRequest.__table__).values(
            order_id=order_id, reason=reason, created_at=utcnow()).on_conflict_do_nothing(
            index_elements=["order_id", "reason"]).returning(RefundRequest.__table__.c.id)).all())
    return created


def pending_ids(limit: int = 500) -> list[int]:
    return list(db.session.scalars(sa.select(RefundRequest.id).where(RefundRequest.refund_id.is_(None),
                                                                     RefundRequest.done_at.is_(None))
                                   .order_by(RefundRequest.id).limit(limit)))


def process(request_id: int) -> bool:
    """Job: refund one request's order in full. False if it was already taken care of."""
    from app.payments.refunds import complete_refund, refund_whole_payment

    request = db.session.get(RefundRequest, request_id)
    if request is None or request.refund_id is not None or request.done_at is not None:
        return False
    payments = list(db.session.scalars(sa.select(Payment).where(
        Payment.order_id == request.order_id, Payment.status == PaymentStatus.SUCCEEDED,
        Payment.refunded_cents < Payment.amount_cents).order_by(Payment.id)))
    if not payments:
        db.session.execute(sa.update(RefundRequest).where(RefundRequest.id == request_id,
                                                          RefundRequest.done_at.is_(None))
                           .values(done_at=utcnow()).execution_options(**NO_SYNC))
        db.session.commit()
        return False
    try:
        refund = refund_whole_payment(db.session.get(Order, request.order_id), payments[0], reason=request.reason)
    except Conflict:
        db.session.rollback()
        return False
    if not db.session.execute(sa.update(RefundRequest).where(RefundRequest.id == request_id,
                                                             RefundRequest.refund_id.is_(None))
                              .values(refund_id=refund.id, done_at=utcnow()).execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()  # a concurrent run recorded it first
        return False
    db.session.commit()
    complete_refund(refund.id)
    return True


def process_pending() -> int:
    """Sweep: every request not yet refunded, each on its own (jobs with Redis, inline without)."""
    from app.jobs.queue import enqueue

    ids = pending_ids()
    for request_id in ids:
        enqueue(process, request_id)
    return len(ids)
