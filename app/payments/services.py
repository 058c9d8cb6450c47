"""Payment state: starting a provider payment, and applying what the provider reports (webhook,
server-side retrieve, or the reconciliation sweep) exactly once."""
from __future__ import annotations

import contextlib

import sqlalchemy as sa

from app.db import utcnow
from app.errors import not_found
from app.extensions import db
from app.metrics import PAYMENTS, count_on_commit
from app.orders import lifecycle
from app.orders.lifecycle import FollowUps
from app.orders.models import Order
from app.payments.models import Payment, PaymentStatus
from app.payments.providers import get_provider

NO_SYNC = {"synchronize_session": False}


def get_payment(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise not_found("payment", id=payment_id)
    return payment


def online_payment_of(order_id: int) -> Payment | None:
    return db.session.scalar(sa.select(Payment).where(Payment.order_id == order_id).order_by(Payment.id.desc()))


def open_payment_of(order_id: int, purpose: str) -> Payment | None:
    """The order's open (pending or failed) payment for this purpose; at most one (unique index)."""
    return db.session.scalar(sa.select(Payment).where(
        Payment.order_id == order_id, Payment.purpose == purpose,
        Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED))))


def retire(payment_id: int) -> None:
    """Close an open payment the shopper abandoned (another method, or a retry after a failure):
    cancelled here at once, so a new one can open, and at the provider by a job. If the shopper paid
    it after all, that success is still applied (apply_success accepts a cancelled payment) and the
    surplus is refunded as for any late payment."""
    from app.jobs.queue import enqueue

    if db.session.execute(
        sa.update(Payment).where(Payment.id == payment_id,
                                 Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED)))
        .values(status=PaymentStatus.CANCELLED).execution_options(**NO_SYNC)
    ).rowcount:
        db.session.commit()
        enqueue(cancel_at_provider, payment_id)
    else:
        db.session.rollback()


def latest_payment(order: Order) -> Payment | None:
    """The order's current payment, from the loaded relationship (no query when already loaded)."""
    return order.payments[-1] if order.payments else None


def start(payment_id: int) -> Payment:
    """Create the provider side of a payment (a Stripe PaymentIntent) once. The provider call uses an
    idempotency key derived from the payment id, and its result is saved only if none is saved yet."""
    payment = get_payment(payment_id)
    provider = get_provider(payment.provider)
    if payment.provider_ref or not provider.online:
        return payment
    call = {"payment_id": payment.id, "order_id": payment.order_id, "amount": payment.amount_cents,
            "order_number": db.session.get(Order, payment.order_id).number, "method": payment.method}
    db.session.rollback()  # no transaction stays open across the provider call
    started = provider.start(**call)
    db.session.execute(
        sa.update(Payment).where(Payment.id == payment_id, Payment.provider_ref.is_(None))
        .values(provider_ref=started.ref, client_secret=started.client_secret, next_action=started.next_action,
                started_at=utcnow()).execution_options(**NO_SYNC))
    db.session.commit()
    return db.session.get(Payment, payment_id, populate_existing=True)


def apply_success(payment: Payment, follow: FollowUps) -> bool:
    """Record a succeeded payment and pay the order; False if it was already recorded. No commit."""
    if not db.session.execute(
        sa.update(Payment).where(Payment.id == payment.id,
                                 Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED,
                                                     PaymentStatus.CANCELLED)))
        .values(status=PaymentStatus.SUCCEEDED, succeeded_at=utcnow(), failure_message=None)
        .execution_options(**NO_SYNC)
    ).rowcount:
        return False
    lifecycle.mark_paid(db.session.get(Order, payment.order_id), payment, follow)
    count_on_commit(db.session, PAYMENTS, provider=payment.provider)
    return True


def apply_failure(payment: Payment, message: str | None) -> bool:
    """A payment attempt failed (the shopper may try another card on the same intent). No commit."""
    return bool(db.session.execute(
        sa.update(Payment).where(Payment.id == payment.id, Payment.status == PaymentStatus.PENDING)
        .values(status=PaymentStatus.FAILED, failure_message=(message or "payment failed")[:500])
        .execution_options(**NO_SYNC)
    ).rowcount)


def refresh(payment_id: int) -> Payment:
    """Ask the provider how the payment stands and apply it (server-side retrieve)."""
    payment = get_payment(payment_id)
    if payment.status is PaymentStatus.SUCCEEDED or not payment.provider_ref:
        return payment
    provider, ref = get_provider(payment.provider), payment.provider_ref
    db.session.rollback()
    state = provider.state(ref)
    payment = get_payment(payment_id)
    follow = FollowUps()
    if state.status == "succeeded":
        apply_success(payment, follow)
    elif state.status == "cancelled":
        db.session.execute(
            sa.update(Payment).where(Payment.id == payment_id,
                                     Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED)))
            .values(status=PaymentStatus.CANCELLED).execution_options(**NO_SYNC))
    elif state.message:
        apply_failure(payment, state.message)
    db.session.commit()
    follow.run()
    return db.session.get(Payment, payment_id, populate_existing=True)


def cancel_at_provider(payment_id: int) -> None:
    """Job: cancel a provider payment for an order that closed unpaid. If the shopper paid after all,
    the refresh sees the success and the surplus-payment refund follows."""
    payment = get_payment(payment_id)
    if payment.status is PaymentStatus.SUCCEEDED or not payment.provider_ref:
        return
    from app.payments.stripe_gateway import GatewayDeclined

    provider, ref = get_provider(payment.provider), payment.provider_ref
    db.session.rollback()
    # Not cancellable any more (already succeeded): the refresh below settles it.
    with contextlib.suppress(GatewayDeclined):
        provider.cancel(ref)
    refresh(payment_id)


def payment_by_ref(provider: str, ref: str | None, payment_id: str | None = None) -> Payment | None:
    payment = None
    if ref:
        payment = db.session.scalar(sa.select(Payment).where(Payment.provider == provider,
                                                             Payment.provider_ref == ref))
    if payment is None and payment_id and payment_id.isdigit():
        payment = db.session.get(Payment, int(payment_id))
        if payment is not None and payment.provider_ref not in (None, ref):
            payment = None
    return payment
