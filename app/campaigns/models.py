from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum


class CampaignKind(enum.StrEnum):
    FLASH_SALE = "flash_sale"
    PRE_SALE = "pre_sale"
    GROUP_BUY = "group_buy"
    MEMBER_DAY = "member_day"


class Review(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class BalancePolicy(enum.StrEnum):
    FORFEIT = "forfeit"   # the deposit is kept
    REFUND = "refund"     # the deposit goes back


class Threshold(enum.StrEnum):
    PARTICIPANTS = "participants"
    UNITS = "units"


class ThresholdScope(enum.StrEnum):
    PER_GROUP = "per_group"
    STORE = "store"


campaign_groups = sa.Table(
    "campaign_groups", Base.metadata,
    sa.Column("campaign_id", sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Campaign(Timestamps, Base):
    """A time-boxed sale. Once approved it is immutable: its phase (scheduled, warming up, live,
    ended) is derived from the clock, never stored, so it is right without any job running."""

    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="window_ordered"),
        sa.CheckConstraint("warmup_minutes >= 0 AND hold_minutes > 0", name="durations_positive"),
        sa.CheckConstraint("per_person_limit IS NULL OR per_person_limit > 0", name="limit_positive"),
        sa.CheckConstraint("day_of_month IS NULL OR day_of_month BETWEEN 1 AND 28", name="day_of_month_range"),
        sa.Index("ix_campaigns_review_window", "review", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CampaignKind] = mapped_column(str_enum(CampaignKind, "campaign_kind"))
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.String(2000))
    # Merchant text in other languages: {"en": {"name": ...}} (app/content.py).
    translations: Mapped[dict | None] = mapped_column(sa.JSON)
    review: Mapped[Review] = mapped_column(str_enum(Review, "campaign_review"), default=Review.DRAFT)
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(500))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    warmup_minutes: Mapped[int] = mapped_column(default=0)      # visible with a countdown, not buyable
    all_groups: Mapped[bool] = mapped_column(default=True)
    members_only: Mapped[bool] = mapped_column(default=False)
    per_person_limit: Mapped[int | None]                        # units per shopper per item
    stackable: Mapped[bool] = mapped_column(default=False)      # member discount on top of the campaign price
    hold_minutes: Mapped[int] = mapped_column(default=15)       # how long an unpaid order holds campaign stock
    # Pre-sale: a deposit now, the balance in [balance_starts_at, balance_ends_at), goods from ship_date.
    balance_starts_at: Mapped[dt.datetime | None]
    balance_ends_at: Mapped[dt.datetime | None]
    balance_policy: Mapped[BalancePolicy | None] = mapped_column(str_enum(BalancePolicy, "balance_policy"))
    ship_date: Mapped[dt.date | None]
    # Group buy: the deal happens only if `threshold` participants or units join by ends_at.
    threshold_kind: Mapped[Threshold | None] = mapped_column(str_enum(Threshold, "threshold_kind"))
    threshold: Mapped[int | None]
    threshold_scope: Mapped[ThresholdScope | None] = mapped_column(str_enum(ThresholdScope, "threshold_scope"))
    # Member day: live on this day of each month (store time) between starts_at and ends_at.
    day_of_month: Mapped[int | None]
    # Member days only: a coupon every member of an eligible group gets on the day (once per day).
    coupon_template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("coupon_templates.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    submitted_at: Mapped[dt.datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    reviewed_at: Mapped[dt.datetime | None]

    items: Mapped[list[CampaignItem]] = relationship(back_populates="campaign", order_by="CampaignItem.id",
                                                     cascade="all, delete-orphan", lazy="selectin")
    groups: Mapped[list[Group]] = relationship(secondary=campaign_groups)  # noqa: F821


class CampaignItem(Base):
    """A SKU in a campaign: its campaign price, its own stock (apart from regular stock), and for a
    pre-sale the deposit and what the deposit counts for (deposit inflation, 定金膨胀)."""

    __tablename__ = "campaign_items"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "sku_id"),
        sa.CheckConstraint("campaign_price_cents >= 0", name="price_not_negative"),
        sa.CheckConstraint("stock_total IS NULL OR stock_total >= 0", name="stock_not_negative"),
        sa.CheckConstraint("deposit_cents IS NULL OR (deposit_cents > 0 AND deposit_value_cents >= deposit_cents "
                           "AND deposit_value_cents <= campaign_price_cents)", name="deposit_sane"),
        sa.CheckConstraint("points_multiplier IS NULL OR points_multiplier BETWEEN 1 AND 10",
                           name="points_multiplier_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"), index=True)
    campaign_price_cents: Mapped[int] = mapped_column(sa.BigInteger)
    stock_total: Mapped[int | None]   # None: sells from regular stock (member day)
    deposit_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    deposit_value_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    points_multiplier: Mapped[int | None]  # member day: members earn this many times the points

    campaign: Mapped[Campaign] = relationship(back_populates="items")
    sku: Mapped[Sku] = relationship(lazy="joined")  # noqa: F821


class StockBucket(Base):
    """Campaign stock split over a few rows, so concurrent buyers of a hot item lock different rows
    (a bound on writers per row); each bucket keeps sold + reserved <= total."""

    __tablename__ = "campaign_stock_buckets"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "bucket_no"),
        sa.CheckConstraint("reserved >= 0 AND sold >= 0", name="counters_not_negative"),
        sa.CheckConstraint("sold + reserved <= total", name="never_oversold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign_items.id", ondelete="CASCADE"))
    bucket_no: Mapped[int]
    total: Mapped[int]
    reserved: Mapped[int] = mapped_column(default=0)
    sold: Mapped[int] = mapped_column(default=0)


class CampaignPurchase(Base):
    """One row per shopper and item, taken as a lock whenever the shopper buys it, so their units
    are counted and the per-person limit checked with no count-then-check race. The count itself is
    derived from holds (consumed, or active and not lapsed), so a lapsed hold stops counting by the
    clock and releasing one never touches another shopper's row."""

    __tablename__ = "campaign_purchases"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign_items.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)


class HoldStatus(enum.StrEnum):
    ACTIVE = "active"
    CONSUMED = "consumed"
    RELEASED = "released"
    EXPIRED = "expired"


class CampaignHold(CreatedAt, Base):
    """Campaign stock held for an order (per bucket); like stock reservations, but for campaign stock."""

    __tablename__ = "campaign_holds"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),
                      sa.Index("ix_campaign_holds_bucket_active", "bucket_id", "status", "expires_at"),
                      sa.Index("ix_campaign_holds_item_account", "item_id", "account_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign_items.id"))
    bucket_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign_stock_buckets.id"))
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    quantity: Mapped[int]
    status: Mapped[HoldStatus] = mapped_column(str_enum(HoldStatus, "hold_status"), default=HoldStatus.ACTIVE)
    expires_at: Mapped[dt.datetime | None]


class GroupBuyOutcome(CreatedAt, Base):
    """The recorded outcome of a group buy (per group, or store-wide with group_id 0)."""

    __tablename__ = "group_buy_outcomes"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(primary_key=True)   # 0 = store-wide
    succeeded: Mapped[bool]


class RefundRequest(CreatedAt, Base):
    """Outbox of refunds to make (a failed group buy, an unpaid pre-sale balance): written in one
    transaction, each then refunded by its own idempotent job, never inside a loop of payment calls."""

    __tablename__ = "refund_requests"
    __table_args__ = (sa.UniqueConstraint("order_id", "reason"),
                      sa.Index("ix_refund_requests_pending", "refund_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"))
    reason: Mapped[str] = mapped_column(sa.String(60))
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))
    done_at: Mapped[dt.datetime | None]
