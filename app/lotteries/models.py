"""Lotteries for a group: prizes, entries, and a draw that anyone can reproduce (see draw.py)."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum


class LotteryStatus(enum.StrEnum):
    DRAFT = "draft"           # editable; no seed yet
    PUBLISHED = "published"   # seed committed (seed_hash public); open or closed by the clock
    DRAWN = "drawn"           # winners fixed, seed revealed
    CANCELLED = "cancelled"


class EntryRule(enum.StrEnum):
    MEMBERS = "members"              # an active store membership
    RECENT_ORDER = "recent_order"    # a paid or confirmed order in the last recent_order_days days


class Lottery(Timestamps, Base):
    """A lottery for one group. Whether it is open comes from the clock (entries_close_at), never
    from a job; the stored status only records the merchant's acts and the draw."""

    __tablename__ = "lotteries"
    __table_args__ = (
        sa.CheckConstraint("(entry_rule = 'recent_order') = (recent_order_days IS NOT NULL)", name="rule_days"),
        sa.CheckConstraint("recent_order_days IS NULL OR recent_order_days BETWEEN 1 AND 365", name="days_range"),
        sa.CheckConstraint("status IN ('draft', 'cancelled') OR (seed IS NOT NULL AND seed_hash IS NOT NULL)",
                           name="committed_once_published"),
        sa.CheckConstraint("(status = 'drawn') = (drawn_at IS NOT NULL)", name="drawn_at_when_drawn"),
        sa.CheckConstraint("entry_count >= 0", name="entry_count_not_negative"),
        sa.Index("ix_lotteries_group_status", "group_id", "status"),
        sa.Index("ix_lotteries_status_close", "status", "entries_close_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id"))
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.String(2000))
    entry_rule: Mapped[EntryRule] = mapped_column(str_enum(EntryRule, "lottery_entry_rule"))
    recent_order_days: Mapped[int | None]
    entries_close_at: Mapped[dt.datetime]
    status: Mapped[LotteryStatus] = mapped_column(str_enum(LotteryStatus, "lottery_status"),
                                                  default=LotteryStatus.DRAFT)
    # The seed is drawn at publication and kept secret until the draw; seed_hash is its public
    # commitment. No API shows the seed before the lottery is drawn.
    seed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    seed_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # Entries so far; also the lock entrants and the draw take, so no entry slips in after the draw.
    entry_count: Mapped[int] = mapped_column(default=0)
    entries_digest: Mapped[str | None] = mapped_column(sa.String(64))  # of the list drawn from
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    published_at: Mapped[dt.datetime | None]
    drawn_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]

    prizes: Mapped[list[LotteryPrize]] = relationship(order_by="LotteryPrize.position", cascade="all, delete-orphan",
                                                      lazy="selectin", back_populates="lottery")


class LotteryPrize(Base):
    """`quantity` winners get this prize: a coupon from the template (a 100% coupon on a product is
    a free item on the next order)."""

    __tablename__ = "lottery_prizes"
    __table_args__ = (
        sa.UniqueConstraint("lottery_id", "position"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
        sa.CheckConstraint("quantity BETWEEN 1 AND 1000", name="quantity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lottery_id: Mapped[int] = mapped_column(sa.ForeignKey("lotteries.id", ondelete="CASCADE"))
    position: Mapped[int]  # prize order: winners drawn first take the first prizes
    name: Mapped[str] = mapped_column(sa.String(120))
    quantity: Mapped[int]
    # Required to publish; nullable so a draft can be sketched before the coupon exists.
    coupon_template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("coupon_templates.id"), index=True)

    lottery: Mapped[Lottery] = relationship(back_populates="prizes")


class LotteryEntry(CreatedAt, Base):
    """One shopper's entry. `number` (1, 2, 3, … in the order entries were accepted) is the public
    key the draw orders entries by; `ticket` is a random code the entrant can find in the
    published list. A winner's prize is issued after the draw, once (prize_issued_at)."""

    __tablename__ = "lottery_entries"
    __table_args__ = (
        sa.UniqueConstraint("lottery_id", "account_id"),
        sa.UniqueConstraint("lottery_id", "number"),
        sa.UniqueConstraint("lottery_id", "ticket"),
        sa.UniqueConstraint("lottery_id", "win_rank"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("(win_rank IS NULL) = (prize_id IS NULL)", name="rank_with_prize"),
        sa.CheckConstraint("win_rank IS NULL OR win_rank >= 1", name="rank_positive"),
        sa.CheckConstraint("prize_issued_at IS NULL OR prize_id IS NOT NULL", name="issued_only_to_winners"),
        sa.Index("ix_lottery_entries_account", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lottery_id: Mapped[int] = mapped_column(sa.ForeignKey("lotteries.id"))
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    number: Mapped[int]
    ticket: Mapped[str] = mapped_column(sa.String(12))
    win_rank: Mapped[int | None]
    prize_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lottery_prizes.id"))
    prize_issued_at: Mapped[dt.datetime | None]
    prize_error: Mapped[str | None] = mapped_column(sa.String(60))  # why issuing the coupon failed, to retry

    prize: Mapped[LotteryPrize | None] = relationship(lazy="joined")
