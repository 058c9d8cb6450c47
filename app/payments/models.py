from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, str_enum


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"          # this attempt failed; the shopper may retry on the same intent
    CANCELLED = "cancelled"


class RefundStatus(enum.StrEnum):
    PENDING = "pending"        # recorded; the provider has not confirmed yet
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Payment(CreatedAt, Base):
    """One provider's part of paying an order. Several parts (wallet + card) may pay one order."""

    __tablename__ = "payments"
    __table_args__ = (
        sa.CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        sa.CheckConstraint("refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refunds_within_amount"),
        sa.Index("ix_payments_status_created", "status", "created_at"),
        # One open payment per order and purpose: a double-clicked "pay" reuses it.
        sa.Index("uq_payments_open_purpose", "order_id", "purpose", unique=True,
                 sqlite_where=sa.text("status IN ('pending', 'failed')"),
                 postgresql_where=sa.text("status IN ('pending', 'failed')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    provider: Mapped[str] = mapped_column(sa.String(24))
    # order (the whole order) | deposit / balance (a pre-sale's two parts)
    purpose: Mapped[str] = mapped_column(sa.String(12), default="order", server_default="order")
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    refunded_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus, "payment_status"),
                                                  default=PaymentStatus.PENDING)
    provider_ref: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    client_secret: Mapped[str | None] = mapped_column(sa.String(255))
    # For provider "stripe": card | wechat_pay | alipay (null: card, as before methods were data).
    method: Mapped[str | None] = mapped_column(sa.String(24))
    # What the shopper does next (a WeChat Pay QR payload, an Alipay redirect URL), from Stripe's
    # next_action, kept so the order can show it again without asking Stripe (app/payments/methods.py).
    next_action: Mapped[dict | None] = mapped_column(sa.JSON)
    failure_message: Mapped[str | None] = mapped_column(sa.String(500))
    started_at: Mapped[dt.datetime | None]
    succeeded_at: Mapped[dt.datetime | None]


class Refund(CreatedAt, Base):
    __tablename__ = "refunds"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint("cash_refund_by IN ('leader', 'wallet')", name="cash_refund_by_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[RefundStatus] = mapped_column(str_enum(RefundStatus, "refund_status"),
                                                 default=RefundStatus.PENDING)
    reason: Mapped[str] = mapped_column(sa.String(200))
    restock: Mapped[bool] = mapped_column(default=True)
    provider_ref: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    failure_message: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    # Claimed by whoever is talking to the provider about this refund, so two never do at once.
    attempt_started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    # An order paid in two parts (wallet + card) is refunded in two: the part on the second
    # payment points at the first refund, which completes it too.
    parent_refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"), index=True)
    # A refund of cash paid at pickup (no card to go back to): the leader pays it in cash out of the
    # cash they hold (leader cash ledger), or the store credits the shopper's wallet. NULL otherwise.
    cash_refund_by: Mapped[str | None] = mapped_column(sa.String(10))

    lines: Mapped[list[RefundLine]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class RefundLine(Base):
    __tablename__ = "refund_lines"
    __table_args__ = (sa.CheckConstraint("quantity >= 0 AND amount_cents >= 0", name="not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(sa.ForeignKey("refunds.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"))
    quantity: Mapped[int]
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)


class WebhookEvent(CreatedAt, Base):
    """Each provider event id is processed once: the row is inserted in the same transaction as its effect."""

    __tablename__ = "webhook_events"
    __table_args__ = (sa.UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(24))
    event_id: Mapped[str] = mapped_column(sa.String(255))
    event_type: Mapped[str] = mapped_column(sa.String(100))
    outcome: Mapped[str] = mapped_column(sa.String(200))
