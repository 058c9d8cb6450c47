"""Approval requests: a change that needs a second staff member (four-eyes). One staff member asks;
a different one approves — the guarded UPDATE that decides carries the rule, so a requester racing a
colleague, or two colleagues racing each other, apply the change exactly once — or rejects.

The domain that owns the change supplies `apply(request)`: it makes the change in the approving
transaction and returns the id of what it made. If applying fails (the rule window no longer fits,
the order was refunded meanwhile) the transaction rolls back and the request stays pending."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from app.db import utcnow
from app.errors import Conflict, not_found
from app.extensions import db
from app.i18n import _
from app.staff import four_eyes
from app.staff.models import ApprovalRequest, ApprovalStatus

PENDING = ApprovalStatus.PENDING


def ask(kind: str, staff_id: int, payload: dict[str, Any], *, subject_id: int | None = None,
        amount_cents: int | None = None) -> ApprovalRequest:
    """A pending request. No commit (the caller's transaction, e.g. an idempotency key's)."""
    request = ApprovalRequest(kind=kind, requested_by_id=staff_id, payload=payload, subject_id=subject_id,
                              amount_cents=amount_cents, status=PENDING)
    db.session.add(request)
    db.session.flush()
    return request


def get(request_id: int, kinds: tuple[str, ...]) -> ApprovalRequest:
    request = db.session.get(ApprovalRequest, request_id)
    if request is None or request.kind not in kinds:
        raise not_found("approval_request", id=request_id)
    return request


def listing(kinds: tuple[str, ...], status: str | None = None) -> sa.Select:
    query = sa.select(ApprovalRequest).where(ApprovalRequest.kind.in_(kinds))
    if status:
        query = query.where(ApprovalRequest.status == ApprovalStatus(status))
    return query.order_by(ApprovalRequest.id.desc())


def _decide(request_id: int, staff_id: int, status: ApprovalStatus, reason: str | None) -> bool:
    # Four-eyes in the guard: the requester's approval matches no row, however the calls race.
    others = ApprovalRequest.requested_by_id != staff_id if status is ApprovalStatus.APPROVED else sa.true()
    return bool(db.session.execute(sa.update(ApprovalRequest).where(
        ApprovalRequest.id == request_id, ApprovalRequest.status == PENDING, others).values(
        status=status, decided_by_id=staff_id, decided_at=utcnow(), rejection_reason=reason)
        .execution_options(synchronize_session=False)).rowcount)


def _explain(request: ApprovalRequest, staff_id: int, status: ApprovalStatus) -> ApprovalRequest:
    """Why the guard matched nothing: the requester approving (403, decided or not), or already decided — the same
    decision by the same person again is answered as it was (idempotent), anything else is a 409."""
    db.session.rollback()
    request = db.session.get(ApprovalRequest, request.id, populate_existing=True)
    if status is ApprovalStatus.APPROVED and request.requested_by_id == staff_id:
        # Whatever state the race left it in: the requester may never approve their own request.
        raise four_eyes.refuse("request", request_id=request.id, kind=request.kind)
    if request.status is status and request.decided_by_id == staff_id:
        return request
    raise Conflict(_("This request has already been decided"), code="approval_request_decided",
                   details={"status": request.status.value})


def approve(request: ApprovalRequest, staff_id: int, apply: Callable[[ApprovalRequest], int | None]) -> ApprovalRequest:
    """Approve and apply in one transaction."""
    if not _decide(request.id, staff_id, ApprovalStatus.APPROVED, None):
        return _explain(request, staff_id, ApprovalStatus.APPROVED)
    db.session.refresh(request)
    try:
        request.result_id = apply(request)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return request


def reject(request: ApprovalRequest, staff_id: int, reason: str | None) -> ApprovalRequest:
    """Anyone allowed to approve may reject, the requester too (withdrawing needs no second pair of eyes)."""
    if not _decide(request.id, staff_id, ApprovalStatus.REJECTED, reason):
        return _explain(request, staff_id, ApprovalStatus.REJECTED)
    db.session.commit()
    db.session.refresh(request)
    return request
