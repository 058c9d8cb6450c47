"""Idempotent unsafe requests. The same key with the same body gives back the original response;
with another body it is refused (422); concurrent requests with one key do the work once.

The key row is inserted in the same transaction as the work's first step, so on PostgreSQL a
concurrent request with the same key waits on the unique index until the first commits (or rolls
back, in which case it simply does the work itself). Work that calls a provider happens after that
commit, under the key's lock, and can be resumed by a retry if the process died (recovery points).
A request that failed and changed nothing leaves no key behind: retrying it runs it again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.errors import Conflict, DomainError, InvalidRequest
from app.extensions import db
from app.i18n import _
from app.idempotency.models import IdempotencyKey

STARTED, CREATED, FINISHED = "started", "created", "finished"
LOCK_TIMEOUT = dt.timedelta(seconds=60)   # a lock older than this belongs to a request that died
WAIT_SECONDS = 5.0                        # how long a concurrent duplicate waits for the first
POLL_SECONDS = 0.05


class KeyReused(InvalidRequest):
    code = "idempotency_key_reused"


class KeyInUse(Conflict):
    code = "idempotency_key_in_use"


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict
    replayed: bool


def fingerprint(scope: str, payload: Any) -> str:
    canonical = json.dumps({"scope": scope, "payload": payload}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def run(*, account_id: int, key: str, scope: str, payload: Any, create: Callable[[], int],
        complete: Callable[[int], Any] | None, render: Callable[[int], tuple[int, dict]]) -> Outcome:
    """create() does the first step inside the key's transaction and returns the resource id;
    complete(id) does provider work after commit (must be safe to repeat); render(id) is the response."""
    digest = fingerprint(scope, payload)
    record, fresh = _claim(account_id, key, scope, digest, create, complete, render)
    if isinstance(record, Outcome):
        return record  # done in the first step (no provider work)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if record.recovery_point == FINISHED:
            return Outcome(record.response_status, record.response_body, replayed=not fresh)
        if fresh or _take_over(record.id):
            return _complete(record.id, complete, render, replayed=not fresh)
        if time.monotonic() > deadline:
            raise KeyInUse(_("A request with this Idempotency-Key is still being processed; retry shortly"))
        time.sleep(POLL_SECONDS)
        db.session.rollback()
        record = db.session.get(IdempotencyKey, record.id, populate_existing=True)


def _claim(account_id, key, scope, digest, create, complete, render) -> tuple[IdempotencyKey | Outcome, bool]:
    record = IdempotencyKey(account_id=account_id, key=key, scope=scope, request_hash=digest,
                            recovery_point=STARTED, locked_at=utcnow())
    db.session.add(record)
    try:
        # The transaction's first write, so no savepoint is needed: on conflict it is all undone.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(sa.select(IdempotencyKey).where(
            IdempotencyKey.account_id == account_id, IdempotencyKey.key == key))
        if existing.scope != scope or existing.request_hash != digest:
            raise KeyReused(_("This Idempotency-Key was used with a different request; use a new key")) from None
        return existing, False
    try:
        resource_id = create()
        response = render(resource_id) if complete is None else None
    except BaseException:
        db.session.rollback()
        raise
    # Set once, after rendering (whose queries autoflush), so the key row is updated once.
    record.resource_id, record.recovery_point = resource_id, CREATED
    if response is not None:
        _store(record, response)
    db.session.commit()
    if response is not None:
        return Outcome(*response, replayed=False), True
    return record, True


def _take_over(record_id: int) -> bool:
    """Lock an unfinished key left unlocked (its provider call failed) or stale (its request died)."""
    taken = db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.id == record_id, IdempotencyKey.recovery_point != FINISHED,
               sa.or_(IdempotencyKey.locked_at.is_(None), IdempotencyKey.locked_at < utcnow() - LOCK_TIMEOUT))
        .values(locked_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(taken)


def _complete(record_id: int, complete, render, *, replayed: bool) -> Outcome:
    resource_id = db.session.get(IdempotencyKey, record_id).resource_id
    if complete is not None:
        try:
            complete(resource_id)
        except DomainError:
            db.session.rollback()
            db.session.execute(sa.update(IdempotencyKey).where(IdempotencyKey.id == record_id).values(locked_at=None))
            db.session.commit()
            raise
    status, body = render(resource_id)
    record = db.session.get(IdempotencyKey, record_id, populate_existing=True)
    _store(record, (status, body))
    db.session.commit()
    return Outcome(status, body, replayed)


def _store(record: IdempotencyKey, response: tuple[int, dict]) -> None:
    record.response_status, record.response_body = response
    record.recovery_point, record.locked_at = FINISHED, None


def purge_expired(older_than_hours: int) -> int:
    """Delete finished keys past their retention (Stripe keeps keys about 24 hours)."""
    cutoff = utcnow() - dt.timedelta(hours=older_than_hours)
    deleted = db.session.execute(sa.delete(IdempotencyKey).where(
        IdempotencyKey.created_at < cutoff, IdempotencyKey.recovery_point == FINISHED)).rowcount
    db.session.commit()
    return deleted or 0
