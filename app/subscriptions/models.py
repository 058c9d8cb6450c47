"""Subscriptions: repeat deliveries of a subscribable SKU to the shopper's pickup point.

A subscription's schedule is anchor_date + k × interval; `next_date` is the first cycle not yet
handled. Each handled cycle is one row (unique per subscription and date): that row, inserted and
committed before any charge, is what makes a renewal happen once however many sweeps run.
Skips are rows keyed by the cycle's delivery date, so they survive interval changes (see
schedule.py for how they move).
"""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum


class IntervalUnit(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class SubscriptionPlan(Timestamps, Base):
    """The merchant marks a SKU subscribable: the intervals offered and the subscription discount."""

    __tablename__ = "subscription_plans"
    __table_args__ = (sa.CheckConstraint("discount_bps BETWEEN 0 AND 5000", name="discount_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"), unique=True)
    # [{"unit": "week", "count": 2}, …] — validated by the schema; a subscription must pick one.
    intervals: Mapped[list[dict]] = mapped_column(sa.JSON)
    discount_bps: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class SubscriptionStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"        # by the shopper (until a date, or until resumed) or by dunning
    CANCELLED = "cancelled"


class PayWith(enum.StrEnum):
    CARD = "card"        # a card saved with a SetupIntent, charged off-session
    WALLET = "wallet"


class Subscription(Timestamps, Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        sa.CheckConstraint("quantity BETWEEN 1 AND 99", name="quantity_range"),
        sa.CheckConstraint("interval_count BETWEEN 1 AND 365", name="interval_range"),
        sa.CheckConstraint("pay_with <> 'card' OR stripe_payment_method_id IS NOT NULL", name="card_saved"),
        sa.Index("ix_subscriptions_due", "status", "next_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("subscription_plans.id"))
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"), index=True)
    quantity: Mapped[int]
    interval_unit: Mapped[IntervalUnit] = mapped_column(str_enum(IntervalUnit, "interval_unit"))
    interval_count: Mapped[int]
    anchor_date: Mapped[dt.date]   # the schedule's origin (moved when the interval changes)
    next_date: Mapped[dt.date]     # the first cycle not yet handled
    status: Mapped[SubscriptionStatus] = mapped_column(str_enum(SubscriptionStatus, "subscription_status"),
                                                       default=SubscriptionStatus.ACTIVE)
    paused_until: Mapped[dt.date | None]
    pause_reason: Mapped[str | None] = mapped_column(sa.String(24))  # shopper | payment_failed
    pay_with: Mapped[PayWith] = mapped_column(str_enum(PayWith, "pay_with"))
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(64))
    stripe_payment_method_id: Mapped[str | None] = mapped_column(sa.String(64))
    cancelled_at: Mapped[dt.datetime | None]

    sku = relationship("Sku", lazy="joined")
    skips: Mapped[list[SubscriptionSkip]] = relationship(order_by="SubscriptionSkip.cycle_date",
                                                         cascade="all, delete-orphan")


class SubscriptionSkip(CreatedAt, Base):
    __tablename__ = "subscription_skips"

    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("subscriptions.id"), primary_key=True)
    cycle_date: Mapped[dt.date] = mapped_column(primary_key=True)


class CycleStatus(enum.StrEnum):
    CHARGING = "charging"          # claimed; its order and charge are under way
    RETRYING = "retrying"          # the charge failed; tried again at next_retry_at
    PAID = "paid"
    FAILED = "failed"              # every retry failed: the subscription went to dunning
    SKIPPED = "skipped"            # the shopper skipped it
    OUT_OF_STOCK = "out_of_stock"  # nothing to deliver: not charged, the shopper told


class SubscriptionCycle(Timestamps, Base):
    __tablename__ = "subscription_cycles"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "cycle_date"),
        sa.Index("ix_subscription_cycles_retry", "status", "next_retry_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("subscriptions.id"))
    cycle_date: Mapped[dt.date]
    status: Mapped[CycleStatus] = mapped_column(str_enum(CycleStatus, "cycle_status"))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))  # the latest attempt's order
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[dt.datetime | None]
    next_retry_at: Mapped[dt.datetime | None]
    charging_since: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


class StripeCustomer(CreatedAt, Base):
    """The shopper's Stripe customer, created once, holding the cards saved for subscriptions."""

    __tablename__ = "stripe_customers"

    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
