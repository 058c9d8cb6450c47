"""Four-eyes for large staff refunds: above the store's `refund_approval_above_cents` a staff refund
is a pending approval request (app/staff/approvals.py) until a different staff member approves it;
approving records the refund (as the requester's) and sends it to the provider. At or below the
amount, or with the setting off (null, the default), staff refund at once as before. System refunds
(shopper cancellations, failed group buys, after-sale decisions) never come here."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.errors import Conflict, DomainError, InvalidRequest
from app.extensions import db
from app.idempotency.models import IdempotencyKey
from app.orders.models import PAID_STATES, Order
from app.payments import refunds
from app.payments.models import Refund
from app.settings.services import get_settings
from app.staff import approvals
from app.staff.models import ApprovalRequest

KIND = "refund"
KINDS = (KIND,)
REFUND_SCOPE, REQUEST_SCOPE = "refund:{}", "refund-request:{}"


def _quote(order_id: int, lines: list[dict] | None) -> int:
    """What the refund would come to now; 0 when it cannot be made (create_refund then says why)."""
    order = db.session.get(Order, order_id)
    if order is None or order.status not in PAID_STATES:
        return 0
    try:
        return refunds.requested_amount(order, lines)
    except DomainError:
        return 0


def scope_for(order_id: int, staff_id: int, key: str, lines: list[dict] | None) -> str:
    """The idempotency scope of a staff refund call: a key already used keeps its scope (a retry
    is answered as the first call was, whatever was refunded since); a new call is a request for
    approval when its amount is above the store's threshold."""
    used = db.session.scalar(sa.select(IdempotencyKey.scope).where(
        IdempotencyKey.account_id == staff_id, IdempotencyKey.key == key))
    if used is not None:
        return used
    limit = get_settings().refund_approval_above_cents
    db.session.rollback()  # the key's transaction starts clean
    above = limit is not None and _quote(order_id, lines) > limit
    db.session.rollback()
    return (REQUEST_SCOPE if above else REFUND_SCOPE).format(order_id)


def request_refund(order_id: int, staff_id: int, data: dict[str, Any]) -> ApprovalRequest:
    """A pending refund request, checked now as the refund would be. No commit (idempotent step)."""
    order = db.session.get(Order, order_id)
    if order.status not in PAID_STATES:
        raise Conflict("Only paid orders can be refunded; cancel unpaid ones", code="order_not_paid",
                       details={"status": order.status.value})
    amount = refunds.requested_amount(order, data["lines"])
    if amount <= 0:
        raise InvalidRequest("Nothing left to refund", code="nothing_to_refund")
    if amount > order.paid_cents - order.refunded_cents:
        raise Conflict("The refund would exceed what was paid", code="refund_exceeds_paid")
    refunds.check_cash_choice(order, data.get("cash_refund_by"))
    payload = {"lines": data["lines"], "reason": data["reason"], "restock": data["restock"],
               "cash_refund_by": data.get("cash_refund_by")}
    return approvals.ask(KIND, staff_id, payload, subject_id=order_id, amount_cents=amount)


def _apply(request: ApprovalRequest) -> int:
    p = request.payload
    refund = refunds.create_refund(request.subject_id, staff_id=request.requested_by_id, lines=p["lines"],
                                   reason=p["reason"], restock=p["restock"], cash_refund_by=p.get("cash_refund_by"))
    return refund.id


def approve(request: ApprovalRequest, staff_id: int) -> ApprovalRequest:
    """Record the refund with the approval (one transaction, so two approvers refund once), then
    send it. If the provider is unreachable it stays pending and the reconciliation sweep sends it."""
    request = approvals.approve(request, staff_id, _apply)
    refund = db.session.get(Refund, request.result_id)
    if refund is not None:
        try:
            refunds.complete_refund(refund.id)
        except DomainError:
            db.session.rollback()
    return db.session.get(ApprovalRequest, request.id, populate_existing=True)
