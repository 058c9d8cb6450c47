"""Four-eyes for payouts (issue 20): one staff member proposes approving a leader's payout, a
different one approves it (app/staff/approvals.py), which approves the payout, withholds the cash the
leader owes (netting) and, for Stripe Connect, sends the transfer after the commit. A staff member
who is also the payee (same e-mail or phone as the leader's login) may do neither."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.commissions import payouts
from app.commissions.models import Payout, PayoutProvider, PayoutStatus
from app.errors import Conflict
from app.extensions import db
from app.staff import approvals, four_eyes
from app.staff.models import ApprovalRequest, ApprovalStatus

KIND = "payout"
KINDS = (KIND,)


def pending_for(payout_id: int) -> ApprovalRequest | None:
    return db.session.scalar(sa.select(ApprovalRequest).where(
        ApprovalRequest.kind == KIND, ApprovalRequest.subject_id == payout_id,
        ApprovalRequest.status == ApprovalStatus.PENDING))


def _not_the_payee(staff_id: int, payout: Payout) -> None:
    if four_eyes.same_person(staff_id, payout.account_id):
        raise four_eyes.refuse("payout", payout_id=payout.id)


def propose(payout_id: int, staff_id: int) -> ApprovalRequest:
    """Ask a colleague to approve a requested payout. One pending request per payout (a unique
    index): proposing again, or two staff at once, answer the request that stands."""
    payout = payouts.get(payout_id)
    _not_the_payee(staff_id, payout)
    if (pending := pending_for(payout_id)) is not None:
        return pending
    if payout.status is not PayoutStatus.REQUESTED:
        raise Conflict(payouts.state_of(payout.status), code="payout_not_pending")
    try:
        with db.session.begin_nested():
            request = approvals.ask(KIND, staff_id, {}, subject_id=payout_id, amount_cents=payout.amount_cents)
    except IntegrityError:  # a colleague proposed it at the same moment: theirs stands
        if (pending := pending_for(payout_id)) is None:
            raise
        return pending
    db.session.commit()
    return request


def approve(request: ApprovalRequest, staff_id: int) -> ApprovalRequest:
    """Approve the payout with the request, in one transaction (two approvers approve it once); a
    Stripe Connect payout is then sent, outside any transaction."""
    payout = payouts.get(request.subject_id)
    _not_the_payee(staff_id, payout)
    request = approvals.approve(request, staff_id, lambda r: payouts.apply_approval(r.subject_id, staff_id))
    payout = db.session.get(Payout, request.subject_id, populate_existing=True)
    if payout.provider == PayoutProvider.STRIPE_CONNECT and payout.status is PayoutStatus.APPROVED \
            and payout.last_error is None:
        from app.commissions import stripe_payouts

        stripe_payouts.send(payout.id)
    return db.session.get(ApprovalRequest, request.id, populate_existing=True)
