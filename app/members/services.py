"""Joining the membership. (Paid joining, tiers and points extend this.)"""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.members.models import Membership


def is_member(account_id: int) -> bool:
    membership = db.session.get(Membership, account_id)
    return membership is not None and membership.is_active


def join(account_id: int) -> Membership:
    """Free membership; joining twice is a no-op."""
    membership = db.session.get(Membership, account_id)
    if membership is None:
        try:
            with db.session.begin_nested():
                membership = Membership(account_id=account_id, is_active=True)
                db.session.add(membership)
        except IntegrityError:
            membership = db.session.get(Membership, account_id)
    membership.is_active = True
    db.session.commit()
    return membership
