"""The merchant decides an after-sale request: a full or partial refund of the line through the
order's idempotent refunds (so commission and points are clawed back as for any refund), a
replacement in the pickup point's next delivery batch, or a refusal with a reason. Rules approve
small claims at once. Each decision is a guarded move out of the open states, so two approvals
at once make one refund, and the refund's own guards keep any line within what was paid."""
from __future__ import annotations

import sqlalchemy as sa

from app.aftersales.models import AfterSaleRequest, Decision, Status
from app.aftersales.notify import tell_shopper
from app.aftersales.services import get_request, record, rules
from app.db import utcnow
from app.errors import Conflict, InvalidRequest
from app.extensions import db
from app.i18n import _, format_money
from app.orders.models import Order, OrderLine

NO_SYNC = {"synchronize_session": False}


def is_overdue(row: AfterSaleRequest) -> bool:
    """The leader's review deadline passed: escalated to the merchant, whether or not a job ran."""
    return row.status is Status.AWAITING_LEADER and row.review_due_at <= utcnow()


def _claim(row: AfterSaleRequest, staff_id: int | None, decision: Decision, reason: str | None,
           target: Status) -> None:
    """Take the request out of the open states (first come wins); a leader review still within its
    deadline must come first."""
    allowed = [Status.AWAITING_MERCHANT]
    if staff_id is None or is_overdue(row):
        allowed.append(Status.AWAITING_LEADER)
    if not db.session.execute(sa.update(AfterSaleRequest).where(
            AfterSaleRequest.id == row.id, AfterSaleRequest.status.in_(allowed))
            .values(status=target, decision=decision, decision_reason=reason, decided_at=utcnow(),
                    decided_by_id=staff_id).execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()
        current = get_request(row.id)
        if current.status is Status.AWAITING_LEADER:
            raise Conflict(_("The pickup point's leader reviews this request first"), code="leader_review_pending",
                           details={"review_due_at": current.review_due_at.isoformat()})
        raise Conflict(_("This request has already been decided"), code="aftersale_state_conflict",
                       details={"status": current.status.value})
    db.session.refresh(row)


def _refund(row: AfterSaleRequest, quantity: int, amount: int | None) -> int:
    from app.payments.refunds import refund_lines

    order = db.session.get(Order, row.order_id)
    line = db.session.get(OrderLine, row.order_line_id)
    full = line.amount_of(quantity) if quantity < line.quantity - line.refunded_quantity \
        else line.line_total_cents - line.refunded_cents
    if amount is not None and amount > full:
        raise InvalidRequest(_("A refund of %(quantity)s units can be at most %(max)s", quantity=quantity,
                               max=format_money(full)), code="refund_exceeds_claim", details={"max_cents": full})
    refund = refund_lines(order, {line.id: quantity}, reason=f"after-sale request {row.id} ({row.reason.value})",
                          fee_cents=full - amount if amount is not None else 0)
    row.refund_id, row.refund_cents = refund.id, refund.amount_cents
    if order.payment_method == "pay_at_pickup" and row.leader_id is not None:
        # Cash paid at the point goes back there: the leader pays it out of the cash they hold for
        # the merchant, so what they owe falls by as much (recorded in the leader cash ledger).
        from app.leader_cash.ledger import CashKind, post

        row.cash_refund_by = "leader"
        post(CashKind.CASH_REFUND, f"cash_refund:{refund.id}", row.leader_id, -refund.amount_cents,
             order_id=order.id)
    return refund.id


def _replace(row: AfterSaleRequest, quantity: int) -> None:
    from app.inventory import stock
    from app.pickup.batches import _next_open_batch

    order = db.session.get(Order, row.order_id)
    line = db.session.get(OrderLine, row.order_line_id)
    stock.sell_or_raise(line.sku_id, quantity, reference_type="after_sale", reference_id=row.id)
    _, batch = _next_open_batch(order)
    row.replacement_batch_id, row.replacement_quantity = batch.id, quantity


def decide(row: AfterSaleRequest, staff_id: int | None, data: dict) -> tuple[AfterSaleRequest, int | None]:
    """Record the decision (no commit). Returns the request and a refund to complete after commit."""
    decision = Decision(data["decision"])
    quantity = data.get("quantity") or row.quantity
    if quantity > row.quantity:
        raise InvalidRequest(_("More units than the request claims"), code="quantity_exceeds_claim",
                             details={"claimed": row.quantity})
    if decision is Decision.REJECT and not data.get("reason"):
        raise InvalidRequest(_("Give the shopper a reason for the refusal"), code="reason_required")
    target = {Decision.REFUND: Status.REFUNDED, Decision.REPLACE: Status.REPLACED,
              Decision.REJECT: Status.REJECTED}[decision]
    _claim(row, staff_id, decision, data.get("reason"), target)
    refund_id = None
    if decision is Decision.REFUND:
        refund_id = _refund(row, quantity, data.get("amount_cents"))
        tell_shopper(row, "aftersale.refunded", _("Refund approved"),
                     _("Your after-sale request is approved: the refund is on its way."))
    elif decision is Decision.REPLACE:
        _replace(row, quantity)
        tell_shopper(row, "aftersale.replaced", _("Replacement on its way"),
                     _("A replacement will come with the next delivery to your pickup point."))
    else:
        tell_shopper(row, "aftersale.rejected", _("After-sale request declined"), data["reason"])
    record(row, decision.value, staff_id, "staff" if staff_id else "system", data.get("reason"))
    return row, refund_id


def decide_now(request_id: int, staff_id: int, data: dict) -> AfterSaleRequest:
    """The merchant's decision as one unit of work; the refund goes to the provider after commit."""
    row, refund_id = decide(get_request(request_id), staff_id, data)
    db.session.commit()
    if refund_id is not None:
        from app.payments.refunds import complete_refund

        complete_refund(refund_id)
    return get_request(request_id)


def shopper_rate_bps(account_id: int, excluding: int) -> int:
    """After-sale requests per order line bought (withdrawn ones aside), in basis points."""
    asked = db.session.scalar(sa.select(sa.func.count()).select_from(AfterSaleRequest).where(
        AfterSaleRequest.account_id == account_id, AfterSaleRequest.id != excluding,
        AfterSaleRequest.status != Status.WITHDRAWN))
    bought = db.session.scalar(sa.select(sa.func.count()).select_from(OrderLine).join(Order).where(
        Order.account_id == account_id, Order.paid_cents > 0))
    return asked * 10_000 // max(bought, 1)


def auto_approve(row: AfterSaleRequest) -> int | None:
    """The merchant's rule: a claim up to X from a shopper whose after-sale rate is below Y is
    refunded at once (decided by the system, recorded as such). Returns the refund to complete."""
    limits = rules()
    if not limits.auto_approve_max_cents or row.claim_cents > limits.auto_approve_max_cents:
        return None
    if shopper_rate_bps(row.account_id, row.id) >= limits.auto_approve_max_rate_bps:
        return None
    try:
        with db.session.begin_nested():
            _, refund_id = decide(row, None, {"decision": "refund", "reason": None})
    except Conflict:
        return None  # nothing refundable left (e.g. a staff refund came first): a person decides
    return refund_id

