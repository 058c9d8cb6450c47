"""Four-eyes: a money or go-live decision needs a second staff member, never the one who made or
asked for the thing decided on. The check is part of the guarded statement that makes the decision,
so a race between the author and a colleague cannot slip past it."""
from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Account
from app.errors import PermissionDenied
from app.extensions import db
from app.i18n import _


class FourEyesRequired(PermissionDenied):
    code = "four_eyes_required"


MESSAGES = {
    "campaign": _("Another staff member must approve this campaign: its author may not"),
    "payout": _("Another staff member must approve this payout: it is your own"),
    "request": _("Another staff member must approve this: you asked for it"),
}


def refuse(what: str, **details) -> FourEyesRequired:
    return FourEyesRequired(MESSAGES[what], details={"rule": "four_eyes", **details})


def same_person(staff_id: int, account_id: int) -> bool:
    """Whether a staff account and another account (a leader's shopper account) belong to one person:
    the same e-mail or phone. Staff and shopper logins are separate accounts, so ids never match."""
    staff, other = db.session.get(Account, staff_id), db.session.get(Account, account_id)
    if staff is None or other is None:
        return False
    return bool((staff.email and staff.email == other.email) or (staff.phone and staff.phone == other.phone))


def author_is(model, object_id: int, staff_id: int, column: str = "created_by_id") -> bool:
    return db.session.scalar(sa.select(getattr(model, column)).where(model.id == object_id)) == staff_id
