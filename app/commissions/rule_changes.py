"""Commission rules and settings change only with four-eyes: staff propose (a pending approval
request, app/staff/approvals.py) and a different staff member approves, which applies the change.
Each change is checked when proposed (a clear 4xx at once) and again when applied (things moved)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from app.commissions import stripe_payouts
from app.commissions.models import CommissionRule, PayoutProvider
from app.commissions.rules import settings as commission_settings
from app.errors import InvalidRequest, not_found
from app.extensions import db
from app.staff import approvals
from app.staff.models import ApprovalRequest

RULE, RULE_END, SETTINGS = "commission_rule", "commission_rule_end", "commission_settings"
KINDS = (RULE, RULE_END, SETTINGS)
_TIMES = ("valid_from", "valid_until")


def _json(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in data.items()}


def _times(data: dict[str, Any]) -> dict[str, Any]:
    return {k: dt.datetime.fromisoformat(v) if k in _TIMES and v else v for k, v in data.items()}


def propose_rule(data: dict[str, Any], staff_id: int) -> ApprovalRequest:
    return _commit(approvals.ask(RULE, staff_id, _json(data)))


def propose_end(rule_id: int, valid_until: dt.datetime, staff_id: int) -> ApprovalRequest:
    _check_end(rule_id, valid_until)
    return _commit(approvals.ask(RULE_END, staff_id, _json({"valid_until": valid_until}), subject_id=rule_id))


def propose_settings(changes: dict[str, Any], staff_id: int) -> ApprovalRequest:
    _check_settings(changes)
    return _commit(approvals.ask(SETTINGS, staff_id, dict(changes)))


def _commit(request: ApprovalRequest) -> ApprovalRequest:
    db.session.commit()
    return request


def _check_end(rule_id: int, valid_until: dt.datetime) -> CommissionRule:
    rule = db.session.get(CommissionRule, rule_id)
    if rule is None:
        raise not_found("commission_rule", id=rule_id)
    if valid_until <= rule.valid_from:
        raise InvalidRequest("valid_until must be after valid_from", code="invalid_window")
    return rule


def _check_settings(changes: dict[str, Any]) -> None:
    if changes.get("payout_provider") == PayoutProvider.STRIPE_CONNECT:
        stripe_payouts.require_stripe()


def apply(request: ApprovalRequest) -> int | None:
    """Make the approved change (no commit: approvals.approve commits it with the decision)."""
    data = _times(request.payload)
    if request.kind == RULE:
        rule = CommissionRule(**data)
        db.session.add(rule)
        db.session.flush()
        return rule.id
    if request.kind == RULE_END:
        rule = _check_end(request.subject_id, data["valid_until"])
        rule.valid_until = data["valid_until"]
        return rule.id
    _check_settings(data)
    if "payout_provider" in data:
        data["payout_provider"] = PayoutProvider(data["payout_provider"])
    row = commission_settings()
    for name, value in data.items():
        setattr(row, name, value)
    return row.id
