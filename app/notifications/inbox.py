"""The in-app inbox: what a shopper or a leader has been told, and what they have read."""
from __future__ import annotations

import sqlalchemy as sa

from app.db import utcnow
from app.errors import not_found
from app.extensions import db
from app.notifications.models import Notification


def inbox(account_id: int, audience: str, unread_only: bool = False) -> sa.Select:
    query = sa.select(Notification).where(Notification.account_id == account_id, Notification.audience == audience)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.id.desc())


def unread_count(account_id: int, audience: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.account_id == account_id, Notification.audience == audience, Notification.read_at.is_(None)))


def mark_read(account_id: int, audience: str, notification_id: int) -> Notification:
    note = db.session.get(Notification, notification_id)
    if note is None or note.account_id != account_id or note.audience != audience:
        raise not_found("notification", id=notification_id)
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    return note


def mark_all_read(account_id: int, audience: str) -> int:
    count = db.session.execute(sa.update(Notification).where(
        Notification.account_id == account_id, Notification.audience == audience, Notification.read_at.is_(None))
        .values(read_at=utcnow())).rowcount
    db.session.commit()
    return count or 0
