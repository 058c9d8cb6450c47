"""Posting to the points ledger: one guarded UPDATE of the member's balances (RETURNING the new
ones) and one INSERT of the entry carrying them, in a savepoint, once per ref.

The UPDATE's condition keeps the balance from going negative whatever runs concurrently: two
redemptions racing for the last points serialise on the row, and the second finds too few.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.loyalty.models import PointsEntry, PointsKind
from app.members.models import Membership

NO_SYNC = {"synchronize_session": False}


class InsufficientPoints(Conflict):
    def __init__(self, balance: int, wanted: int):
        super().__init__(_("Not enough points"), code="insufficient_points",
                         details={"balance": balance, "requested": wanted})


def entry_by_ref(ref: str) -> PointsEntry | None:
    return db.session.scalar(sa.select(PointsEntry).where(PointsEntry.ref == ref))


def post(account_id: int, kind: PointsKind, delta: int, *, ref: str, growth_delta: int = 0,
         order_id: int | None = None, group_id: int | None = None, note: str | None = None,
         clamp: bool = False) -> PointsEntry | None:
    """Post once per ref; returns the entry (the earlier one on a rerun), or None when there is
    nothing to post (zero, or clamped to zero). clamp: take back only what the balance still holds
    (a reversal after the points were spent) instead of refusing. No commit."""
    if (existing := entry_by_ref(ref)) is not None:
        return existing
    try:
        with db.session.begin_nested():
            if clamp:
                held = db.session.execute(
                    sa.select(Membership.points_balance, Membership.growth_points)
                    .where(Membership.account_id == account_id).with_for_update()).one_or_none()
                if held is None:
                    return None
                delta, growth_delta = max(delta, -held[0]), max(growth_delta, -held[1])
            if delta == 0 and growth_delta == 0:
                return None
            after = db.session.execute(
                sa.update(Membership)
                .where(Membership.account_id == account_id, Membership.points_balance + delta >= 0,
                       Membership.growth_points + growth_delta >= 0)
                .values(points_balance=Membership.points_balance + delta,
                        growth_points=Membership.growth_points + growth_delta)
                .returning(Membership.points_balance, Membership.growth_points)
                .execution_options(**NO_SYNC)).one_or_none()
            if after is None:
                balance = db.session.scalar(sa.select(Membership.points_balance)
                                            .where(Membership.account_id == account_id)) or 0
                raise InsufficientPoints(balance, -delta)
            entry = PointsEntry(account_id=account_id, kind=kind, delta=delta, balance_after=after[0],
                                growth_delta=growth_delta, growth_after=after[1], order_id=order_id,
                                group_id=group_id, ref=ref, note=note)
            db.session.add(entry)
    except IntegrityError:  # the same ref posted concurrently: that posting stands, this one rolled back
        entry = entry_by_ref(ref)
        if entry is None:
            raise
    return entry


def entries_of(account_id: int) -> sa.Select:
    return sa.select(PointsEntry).where(PointsEntry.account_id == account_id).order_by(PointsEntry.id.desc())
