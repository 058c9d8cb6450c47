from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Timestamps, str_enum, utcnow


class StaffRole(Timestamps, Base):
    """A custom role an owner made from permissions. Built-in roles live in code
    (app/staff/permissions.py); an account names its role by key in `accounts.staff_role`."""

    __tablename__ = "staff_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    permissions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)


class AuditEntry(Base):
    """One staff (or leader) write: who, in which role, what, on which object, the fields it changed
    (before and after), when, from where and in which request. Append-only (a trigger refuses
    UPDATE and DELETE on PostgreSQL and UPDATE on SQLite); written in the transaction of the change."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_actor_at", "actor_id", "at"),
        sa.Index("ix_audit_log_object", "object_type", "object_id"),
        sa.Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # No foreign key: the log outlives what it describes, and must never block a delete it records.
    actor_id: Mapped[int] = mapped_column()
    actor_name: Mapped[str] = mapped_column(sa.String(80))
    actor_role: Mapped[str] = mapped_column(sa.String(40))
    action: Mapped[str] = mapped_column(sa.String(120))
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(400))
    object_type: Mapped[str | None] = mapped_column(sa.String(60))
    object_id: Mapped[str | None] = mapped_column(sa.String(60))
    changes: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))




class ApprovalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ApprovalRequest(Timestamps, Base):
    """A change one staff member asked for that a different one must approve before it takes effect
    (four-eyes): a commission rule, its end, the commission settings, a refund above the store's
    threshold. `payload` holds what to apply (JSON-safe); `result_id` what applying it made."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        sa.Index("ix_approval_requests_kind_status", "kind", "status"),
        # One pending approval per payout: two staff proposing the same payout at once get one request.
        sa.Index("uq_approval_requests_pending_payout", "subject_id", unique=True,
                 postgresql_where=sa.text("kind = 'payout' AND status = 'pending'"),
                 sqlite_where=sa.text("kind = 'payout' AND status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[ApprovalStatus] = mapped_column(str_enum(ApprovalStatus, "approval_status"),
                                                   default=ApprovalStatus.PENDING)
    subject_id: Mapped[int | None]  # the order refunded, the rule ended
    amount_cents: Mapped[int | None]  # a refund's total, for the approver to see
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    decided_at: Mapped[dt.datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(200))
    result_id: Mapped[int | None]
