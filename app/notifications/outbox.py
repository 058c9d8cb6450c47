"""Emitting notifications: a row in the caller's transaction, dispatched once it has committed.

emit() never commits and never talks to the outside. After the commit, kick() enqueues the
dispatcher (services do it through FollowUps; every request does it in an after_request hook), and
the periodic sweep catches anything a crash left behind.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.extensions import db
from app.i18n import for_reader
from app.notifications.models import OutboxEvent
from app.request_context import current_request_id

PENDING, COMMITTED = "outbox_pending", "outbox_committed"


@dataclass(frozen=True)
class Recipient:
    account_id: int
    audience: str    # shopper | leader
    title: str       # written with app.i18n._ (lazy): rendered in the recipient's language by emit()
    body: str


def _in_their_language(recipient: Recipient) -> dict:
    """Title and body as the recipient reads them (their saved language, else the store's), not in
    the language of whoever caused the event: a shopper's order may notify a leader who reads English."""
    account = db.session.get(Account, recipient.account_id)
    with for_reader(account):
        return {**asdict(replace(recipient, title="", body="")),
                "title": str(recipient.title), "body": str(recipient.body)}


def emit(event_type: str, payload: dict, recipients: list[Recipient]) -> None:
    """Record a notification as part of the current unit of work."""
    db.session.add(OutboxEvent(event_type=event_type, payload=payload, request_id=current_request_id(),
                               recipients=[_in_their_language(r) for r in recipients]))
    db.session.info[PENDING] = True


@event.listens_for(Session, "after_commit")
def _remember_committed(session: Session) -> None:
    if session.info.pop(PENDING, False):
        session.info[COMMITTED] = True


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(PENDING, None)


def kick() -> None:
    """If this session committed notifications, have them dispatched (a job, or now without Redis)."""
    if db.session.info.pop(COMMITTED, False):
        from app.jobs.queue import enqueue
        from app.notifications.dispatch import dispatch_pending

        enqueue(dispatch_pending)


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)
                             .where(OutboxEvent.dispatched_at.is_(None)))
