"""Drawing a lottery, telling the winners, issuing their prizes, and the audit record.

The draw is claimed with one guarded UPDATE (published and closed → drawn), so of any number of
concurrent draws exactly one computes and writes the result; the others find it drawn and return
it, writing nothing. Winners are notified through the outbox in the draw's own transaction.
Prizes are coupons issued after that commit, each winner in its own transaction, idempotent by
the coupon's source_ref: a rerun (job retry, sweep, CLI) issues only what is still missing.
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from app.db import utcnow
from app.errors import Conflict, DomainError
from app.extensions import db
from app.i18n import _
from app.lotteries import draw
from app.lotteries.models import Lottery, LotteryEntry, LotteryStatus
from app.lotteries.services import get_lottery, phase
from app.notifications.outbox import Recipient, emit

log = logging.getLogger(__name__)
NO_SYNC = {"synchronize_session": False}
SOURCE = "lottery"


def draw_lottery(lottery_id: int) -> Lottery:
    """Fix the winners once entries have closed (idempotent), then have the prizes issued."""
    lottery, drawn_now = _draw(lottery_id)
    if drawn_now:
        from app.jobs.queue import enqueue
        from app.notifications.outbox import kick

        kick()
        enqueue(issue_prizes, lottery_id)
    return lottery


def draw_job(lottery_id: int) -> dict[str, Any]:
    """RQ job: draw one lottery (ids in, primitives out). Safe to run twice."""
    lottery = draw_lottery(lottery_id)
    return {"lottery_id": lottery.id, "status": lottery.status.value, "entry_count": lottery.entry_count}


def _draw(lottery_id: int) -> tuple[Lottery, bool]:
    lottery = get_lottery(lottery_id)
    if lottery.status is LotteryStatus.DRAWN:
        return lottery, False
    now = utcnow()
    current = phase(lottery, now)
    if lottery.status is LotteryStatus.PUBLISHED and now < lottery.entries_close_at:
        raise Conflict(_("Entries are still open; the draw comes after entries_close_at"), code="lottery_entries_open",
                       details={"entries_close_at": lottery.entries_close_at.isoformat()})
    if lottery.status is not LotteryStatus.PUBLISHED:
        raise Conflict(_("Only a published lottery can be drawn"), code="lottery_not_drawable",
                       details={"phase": current.value})
    if not draw.seed_matches(lottery.seed, lottery.seed_hash):  # never expected: the commitment is the promise
        raise Conflict(_("The stored seed does not match its published hash; not drawing"),
                       code="lottery_seed_mismatch")
    claimed = db.session.execute(sa.update(Lottery).where(
        Lottery.id == lottery_id, Lottery.status == LotteryStatus.PUBLISHED, Lottery.entries_close_at <= now)
        .values(status=LotteryStatus.DRAWN, drawn_at=now).execution_options(**NO_SYNC)).rowcount
    if not claimed:  # a concurrent draw won (or the merchant acted meanwhile)
        db.session.rollback()
        lottery = db.session.get(Lottery, lottery_id, populate_existing=True)
        if lottery.status is LotteryStatus.DRAWN:
            return lottery, False
        raise Conflict(_("Only a published lottery can be drawn"), code="lottery_not_drawable",
                       details={"phase": phase(lottery, now).value})
    # Read after the claim: the row lock it holds means every accepted entry has committed.
    entries = list(db.session.scalars(sa.select(LotteryEntry).where(LotteryEntry.lottery_id == lottery_id)
                                      .order_by(LotteryEntry.number)))
    if [e.number for e in entries] != list(range(1, len(entries) + 1)):
        raise RuntimeError(f"lottery {lottery_id}: entry numbers are not 1..N")
    prizes = lottery.prizes
    for win in draw.draw(lottery.seed, len(entries), [p.quantity for p in prizes]):
        entry = entries[win.entry_number - 1]
        entry.win_rank, entry.prize_id = win.rank, prizes[win.prize_position - 1].id
        _notify_winner(lottery, entry, prizes[win.prize_position - 1].name)
    lottery.entry_count = len(entries)
    lottery.entries_digest = draw.entries_digest([(e.number, e.ticket) for e in entries])
    db.session.commit()
    return get_lottery(lottery_id), True


def _notify_winner(lottery: Lottery, entry: LotteryEntry, prize_name: str) -> None:
    emit("lottery.won", {"lottery_id": lottery.id, "title": lottery.title, "group_id": lottery.group_id,
                         "entry_id": entry.id, "entry_number": entry.number, "ticket": entry.ticket,
                         "account_id": entry.account_id, "win_rank": entry.win_rank, "prize": prize_name},
         [Recipient(entry.account_id, "shopper", _("You won: %(prize)s", prize=prize_name),
                    _("Your entry #%(number)s (%(ticket)s) won “%(prize)s” in “%(lottery)s”. It comes as a coupon "
                      "in your account, for your next order.", number=entry.number, ticket=entry.ticket,
                      prize=prize_name, lottery=lottery.title))])


def source_ref(lottery_id: int, entry_id: int) -> str:
    return f"lottery:{lottery_id}:entry:{entry_id}"


def issue_prizes(lottery_id: int, retry_failed: bool = False) -> dict[str, int]:
    """Job: issue each winner's coupon that is not issued yet (those that failed only if asked)."""
    query = sa.select(LotteryEntry.id).where(LotteryEntry.lottery_id == lottery_id,
                                             LotteryEntry.prize_id.is_not(None),
                                             LotteryEntry.prize_issued_at.is_(None))
    if not retry_failed:
        query = query.where(LotteryEntry.prize_error.is_(None))
    counts = {"issued": 0, "failed": 0}
    for entry_id in list(db.session.scalars(query.order_by(LotteryEntry.win_rank))):
        counts["issued" if _issue_one(entry_id) else "failed"] += 1
    return counts


def _issue_one(entry_id: int) -> bool:
    entry = db.session.get(LotteryEntry, entry_id)
    try:
        issue_prize_coupon(entry.prize.coupon_template_id, entry.account_id, entry.lottery_id, entry.id)
    except DomainError as exc:
        db.session.rollback()
        log.warning("Lottery prize for entry %s not issued: %s", entry_id, exc.code)
        db.session.execute(sa.update(LotteryEntry).where(LotteryEntry.id == entry_id,
                                                         LotteryEntry.prize_issued_at.is_(None))
                           .values(prize_error=exc.code[:60]).execution_options(**NO_SYNC))
        db.session.commit()
        return False
    db.session.execute(sa.update(LotteryEntry).where(LotteryEntry.id == entry_id,
                                                     LotteryEntry.prize_issued_at.is_(None))
                       .values(prize_issued_at=utcnow(), prize_error=None).execution_options(**NO_SYNC))
    db.session.commit()
    return True


def issue_prize_coupon(template_id: int, account_id: int, lottery_id: int, entry_id: int) -> Any:
    """The one place a prize becomes a coupon (app/coupons). Does not commit. Idempotent: the
    coupon is issued once per source_ref, however often this runs."""
    from app.coupons.services import issue_coupon

    return issue_coupon(template_id, account_id, source=SOURCE, source_ref=source_ref(lottery_id, entry_id))


def due_ids(now=None) -> list[int]:
    return list(db.session.scalars(sa.select(Lottery.id).where(
        Lottery.status == LotteryStatus.PUBLISHED, Lottery.entries_close_at <= (now or utcnow()))
        .order_by(Lottery.entries_close_at, Lottery.id)))


def with_prizes_pending() -> list[int]:
    return list(db.session.scalars(sa.select(LotteryEntry.lottery_id).where(
        LotteryEntry.prize_id.is_not(None), LotteryEntry.prize_issued_at.is_(None),
        LotteryEntry.prize_error.is_(None)).distinct().order_by(LotteryEntry.lottery_id)))


def sweep(progress=None) -> dict[str, int]:
    """Job/sweep: draw every lottery whose entries have closed, then issue any prize still owed
    (a job that died half-way). Safe to run twice or concurrently."""
    counts = {"drawn": 0, "issued": 0, "failed": 0}
    for lottery_id in due_ids():
        try:
            _drawn, drawn_now = _draw(lottery_id)
        except DomainError as exc:
            db.session.rollback()
            log.warning("Lottery %s not drawn: %s", lottery_id, exc.code)
            continue
        counts["drawn"] += drawn_now
        if progress:
            progress(f"… lottery {lottery_id} drawn")
    from app.notifications.outbox import kick

    kick()
    for lottery_id in with_prizes_pending():
        issued = issue_prizes(lottery_id)
        counts["issued"] += issued["issued"]
        counts["failed"] += issued["failed"]
        if progress:
            progress(f"… lottery {lottery_id}: {issued['issued']} prizes issued, {issued['failed']} failed")
    return counts


def audit_record(lottery: Lottery) -> dict[str, Any]:
    """Everything needed to check the draw without our database (scripts/verify_lottery.py). The
    seed appears only once the lottery is drawn."""
    entries = list(db.session.execute(sa.select(LotteryEntry.number, LotteryEntry.ticket, LotteryEntry.win_rank,
                                                LotteryEntry.prize_id)
                                      .where(LotteryEntry.lottery_id == lottery.id).order_by(LotteryEntry.number)))
    drawn = lottery.status is LotteryStatus.DRAWN
    by_id = {p.id: p for p in lottery.prizes}
    winners = sorted((e for e in entries if e.win_rank is not None), key=lambda e: e.win_rank)
    return {
        "lottery_id": lottery.id, "title": lottery.title, "phase": phase(lottery, utcnow()).value,
        "entries_close_at": lottery.entries_close_at, "drawn_at": lottery.drawn_at, "algorithm": draw.ALGORITHM,
        "seed_hash": lottery.seed_hash, "seed": lottery.seed.hex() if drawn else None,
        "entry_count": len(entries),
        "entries_digest": lottery.entries_digest if drawn else draw.entries_digest([(e.number, e.ticket)
                                                                                    for e in entries]),
        "prizes": [{"position": p.position, "name": p.name, "quantity": p.quantity} for p in lottery.prizes],
        "entries": [{"number": e.number, "ticket": e.ticket} for e in entries],
        "winners": [{"rank": e.win_rank, "entry_number": e.number, "ticket": e.ticket,
                     "prize_position": by_id[e.prize_id].position, "prize_name": by_id[e.prize_id].name}
                    for e in winners] if drawn else None,
    }


def with_failed_prizes() -> list[int]:
    return list(db.session.scalars(sa.select(LotteryEntry.lottery_id).where(
        LotteryEntry.prize_id.is_not(None), LotteryEntry.prize_issued_at.is_(None),
        LotteryEntry.prize_error.is_not(None)).distinct().order_by(LotteryEntry.lottery_id)))
