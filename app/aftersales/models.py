from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum


class Reason(enum.StrEnum):
    QUALITY = "quality"
    DAMAGED = "damaged"
    MISSING = "missing"
    WRONG_ITEM = "wrong_item"
    EXPIRED = "expired"
    OTHER = "other"


class Status(enum.StrEnum):
    AWAITING_LEADER = "awaiting_leader"      # the leader of the pickup point looks first
    AWAITING_MERCHANT = "awaiting_merchant"  # reviewed (or the review is overdue): the merchant decides
    REFUNDED = "refunded"                    # approved: money back through the order's refunds
    REPLACED = "replaced"                    # approved: a replacement travels in the next batch
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"                  # the shopper took it back


OPEN = (Status.AWAITING_LEADER, Status.AWAITING_MERCHANT)


class Decision(enum.StrEnum):
    REFUND = "refund"
    REPLACE = "replace"
    REJECT = "reject"


class LeaderVerdict(enum.StrEnum):
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class AfterSaleRules(Timestamps, Base):
    """The merchant's after-sale rules (one row): the leader's review deadline and auto-approval."""

    __tablename__ = "aftersale_rules"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("leader_review_hours BETWEEN 1 AND 168", name="review_hours_range"),
        sa.CheckConstraint("auto_approve_max_cents >= 0", name="auto_amount_not_negative"),
        sa.CheckConstraint("auto_approve_max_rate_bps BETWEEN 0 AND 10000", name="auto_rate_range"),
        sa.CheckConstraint("cash_refund_by IN ('leader', 'wallet')", name="cash_refund_by_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    leader_review_hours: Mapped[int] = mapped_column(default=24)
    # A claim of at most this amount, from a shopper whose after-sale rate (requests per line
    # bought) is below the rate, is refunded at once. 0: no auto-approval.
    auto_approve_max_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    auto_approve_max_rate_bps: Mapped[int] = mapped_column(default=1000)
    # How a refund of cash paid at pickup goes back unless the decision says otherwise (and always for
    # auto-approved claims): leader (cash from what the leader holds) or wallet (credit to the shopper).
    cash_refund_by: Mapped[str] = mapped_column(sa.String(10), default="leader", server_default="leader")


class AfterSaleRequest(Timestamps, Base):
    __tablename__ = "aftersale_requests"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("claim_cents >= 0 AND refund_cents >= 0 AND refund_cents <= claim_cents",
                           name="refund_within_claim"),
        sa.CheckConstraint("replacement_quantity >= 0", name="replacement_not_negative"),
        # One open request per line at a time (enforced by the database, so two at once cannot both open).
        sa.Index("uq_aftersale_open_line", "order_line_id", unique=True,
                 sqlite_where=sa.text("status IN ('awaiting_leader', 'awaiting_merchant')"),
                 postgresql_where=sa.text("status IN ('awaiting_leader', 'awaiting_merchant')")),
        sa.Index("ix_aftersale_status_due", "status", "review_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id"), index=True)
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delivery_batches.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    reason: Mapped[Reason] = mapped_column(str_enum(Reason, "aftersale_reason"))
    quantity: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(1000), default="")
    claim_cents: Mapped[int] = mapped_column(sa.BigInteger)   # what the units cost the shopper
    status: Mapped[Status] = mapped_column(str_enum(Status, "aftersale_status"), default=Status.AWAITING_LEADER)
    review_due_at: Mapped[dt.datetime]
    leader_verdict: Mapped[LeaderVerdict | None] = mapped_column(str_enum(LeaderVerdict, "aftersale_verdict"))
    leader_note: Mapped[str | None] = mapped_column(sa.String(1000))
    leader_reviewed_at: Mapped[dt.datetime | None]
    leader_reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    decision: Mapped[Decision | None] = mapped_column(str_enum(Decision, "aftersale_decision"))
    decision_reason: Mapped[str | None] = mapped_column(sa.String(500))
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))  # None: a rule
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))
    refund_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    replacement_batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delivery_batches.id"))
    replacement_quantity: Mapped[int] = mapped_column(default=0)
    # How cash paid at pickup went back: leader (in cash, recorded) or wallet (credit), when paid in cash.
    cash_refund_by: Mapped[str | None] = mapped_column(sa.String(10))

    photos: Mapped[list[AfterSalePhoto]] = relationship(order_by="AfterSalePhoto.id", lazy="selectin")
    events: Mapped[list[AfterSaleEvent]] = relationship(order_by="AfterSaleEvent.id", lazy="selectin")


class AfterSalePhoto(CreatedAt, Base):
    __tablename__ = "aftersale_photos"
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("aftersale_requests.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    uploaded_as: Mapped[str] = mapped_column(sa.String(10))   # shopper | leader
    storage_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]


class AfterSaleEvent(CreatedAt, Base):
    """The request's history: every state change and note, by whom (append-only)."""

    __tablename__ = "aftersale_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("aftersale_requests.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))  # None: the system (a rule)
    actor_role: Mapped[str] = mapped_column(sa.String(10))   # shopper | leader | staff | system
    kind: Mapped[str] = mapped_column(sa.String(30))          # opened, reviewed, escalated, refunded ...
    status: Mapped[str] = mapped_column(sa.String(24))        # the request's status after it
    note: Mapped[str | None] = mapped_column(sa.String(1000))
