"""Posting to the leader cash ledger, as the commission journal does: an entry and its two lines in
one savepoint, once per ref, balanced. A leader's outstanding cash is the sum of their owed lines."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.i18n import _, format_money
from app.leader_cash.models import CashBucket, CashEntry, CashKind, CashLine
from app.leaders.models import Leader

# The store-side bucket each kind moves against the leader's owed balance.
COUNTER = {CashKind.COLLECTED: CashBucket.CASH_SALES, CashKind.CASH_REFUND: CashBucket.CASH_SALES,
           CashKind.REMITTED: CashBucket.RECEIVED, CashKind.NETTED: CashBucket.NETTED,
           CashKind.NETTING_REVERSED: CashBucket.NETTED}


def post(kind: CashKind, ref: str, leader_id: int, owed_delta: int, **fields) -> CashEntry | None:
    """owed_delta > 0: the leader owes more. No commit; a rerun with the same ref returns the first."""
    if owed_delta == 0:
        return None
    if (existing := db.session.scalar(sa.select(CashEntry).where(CashEntry.ref == ref))) is not None:
        return existing
    try:
        with db.session.begin_nested():
            entry = CashEntry(kind=kind, ref=ref, leader_id=leader_id, **fields)
            entry.lines = [CashLine(leader_id=leader_id, bucket=CashBucket.OWED, amount_cents=owed_delta),
                           CashLine(leader_id=None, bucket=COUNTER[kind], amount_cents=-owed_delta)]
            db.session.add(entry)
    except IntegrityError:
        entry = db.session.scalar(sa.select(CashEntry).where(CashEntry.ref == ref))
        if entry is None:
            raise
    return entry


def outstanding(leader_id: int) -> int:
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(CashLine.amount_cents), 0)).where(
        CashLine.leader_id == leader_id, CashLine.bucket == CashBucket.OWED)))


def oldest_unremitted(leader_id: int, owed: int) -> dt.datetime | None:
    """When the oldest cash still owed was collected (first in, first out): the balance's age."""
    if owed <= 0:
        return None
    left = owed
    for created_at, amount in db.session.execute(
            sa.select(CashEntry.created_at, CashLine.amount_cents).join(CashLine)
            .where(CashLine.leader_id == leader_id, CashLine.bucket == CashBucket.OWED, CashLine.amount_cents > 0)
            .order_by(CashEntry.id.desc())):
        left -= amount
        if left <= 0:
            return created_at
    return None


def record_collection(leader_id: int, order_id: int, event_id: int, amount: int) -> None:
    post(CashKind.COLLECTED, f"collected:pickup:{event_id}", leader_id, amount, order_id=order_id)


def lock_leader(leader_id: int) -> None:
    """Take the leader's row lock (a touch): whatever lowers what a leader owes — a remittance, a
    payout's netting — runs one at a time per leader, so together they never take more than is owed."""
    if db.session.execute(sa.update(Leader).where(Leader.id == leader_id).values(updated_at=utcnow())
                          .execution_options(synchronize_session=False)).rowcount == 0:
        raise not_found("leader", id=leader_id)


def net_against_payout(leader_id: int, payout_id: int, payable: int) -> int:
    """Withhold the cash the leader owes from a payout being approved: at most `payable` (what the
    payout would send); the rest stays owed for the next payout or a remittance. Once per payout.
    No commit (the approval's transaction)."""
    ref = f"netted:payout:{payout_id}"
    if db.session.scalar(sa.select(CashEntry.id).where(CashEntry.ref == ref)) is not None:
        return netted_for_payout(payout_id)
    lock_leader(leader_id)
    netted = max(0, min(outstanding(leader_id), payable))
    post(CashKind.NETTED, ref, leader_id, -netted, payout_id=payout_id)
    return netted


def netted_for_payout(payout_id: int) -> int:
    """What a payout withholds now: its netting less any reversal (the owed lines, negated)."""
    return -int(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CashLine.amount_cents), 0)).join(CashEntry)
        .where(CashEntry.payout_id == payout_id, CashLine.bucket == CashBucket.OWED)))


def reverse_netting(leader_id: int, payout_id: int, netted: int) -> None:
    """A payout rejected after approval sent nothing: the cash it withheld is owed again. Once."""
    post(CashKind.NETTING_REVERSED, f"netting_reversed:payout:{payout_id}", leader_id, netted, payout_id=payout_id)


def remit(leader_id: int, amount: int, reference: str, staff_id: int, key: str) -> CashEntry:
    """Staff record cash a leader paid in. Never more than is owed: the leader row is locked
    (touched) first, so two remittances at once are checked one after the other. A retry with
    the same key returns the first entry."""
    ref = f"remit:{leader_id}:{key}"
    if (existing := db.session.scalar(sa.select(CashEntry).where(CashEntry.ref == ref))) is not None:
        return existing
    lock_leader(leader_id)
    owed = outstanding(leader_id)
    if amount > owed:
        raise Conflict(_("More than the leader owes (%(owed)s)", owed=format_money(owed)), code="remit_exceeds_owed",
                       details={"owed_cents": owed})
    if amount <= 0:
        raise InvalidRequest(_("Nothing to remit"), code="nothing_to_remit")
    entry = post(CashKind.REMITTED, ref, leader_id, -amount, reference=reference,
                 created_by_id=staff_id)
    db.session.commit()
    return entry


def outstanding_by_leader() -> list[dict]:
    """Every leader with cash owed, most first, with the age of the oldest unremitted cash."""
    rows = db.session.execute(
        sa.select(CashLine.leader_id, sa.func.sum(CashLine.amount_cents))
        .where(CashLine.bucket == CashBucket.OWED).group_by(CashLine.leader_id)).all()
    now, out = utcnow(), []
    for leader_id, owed in rows:
        owed = int(owed)
        if owed:
            since = oldest_unremitted(leader_id, owed)
            name = db.session.get(Leader, leader_id).display_name
            out.append({"leader_id": leader_id, "leader_name": name, "owed_cents": owed, "oldest_at": since,
                        "age_days": (now - since).days if since else 0})
    return sorted(out, key=lambda r: -r["owed_cents"])


def statement(leader_id: int) -> sa.Select:
    return sa.select(CashEntry).where(CashEntry.leader_id == leader_id).order_by(CashEntry.id.desc())


def total_balance() -> int:
    """Every line of the ledger summed: zero, always (the audit)."""
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(CashLine.amount_cents), 0))))
