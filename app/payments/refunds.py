"""Refunds: recorded first (counters guarded so the total can never exceed what was paid), then
sent to the provider outside any transaction, then completed or reverted."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Account
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.inventory import stock
from app.money import split_cents
from app.notifications.messages import notify_order
from app.orders.models import PAID_STATES, Order, OrderLine, OrderStatus
from app.payments.models import Payment, PaymentStatus, Refund, RefundLine, RefundStatus
from app.payments.providers import get_provider
from app.payments.stripe_gateway import GatewayUnavailable

NO_SYNC = {"synchronize_session": False}
CLOSED = (OrderStatus.CANCELLED, OrderStatus.EXPIRED)


def _guarded(stmt) -> bool:
    return bool(db.session.execute(stmt.execution_options(**NO_SYNC)).rowcount)


def _requested(order: Order, lines: list[dict] | None) -> list[tuple[OrderLine, int]]:
    """[(line, quantity)]; no lines means everything not yet refunded."""
    by_id = {line.id: line for line in order.lines}
    if lines is None:
        return [(ln, ln.quantity - ln.refunded_quantity) for ln in order.lines if ln.quantity > ln.refunded_quantity]
    unknown = sorted({r["line_id"] for r in lines} - set(by_id))
    if unknown:
        raise InvalidRequest("These lines are not in this order", code="unknown_order_line",
                             details={"line_ids": unknown})
    wanted: dict[int, int] = {}
    for r in lines:
        wanted[r["line_id"]] = wanted.get(r["line_id"], 0) + r["quantity"]
    return [(by_id[line_id], qty) for line_id, qty in wanted.items()]


def _line_amount(line: OrderLine, quantity: int) -> int:
    # The last units of a line take whatever remains, so a line refunded in parts adds up exactly;
    # earlier units their share of the line's total after discounts, rounded down.
    if quantity == line.quantity - line.refunded_quantity:
        return line.line_total_cents - line.refunded_cents
    return line.amount_of(quantity)


def requested_amount(order: Order, lines: list[dict] | None) -> int:
    """What a staff refund of these lines (none: all) would come to now."""
    return sum(_line_amount(line, qty) for line, qty in _requested(order, lines) if qty > 0)


def _record(order: Order, payment: Payment, parts: list[tuple[OrderLine, int, int]], amount: int, *,
            reason: str, restock: bool, staff_id: int | None, waiting_only: bool = False) -> Refund:
    """parts: (line, quantity, amount); amount is the refund total (the lines' amounts, or more for
    a refund not tied to lines). waiting_only: the units must also be ones not handed over, which
    makes a repeated refund of the same waiting units fail its guard."""
    if amount <= 0:
        raise InvalidRequest("Nothing left to refund", code="nothing_to_refund")
    refund = Refund(order_id=order.id, payment_id=payment.id, amount_cents=amount, reason=reason, restock=restock,
                    created_by_id=staff_id, status=RefundStatus.PENDING)
    for line, qty, line_amount in sorted(parts, key=lambda p: p[0].id):
        within = OrderLine.refunded_quantity + qty <= OrderLine.quantity
        if waiting_only:
            within = OrderLine.picked_up_quantity + OrderLine.refunded_quantity + qty <= OrderLine.quantity
        if not _guarded(sa.update(OrderLine).where(OrderLine.id == line.id, within)
                .values(refunded_quantity=OrderLine.refunded_quantity + qty,
                        refunded_cents=OrderLine.refunded_cents + line_amount)):
            raise Conflict("More units than remain unrefunded on a line", code="refund_exceeds_quantity",
                           details={"line_id": line.id})
        refund.lines.append(RefundLine(order_line_id=line.id, quantity=qty, amount_cents=line_amount))
    if not _guarded(sa.update(Order).where(Order.id == order.id, Order.refunded_cents + amount <= Order.paid_cents)
                    .values(refunded_cents=Order.refunded_cents + amount)):
        raise Conflict("The refund would exceed what was paid", code="refund_exceeds_paid")
    if not _guarded(sa.update(Payment).where(Payment.id == payment.id,
                                             Payment.refunded_cents + amount <= Payment.amount_cents)
                    .values(refunded_cents=Payment.refunded_cents + amount)):
        raise Conflict("The refund would exceed the payment", code="refund_exceeds_paid")
    db.session.add(refund)
    db.session.flush()
    return refund


def _refundable_payment(order_id: int) -> Payment:
    payment = db.session.scalar(sa.select(Payment).where(
        Payment.order_id == order_id, Payment.status == PaymentStatus.SUCCEEDED,
        Payment.refunded_cents < Payment.amount_cents).order_by(Payment.id))
    if payment is None:
        raise Conflict("Nothing paid remains to refund", code="nothing_to_refund")
    return payment


def _record_across(order: Order, parts: list[tuple[OrderLine, int, int]], amount: int, **kwargs: Any) -> Refund:
    """_record over the order's payments: the card part first, the wallet part after (money goes
    back where it came from, card first). One refund per payment used; line amounts are split
    between them, the quantity going with the first piece. Returns the first refund; the others
    point at it (parent_refund_id) and complete with it."""
    payments = sorted(db.session.scalars(sa.select(Payment).where(
        Payment.order_id == order.id, Payment.status == PaymentStatus.SUCCEEDED,
        Payment.refunded_cents < Payment.amount_cents)), key=lambda p: (p.provider == "wallet", p.id))
    if not payments:
        raise Conflict("Nothing paid remains to refund", code="nothing_to_refund")
    if len(payments) == 1 or amount <= payments[0].amount_cents - payments[0].refunded_cents:
        return _record(order, payments[0], parts, amount, **kwargs)
    pieces: list[list[tuple[OrderLine, int, int]]] = [[] for _ in payments]
    budgets = [p.amount_cents - p.refunded_cents for p in payments]
    if amount > sum(budgets):
        raise Conflict("The refund would exceed what was paid", code="refund_exceeds_paid")
    chunks, left = [], amount
    for budget in budgets:
        chunks.append(min(budget, left))
        left -= chunks[-1]
    slot, room = 0, chunks[0]
    for line, qty, line_amount in parts:
        first = True
        while True:
            take = min(line_amount, room)
            if take or first:
                pieces[slot].append((line, qty if first else 0, take))
                first = False
            line_amount, room = line_amount - take, room - take
            if line_amount == 0 or slot == len(chunks) - 1:
                break
            slot += 1
            room = chunks[slot]
    refunds = [_record(order, payment, piece, chunk, **kwargs)
               for payment, piece, chunk in zip(payments, pieces, chunks, strict=True) if chunk > 0]
    for refund in refunds[1:]:
        refund.parent_refund_id = refunds[0].id
    db.session.flush()
    return refunds[0]


def refund_whole_payment(order: Order, payment: Payment, *, reason: str) -> Refund:
    """A system refund of what is left of one payment, with every unrefunded unit of the order
    (group buy failed, pre-sale deposit refunded). No restock here: campaign stock is released by
    its own flow. No commit."""
    remaining = payment.amount_cents - payment.refunded_cents
    lines = [(ln, ln.quantity - ln.refunded_quantity) for ln in order.lines if ln.quantity > ln.refunded_quantity]
    amounts = [_line_amount(ln, qty) for ln, qty in lines]
    # A deposit is only part of the price: the line amounts are scaled down to what was paid.
    shares = split_cents(min(remaining, sum(amounts)), amounts) if amounts and sum(amounts) else []
    parts = [(ln, qty, share) for (ln, qty), share in zip(lines, shares, strict=True)]
    return _record(order, payment, parts, remaining, reason=reason, restock=False, staff_id=None)


def create_refund(order_id: int, *, staff_id: int, lines: list[dict] | None, reason: str,
                  restock: bool) -> Refund:
    """Staff refund a paid order, whole or by line and quantity. Does not commit (idempotent step)."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise not_found("order", id=order_id)
    if order.status not in PAID_STATES:
        raise Conflict("Only paid orders can be refunded; cancel unpaid ones", code="order_not_paid",
                       details={"status": order.status.value})
    parts = [(line, qty, _line_amount(line, qty)) for line, qty in _requested(order, lines)]
    return _record_across(order, parts, sum(p[2] for p in parts), reason=reason, restock=restock,
                          staff_id=staff_id)


def refund_lines(order: Order, quantities: dict[int, int], *, reason: str, restock: bool = False,
                 fee_cents: int = 0, waiting_only: bool = False) -> Refund:
    """A system refund of these line quantities, less an optional fee spread over the lines in
    proportion to their amounts (largest remainder, so the parts add up exactly). No commit."""
    by_id = {line.id: line for line in order.lines}
    items = [(by_id[line_id], qty) for line_id, qty in sorted(quantities.items())]
    amounts = [_line_amount(line, qty) for line, qty in items]
    fees = split_cents(min(fee_cents, sum(amounts)), amounts)
    parts = [(line, qty, amount - fee) for (line, qty), amount, fee in zip(items, amounts, fees, strict=True)]
    return _record_across(order, parts, sum(p[2] for p in parts), reason=reason, restock=restock, staff_id=None,
                          waiting_only=waiting_only)


def _finish_order_status(order_id: int) -> None:
    order = db.session.get(Order, order_id, populate_existing=True)
    if order.paid_cents and order.refunded_cents >= order.paid_cents:
        target = OrderStatus.REFUNDED
    elif order.status in PAID_STATES:
        target = OrderStatus.PARTIALLY_REFUNDED
    else:
        return
    _guarded(sa.update(Order).where(Order.id == order_id, Order.status.in_(PAID_STATES + CLOSED))
             .values(status=target))


def _succeed(refund: Refund, provider_ref: str | None) -> None:
    if not _guarded(sa.update(Refund).where(Refund.id == refund.id, Refund.status == RefundStatus.PENDING)
                    .values(status=RefundStatus.SUCCEEDED, provider_ref=provider_ref, completed_at=utcnow())):
        return
    if refund.restock:
        _restock(refund)
    order = db.session.get(Order, refund.order_id)
    notify_order(order, "order.refunded", "Refund issued",
                 f"{_money(refund.amount_cents, order.currency)} refunded for order {order.number}.",
                 refund={"id": refund.id, "amount_cents": refund.amount_cents, "reason": refund.reason})
    db.session.execute(sa.update(Account).where(Account.id == order.account_id).values(
        lifetime_spend_cents=sa.case((Account.lifetime_spend_cents >= refund.amount_cents,
                                      Account.lifetime_spend_cents - refund.amount_cents), else_=0))
        .execution_options(**NO_SYNC))
    _finish_order_status(refund.order_id)
    from app.loyalty.services import after_refund

    refunded = int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0)).where(
        Refund.order_id == order.id, Refund.status == RefundStatus.SUCCEEDED)))
    after_refund(db.session.get(Order, order.id), refund.id, refunded)
    from app.commissions.services import clawback

    clawback(db.session.get(Order, order.id), refund.id)


def _restock(refund: Refund) -> None:
    """Put refunded units back on sale, but only units still in our hands: not handed over to the
    shopper, not missing or damaged at arrival, and not already put back."""
    lines = {ln.id: ln for ln in db.session.get(Order, refund.order_id, populate_existing=True).lines}
    for part in sorted(refund.lines, key=lambda p: lines[p.order_line_id].sku_id):
        line = lines[part.order_line_id]
        back = min(part.quantity, line.quantity - line.shorted_quantity - line.picked_up_quantity
                   - line.restocked_quantity)
        if back > 0 and _guarded(sa.update(OrderLine).where(
                OrderLine.id == line.id,
                OrderLine.restocked_quantity + OrderLine.shorted_quantity + OrderLine.picked_up_quantity + back
                <= OrderLine.quantity).values(restocked_quantity=OrderLine.restocked_quantity + back)):
            stock.unsell(line.sku_id, back, reference_type="refund", reference_id=refund.id)


def _money(cents: int, currency: str) -> str:
    from babel.numbers import format_currency, get_currency_precision

    return format_currency(cents / 10 ** get_currency_precision(currency), currency, locale="en")


def _fail(refund: Refund, message: str | None) -> None:
    if not _guarded(sa.update(Refund).where(Refund.id == refund.id, Refund.status == RefundStatus.PENDING)
                    .values(status=RefundStatus.FAILED, failure_message=message, completed_at=utcnow())):
        return
    for part in refund.lines:
        _guarded(sa.update(OrderLine).where(OrderLine.id == part.order_line_id).values(
            refunded_quantity=OrderLine.refunded_quantity - part.quantity,
            refunded_cents=OrderLine.refunded_cents - part.amount_cents))
    _guarded(sa.update(Order).where(Order.id == refund.order_id)
             .values(refunded_cents=Order.refunded_cents - refund.amount_cents))
    _guarded(sa.update(Payment).where(Payment.id == refund.payment_id)
             .values(refunded_cents=Payment.refunded_cents - refund.amount_cents))


def complete_refund(refund_id: int) -> Refund:
    """Send a pending refund to its provider and record the outcome. Safe to run again: the
    provider is asked for an existing refund of ours before a new one is made."""
    if not _claim_attempt(refund_id):
        return db.session.get(Refund, refund_id)  # finished, or another worker is on it right now
    refund = db.session.get(Refund, refund_id)
    payment = db.session.get(Payment, refund.payment_id)
    provider, call = get_provider(payment.provider), {
        "ref": payment.provider_ref, "refund_id": refund.id, "amount": refund.amount_cents}
    db.session.rollback()  # no transaction stays open across the provider call
    try:
        result = provider.refund(**call)
    except GatewayUnavailable:
        _release_attempt(refund_id)
        return db.session.get(Refund, refund_id)  # stays pending; the reconciliation sweep retries
    refund = db.session.get(Refund, refund_id)
    if refund.status is not RefundStatus.PENDING:
        return refund  # a concurrent run completed it meanwhile
    if result.status == "succeeded":
        _succeed(refund, result.provider_ref)
    elif result.status == "failed":
        _fail(refund, result.message)
    else:
        refund.provider_ref, refund.attempt_started_at = result.provider_ref, None
    db.session.commit()
    for part_id in db.session.scalars(sa.select(Refund.id).where(Refund.parent_refund_id == refund_id,
                                                                 Refund.status == RefundStatus.PENDING)):
        complete_refund(part_id)  # the same refund's part on the order's other payment
    return db.session.get(Refund, refund_id, populate_existing=True)


ATTEMPT_TIMEOUT = dt.timedelta(minutes=2)


def _claim_attempt(refund_id: int) -> bool:
    claimed = _guarded(sa.update(Refund).where(
        Refund.id == refund_id, Refund.status == RefundStatus.PENDING,
        sa.or_(Refund.attempt_started_at.is_(None), Refund.attempt_started_at < utcnow() - ATTEMPT_TIMEOUT))
        .values(attempt_started_at=utcnow()))
    db.session.commit()
    return claimed


def _release_attempt(refund_id: int) -> None:
    _guarded(sa.update(Refund).where(Refund.id == refund_id).values(attempt_started_at=None))
    db.session.commit()


def refund_surplus_payment(payment_id: int) -> None:
    """Job: give back a payment that arrived for an order that could not take it (closed, or
    already paid). Runs twice safely: the payment's refundable remainder is then zero."""
    payment = db.session.get(Payment, payment_id)
    remaining = payment.amount_cents - payment.refunded_cents if payment else 0
    if remaining <= 0:
        return
    order = db.session.get(Order, payment.order_id)
    parts = [(ln, ln.quantity - ln.refunded_quantity, _line_amount(ln, ln.quantity - ln.refunded_quantity))
             for ln in order.lines if order.status in CLOSED and ln.quantity > ln.refunded_quantity]
    try:
        refund = _record(order, payment, parts, remaining, reason="payment arrived for a closed order",
                         restock=False, staff_id=None)
    except Conflict:
        db.session.rollback()  # a concurrent run recorded it first
        return
    db.session.commit()
    complete_refund(refund.id)


def record_external_refund(payment: Payment, provider_total_refunded: int) -> str:
    """The provider reports more refunded than we know of (e.g. a refund made in Stripe's
    dashboard): record the difference, so our books match the money. Does not commit."""
    # int(): PostgreSQL's SUM over BIGINT is NUMERIC, which would leak Decimals into JSON payloads.
    known = int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Refund.amount_cents), 0)).where(
        Refund.payment_id == payment.id, Refund.status.in_((RefundStatus.PENDING, RefundStatus.SUCCEEDED)))))
    extra = provider_total_refunded - known
    if extra <= 0:
        return "refunds already recorded"
    order = db.session.get(Order, payment.order_id)
    refund = _record(order, payment, [], extra, reason="refunded at the payment provider", restock=False,
                     staff_id=None)
    _succeed(refund, None)
    return f"recorded external refund of {extra}"


def refunds_of(order_id: int) -> sa.Select:
    return sa.select(Refund).where(Refund.order_id == order_id).order_by(Refund.id)


def pending_refund_ids(older_than: Any) -> list[int]:
    return list(db.session.scalars(sa.select(Refund.id).where(
        Refund.status == RefundStatus.PENDING, Refund.created_at <= older_than).order_by(Refund.id).limit(500)))
