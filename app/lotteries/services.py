"""Merchant lottery management, entering, and what shoppers and auditors may see.

A lottery is edited as a draft; publishing draws its secret seed and fixes the public commitment
(seed_hash); entries are accepted until entries_close_at (by the clock, no job needed); the draw
(app/lotteries/drawing.py) then fixes the winners and reveals the seed.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.codes import new_code
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, NotFound, PermissionDenied, not_found
from app.extensions import db
from app.groups.bindings import current_binding
from app.groups.models import Group
from app.i18n import _
from app.lotteries import draw
from app.lotteries.models import EntryRule, Lottery, LotteryEntry, LotteryPrize, LotteryStatus
from app.members.services import is_member
from app.orders.models import PAID_STATES, Order, OrderStatus

NO_SYNC = {"synchronize_session": False}
FIELDS = ("title", "description", "entries_close_at")
ELIGIBLE_ORDER_STATES = (*PAID_STATES, OrderStatus.CONFIRMED)
TICKET_LENGTH = 8


class Phase(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"             # published, before entries_close_at
    CLOSED = "closed"         # published, entries closed, waiting for the draw
    DRAWN = "drawn"
    CANCELLED = "cancelled"


def phase(lottery: Lottery, now: dt.datetime) -> Phase:
    if lottery.status is LotteryStatus.PUBLISHED:
        return Phase.OPEN if now < lottery.entries_close_at else Phase.CLOSED
    return Phase(lottery.status.value)


def get_lottery(lottery_id: int) -> Lottery:
    lottery = db.session.get(Lottery, lottery_id)
    if lottery is None:
        raise not_found("lottery", id=lottery_id)
    return lottery


# --- the merchant's side ---------------------------------------------------------------------

def create(data: dict[str, Any], staff_id: int) -> Lottery:
    """A draft lottery for one group."""
    if db.session.get(Group, data["group_id"]) is None:
        raise InvalidRequest(_("Unknown group"), code="group_not_found", details={"group_id": data["group_id"]})
    lottery = Lottery(group_id=data["group_id"], created_by_id=staff_id, status=LotteryStatus.DRAFT, entry_count=0,
                      entry_rule=EntryRule.MEMBERS)
    _apply(lottery, data)
    db.session.add(lottery)
    db.session.commit()
    return lottery


def _lock(lottery: Lottery) -> None:
    """Take the lottery's row and re-read it: an edit and a publish racing serialise here, so
    neither acts on what the other has just changed."""
    db.session.refresh(lottery, with_for_update=True)
    db.session.refresh(lottery, ["prizes"])


def update(lottery: Lottery, changes: dict[str, Any]) -> Lottery:
    """Only drafts change: once published, the rules entrants relied on and the seed are fixed."""
    _lock(lottery)
    if lottery.status is not LotteryStatus.DRAFT:
        raise Conflict(_("Only a draft lottery can be edited"), code="lottery_locked",
                       details={"status": lottery.status.value})
    _apply(lottery, changes)
    db.session.commit()
    return lottery


def _apply(lottery: Lottery, data: dict[str, Any]) -> None:
    """Check everything first, then change: a refused edit leaves the object (and the flush) clean."""
    rule = EntryRule(data.get("entry_rule", lottery.entry_rule))
    days = data.get("recent_order_days", lottery.recent_order_days if rule is lottery.entry_rule else None)
    if rule is EntryRule.RECENT_ORDER and days is None:
        raise InvalidRequest(_("The recent_order rule needs recent_order_days"), code="lottery_rule_incomplete")
    if rule is EntryRule.MEMBERS and data.get("recent_order_days") is not None:
        raise InvalidRequest(_("recent_order_days applies only to the recent_order rule"), code="lottery_rule_mismatch")
    if "entries_close_at" in data and data["entries_close_at"] <= utcnow():
        raise InvalidRequest(_("entries_close_at must be in the future"), code="lottery_close_in_past")
    prizes = data.get("prizes")
    if prizes is not None:
        _check_templates([p["coupon_template_id"] for p in prizes if p.get("coupon_template_id") is not None])
    for key in FIELDS:
        if key in data:
            setattr(lottery, key, data[key])
    lottery.entry_rule = rule
    lottery.recent_order_days = days if rule is EntryRule.RECENT_ORDER else None
    if prizes is not None:
        _set_prizes(lottery, prizes)


def _set_prizes(lottery: Lottery, prizes: list[dict[str, Any]]) -> None:
    # Rows are updated in place by position (never delete-then-insert), so the unique
    # (lottery, position) cannot trip over a row the flush has not deleted yet.
    for position, data in enumerate(prizes, start=1):
        if position <= len(lottery.prizes):
            prize = lottery.prizes[position - 1]
        else:
            prize = LotteryPrize(position=position)
            lottery.prizes.append(prize)
        prize.name, prize.quantity = data["name"], data["quantity"]
        prize.coupon_template_id = data.get("coupon_template_id")
    del lottery.prizes[len(prizes):]


def _check_templates(template_ids: list[int], *, usable_until: dt.datetime | None = None) -> None:
    from app.coupons.models import CouponTemplate

    ids = sorted(set(template_ids))
    found = {t.id: t for t in db.session.scalars(sa.select(CouponTemplate).where(CouponTemplate.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidRequest(_("Unknown coupon templates"), code="unknown_coupon_template", details={"ids": missing})
    if usable_until is None:
        return
    unusable = [t.id for t in found.values() if not t.is_active or (t.valid_until and t.valid_until <= usable_until)]
    if unusable:
        raise InvalidRequest(_("Prize coupons must be active and still issuable when entries close"),
                             code="coupon_template_unusable", details={"ids": unusable})


def publish(lottery: Lottery) -> Lottery:
    """Draw the secret seed and publish its hash: from now on the result is fixed by the seed and
    the entries, and nothing about the lottery can change."""
    _lock(lottery)
    if lottery.status is not LotteryStatus.DRAFT:
        raise Conflict(_("Only a draft lottery can be published"), code="lottery_not_draft",
                       details={"status": lottery.status.value})
    now = utcnow()
    if lottery.entries_close_at <= now:
        raise InvalidRequest(_("entries_close_at has passed; set a later one first"), code="lottery_close_in_past")
    if not lottery.prizes:
        raise InvalidRequest(_("A lottery needs at least one prize"), code="lottery_incomplete")
    without = [p.position for p in lottery.prizes if p.coupon_template_id is None]
    if without:
        raise InvalidRequest(_("Each prize needs the coupon template it becomes"), code="lottery_incomplete",
                             details={"prize_positions": without})
    _check_templates([p.coupon_template_id for p in lottery.prizes], usable_until=lottery.entries_close_at)
    seed = draw.new_seed()
    if not db.session.execute(sa.update(Lottery).where(
            Lottery.id == lottery.id, Lottery.status == LotteryStatus.DRAFT).values(
            status=LotteryStatus.PUBLISHED, seed=seed, seed_hash=draw.seed_hash(seed), published_at=now)
            .execution_options(**NO_SYNC)).rowcount:
        raise Conflict(_("This lottery was published meanwhile"), code="lottery_not_draft")
    db.session.commit()
    db.session.refresh(lottery)
    return lottery


def cancel(lottery: Lottery) -> Lottery:
    """Cancel a draft, or a published lottery before entries close. After the close the result is
    already fixed by the seed and the entries, so it must be drawn: a merchant who knows the seed
    could otherwise cancel any draw they did not like."""
    now = utcnow()
    if not db.session.execute(sa.update(Lottery).where(
            Lottery.id == lottery.id,
            sa.or_(Lottery.status == LotteryStatus.DRAFT,
                   sa.and_(Lottery.status == LotteryStatus.PUBLISHED, Lottery.entries_close_at > now)))
            .values(status=LotteryStatus.CANCELLED, cancelled_at=now).execution_options(**NO_SYNC)).rowcount:
        raise Conflict(_("Only a draft, or a lottery still taking entries, can be cancelled"),
                       code="lottery_not_cancellable", details={"phase": phase(lottery, now).value})
    db.session.commit()
    db.session.refresh(lottery)
    return lottery


def list_lotteries(*, group_id: int | None = None, status: str | None = None) -> sa.Select:
    query = sa.select(Lottery).order_by(Lottery.entries_close_at.desc(), Lottery.id.desc())
    if group_id is not None:
        query = query.where(Lottery.group_id == group_id)
    if status:
        query = query.where(Lottery.status == LotteryStatus(status))
    return query


def entries_of(lottery_id: int, won: bool | None = None) -> sa.Select:
    query = sa.select(LotteryEntry).where(LotteryEntry.lottery_id == lottery_id)
    if won is not None:
        query = query.where(LotteryEntry.win_rank.is_not(None) if won else LotteryEntry.win_rank.is_(None))
    return query.order_by(LotteryEntry.win_rank if won else LotteryEntry.number, LotteryEntry.number)


# --- the shopper's side ----------------------------------------------------------------------

SHOWN_TO_SHOPPERS = sa.or_(Lottery.status.in_((LotteryStatus.PUBLISHED, LotteryStatus.DRAWN)),
                           sa.and_(Lottery.status == LotteryStatus.CANCELLED, Lottery.published_at.is_not(None)))


def group_of(account_id: int) -> int:
    binding = current_binding(account_id)
    if binding is None:
        raise NotFound(_("You have not joined a group yet: open a group link"), code="not_in_a_group")
    return binding.group_id


def visible_to_group(group_id: int) -> sa.Select:
    """Published lotteries of the group (open, closed, drawn, or cancelled after publication)."""
    return (sa.select(Lottery).where(Lottery.group_id == group_id, SHOWN_TO_SHOPPERS)
            .order_by(Lottery.entries_close_at.desc(), Lottery.id.desc()))


def get_visible(lottery_id: int, group_id: int) -> Lottery:
    lottery = db.session.scalar(visible_to_group(group_id).where(Lottery.id == lottery_id))
    if lottery is None:
        raise not_found("lottery", id=lottery_id)
    return lottery


def entry_of(lottery_id: int, account_id: int) -> LotteryEntry | None:
    return db.session.scalar(sa.select(LotteryEntry).where(LotteryEntry.lottery_id == lottery_id,
                                                           LotteryEntry.account_id == account_id))


def require_eligible(lottery: Lottery, account_id: int, now: dt.datetime) -> None:
    binding = current_binding(account_id)
    if binding is None or binding.group_id != lottery.group_id:
        raise PermissionDenied(_("This lottery is for another group"), code="lottery_not_for_your_group")
    if lottery.entry_rule is EntryRule.MEMBERS and not is_member(account_id):
        raise PermissionDenied(_("This lottery is for members; join the membership first"),
                               code="lottery_members_only")
    if lottery.entry_rule is EntryRule.RECENT_ORDER and not db.session.scalar(sa.select(sa.exists().where(
            Order.account_id == account_id, Order.status.in_(ELIGIBLE_ORDER_STATES),
            Order.created_at >= now - dt.timedelta(days=lottery.recent_order_days)))):
        raise PermissionDenied(_('This lottery is for shoppers with a paid order in the last %(days)s days',
                                 days=lottery.recent_order_days),
                               code="lottery_needs_recent_order",
                               details={"recent_order_days": lottery.recent_order_days})


def enter(lottery_id: int, account_id: int) -> LotteryEntry:
    """Enter once, while entries are open, if the rule allows; entering again returns the entry."""
    lottery = get_lottery(lottery_id)
    existing = entry_of(lottery_id, account_id)
    if existing is not None:
        return existing
    now = utcnow()
    current = phase(lottery, now)
    if current is not Phase.OPEN:
        raise Conflict(_("This lottery is not taking entries"),
                       code="lottery_not_open", details={"phase": current.value})
    require_eligible(lottery, account_id, now)
    for _attempt in range(3):
        entry = _insert_entry(lottery_id, account_id, now)
        if entry is not None:
            return entry
    raise Conflict(_("Could not record the entry; try again"), code="lottery_entry_retry")


def _insert_entry(lottery_id: int, account_id: int, now: dt.datetime) -> LotteryEntry | None:
    # The guarded counter UPDATE locks the lottery row until commit; the draw's own guarded UPDATE
    # waits for it, so an entry is either in the list the draw reads or refused as too late.
    number = db.session.execute(sa.update(Lottery).where(
        Lottery.id == lottery_id, Lottery.status == LotteryStatus.PUBLISHED, Lottery.entries_close_at > now)
        .values(entry_count=Lottery.entry_count + 1).returning(Lottery.entry_count)
        .execution_options(**NO_SYNC)).scalar_one_or_none()
    if number is None:
        db.session.rollback()
        raise Conflict(_("This lottery has just stopped taking entries"), code="lottery_not_open",
                       details={"phase": phase(get_lottery(lottery_id), now).value})
    entry = LotteryEntry(lottery_id=lottery_id, account_id=account_id, number=number,
                         ticket=new_code(TICKET_LENGTH))
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:
        # The same shopper entering concurrently (that entry stands), or a ticket collision (retry).
        db.session.rollback()
        return entry_of(lottery_id, account_id)
    return entry
