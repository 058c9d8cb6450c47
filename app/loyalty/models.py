from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CreatedAt, Timestamps, str_enum


class LoyaltyProgram(Timestamps, Base):
    """The store's one loyalty programme row (id 1)."""

    __tablename__ = "loyalty_program"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("points_per_unit >= 0", name="earn_rate_not_negative"),
        sa.CheckConstraint("point_value_cents > 0", name="point_value_positive"),
        sa.CheckConstraint("max_redeem_bps BETWEEN 0 AND 10000", name="redeem_share_range"),
        sa.CheckConstraint("referral_reward_points >= 0", name="referral_points_not_negative"),
        sa.CheckConstraint("new_product_member_hours BETWEEN 0 AND 720", name="member_hours_range"),
        sa.CheckConstraint("membership_fee_cents >= 0 AND membership_days BETWEEN 1 AND 3660", name="fee_terms"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Members earn this many points per whole currency unit paid (100 minor units), rounded down.
    points_per_unit: Mapped[int] = mapped_column(default=1)
    # A redeemed point takes this many minor units off an order.
    point_value_cents: Mapped[int] = mapped_column(default=1)
    # Points may pay at most this share of an order's total (basis points).
    max_redeem_bps: Mapped[int] = mapped_column(default=5000)
    # A referred shopper's first paid order rewards the referrer with points (if a member), a coupon, or both.
    referral_reward_points: Mapped[int] = mapped_column(default=0)
    referral_coupon_template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("coupon_templates.id"))
    # Members may buy new products this many hours before everyone (a tier may give more).
    new_product_member_hours: Mapped[int] = mapped_column(default=24)
    # Joining is free (0) or costs this fee, paid from the wallet, for membership_days.
    membership_fee_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    membership_days: Mapped[int] = mapped_column(default=365)


class Tier(Base):
    """Members reach a tier by growth points (points earned, less reversals; spending points does
    not lower growth)."""

    __tablename__ = "loyalty_tiers"
    __table_args__ = (
        sa.CheckConstraint("min_growth >= 0", name="min_growth_not_negative"),
        sa.CheckConstraint("discount_bps BETWEEN 0 AND 5000", name="discount_range"),
        sa.CheckConstraint("points_multiplier_pct BETWEEN 100 AND 1000", name="multiplier_range"),
        sa.CheckConstraint("early_access_hours BETWEEN 0 AND 720", name="early_access_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    min_growth: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    discount_bps: Mapped[int] = mapped_column(default=0)           # off regular-priced lines
    points_multiplier_pct: Mapped[int] = mapped_column(default=100)  # 150 = 1.5x points
    early_access_hours: Mapped[int] = mapped_column(default=0)     # on new products, before everyone


class PointsKind(enum.StrEnum):
    EARN = "earn"        # a paid order
    REVERSE = "reverse"  # a refund takes back what its share earned
    REDEEM = "redeem"    # spent at checkout
    RETURN = "return"    # an order closed unpaid (or refunded) gives spent points back
    REWARD = "reward"    # referral rewards and the like
    ADJUST = "adjust"    # the merchant, with a note


class PointsEntry(CreatedAt, Base):
    """Append-only: rows are only ever inserted. Each carries the balance after it, and `ref` makes
    every posting happen once (a rerun finds its ref and stops)."""

    __tablename__ = "points_entries"
    __table_args__ = (
        sa.CheckConstraint("delta <> 0 OR growth_delta <> 0", name="entry_moves_something"),
        sa.CheckConstraint("balance_after >= 0", name="balance_not_negative"),
        sa.CheckConstraint("growth_after >= 0", name="growth_not_negative"),
        sa.Index("ix_points_entries_account", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    kind: Mapped[PointsKind] = mapped_column(str_enum(PointsKind, "points_kind"))
    delta: Mapped[int] = mapped_column(sa.BigInteger)
    balance_after: Mapped[int] = mapped_column(sa.BigInteger)
    growth_delta: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    growth_after: Mapped[int] = mapped_column(sa.BigInteger)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("groups.id"))  # for the group ranking
    ref: Mapped[str] = mapped_column(sa.String(120), unique=True)
    note: Mapped[str | None] = mapped_column(sa.String(200))
