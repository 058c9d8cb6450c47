"""Order use cases: checkout (idempotent), cancellation, payment refresh, queries."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.errors import Conflict, not_found
from app.extensions import db
from app.i18n import _
from app.idempotency import service as idempotency
from app.orders import lifecycle
from app.orders.checkout import build_order
from app.orders.lifecycle import FollowUps
from app.orders.models import PAID_STATES, Order, OrderStatus
from app.payments import methods
from app.payments import services as payments
from app.payments.models import Payment, PaymentStatus
from app.payments.providers import get_provider


def checkout(*, account_id: int, key: str, lines: list[dict], payment_method: str,
             render: Callable[[int], tuple[int, dict]], coupon_id: int | None = None,
             points: int = 0, wallet_cents: int = 0) -> idempotency.Outcome:
    """Place an order for pickup from SKU lines, exactly once per Idempotency-Key; for an online
    method, the provider payment (a Stripe PaymentIntent) is created and its client secret returned."""
    payload = {"lines": lines, "payment_method": payment_method}
    if coupon_id is not None or points or wallet_cents:  # only then: keys stored earlier still match
        payload |= {"coupon_id": coupon_id, "points": points, "wallet_cents": wallet_cents}

    def create() -> int:
        return build_order(account_id, lines, payment_method, coupon_id=coupon_id, points=points,
                           wallet_cents=wallet_cents).id

    def complete(order_id: int) -> None:
        payment = payments.online_payment_of(order_id)
        if payment is not None:
            payments.start(payment.id)

    online = get_provider(methods.provider_of(payment_method)).online
    return idempotency.run(account_id=account_id, key=key, scope="checkout", payload=payload, create=create,
                           complete=complete if online else None, render=render)


def get_order(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None:
        raise not_found("order", id=order_id)
    return order


def get_own_order(account_id: int, order_id: int) -> Order:
    """A shopper sees only their own orders; someone else's is simply not found."""
    order = db.session.get(Order, order_id)
    if order is None or order.account_id != account_id:
        raise not_found("order", id=order_id)
    return order


def cancel(order: Order, reason: str, lines: list[dict] | None = None) -> Order:
    """Cancel an order: an unpaid one (awaiting online payment, or to be paid at pickup) is closed;
    a paid one (or some of its lines) is refunded in full until its cut-off (app/orders/cancellation.py)."""
    from app.i18n import _
    from app.orders import cancellation

    if order.status in PAID_STATES or order.close_reason == cancellation.CANCELLED:
        refund_id = cancellation.cancel_paid(order, lines)
        db.session.commit()
        if refund_id is not None:
            from app.payments.refunds import complete_refund

            complete_refund(refund_id)
        return get_order(order.id)
    follow = FollowUps()
    if lines is not None or not lifecycle.cancel(order, reason, follow):
        db.session.rollback()
        order = get_order(order.id)
        raise Conflict(_("This order can no longer be cancelled"), code="order_not_cancellable",
                       details={"status": order.effective_status})
    db.session.commit()
    follow.run()
    return get_order(order.id)


def open_payment(order: Order, method: str | None = None) -> Order:
    """Start paying an order with `method` (default: card): a flash-sale order, a retry of an unpaid
    order, or a pre-sale's balance. Online: reuses an open payment of the same method, so calling it
    twice creates one PaymentIntent; a failed one, or one of another method, is cancelled and a new
    one opened. Wallet: paid at once, if the merchant lets this kind of purchase be paid from it."""
    from app.campaigns import presale

    method = methods.require(method, methods.allowed(campaign_kind=campaign_kind(order)))
    if order.status is OrderStatus.DEPOSIT_PAID:
        payment = presale.open_balance_payment(order, method)
    elif order.effective_status == OrderStatus.PENDING_PAYMENT.value and order.payment_method in ("stripe", "wallet"):
        payment = _open_online(order, method) if method != "wallet" else None
        if payment is None:
            return _pay_now_from_wallet(order)
    else:
        raise Conflict(_("Nothing to pay on this order now"), code="nothing_to_pay",
                       details={"status": order.effective_status})
    if payment is not None:
        payments.start(payment.id)
    return db.session.get(Order, order.id, populate_existing=True)


def campaign_kind(order: Order) -> str | None:
    from app.campaigns.models import Campaign

    campaign = db.session.get(Campaign, order.campaign_id) if order.campaign_id else None
    return campaign.kind.value if campaign is not None else None


def _open_online(order: Order, method: str) -> Payment:
    payment = payments.open_payment_of(order.id, "order")
    if payment is not None and (payment.status is PaymentStatus.FAILED or (payment.method or "card") != method):
        payments.retire(payment.id)
        payment = None
    if payment is None:
        try:
            with db.session.begin_nested():
                payment = Payment(order_id=order.id, provider="stripe", purpose="order", method=method,
                                  amount_cents=order.total_cents, refunded_cents=0, status=PaymentStatus.PENDING)
                db.session.add(payment)
        except IntegrityError:  # a concurrent call opened it
            payment = payments.open_payment_of(order.id, "order")
        db.session.commit()
    return payment


def _pay_now_from_wallet(order: Order) -> Order:
    """An unpaid order (a flash-sale reservation) paid from the wallet in one transaction; an open
    online payment is retired after that commit (if it is paid after all, the surplus is refunded)."""
    from app.orders.checkout import _pay_from_wallet

    if any(p.provider == "wallet" for p in order.payments):  # a wallet part already: the rest goes online
        raise methods.PaymentMethodNotAllowed(
            _("This cannot be paid with %(method)s. Choose one of: %(allowed)s", method="wallet",
              allowed=", ".join(methods.online_offered()) or "-"),
            details={"method": "wallet", "allowed": methods.online_offered()})
    open_online = payments.open_payment_of(order.id, "order")
    open_id = open_online.id if open_online is not None else None
    try:
        _pay_from_wallet(order)
        db.session.execute(sa.update(Order).where(Order.id == order.id).values(payment_method="wallet")
                           .execution_options(synchronize_session=False))
        db.session.commit()
    except IntegrityError:  # paid from the wallet already (a double click): the first one stands
        db.session.rollback()
    if open_id is not None:
        payments.retire(open_id)
    return db.session.get(Order, order.id, populate_existing=True)


def refresh_payment(order: Order) -> Order:
    """Ask the provider now, instead of waiting for its webhook (the shopper says they have paid)."""
    payment = payments.online_payment_of(order.id)
    if payment is not None and payment.provider_ref:
        payments.refresh(payment.id)
    return db.session.get(Order, order.id, populate_existing=True)


def expire_overdue(limit: int = 500) -> tuple[int, int]:
    """Sweep: expire unpaid orders past their expiry, releasing their stock. Each order is its own
    short transaction; running twice, or alongside checkout's lazy release, is harmless.
    Returns (orders expired, orders looked at)."""
    from app.db import utcnow

    due = list(db.session.scalars(
        sa.select(Order.id).where(Order.status == OrderStatus.PENDING_PAYMENT, Order.expires_at <= utcnow())
        .order_by(Order.expires_at).limit(limit)))
    expired = 0
    for order_id in due:
        follow = FollowUps()
        if lifecycle.expire(get_order(order_id), follow):
            expired += 1
        db.session.commit()
        follow.run()
    return expired, len(due)


def list_for_shopper(account_id: int) -> sa.Select:
    return sa.select(Order).where(Order.account_id == account_id).order_by(Order.created_at.desc(), Order.id.desc())


def list_for_staff(filters: dict[str, Any]) -> sa.Select:
    # The staff list names each shopper: load their accounts with the page, not one query per row.
    query = (sa.select(Order).options(selectinload(Order.account))
             .order_by(Order.created_at.desc(), Order.id.desc()))
    if filters.get("group_id"):
        query = query.where(Order.group_id == filters["group_id"])
    if filters.get("shopper_id"):
        query = query.where(Order.account_id == filters["shopper_id"])
    if filters.get("status"):
        query = query.where(Order.effective_status == filters["status"])
    if filters.get("created_from"):
        query = query.where(Order.created_at >= _day_start(filters["created_from"]))
    if filters.get("created_to"):
        query = query.where(Order.created_at < _day_start(filters["created_to"] + dt.timedelta(days=1)))
    if filters.get("number"):
        query = query.where(Order.number == filters["number"].upper())
    return query


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of a store-local date, in UTC: 'orders of 3 March' means the store's 3 March."""
    from app.clock import store_tz

    return dt.datetime.combine(day, dt.time(), tzinfo=store_tz()).astimezone(dt.UTC)
