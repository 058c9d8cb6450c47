"""Posting to the commission journal: an entry and its lines in one savepoint, once per ref,
refused unless the lines sum to zero. Balances are sums of lines (per party and bucket)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.commissions.models import Bucket, EntryKind, JournalEntry, JournalLine
from app.extensions import db


class Unbalanced(ValueError):
    """A posting whose lines do not sum to zero: a bug, never a user error."""


@dataclass(frozen=True)
class Line:
    account_id: int | None
    bucket: Bucket
    amount_cents: int
    role: str | None = None
    order_line_id: int | None = None
    rule_id: int | None = None


def entry_by_ref(ref: str) -> JournalEntry | None:
    return db.session.scalar(sa.select(JournalEntry).where(JournalEntry.ref == ref))


def post(kind: EntryKind, ref: str, lines: list[Line], *, order_id: int | None = None,
         refund_id: int | None = None, memo: str | None = None, allow_empty: bool = False) -> JournalEntry | None:
    """Post once per ref (a rerun returns the first entry); None when every line is zero, unless
    allow_empty (an entry that records that a step happened with nothing to move). No commit."""
    lines = [line for line in lines if line.amount_cents != 0]
    if sum(line.amount_cents for line in lines) != 0:
        raise Unbalanced(f"{kind} {ref}: lines sum to {sum(x.amount_cents for x in lines)}")
    if (existing := entry_by_ref(ref)) is not None:
        return existing
    if not lines and not allow_empty:
        return None
    try:
        with db.session.begin_nested():
            entry = JournalEntry(kind=kind, ref=ref, order_id=order_id, refund_id=refund_id, memo=memo)
            entry.lines = [JournalLine(account_id=x.account_id, bucket=x.bucket, amount_cents=x.amount_cents,
                                       role=x.role, order_line_id=x.order_line_id, rule_id=x.rule_id)
                           for x in lines]
            db.session.add(entry)
    except IntegrityError:  # the same ref posted concurrently: that one stands
        entry = entry_by_ref(ref)
        if entry is None:
            raise
    return entry


def balances(account_id: int) -> dict[Bucket, int]:
    rows = db.session.execute(sa.select(JournalLine.bucket, sa.func.sum(JournalLine.amount_cents))
                              .where(JournalLine.account_id == account_id).group_by(JournalLine.bucket))
    out = {Bucket.PENDING: 0, Bucket.AVAILABLE: 0, Bucket.PAID_OUT: 0}
    out.update({Bucket(b): int(v) for b, v in rows})
    return out


def order_party_sums(order_id: int, bucket: Bucket) -> dict[tuple[int, str], int]:
    """{(account, role): sum} of one order's party lines in a bucket."""
    rows = db.session.execute(
        sa.select(JournalLine.account_id, JournalLine.role, sa.func.sum(JournalLine.amount_cents))
        .join(JournalEntry).where(JournalEntry.order_id == order_id, JournalLine.bucket == bucket,
                                  JournalLine.account_id.is_not(None))
        .group_by(JournalLine.account_id, JournalLine.role))
    return {(a, r): int(v) for a, r, v in rows}


def line_sums(order_id: int) -> dict[tuple[int, EntryKind, int, str], int]:
    """{(order line, entry kind, account, role): sum} of one order's party lines, in one query."""
    rows = db.session.execute(
        sa.select(JournalLine.order_line_id, JournalEntry.kind, JournalLine.account_id, JournalLine.role,
                  sa.func.sum(JournalLine.amount_cents))
        .join(JournalEntry).where(JournalEntry.order_id == order_id, JournalLine.account_id.is_not(None))
        .group_by(JournalLine.order_line_id, JournalEntry.kind, JournalLine.account_id, JournalLine.role))
    return {(line, EntryKind(kind), a, r): int(v) for line, kind, a, r, v in rows}
